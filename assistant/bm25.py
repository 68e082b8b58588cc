"""The keyword (BM25) index and the filter columns, kept beside the store and rebuilt by ingest
when the store changes.

Each build goes to a new folder named after the store's fingerprint; a `CURRENT` file is
switched atomically, so a reader in another process never sees a half-written index.
Filters (outlet, date range) are a mask over all chunks, computed with numpy, never in Python
per chunk. The folder also holds every chunk's vector in the same row order (`vectors.npy`,
memory-mapped): a filter that keeps few chunks is searched exactly over just those rows, which
costs in proportion to what the filter keeps, not to the corpus.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.text import terms


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
    """bm25s over chunk texts (with their article's headline), with filter columns."""

    def __init__(self, folder: Path, retriever, ids: np.ndarray, article_ids: np.ndarray, outlet_codes: np.ndarray, date_keys: np.ndarray, outlets: list[str], fingerprint: str, vectors: np.ndarray | None = None):
        self.folder = folder
        self.retriever = retriever
        self.ids = ids
        self.article_ids = article_ids
        self.outlet_codes = outlet_codes
        self.date_keys = date_keys
        self.outlets = outlets
        self.fingerprint = fingerprint
        self.vectors = vectors

    # Building -----------------------------------------------------------------------------

    @staticmethod
    def build(root: Path, rows: Iterable[tuple[str, str, dict, np.ndarray]], fingerprint: str) -> "KeywordIndex | None":
        """Index every (chunk id, text, metadata, vector) row; None when there are no rows."""
        import bm25s

        ids, article_ids, outlet_codes, date_keys, corpus = [], [], [], [], []
        outlets: dict[str, int] = {}
        root.mkdir(parents=True, exist_ok=True)
        folder = root / f"v-{fingerprint}"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        vectors = _VectorWriter(folder / "vectors.f32")
        for chunk_id, text, md, vector in rows:
            vectors.add(vector)
            ids.append(chunk_id)
            article_ids.append(md["article_id"])
            outlet = (md.get("outlet") or "").lower()
            outlet_codes.append(outlets.setdefault(outlet, len(outlets)))
            date_keys.append(int(md.get("published_key", -1)))
            corpus.append(terms(f"{md.get('title', '')} {text}"))
        vectors.close()
        if not ids:
            shutil.rmtree(folder)
            _point(root, None)
            return None
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        retriever.save(str(folder), show_progress=False)
        np.savez(
            folder / "columns.npz",
            ids=np.array(ids),
            article_ids=np.array(article_ids),
            outlet_codes=np.array(outlet_codes, dtype=np.int32),
            date_keys=np.array(date_keys, dtype=np.int32),
        )
        (folder / "meta.json").write_text(json.dumps({"fingerprint": fingerprint, "outlets": list(outlets), "dim": vectors.dim}))
        _point(root, folder.name)
        for old in root.glob("v-*"):
            if old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
        return KeywordIndex.load(root)

    @staticmethod
    def current_fingerprint(root: Path) -> str | None:
        pointer = root / "CURRENT"
        if not pointer.is_file():
            return None
        name = pointer.read_text().strip()
        return name.removeprefix("v-") if name else ""

    @staticmethod
    def load(root: Path) -> "KeywordIndex | None":
        import bm25s

        pointer = root / "CURRENT"
        if not pointer.is_file() or not pointer.read_text().strip():
            return None
        folder = root / pointer.read_text().strip()
        meta = json.loads((folder / "meta.json").read_text())
        cols = np.load(folder / "columns.npz")
        retriever = bm25s.BM25.load(str(folder), mmap=False, show_progress=False, verbosity=0)
        return KeywordIndex(
            folder,
            retriever,
            cols["ids"],
            cols["article_ids"],
            cols["outlet_codes"],
            cols["date_keys"],
            meta["outlets"],
            meta["fingerprint"],
            _vectors(folder, len(cols["ids"]), meta.get("dim", 0)),
        )

    # Searching ----------------------------------------------------------------------------

    def keep(self, filters: Filters) -> np.ndarray | None:
        """Which rows the filters keep, as booleans (None: no filter)."""
        if filters.empty:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
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
        if self.vectors is None or len(rows) == 0:
            return []
        sims = self.vectors[rows] @ vector.astype(np.float32)
        k = min(k, len(rows))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(str(self.ids[rows[i]]), float(sims[i])) for i in top]

    def search(self, query: str, k: int, filters: Filters = Filters(), keep: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores, best first; only chunks with a positive score.

        `keep` is `self.keep(filters)` when the caller already has it."""
        q = terms(query)
        if not q or len(self.ids) == 0:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(
            [q], k=k, show_progress=False, weight_mask=_weights(keep if keep is not None else self.keep(filters)), n_threads=1
        )
        return [(str(self.ids[d]), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


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

    def close(self) -> None:
        self.file.close()


def _weights(keep: np.ndarray | None) -> np.ndarray | None:
    return None if keep is None else keep.astype(np.float32)


def _vectors(folder: Path, rows: int, dim: int) -> np.ndarray | None:
    path = folder / "vectors.f32"
    if not dim or not path.is_file() or path.stat().st_size != rows * dim * 4:
        return None
    return np.memmap(path, dtype=np.float32, mode="r", shape=(rows, dim))


def _point(root: Path, name: str | None) -> None:
    tmp = root / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(name or "")
    os.replace(tmp, root / "CURRENT")
