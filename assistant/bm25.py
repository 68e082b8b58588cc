"""The keyword (BM25) index, kept beside the store and rebuilt by ingest when the store changes.

Each build goes to a new folder named after the store's fingerprint; a `CURRENT` file is
switched atomically, so a reader in another process never sees a half-written index.
Filters (outlet, date range) are applied as a weight mask over all chunks: numpy work that
does not touch Python per chunk.
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

    def __init__(self, folder: Path, retriever, ids: np.ndarray, article_ids: np.ndarray, outlet_codes: np.ndarray, date_keys: np.ndarray, outlets: list[str], fingerprint: str):
        self.folder = folder
        self.retriever = retriever
        self.ids = ids
        self.article_ids = article_ids
        self.outlet_codes = outlet_codes
        self.date_keys = date_keys
        self.outlets = outlets
        self.fingerprint = fingerprint

    # Building -----------------------------------------------------------------------------

    @staticmethod
    def build(root: Path, rows: Iterable[tuple[str, str, dict]], fingerprint: str) -> "KeywordIndex | None":
        """Index every (chunk id, text, metadata) row; None when there are no rows."""
        import bm25s

        ids, article_ids, outlet_codes, date_keys, corpus = [], [], [], [], []
        outlets: dict[str, int] = {}
        for chunk_id, text, md in rows:
            ids.append(chunk_id)
            article_ids.append(md["article_id"])
            outlet = (md.get("outlet") or "").lower()
            outlet_codes.append(outlets.setdefault(outlet, len(outlets)))
            date_keys.append(int(md.get("published_key", -1)))
            corpus.append(terms(f"{md.get('title', '')} {text}"))
        root.mkdir(parents=True, exist_ok=True)
        folder = root / f"v-{fingerprint}"
        if folder.exists():
            shutil.rmtree(folder)
        if not ids:
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
        (folder / "meta.json").write_text(json.dumps({"fingerprint": fingerprint, "outlets": list(outlets)}))
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
        )

    # Searching ----------------------------------------------------------------------------

    def mask(self, filters: Filters) -> np.ndarray | None:
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
        return keep.astype(np.float32)

    def search(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores, best first; only chunks with a positive score."""
        q = terms(query)
        if not q or len(self.ids) == 0:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(
            [q], k=k, show_progress=False, weight_mask=self.mask(filters), n_threads=1
        )
        return [(str(self.ids[d]), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


def _point(root: Path, name: str | None) -> None:
    tmp = root / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(name or "")
    os.replace(tmp, root / "CURRENT")
