"""A writer's corrections of an article's metadata: checked, kept across a restart, shown in
answers and filters at once, and kept when the article's file is ingested again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.correct import correct_article
from assistant.ingest import ingest
from assistant.metadata import MetadataError
from assistant.pipeline import AskOptions, Assistant
from assistant.retrieve import make_filters
from assistant.search import SearchIndex, search_root
from assistant.store import forget_store, open_store

ROOT = Path(__file__).resolve().parent.parent
FERRY = """---
title: {title}
outlet: Quillmere Courier
author: Tomas Lind
published: 2023-09-14
---

The Quillmere harbour council approved a night ferry to the outer islands on Thursday.
The ferry will run three nights a week from November, the council's transport chair Maren Holt said.
{extra}
"""
FORM = {"title": "Harbour council approves night ferry", "outlet": "Quillmere Courier", "author": "Tomas Lind",
        "published": "2023-09-14", "url": ""}


def _write(folder: Path, title: str = "Harbour council approves night ferry", extra: str = "") -> None:
    (folder / "night-ferry.md").write_text(FERRY.format(title=title, extra=extra), encoding="utf-8")


def _bm25_outlet_hits(settings, outlet: str) -> set[str]:
    index = SearchIndex.load(search_root(settings))
    return {cid.split("::")[0] for cid, _ in index.keyword.search("night ferry islands", 10, make_filters([outlet]))}


@pytest.fixture
def corrected_index(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    _write(folder)
    settings = load_settings(index_dir=tmp_path / "index", corpus_dir=folder)
    assert ingest(settings).added == ["night-ferry"]
    store = open_store(settings)
    done = correct_article(settings, store, "night-ferry", {**FORM, "outlet": "Harbour Post", "published": "2023-09-15"},
                           inferred=True)
    assert done.changes == {"outlet": ("Quillmere Courier", "Harbour Post"), "published": ("2023-09-14", "2023-09-15"),
                            "published_inferred": ("", "marked by a writer as not stated in the article")}
    return settings, folder


def test_bad_values_are_refused_naming_the_field(tmp_path):
    from datetime import date

    from assistant.metadata import check_correction
    from assistant.records import ArticleMeta

    meta = ArticleMeta(title="T", published=date(2023, 9, 14), outlet="Quillmere Courier")
    form = {"title": "T", "outlet": "Quillmere Courier", "author": "", "published": "2023-09-14", "url": ""}
    for field, value, message in (
        ("published", "2023-02-30", "Date: '2023-02-30' is not a real calendar date"),
        ("published", "14/09/2023", "Date: '14/09/2023' is not in YYYY-MM-DD form"),
        ("url", "courier.example.org/ferry", "URL: 'courier.example.org/ferry' is not a web address"),
        ("title", "  ", "Title: an article needs a headline"),
    ):
        with pytest.raises(MetadataError, match=message):
            check_correction({**form, field: value}, False, meta)
    with pytest.raises(MetadataError, match="Date: a date marked as not stated in the article needs the date"):
        check_correction({**form, "published": ""}, True, meta)
    assert check_correction(form, False, meta) == {}  # nothing changed, nothing to correct


def test_a_correction_survives_a_restart_and_shows_in_answers_and_filters(corrected_index):
    settings, _ = corrected_index
    # Another process reads the index as a restarted server would.
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir)}
    ask = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "How often will the night ferry run?", "--json",
                          "--source", "Harbour Post"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert ask.returncode == 0, ask.stderr
    cited = json.loads(ask.stdout)["citations"][0]
    assert (cited["outlet"], cited["published"], cited["published_inferred"]) == (
        "Harbour Post", "2023-09-15", "marked by a writer as not stated in the article")
    forget_store(settings)  # and this one, as if it had restarted
    record = open_store(settings).article_records()["night-ferry"]
    assert (record.meta.outlet, record.meta.published.isoformat()) == ("Harbour Post", "2023-09-15")
    assert record.meta.published_inferred and record.meta.author == "Tomas Lind"
    answer = Assistant(settings).ask("How often will the night ferry run?", AskOptions(outlets=("Harbour Post",)))
    assert not answer.refused, answer.text
    c = answer.citations[0]
    assert (c.outlet, c.published, c.published_inferred) == ("Harbour Post", date(2023, 9, 15), record.meta.published_inferred)
    assert _bm25_outlet_hits(settings, "Harbour Post") == {"night-ferry"}
    assert _bm25_outlet_hits(settings, "Quillmere Courier") == set()
    old = Assistant(settings).ask("How often will the night ferry run?", AskOptions(outlets=("Quillmere Courier",)))
    assert old.refused and not old.citations  # no article is from the outlet it was corrected from


def test_a_correction_sticks_when_the_file_is_ingested_again(corrected_index):
    settings, folder = corrected_index
    assert ingest(settings).unchanged == ["night-ferry"]
    assert open_store(settings).article_records()["night-ferry"].meta.outlet == "Harbour Post"
    # The file changes: its new headline and text are taken; the corrected outlet and date stay.
    _write(folder, title="Night ferry to the islands approved", extra="Islanders had asked for a late crossing for a decade.")
    assert ingest(settings).updated == ["night-ferry"]
    record = open_store(settings).article_records()["night-ferry"]
    assert record.meta.title == "Night ferry to the islands approved"
    assert (record.meta.outlet, record.meta.published.isoformat()) == ("Harbour Post", "2023-09-15")
    assert "late crossing" in open_store(settings).article_text("night-ferry")
    chunks = [md for _, _, md, _ in open_store(settings).iter_chunks(["night-ferry"])]
    assert chunks and all(md["outlet"] == "Harbour Post" and md["published"] == "2023-09-15" for md in chunks)
    assert _bm25_outlet_hits(settings, "Harbour Post") == {"night-ferry"}
    # A correction that takes the date's mark off, and one back to the file's outlet, stick too.
    store = open_store(settings)
    correct_article(settings, store, "night-ferry", {**FORM, "title": record.meta.title, "outlet": "Quillmere Courier",
                                                     "published": "2023-09-15"}, inferred=False)
    record = store.article_records()["night-ferry"]
    assert (record.meta.outlet, record.meta.published_inferred) == ("Quillmere Courier", None)
    assert set(record.corrections) == {"outlet", "published", "published_inferred"}


def test_a_correction_reads_only_its_articles_record_until_it_writes(corrected_index, monkeypatch):
    """Checking a correction costs one record however large the index: only a correction that
    is written reads every record, for the keyword index's name."""
    settings, _ = corrected_index
    store = open_store(settings)
    asked = []
    read = store.article_records
    monkeypatch.setattr(store, "article_records", lambda ids=None: asked.append(ids) or read(ids))
    same = {**FORM, "outlet": "Harbour Post", "published": "2023-09-15"}
    assert correct_article(settings, store, "night-ferry", same, inferred=True).changes == {}
    with pytest.raises(MetadataError, match="not a real calendar date"):
        correct_article(settings, store, "night-ferry", {**same, "published": "2023-02-30"}, inferred=True)
    with pytest.raises(KeyError):
        correct_article(settings, store, "no-such-article", same, inferred=True)
    assert asked and all(ids is not None and len(ids) == 1 for ids in asked), asked
