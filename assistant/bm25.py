"""The keyword (BM25) index and the filter columns, kept beside the store and updated by ingest.

bm25s (and every BM25 library we looked at) can only be built whole: at a million chunks a
rebuild re-reads and re-tokenizes every chunk, about half an hour here, for each article added.
So the index is made of immutable segments, as Lucene's is:

- an ingest that changes a few articles writes one small segment with their new chunks and
  marks their old rows deleted (a row list per segment); cost in proportion to the change;
- each segment keeps raw postings (term -> rows, BM25 term-frequency weight); document
  frequencies and the document count are summed over segments at query time, so a term's idf
  is the same whichever segment a chunk sits in, and scores equal a whole rebuild's (the test
  suite checks them against bm25s, Lucene variant, k1 = 1.5, b = 0.75);
- when there are too many segments or too many deleted rows, segments are merged from their
  postings alone: nothing is re-read from the store or re-tokenized.

A generation folder (`g-<store fingerprint>`) names the live segments and their deleted rows; a
`CURRENT` file is switched atomically, so a reader in another process never sees a half-written
index. Segment arrays are memory-mapped. Filters (outlet, date range) are a mask over all rows,
computed with numpy, never in Python per chunk. Each segment also holds its chunks' vectors in
row order: a filter that keeps few chunks is searched exactly over just those rows, at a cost
in proportion to what the filter keeps, not to the corpus.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.text import terms

K1 = 1.5
B = 0.75
MAX_SEGMENTS = 8  # more and the small ones are merged
MAX_DELETED_SHARE = 0.25  # a segment with more deleted rows than this is rewritten

Row = tuple[str, str, dict, np.ndarray]  # chunk id, text, metadata, vector


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be retrieved."""

    outlets: tuple[str, ...] = ()
    since: int | None = None  # YYYYMMDD, inclusive
    until: int | None = None  # YYYYMMDD, inclusive

    @property
    def empty(self) -> bool:
        return not self.outlets and self.since is None and self.until is None


class Segment:
    """One immutable folder: postings in term order, per-row columns and vectors."""

    FILES = ("ptr.npy", "rows.npy", "weights.npy", "doc_len.npy", "date_keys.npy", "outlet_codes.npy")

    def __init__(self, folder: Path):
        self.folder = folder
        self.name = folder.name
        meta = json.loads((folder / "meta.json").read_text())
        self.terms: list[str] = meta["terms"]
        self.outlets: list[str] = meta["outlets"]
        self.dim: int = meta["dim"]
        self.avgdl: float = meta["avgdl"]
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        load = lambda f: _load(folder / f)  # noqa: E731
        self.ptr, self.rows, self.weights = load("ptr.npy"), load("rows.npy"), load("weights.npy")
        self.doc_len, self.date_keys = load("doc_len.npy"), load("date_keys.npy")
        self.outlet_codes = load("outlet_codes.npy")
        ids = np.load(folder / "ids.npz")
        self.ids, self.article_ids = ids["ids"], ids["article_ids"]
        self.df = np.diff(self.ptr)
        self.vectors = _vectors(folder / "vectors.f32", len(self.ids), self.dim)

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def write(root: Path, rows: Iterable[Row], avgdl: float | None = None) -> "Segment | None":
        """Tokenize and index rows into a new segment folder; None when there are none.

        `avgdl`: the index's average length, so a small segment's weights match the rest; a
        whole build uses its own."""
        vocab: dict[str, int] = {}
        outlets: dict[str, int] = {}
        ids, article_ids, outlet_codes, date_keys = [], [], [], []
        # Postings as compact C arrays: a million chunks hold about a hundred million of them.
        term_ids, tfs, counts, doc_len = array("i"), array("H"), array("i"), array("i")
        folder = root / f"s-{uuid.uuid4().hex[:12]}.tmp"
        folder.mkdir(parents=True)
        vectors = _VectorWriter(folder / "vectors.f32")
        for chunk_id, text, md, vector in rows:
            vectors.add(vector)
            ids.append(chunk_id)
            article_ids.append(md["article_id"])
            outlet_codes.append(outlets.setdefault((md.get("outlet") or "").lower(), len(outlets)))
            date_keys.append(int(md.get("published_key", -1)))
            toks = terms(f"{md.get('title', '')} {text}")
            doc_len.append(len(toks))
            tf = Counter(vocab.setdefault(t, len(vocab)) for t in toks)
            term_ids.extend(tf.keys())
            tfs.extend(tf.values())
            counts.append(len(tf))
        vectors.close()
        if not ids:
            shutil.rmtree(folder)
            return None
        doc_len_a = np.frombuffer(doc_len, dtype=np.int32)
        avgdl = avgdl or float(doc_len_a.mean()) or 1.0
        rows_a = np.repeat(np.arange(len(ids), dtype=np.int32), np.frombuffer(counts, dtype=np.int32))
        term_a = np.frombuffer(term_ids, dtype=np.int32)
        tf_a = np.frombuffer(tfs, dtype=np.uint16).astype(np.float32)
        weights = tf_a / (tf_a + K1 * (1 - B + B * doc_len_a[rows_a] / avgdl))
        return Segment._save(
            folder, list(vocab), term_a, rows_a, weights.astype(np.float32), doc_len_a, avgdl,
            np.array(ids), np.array(article_ids), np.array(outlet_codes, dtype=np.int32),
            np.array(date_keys, dtype=np.int32), list(outlets), vectors.dim,
        )

    @staticmethod
    def merge(root: Path, parts: list[tuple["Segment", np.ndarray]]) -> "Segment | None":
        """One segment holding the live rows of several, from their postings alone."""
        vocab: dict[str, int] = {}
        outlets: dict[str, int] = {}
        terms_l, rows_l, weights_l, lens, ids, aids, codes, dates = [], [], [], [], [], [], [], []
        folder = root / f"s-{uuid.uuid4().hex[:12]}.tmp"
        folder.mkdir(parents=True)
        vectors = _VectorWriter(folder / "vectors.f32")
        offset, total_len = 0, 0.0
        for seg, deleted in parts:
            alive = np.ones(len(seg), dtype=bool)
            alive[deleted] = False
            new_row = np.cumsum(alive, dtype=np.int64) - 1 + offset
            term_map = np.array([vocab.setdefault(t, len(vocab)) for t in seg.terms], dtype=np.int32)
            outlet_map = np.array([outlets.setdefault(o, len(outlets)) for o in seg.outlets], dtype=np.int32)
            post_terms = np.repeat(term_map, seg.df)
            keep = alive[seg.rows]
            terms_l.append(post_terms[keep])
            rows_l.append(new_row[seg.rows[keep]].astype(np.int32))
            weights_l.append(np.asarray(seg.weights)[keep])
            lens.append(np.asarray(seg.doc_len)[alive])
            ids.append(seg.ids[alive])
            aids.append(seg.article_ids[alive])
            codes.append(outlet_map[np.asarray(seg.outlet_codes)[alive]])
            dates.append(np.asarray(seg.date_keys)[alive])
            if seg.vectors is not None:
                for start in range(0, len(seg), 65536):
                    block = alive[start : start + 65536]
                    vectors.add_block(np.asarray(seg.vectors[start : start + 65536])[block], seg.dim)
            total_len += seg.avgdl * int(alive.sum())
            offset += int(alive.sum())
        vectors.close()
        if offset == 0:
            shutil.rmtree(folder)
            return None
        return Segment._save(
            folder, list(vocab), np.concatenate(terms_l), np.concatenate(rows_l), np.concatenate(weights_l),
            np.concatenate(lens), total_len / offset, np.concatenate(ids), np.concatenate(aids),
            np.concatenate(codes), np.concatenate(dates), list(outlets), vectors.dim,
        )

    @staticmethod
    def _save(folder, vocab_terms, term_a, rows_a, weights, doc_len, avgdl, ids, article_ids,
              outlet_codes, date_keys, outlets, dim) -> "Segment":
        order = np.argsort(term_a, kind="stable")  # rows stay ascending within a term
        ptr = np.zeros(len(vocab_terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_a, minlength=len(vocab_terms)), out=ptr[1:])
        arrays = {
            "ptr.npy": ptr, "rows.npy": rows_a[order], "weights.npy": weights[order], "doc_len.npy": doc_len,
            "date_keys.npy": date_keys, "outlet_codes.npy": outlet_codes,
        }
        for name, arr in arrays.items():
            np.save(folder / name, arr)
        np.savez(folder / "ids.npz", ids=ids, article_ids=article_ids)
        meta = {"terms": vocab_terms, "outlets": outlets, "dim": dim, "avgdl": avgdl}
        (folder / "meta.json").write_text(json.dumps(meta))
        final = folder.with_name(folder.name.removesuffix(".tmp"))
        folder.rename(final)
        return Segment(final)


class KeywordIndex:
    """BM25 over chunk texts (with their article's headline) in segments, with filter columns."""

    def __init__(self, root: Path, generation: str, fingerprint: str, parts: list[tuple[Segment, np.ndarray]]):
        self.root = root
        self.generation = generation
        self.fingerprint = fingerprint
        self.parts = parts
        self.segments = [s for s, _ in parts]
        self.offsets = np.cumsum([0] + [len(s) for s in self.segments])
        n = int(self.offsets[-1])
        self.alive = np.ones(n, dtype=bool)
        for off, (_, deleted) in zip(self.offsets, parts):
            self.alive[off + deleted] = False
        self.n_deleted = n - int(self.alive.sum())
        self.ids = _cat([s.ids for s in self.segments], str)
        self.article_ids = _cat([s.article_ids for s in self.segments], str)
        self.date_keys = _cat([np.asarray(s.date_keys) for s in self.segments], np.int32)
        outlets: dict[str, int] = {}
        codes = []
        for s in self.segments:
            remap = np.array([outlets.setdefault(o, len(outlets)) for o in s.outlets], dtype=np.int32)
            codes.append(remap[np.asarray(s.outlet_codes)] if len(remap) else np.zeros(0, np.int32))
        self.outlets = list(outlets)
        self.outlet_codes = _cat(codes, np.int32)
        self.has_vectors = bool(self.segments) and all(s.vectors is not None for s in self.segments)
        self.live = int(self.alive.sum())
        lens = sum(float(np.asarray(s.doc_len, dtype=np.float64).sum()) for s in self.segments)
        self.avgdl = lens / n if n else 1.0

    # Building -----------------------------------------------------------------------------

    @staticmethod
    def build(root: Path, rows: Iterable[Row], fingerprint: str) -> "KeywordIndex | None":
        """Index every row afresh; None when there are none."""
        root.mkdir(parents=True, exist_ok=True)
        segment = Segment.write(root, rows)
        return _commit(root, fingerprint, [(segment, np.zeros(0, np.int32))] if segment else [])

    def update(self, rows: Iterable[Row], changed_articles: set[str], fingerprint: str) -> "KeywordIndex | None":
        """A new generation: the rows of `changed_articles` deleted, `rows` (their chunks as
        they are now) added as a segment, and segments merged when there are too many."""
        parts = []
        wanted = np.array(sorted(changed_articles))
        for seg, deleted in self.parts:
            hit = np.flatnonzero(np.isin(seg.article_ids, wanted)) if len(wanted) else np.zeros(0, np.int64)
            parts.append((seg, np.union1d(deleted, hit).astype(np.int32)))
        added = Segment.write(self.root, rows, self.avgdl if self.live else None)
        if added is not None:
            parts.append((added, np.zeros(0, np.int32)))
        return _commit(self.root, fingerprint, _merge_policy(self.root, parts))

    @staticmethod
    def current_fingerprint(root: Path) -> str | None:
        pointer = root / "CURRENT"
        if not pointer.is_file():
            return None
        name = pointer.read_text().strip()
        if name and not name.startswith("g-"):
            return None  # written by an older version: rebuilt by the next ingest
        return name.removeprefix("g-")

    @staticmethod
    def load(root: Path) -> "KeywordIndex | None":
        for attempt in range(3):  # a writer in another process may switch generations meanwhile
            if not KeywordIndex.current_fingerprint(root):
                return None
            generation = root / (root / "CURRENT").read_text().strip()
            try:
                manifest = json.loads((generation / "manifest.json").read_text())
                parts = [
                    (Segment(root / name), np.load(generation / f"deleted-{name}.npy"))
                    for name in manifest["segments"]
                ]
            except FileNotFoundError:
                if attempt == 2:
                    raise
                continue
            return KeywordIndex(root, generation.name, manifest["fingerprint"], parts)
        return None

    # Searching ----------------------------------------------------------------------------

    def keep(self, filters: Filters) -> np.ndarray | None:
        """Which rows the filters keep, as booleans (None: no filter)."""
        if filters.empty:
            return None
        keep = self.alive.copy()
        if filters.outlets:
            wanted = {o.lower() for o in filters.outlets}
            codes = [i for i, o in enumerate(self.outlets) if o in wanted]
            keep &= np.isin(self.outlet_codes, codes)
        if filters.since is not None:
            keep &= self.date_keys >= filters.since
        if filters.until is not None:
            keep &= (self.date_keys <= filters.until) & (self.date_keys >= 0)
        return keep

    def nearest(self, vector: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[str, float]]:
        """Exact cosine search over the given rows only: chunk ids and similarities, best first."""
        if not self.has_vectors or len(rows) == 0:
            return []
        vector = vector.astype(np.float32)
        sims = np.empty(len(rows), dtype=np.float32)
        seg_of = np.searchsorted(self.offsets, rows, side="right") - 1
        for i, seg in enumerate(self.segments):
            at = np.flatnonzero(seg_of == i)
            if len(at):
                sims[at] = seg.vectors[rows[at] - self.offsets[i]] @ vector
        k = min(k, len(rows))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(str(self.ids[rows[i]]), float(sims[i])) for i in top]

    def idf(self, query_terms: list[str]) -> list[float]:
        """Lucene's idf of each term over all chunks."""
        n = max(len(self.ids), 1)
        out = []
        for t in query_terms:
            df = sum(int(s.df[s.vocab[t]]) for s in self.segments if t in s.vocab)
            out.append(float(np.log(1 + (n - df + 0.5) / (df + 0.5))))
        return out

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every row (deleted rows included; callers mask them)."""
        scores = np.zeros(len(self.ids), dtype=np.float32)
        counts = Counter(query_terms)
        for t, idf in zip(counts, self.idf(list(counts))):
            weight = np.float32(idf * counts[t])
            for off, seg in zip(self.offsets, self.segments):
                col = seg.vocab.get(t)
                if col is None:
                    continue
                lo, hi = seg.ptr[col], seg.ptr[col + 1]
                scores[off + seg.rows[lo:hi]] += weight * seg.weights[lo:hi]
        return scores

    def search(self, query: str, k: int, filters: Filters = Filters(), keep: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores, best first; only chunks with a positive score.

        `keep` is `self.keep(filters)` when the caller already has it."""
        q = terms(query)
        if not q or len(self.ids) == 0:
            return []
        scores = self.scores(q)
        mask = keep if keep is not None else self.keep(filters)
        if mask is None and self.n_deleted:
            mask = self.alive
        if mask is not None:
            scores *= mask
        hits = _top(scores, k)
        return [(str(self.ids[i]), float(scores[i])) for i in hits]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest positive scores, best first (ties: lower row first).

    A long question matches most of a large corpus; sorting out every match cost 11 ms at a
    million chunks. The k-th best of every 16th row is a floor for the k-th best overall, so
    only rows at or above it are ranked: about 1 ms."""
    sample = scores[::16]
    floor = np.float32(np.finfo(np.float32).tiny)
    if len(sample) > k:
        floor = max(floor, np.partition(sample, len(sample) - k)[len(sample) - k])
    rows = np.flatnonzero(scores >= floor)
    if len(rows) > 4 * k + 1000:
        rows = rows[np.argpartition(-scores[rows], 4 * k)[: 4 * k + 1]]
    return rows[np.lexsort((rows, -scores[rows]))][:k]


def _merge_policy(root: Path, parts: list[tuple[Segment, np.ndarray]]) -> list[tuple[Segment, np.ndarray]]:
    """Merge segments that are mostly deleted, and the small ones when there are too many."""
    live = [len(s) - len(d) for s, d in parts]
    merge = {i for i, (s, d) in enumerate(parts) if len(d) > MAX_DELETED_SHARE * len(s)}
    if len(parts) - len(merge) + (1 if merge else 0) > MAX_SEGMENTS:
        largest = max(range(len(parts)), key=lambda i: live[i])
        merge |= set(range(len(parts))) - {largest}
    if not merge:
        return parts
    merged = Segment.merge(root, [parts[i] for i in sorted(merge)])
    kept = [p for i, p in enumerate(parts) if i not in merge]
    return kept + ([(merged, np.zeros(0, np.int32))] if merged else [])


def _commit(root: Path, fingerprint: str, parts: list[tuple[Segment, np.ndarray]]) -> "KeywordIndex | None":
    """Write the generation, switch `CURRENT` to it, and remove what nothing names any more."""
    name = f"g-{fingerprint}"
    tmp = root / f"{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for seg, deleted in parts:
        np.save(tmp / f"deleted-{seg.name}.npy", np.asarray(deleted, dtype=np.int32))
    (tmp / "manifest.json").write_text(json.dumps({"fingerprint": fingerprint, "segments": [s.name for s, _ in parts]}))
    final = root / name
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    _point(root, name if parts else None)
    live = {s.name for s, _ in parts} | {name}
    for old in root.iterdir():
        if old.is_dir() and old.name not in live:
            shutil.rmtree(old, ignore_errors=True)
    return KeywordIndex.load(root)


def _load(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r")
    except ValueError:  # an empty array cannot be memory-mapped
        return np.load(path)


def _cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]  # no copy of a million ids
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


class _VectorWriter:
    """Rows of float32 vectors streamed to a raw file, so a million of them never sit in memory."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")
        self.rows = 0
        self.dim = 0

    def add(self, vector: np.ndarray) -> None:
        self.dim = self.dim or len(vector)
        self.file.write(np.asarray(vector, dtype=np.float32).tobytes())
        self.rows += 1

    def add_block(self, block: np.ndarray, dim: int) -> None:
        self.dim = self.dim or dim
        self.file.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
        self.rows += len(block)

    def close(self) -> None:
        self.file.close()


def _vectors(path: Path, rows: int, dim: int) -> np.ndarray | None:
    if not dim or not path.is_file() or path.stat().st_size != rows * dim * 4:
        return None
    return np.memmap(path, dtype=np.float32, mode="r", shape=(rows, dim))


def _point(root: Path, name: str | None) -> None:
    tmp = root / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(name or "")
    os.replace(tmp, root / "CURRENT")
