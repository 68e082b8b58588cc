"""The cleaner keeps every sentence of each seed article's body and none of the page around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.chunk import split_sentences
from assistant.clean import clean_text
from assistant.config import load_settings
from assistant.load import discover

DATA = Path(__file__).parent / "data" / "seeds_expected"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
STEMS = sorted(p.stem for p in CORPUS.glob("*.txt"))
JUNK = [line for line in (DATA / "junk_lines.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def _article(stem: str):
    item = next(i for i in discover([CORPUS / f"{stem}.txt"], 10_000_000))
    return item.build()


@pytest.mark.parametrize("stem", STEMS)
def test_every_body_sentence_is_kept(stem):
    body = _article(stem).text
    expected = (DATA / f"{stem}.body.txt").read_text(encoding="utf-8")
    sentences = [s.text for s in split_sentences(expected)]
    kept = [s for s in sentences if s in body]
    assert len(kept) / len(sentences) == 1.0, [s for s in sentences if s not in body]


@pytest.mark.parametrize("stem", STEMS)
def test_no_page_junk_is_kept(stem):
    body = _article(stem).text
    found = [j for j in JUNK if j in body]
    assert not found
    assert body.splitlines() == (DATA / f"{stem}.body.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("stem", STEMS)
def test_metadata_matches_the_page_and_overrides(stem):
    expected = json.loads((DATA / "metadata.json").read_text(encoding="utf-8"))[stem]
    meta = _article(stem).meta
    assert meta.title == expected["title"]
    assert meta.outlet == expected["outlet"]
    assert meta.author == expected["author"]
    published = expected["published"] or expected.get("published_inferred")
    assert (meta.published.isoformat() if meta.published else None) == published


def test_extracts_date_outlet_and_author_from_the_page_itself():
    """Without the override file: what the seed pages state is found in the text."""
    page_003 = clean_text((CORPUS / "003_08c392e7a666dffc.txt").read_text(encoding="utf-8"))
    assert page_003.title == "Putin uses WW2 anniversary for bridge-building with U.S., Britain"
    page_004 = clean_text((CORPUS / "004_3d57db88cf4c69a1.txt").read_text(encoding="utf-8"))
    assert page_004.author == "Palwasha Khattak"
    from assistant.metadata import outlet_from, read_date

    assert read_date("\n".join(page_003.header_lines)).value.isoformat() == "2020-05-08"
    assert outlet_from(page_003.header_lines, page_003.footer_lines) == "Devdiscourse"
    assert outlet_from(page_004.header_lines, page_004.footer_lines) == "The Truth International"
    page_000 = clean_text((CORPUS / "000_c7b117bfbdb9e8ac.txt").read_text(encoding="utf-8"))
    assert read_date("\n".join(page_000.header_lines)).value.isoformat() == "2016-07-04"


def test_settings_name_a_fresh_collection_when_chunking_changes():
    a = load_settings(chunk_max_tokens=256)
    b = load_settings(chunk_max_tokens=128)
    assert a.collection_name != b.collection_name
    assert a.collection_name == load_settings(chunk_max_tokens=256).collection_name


def test_prose_that_mentions_credits_is_kept():
    page = (
        "Arms control talks resume\n\n"
        "The two delegations met in Vienna on Tuesday to resume arms control talks after a long pause.\n\n"
        "The text of the earlier 1990 accord has been in the public domain since the treaty was ratified by both parliaments.\n\n"
        "Russia President Vladimir Putin Image Credit: ANI\n\n"
        "Officials said the next round would follow in the spring.\n"
    )
    body = clean_text(page).body
    assert "in the public domain since the treaty" in body
    assert "Image Credit" not in body


def test_a_byline_line_gives_author_and_outlet():
    from assistant.clean import clean_text

    page = clean_text(
        "Baltic ports agree to share their ice-breaker fleet\nBy Anna Keller | Baltic Wire Service | 29 January 2017\n\n"
        "The ports of Riga, Tallinn and Klaipeda agreed on Friday to share their fleet of ice-breakers this winter.\n"
    )
    assert (page.title, page.author, page.outlet) == ("Baltic ports agree to share their ice-breaker fleet", "Anna Keller", "Baltic Wire Service")
    assert clean_text("A headline about the harbour bridge\nBy Elena Sorvik\n12 March 2024\n\n"
                      "The bridge in the harbour town opened to traffic on Monday after six years of work.\n").author == "Elena Sorvik"
