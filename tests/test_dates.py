"""Numeric dates that read two ways (06/08/2021: 6 August or 8 June) are settled from evidence
and marked inferred, or not taken; unambiguous ones are read as written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.load import ArticleError, SourceItem, discover
from assistant.metadata import MetadataError, parse_date, read_date

PAGE = """Harbour Gazette
Posted {posted} | By Staff

Ferry strike ends after nine days

Dock workers in the port town voted on Thursday to end a nine-day strike that had halted ferry crossings to the islands. The union said the new contract raised wages by four percent and limited night shifts.

Crossings resumed on Friday morning{later}, and the operator said the backlog of freight would be cleared within a week.
"""


@pytest.mark.parametrize("written, expected", [
    ("Posted 13/08/2021 by the desk", date(2021, 8, 13)),  # 13 cannot be a month
    ("Posted 08/13/2021 by the desk", date(2021, 8, 13)),
    ("Posted 2021-08-06 by the desk", date(2021, 8, 6)),
    ("Posted 06.06.2021 by the desk", date(2021, 6, 6)),  # both readings are one day
    ("Posted 6 August 2021", date(2021, 8, 6)),
])
def test_unambiguous_dates_are_read_as_written(written, expected):
    found = read_date(written)
    assert found is not None and found.value == expected and found.inferred is None


def test_an_ambiguous_date_alone_is_not_guessed():
    assert read_date("Posted 06/08/2021 by the desk") is None
    assert read_date("Posted 06/08/2021\nPrinted 07/09/2021") is None  # nor settled by another that reads two ways
    # Other evidence is taken instead: a date written out, or an unambiguous one that shows the order.
    assert read_date("Posted 06/08/2021\nPrinted 7 August 2021").value == date(2021, 8, 7)
    assert read_date("Posted 06/08/2021\nPrinted 14/08/2021").value == date(2021, 8, 6)


def test_another_date_in_the_article_settles_the_order():
    day_first = read_date("Posted 06/08/2021", context="The ferry resumed on 25/08/2021 after repairs.")
    assert day_first.value == date(2021, 8, 6) and "25/08/2021" in day_first.inferred and "day-first" in day_first.inferred
    month_first = read_date("Posted 06/08/2021", context="The ferry resumed on 08/25/2021 after repairs.")
    assert month_first.value == date(2021, 6, 8) and "month-first" in month_first.inferred
    # Dates written both ways settle nothing.
    assert read_date("Posted 06/08/2021", context="Repairs from 25/08/2021; ferry back 08/30/2021.") is None


def test_the_url_or_locale_settles_the_order():
    by_url_date = read_date("Posted 06/08/2021", url="https://harbour.example.com/2021/06/08/ferry-strike")
    assert by_url_date.value == date(2021, 6, 8) and "URL" in by_url_date.inferred
    by_country = read_date("Posted 06/08/2021", url="https://harbourgazette.co.uk/ferry-strike")
    assert by_country.value == date(2021, 8, 6) and ".uk" in by_country.inferred
    assert read_date("Posted 06/08/2021", locale="en-US").value == date(2021, 6, 8)
    assert read_date("Posted 06/08/2021", locale="fr").value == date(2021, 8, 6)
    assert read_date("Posted 06/08/2021", url="https://harbour.example.com/ferry", locale="en") is None


def test_an_ambiguous_date_given_as_metadata_is_refused_with_both_readings():
    with pytest.raises(MetadataError, match=r"06/08/2021 could be 6 August or 8 June 2021.*YYYY-MM-DD"):
        parse_date("06/08/2021")
    assert parse_date("06/08/2021", locale="en-GB").value == date(2021, 8, 6)
    assert parse_date("2021-08-06").value == date(2021, 8, 6) and parse_date("2021-08-06").inferred is None


def _built(folder: Path) -> dict[str, object]:
    out = {}
    for item in discover([folder], 1_000_000):
        assert isinstance(item, SourceItem), item
        try:
            out[Path(item.path.split("#")[0]).name] = item.build().meta
        except ArticleError as exc:
            out[Path(item.path.split("#")[0]).name] = exc
    return out


def test_articles_get_a_settled_date_marked_inferred_or_none(tmp_path):
    (tmp_path / "alone.txt").write_text(PAGE.format(posted="06/08/2021", later=""))
    (tmp_path / "updated.txt").write_text(PAGE.format(posted="06/08/2021", later=" (updated 25/08/2021)"))
    (tmp_path / "uk.txt").write_text(PAGE.format(posted="06/08/2021", later=""))
    (tmp_path / "clear.txt").write_text(PAGE.format(posted="13/08/2021", later=""))
    (tmp_path / "metadata.toml").write_text('["uk.txt"]\nurl = "https://harbourgazette.co.uk/ferry"\n')
    meta = _built(tmp_path)
    assert meta["alone.txt"].published is None and meta["alone.txt"].published_inferred is None
    assert meta["updated.txt"].published == date(2021, 8, 6) and "25/08/2021" in meta["updated.txt"].published_inferred
    assert meta["uk.txt"].published == date(2021, 8, 6) and ".uk" in meta["uk.txt"].published_inferred
    assert meta["clear.txt"].published == date(2021, 8, 13) and meta["clear.txt"].published_inferred is None


def test_jsonl_dates_use_the_line_locale_or_are_refused(tmp_path):
    feed = tmp_path / "feed.jsonl"
    text = PAGE.format(posted="", later="")
    feed.write_text("\n".join(json.dumps(r) for r in (
        {"id": "us", "title": "Ferry strike ends", "text": text, "published": "06/08/2021", "locale": "en-US"},
        {"id": "unknown", "title": "Ferry strike ends", "text": text, "published": "06/08/2021"},
    )) + "\n")
    items = {i.id: i for i in discover([feed], 1_000_000)}
    us = items["us"].build().meta
    assert us.published == date(2021, 6, 8) and "en-US" in us.published_inferred
    with pytest.raises(ArticleError, match="06/08/2021 could be 6 August or 8 June 2021"):
        items["unknown"].build()


def test_the_inferred_mark_is_stored_and_listed(tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.config import load_settings
    from assistant.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "updated.txt").write_text(PAGE.format(posted="06/08/2021", later=" (updated 25/08/2021)"))
    (corpus / "noted.txt").write_text(PAGE.format(posted="", later=""))
    (corpus / "metadata.toml").write_text(
        '["noted.txt"]\npublished = 2021-08-07\npublished_inferred = "reports the vote of Thursday 5 August"\n'
    )
    index = tmp_path / "idx"
    assert ingest(load_settings(index_dir=index), [corpus]).ok
    rows = {r["id"]: r for r in json.loads(CliRunner().invoke(app, ["sources", "--json", "--index", str(index)]).stdout)}
    assert rows["updated"]["published"] == "2021-08-06" and "day-first" in rows["updated"]["published_inferred"]
    assert rows["noted"]["published"] == "2021-08-07" and rows["noted"]["published_inferred"] == "reports the vote of Thursday 5 August"
    listed = CliRunner().invoke(app, ["sources", "--index", str(index)]).stdout
    assert "2021-08-06 (inferred)" in listed
