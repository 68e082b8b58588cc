"""The segmented BM25 index: scores equal bm25s's, and an update or a merge answers as a rebuild does."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assistant import bm25
from assistant.bm25 import Filters, KeywordIndex
from assistant.text import terms

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "Putin telegram Independence Day Obama",
    "Biden Putin summit Geneva",
    "sanctions election interference",
    "arms control New START treaty",
    "Lavrov Blinken Reykjavik",
    "Kremlin spokesman Peskov said",
    "what happened in 2018",
]


def _rows(n_articles: int = 5, per_article: int | None = None, tag: str = "") -> list[tuple]:
    """Paragraphs of the bundled articles as chunks, with random unit vectors."""
    rng = np.random.default_rng(len(tag))
    rows = []
    for a, path in enumerate(sorted((ROOT / "corpus").glob("*.txt"))[:n_articles]):
        paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 8]
        for i, para in enumerate(paras[:per_article]):
            v = rng.normal(size=8).astype(np.float32)
            md = {"article_id": f"{path.stem}{tag}", "title": paras[0][:80], "outlet": ["RT", "Reuters"][a % 2],
                  "published_key": 20160101 + a * 10000}
            rows.append((f"{path.stem}{tag}::{i}", para, md, v / np.linalg.norm(v)))
    return rows


def _search(index: KeywordIndex, q: str, k: int = 10, filters: Filters = Filters()) -> list[tuple[str, float]]:
    return index.search(q, k, filters)


def test_scores_equal_bm25s(tmp_path):
    bm25s = pytest.importorskip("bm25s")
    rows = _rows()
    index = KeywordIndex.build(tmp_path / "kw", rows, "fp")
    reference = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    # A chunk's terms: its headline, its text and its publication year.
    reference.index([terms(f"{md['title']} {text}") + [str(md["published_key"] // 10000)] for _, text, md, _ in rows],
                    show_progress=False)
    for q in QUERIES:
        docs, scores = reference.retrieve([terms(q)], k=10, show_progress=False)
        expected = {rows[d][0]: s for d, s in zip(docs[0], scores[0]) if s > 0}
        ours = dict(_search(index, q))
        assert ours.keys() == expected.keys(), q
        assert all(abs(ours[c] - expected[c]) < 1e-4 * max(1.0, expected[c]) for c in ours), q


def test_update_answers_like_a_rebuild(tmp_path):
    """Replace one article, remove one, add one: a small new segment and deleted rows."""
    old = _rows()
    index = KeywordIndex.build(tmp_path / "kw", old, "fp1")
    changed_id = old[0][2]["article_id"]
    removed_id = old[-1][2]["article_id"]
    new_version = [(cid, text.replace("Putin", "Medvedev"), md, v) for cid, text, md, v in old if md["article_id"] == changed_id]
    added = _rows(1, tag="-new")
    final = [r for r in old if r[2]["article_id"] not in (changed_id, removed_id)] + new_version + added

    updated = index.update(new_version + added, {changed_id, removed_id, added[0][2]["article_id"]}, "fp2")
    rebuilt = KeywordIndex.build(tmp_path / "ref", final, "ref")

    assert len(updated.segments) == 2 and KeywordIndex.current_fingerprint(tmp_path / "kw") == "fp2"
    assert sorted(updated.ids[updated.alive]) == sorted(r[0] for r in final)
    for q in QUERIES + ["Medvedev"]:
        ours, theirs = _search(updated, q, 5), _search(rebuilt, q, 5)
        assert [c for c, _ in ours][:1] == [c for c, _ in theirs][:1], q
        assert set(c for c, _ in ours) <= {r[0] for r in final}, q  # nothing deleted comes back
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], rtol=0.1), q
    # Every live chunk id maps to its live row, a replaced chunk to its new one.
    assert updated.alive[updated.rows_of([r[0] for r in final])].all() and updated.rows_of(["no::0"]) == [-1]
    # Filters see the deleted rows as gone too.
    rt = updated.keep(Filters(outlets=("RT",)))
    assert not (rt & ~updated.alive).any()
    # Another process loading the index sees the same generation.
    assert _search(KeywordIndex.load(tmp_path / "kw"), "Medvedev") == _search(updated, "Medvedev")


def test_many_updates_merge_segments(tmp_path, monkeypatch):
    monkeypatch.setattr(bm25, "MAX_SEGMENTS", 3)
    rows = _rows()
    index = KeywordIndex.build(tmp_path / "kw", rows[:5], "fp0")
    live = list(rows[:5])
    for n, start in enumerate(range(5, len(rows), 7), start=1):
        batch = rows[start : start + 7]
        index = index.update(batch, {r[2]["article_id"] for r in batch} - {r[2]["article_id"] for r in live}, f"fp{n}")
        live += batch
        assert len(index.segments) <= 3
    # Now rewrite the first article everywhere: its segment rows are mostly deleted and merged away.
    first = rows[0][2]["article_id"]
    index = index.update([r for r in live if r[2]["article_id"] == first], {first}, "last")
    assert sorted(index.ids[index.alive]) == sorted(r[0] for r in live)
    rebuilt = KeywordIndex.build(tmp_path / "ref", live, "ref")
    for q in QUERIES:
        ours, theirs = {c for c, _ in _search(index, q, 3)}, {c for c, _ in _search(rebuilt, q, 3)}
        assert ours & theirs or ours == theirs == set(), q
        everything = len(live)  # which chunks match at all is exact; weights differ a little
        assert set(c for c, _ in _search(index, q, everything)) == set(c for c, _ in _search(rebuilt, q, everything)), q
    # Exact vector search finds the same rows through any segment.
    v = live[3][3]
    assert index.nearest(v, 1, np.flatnonzero(index.alive))[0][0] == live[3][0]
    assert sum(1 for p in (tmp_path / "kw").iterdir() if p.name.startswith("s-")) == len(index.segments)


def test_empty_and_unknown(tmp_path):
    assert KeywordIndex.build(tmp_path / "kw", [], "empty") is None
    assert KeywordIndex.load(tmp_path / "kw") is None and KeywordIndex.current_fingerprint(tmp_path / "kw") == ""
    index = KeywordIndex.build(tmp_path / "kw", _rows(1), "fp")
    assert _search(index, "zyzzyva quux") == [] and _search(index, "the of and") == []
    assert index.update([], {index.article_ids[0]}, "gone") is None  # everything deleted
    assert KeywordIndex.load(tmp_path / "kw") is None


def test_publication_year_is_searchable(tmp_path):
    """"In 2018" finds the articles published in 2018, though their text never says so."""
    rows = _rows()
    index = KeywordIndex.build(tmp_path / "kw", rows, "fp")
    dated_2018 = {cid for cid, text, md, _ in rows if md["published_key"] // 10000 == 2018}
    assert dated_2018 and not any("2018" in text for cid, text, _, _ in rows if cid in dated_2018)
    assert {cid for cid, _ in _search(index, "what happened in 2018", k=100)} == dated_2018


def test_irregular_past_forms_are_found_by_their_verb(tmp_path):
    """News writes "spoke", "met", "won"; a writer asks "speak", "meet", "win". Forms that are
    other words too ("left", "fed") stay as they are."""
    assert terms("Putin spoke by phone and met Trump") == terms("Putin speak by phone and meet Trump")
    assert terms("the left") != terms("leave") and terms("the Fed") != terms("feed")
    rows = _rows()
    index = KeywordIndex.build(tmp_path / "kw", rows, "fp")
    spoke = {cid for cid, text, _, _ in rows if re.search(r"\bspok(e|en)\b", text)}
    assert len(spoke) >= 2 and not any(re.search(r"\bspeak", text) for _, text, _, _ in rows)
    assert {cid for cid, _ in _search(index, "speak", k=100)} == spoke


def test_postings_sorted_in_blocks_answer_as_sorted_whole(tmp_path, monkeypatch):
    """A large build puts its postings in term order one range of terms at a time (to bound
    memory): small ranges must give the very index one pass gives."""
    from assistant import bm25_segment

    rows = _rows()
    whole = KeywordIndex.build(tmp_path / "whole", rows, "f")
    monkeypatch.setattr(bm25_segment, "SORT_BLOCK", 97)
    blocks = KeywordIndex.build(tmp_path / "blocks", rows, "f")
    a, b = whole.segments[0], blocks.segments[0]
    assert len(a.rows) > 10 * 97
    assert np.array_equal(a.ptr, b.ptr) and np.array_equal(a.rows, b.rows) and np.array_equal(a.weights, b.weights)
    for q in QUERIES:
        assert _search(whole, q) == _search(blocks, q), q
    for t in range(len(a.terms)):  # rows ascend within each term
        assert np.all(np.diff(b.rows[b.ptr[t] : b.ptr[t + 1]]) > 0)
    # A merge (of two segments, some rows deleted) writes its postings the same way.
    from assistant.bm25_segment import Segment

    parts = [(a, np.array([0, 3, 5], np.int32)), (b, np.zeros(0, np.int32))]
    small = Segment.merge(tmp_path / "merged-small", parts)
    monkeypatch.setattr(bm25_segment, "SORT_BLOCK", 1 << 23)
    large = Segment.merge(tmp_path / "merged-large", parts)
    assert len(small) == 2 * len(a) - 3
    assert np.array_equal(small.ptr, large.ptr) and np.array_equal(small.rows, large.rows)
    assert np.array_equal(small.weights, large.weights)
