"""The keyword (BM25) index and the filter columns, kept beside the store and updated by ingest.

bm25s (and every BM25 library we looked at) can only be built whole: at a million chunks a
rebuild re-reads and re-tokenizes every chunk (6 minutes here with the file cache warm, about
half an hour from a cold one) for each article added.
So the index is made of immutable segments, as Lucene's is:

- an ingest that changes a few articles writes one small segment with their new chunks and
  marks their old rows deleted (a row list per segment); cost in proportion to the change;
- each segment keeps raw postings (term -> rows, BM25 term-frequency weight); document
  frequencies and the document count are summed over segments at query time, so a term's idf
  is the same whichever segment a chunk sits in: a whole build scores exactly as bm25s does
  (Lucene variant, k1 = 1.5, b = 0.75; tested), and after updates within a few percent of a
  rebuild (deleted rows count in document frequencies until merged, as in Lucene);
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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.bm25_segment import Row, Segment
from assistant.text import terms

MAX_SEGMENTS = 8  # more and the small ones are merged
MAX_DELETED_SHARE = 0.25  # a segment with more deleted rows than this is rewritten


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be retrieved."""

    outlets: tuple[str, ...] = ()
    since: int | None = None  # YYYYMMDD, inclusive
    until: int | None = None  # YYYYMMDD, inclusive

    @property
    def empty(self) -> bool:
        return not self.outlets and self.since is None and self.until is None


class KeywordIndex:
    """BM25 over chunk texts (with their article's headline) in segments, with filter columns."""

    def __init__(self, root: Path, fingerprint: str, parts: list[tuple[Segment, np.ndarray]]):
        self.root = root
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
        self._row_of: dict[str, int] | None = None

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
        try:
            name = pointer.read_text().strip() if pointer.is_file() else None
        except (OSError, UnicodeDecodeError):  # damaged: no index, rebuilt by the next ingest
            return None
        if name is None:
            return None
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
            return KeywordIndex(root, manifest["fingerprint"], parts)
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

    def rows_of(self, chunk_ids: list[str]) -> list[int]:
        """Each chunk's live row (-1 for an id the index does not hold). The map is built on
        first use (0.8 s and ~150 MB at a million chunks); a later row wins, so a re-indexed
        chunk maps to its new row."""
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self.ids.tolist())}
        return [self._row_of.get(cid, -1) for cid in chunk_ids]

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
    only rows at or above it are ranked: about 1 ms. The floor is taken among the sample's
    positive scores only: NumPy's partition of an array that is mostly zeros (a short
    question's scores) took 5.6 ms instead of 0.2."""
    sample = scores[::16]
    sample = sample[sample > 0]
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
    """Write the generation, switch `CURRENT` to it, and remove what nothing names any more.

    Returns the new generation from the segments already open (None when it holds none),
    without loading a million ids from disk again."""
    name = f"g-{fingerprint}"
    tmp = root / f"{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    parts = [(seg, np.asarray(deleted, dtype=np.int32)) for seg, deleted in parts]
    for seg, deleted in parts:
        np.save(tmp / f"deleted-{seg.name}.npy", deleted)
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
    return KeywordIndex(root, fingerprint, parts) if parts else None


def _cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]  # no copy of a million ids
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


def _point(root: Path, name: str | None) -> None:
    tmp = root / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(name or "")
    os.replace(tmp, root / "CURRENT")
