"""The search index: the tantivy keyword index and the vector file, on real files.

BM25 scores agree with bm25s's at tantivy's constants; an update answers as a rebuild does;
filters keep what they say; a writer killed mid-append, a second writer and a tantivy index
that cannot be opened are each survived."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import search, vectors
from assistant.keyword import KeywordIndexBusy, chunk_terms
from assistant.records import Filters
from assistant.search import SearchIndex, current_state
from assistant.text import terms
from assistant.vectors import VectorFile

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


def _build(root: Path, rows: list[tuple], state: str = "s1") -> SearchIndex:
    search.rebuild(root, state, rows)
    return SearchIndex.load(root)


def _ids(index: SearchIndex, q: str, k: int = 100, filters: Filters = Filters()) -> list[str]:
    return [c for c, _ in index.keyword.search(q, k, filters)]


def test_scores_equal_bm25s_at_tantivys_constants(tmp_path):
    """tantivy's BM25 is Lucene's (k1 1.2, b 0.75) times k1 + 1, with each chunk's length kept
    in one byte: the same chunks match and scores agree within the quantization (which may swap
    near ties). Fusion divides BM25 scores by the best one, so the factor changes nothing."""
    bm25s = pytest.importorskip("bm25s")
    rows = _rows()
    index = _build(tmp_path / "s", rows)
    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    reference.index([chunk_terms(text, md) for _, text, md, _ in rows], show_progress=False)
    for q in QUERIES:
        docs, scores = reference.retrieve([terms(q)], k=len(rows), show_progress=False)
        expected = {rows[d][0]: s for d, s in zip(docs[0], scores[0]) if s > 0}
        ours = dict(index.keyword.search(q, len(rows)))
        assert ours.keys() == expected.keys(), q
        assert all(abs(ours[c] / 2.2 - expected[c]) < 0.02 * expected[c] for c in ours), q
    assert index.keyword.idf(["putin", "zyzzyva"])[1] > index.keyword.idf(["putin", "zyzzyva"])[0] > 0


def test_update_answers_like_a_rebuild(tmp_path):
    """Replace one article, remove one, add one: deletes by article, the new rows added."""
    old = _rows()
    index = _build(tmp_path / "s", old)
    changed_id, removed_id = old[0][2]["article_id"], old[-1][2]["article_id"]
    new_version = [(cid, text.replace("Putin", "Medvedev"), md, v) for cid, text, md, v in old if md["article_id"] == changed_id]
    added = _rows(1, tag="-new")
    final = [r for r in old if r[2]["article_id"] not in (changed_id, removed_id)] + new_version + added
    by_article: dict[str, list] = {}
    for r in new_version + added:
        by_article.setdefault(r[2]["article_id"], []).append(r)

    changed = {changed_id, removed_id, added[0][2]["article_id"]}
    rows_of = lambda ids: [r for a in (ids or []) for r in by_article.get(a, [])]  # noqa: E731
    assert search.refresh(tmp_path / "s", "s2", rows_of, changed, sorted(by_article), before="s1") == "updated"
    updated, rebuilt = SearchIndex.load(tmp_path / "s"), _build(tmp_path / "ref", final)
    assert current_state(tmp_path / "s") == "s2" and updated.keyword.count == len(final)
    assert sorted(updated.vectors.ids[updated.vectors.alive]) == sorted(r[0] for r in final)
    for q in QUERIES + ["Medvedev"]:
        ours, theirs = updated.keyword.search(q, len(final)), rebuilt.keyword.search(q, len(final))
        # Deleted rows count in document frequencies until tantivy merges them away, as in
        # Lucene, so scores differ from a rebuild's; what matches does not, nor the best match.
        assert {c for c, _ in ours} == {c for c, _ in theirs}, q  # nothing deleted comes back
        assert ours[:1] == [] or ours[0][0] == theirs[0][0], q
    # Every live chunk maps to its live row, a replaced chunk to its new one; filters skip deleted rows.
    rows = updated.vectors.rows_of([r[0] for r in final])
    assert updated.vectors.alive[rows].all() and updated.vectors.rows_of(["no::0"]) == [-1]
    assert not (updated.vectors.keep(Filters(outlets=("RT",))) & ~updated.vectors.alive).any()
    v = new_version[0][3]
    assert updated.vectors.nearest(v, 1, np.flatnonzero(updated.vectors.alive))[0][0] == new_version[0][0]


def test_filters_keep_what_they_say(tmp_path):
    rows = _rows()
    index = _build(tmp_path / "s", rows)
    cases = [Filters(outlets=("rt",)), Filters(since=20180101), Filters(until=20171231),
             Filters(outlets=("Reuters", "RT"), since=20170101, until=20191231), Filters(outlets=("nobody",))]
    for f in cases:
        wanted = {cid for cid, _, md, _ in rows
                  if (not f.outlets or md["outlet"].lower() in {o.lower() for o in f.outlets})
                  and (f.since is None or md["published_key"] >= f.since) and (f.until is None or md["published_key"] <= f.until)}
        keep = index.vectors.keep(f)
        assert set(index.vectors.ids[keep]) == wanted, f
        for q in QUERIES:
            assert set(_ids(index, q, filters=f)) == set(_ids(index, q)) & wanted, (q, f)
    assert index.vectors.keep(Filters()) is None


def test_the_vector_file_survives_a_killed_append_and_compacts(tmp_path, monkeypatch):
    rows = _rows()
    folder = tmp_path / "vectors"
    VectorFile.build(folder, rows)
    for name, junk in (("ids.txt", b"half-writ"), ("dates.i32", b"\1\2"), ("vectors.f32", b"\0" * 13)):
        with open(folder / name, "ab") as f:  # a writer killed before its manifest
            f.write(junk)
    vf = VectorFile(folder)
    assert len(vf) == len(rows) and vf.live == len(rows)
    first = rows[0][2]["article_id"]
    again = [(cid + "b", t, md, v) for cid, t, md, v in rows if md["article_id"] == first]
    vf.update(again, {first})
    vf = VectorFile(folder)
    assert len(vf) == len(rows) + len(again) and vf.live == len(rows)
    assert vf.nearest(again[0][3], 1, np.flatnonzero(vf.alive))[0][0] == again[0][0]
    monkeypatch.setattr(vectors, "MAX_DELETED_SHARE", 0.1)
    vf.update([], {rows[-1][2]["article_id"]})  # past the share: the live rows copied afresh
    vf = VectorFile(folder)
    assert len(vf) == vf.live == len(rows) - sum(1 for r in rows if r[2]["article_id"] == rows[-1][2]["article_id"])
    assert list(folder.glob("deleted-*")) == []


def test_empty_and_unknown(tmp_path):
    assert SearchIndex.load(tmp_path / "s") is None
    index = _build(tmp_path / "s", _rows(1))
    assert _ids(index, "zyzzyva quux") == [] and _ids(index, "the of and") == []
    search.rebuild(tmp_path / "s", "", [])  # an emptied store: no state, nothing to search
    assert current_state(tmp_path / "s") is None and SearchIndex.load(tmp_path / "s") is None


def test_publication_year_is_searchable(tmp_path):
    """"In 2018" finds the articles published in 2018, though their text never says so."""
    rows = _rows()
    index = _build(tmp_path / "s", rows)
    dated_2018 = {cid for cid, text, md, _ in rows if md["published_key"] // 10000 == 2018}
    assert dated_2018 and not any("2018" in text for cid, text, _, _ in rows if cid in dated_2018)
    assert set(_ids(index, "what happened in 2018")) == dated_2018


def test_irregular_past_forms_are_found_by_their_verb(tmp_path):
    """News writes "spoke", "met", "won"; a writer asks "speak", "meet", "win". Forms that are
    other words too ("left", "fed") stay as they are."""
    assert terms("Putin spoke by phone and met Trump") == terms("Putin speak by phone and meet Trump")
    assert terms("the left") != terms("leave") and terms("the Fed") != terms("feed")
    rows = _rows()
    index = _build(tmp_path / "s", rows)
    spoke = {cid for cid, text, _, _ in rows if re.search(r"\bspok(e|en)\b", text)}
    assert len(spoke) >= 2 and not any(re.search(r"\bspeak", text) for _, text, _, _ in rows)
    assert set(_ids(index, "speak")) == spoke


def test_one_writer_at_a_time(tmp_path):
    """A second writer waits for the first (the lock file), in another process too; tantivy's
    own lock turns a writer that bypasses it away with a clear error, never a damaged index."""
    root = tmp_path / "s"
    index = _build(root, _rows())
    done = tmp_path / "done"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from assistant.search import writer_lock\n"
        f"with writer_lock(Path({str(root)!r})):\n    print('held', flush=True); time.sleep(1)\n"
        f"    Path({str(done)!r}).write_text('done')")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout.readline().strip() == "held"
    with search.writer_lock(root):
        assert done.is_file()  # the other writer had finished
    holder.wait()
    writer = index.keyword.index.writer(15_000_000, 1)
    with pytest.raises(KeywordIndexBusy, match="another process is writing the keyword index"):
        index.keyword.update([], {"x"})
    del writer
    assert _ids(SearchIndex.load(root), "Putin")


def test_a_keyword_index_that_cannot_be_opened_is_rebuilt(tmp_path):
    rows = _rows()
    root = tmp_path / "s"
    _build(root, rows)
    (root / "keyword" / "meta.json").write_text(json.dumps({"segments": "garbage"}))
    with pytest.raises(search.KeywordIndexError):
        SearchIndex.load(root)
    assert search.refresh(root, "s2", lambda ids: rows if ids is None else [], set(), [], before="s1") == "rebuilt"
    assert SearchIndex.load(root).keyword.count == len(rows)


def test_readers_keep_the_old_index_while_a_rebuild_runs(tmp_path):
    """A rebuild (a repair, a changed version) is built beside the index it replaces: a reader
    that opens the index meanwhile gets the old one, whole, and then the new one."""
    root = tmp_path / "s"
    old = _rows(2)
    _build(root, old)
    seen = []

    def rows():
        for i, row in enumerate(_rows()):
            if i == 3:
                index = SearchIndex.load(root)
                seen.append((index.state, index.keyword.count, index.vectors.live))
            yield row

    search.rebuild(root, "s2", rows())
    assert seen == [("s1", len(old), len(old))]
    index = SearchIndex.load(root)
    assert (index.state, index.keyword.count, index.vectors.live) == ("s2", len(_rows()), len(_rows()))
    assert sorted(p.name for p in root.iterdir()) == ["STATE", "keyword", "vectors", "write.lock"]
