"""The vector file: every chunk's vector and filter fields in row order, for filtered dense search.

Chroma's HNSW answers an unfiltered question; a filter that keeps few chunks is searched here,
exactly, over just the rows it keeps, at a cost in proportion to what the filter keeps, not to
the corpus (asking Chroma to filter collects every matching id first: 81-145 ms against 4-13 ms
at 100,000 chunks, and not exact, bench/README.md). The file set is derived: the filter fields from the
chunk table, the vectors from Chroma, which holds each chunk's vector (`ChromaStore.iter_chunks`
joins the two); it is rebuilt from them (`assistant repair`), and Chroma is rebuilt from it
where Chroma is lost. Ingest appends to it:

- `ids.txt`, `articles.txt`: each row's chunk id and article id, one a line (ids hold no
  whitespace: `load.slug`); a reader loads the chunk ids only;
- `outlets.i32`, `dates.i32`, `vectors.f32`: each row's outlet code, date key (YYYYMMDD, -1
  unknown) and float32 vector, raw, the vectors memory-mapped;
- `deleted-<n>.npy`: the rows deleted since (an article re-ingested, corrected or removed);
- `manifest.json`, written last: the row count, the bytes of the id files, the outlet names
  the codes index and the mask's name. A writer killed mid-append leaves bytes past these,
  which readers ignore and the next writer cuts off.

When more than a quarter of the rows are deleted the live ones are copied to a fresh folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

import numpy as np

from assistant.records import Filters

Row = tuple[str, str, dict, np.ndarray]  # chunk id, text, metadata, vector (the chunk table's rows)
MAX_DELETED_SHARE = 0.25


class VectorFileError(Exception):
    """The vector file cannot be used: rebuilt from the chunk table and Chroma."""


class VectorFile:
    """Row-aligned chunk ids, filter columns and vectors, with a deleted mask."""

    def __init__(self, folder: Path):
        self.folder = folder
        try:
            self.manifest = manifest = json.loads((folder / "manifest.json").read_text())
            n, self.dim = int(manifest["rows"]), int(manifest["dim"])
            with open(folder / "ids.txt", "rb") as f:
                ids = f.read(int(manifest["ids_bytes"])).decode().split("\n")[:-1]
            self.outlet_codes = np.fromfile(folder / "outlets.i32", dtype=np.int32, count=n)
            self.date_keys = np.fromfile(folder / "dates.i32", dtype=np.int32, count=n)
            self.deleted = np.load(folder / manifest["deleted"]) if manifest["deleted"] else np.zeros(n, bool)
            self.outlets = np.array(manifest["outlets"], dtype=object)
            size = (folder / "vectors.f32").stat().st_size
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VectorFileError(f"{folder}: {exc}") from exc
        if not len(ids) == len(self.outlet_codes) == len(self.date_keys) == len(self.deleted) == n or size < n * self.dim * 4:
            raise VectorFileError(f"{folder}: holds {len(ids)} ids, {len(self.date_keys)} dates, {len(self.deleted)} marks "
                                  f"and {size} vector bytes, not {n} rows")
        self.ids = np.array(ids, dtype=object)
        self.vectors = np.memmap(folder / "vectors.f32", dtype=np.float32, mode="r", shape=(n, self.dim)) if n and self.dim else np.zeros((0, self.dim), np.float32)
        self.alive = ~self.deleted
        self.live = int(self.alive.sum())
        self._row_of: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def article_ids(self) -> np.ndarray:
        with open(self.folder / "articles.txt", "rb") as f:
            return np.array(f.read(int(self.manifest["articles_bytes"])).decode().split("\n")[:-1], dtype=object)

    # Writing -------------------------------------------------------------------------------

    @staticmethod
    def build(folder: Path, rows: Iterable[Row]) -> None:
        """Write every row afresh in a new folder, switched in when whole."""
        tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        with VectorFile.building(tmp) as add:
            for row in rows:
                add(row)
        shutil.rmtree(folder, ignore_errors=True)  # a reader holding the old files keeps them (mmap)
        tmp.rename(folder)

    @staticmethod
    @contextmanager
    def building(folder: Path) -> Iterator[Callable[[Row], Row]]:
        """A new vector file in `folder`, a row at a time: the function given writes a row and
        returns it; the manifest is written when the block ends."""
        folder.mkdir(parents=True)
        with _Appender(folder, {"rows": 0, "dim": 0, "ids_bytes": 0, "articles_bytes": 0, "outlets": [], "deleted": ""}) as out:
            yield out.add
        _manifest(folder, out.manifest, None)

    def update(self, rows: Iterable[Row], changed_articles: set[str]) -> None:
        """Mark the rows of `changed_articles` deleted and append `rows` (their chunks now)."""
        deleted = self.deleted | np.isin(self.article_ids(), list(changed_articles)) if changed_articles else self.deleted.copy()
        if len(self) and deleted.sum() > MAX_DELETED_SHARE * len(self):
            return self.build(self.folder, chain(_live_rows(self, deleted), rows))
        m, n = self.manifest, len(self)
        sizes = {"ids.txt": m["ids_bytes"], "articles.txt": m["articles_bytes"], "outlets.i32": 4 * n, "dates.i32": 4 * n,
                 "vectors.f32": 4 * n * self.dim}
        for name, size in sizes.items():
            os.truncate(self.folder / name, size)  # what a killed writer appended past the manifest
        with _Appender(self.folder, dict(m)) as out:
            for row in rows:
                out.add(row)
        _manifest(self.folder, out.manifest, np.concatenate([deleted, np.zeros(out.manifest["rows"] - n, bool)]))

    # Searching -----------------------------------------------------------------------------

    def keep(self, filters: Filters) -> np.ndarray | None:
        """Which rows the filters keep, as booleans (None: no filter)."""
        if filters.empty:
            return None
        keep = self.alive.copy()
        if filters.outlets:
            keep &= np.isin(self.outlet_codes, np.flatnonzero(np.isin(self.outlets, [o.lower() for o in filters.outlets])))
        if filters.since is not None:
            keep &= self.date_keys >= filters.since
        if filters.until is not None:
            keep &= (self.date_keys <= filters.until) & (self.date_keys >= 0)
        return keep

    def nearest(self, vector: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[str, float]]:
        """Exact cosine search over the given rows only: chunk ids and similarities, best first."""
        if len(rows) == 0 or not self.dim:
            return []
        sims = self.vectors[rows] @ vector.astype(np.float32)
        k = min(k, len(rows))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(str(self.ids[rows[i]]), float(sims[i])) for i in top]

    def live_vectors(self) -> Iterator[tuple[str, str, np.ndarray]]:
        """(chunk id, article id, vector) of every live row: what Chroma is rebuilt from."""
        article_ids = self.article_ids()
        for i in np.flatnonzero(self.alive):
            yield str(self.ids[i]), str(article_ids[i]), np.array(self.vectors[i])

    def rows_of(self, chunk_ids: list[str]) -> list[int]:
        """Each chunk's live row (-1 for an id the file does not hold). The map is built on
        first use (0.8 s and ~150 MB at a million chunks)."""
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self.ids.tolist()) if self.alive[i]}
        return [self._row_of.get(cid, -1) for cid in chunk_ids]


class _Appender:
    """Rows appended to a folder's files, flushed to disk on close; `manifest` counts them."""

    def __init__(self, folder: Path, manifest: dict):
        names = ("ids.txt", "articles.txt", "outlets.i32", "dates.i32", "vectors.f32")
        self.files = [open(folder / name, "ab") for name in names]
        self.manifest = manifest
        self.codes = {o: i for i, o in enumerate(manifest["outlets"])}

    def add(self, row: Row) -> Row:
        cid, _, md, vector = row
        ids, articles, outlets, dates, vecs = self.files
        m = self.manifest
        outlet = (md.get("outlet") or "").lower()
        if outlet not in self.codes:
            self.codes[outlet] = len(m["outlets"])
            m["outlets"] = m["outlets"] + [outlet]
        line, article = f"{cid}\n".encode(), f"{md['article_id']}\n".encode()
        ids.write(line)
        articles.write(article)
        outlets.write(np.int32(self.codes[outlet]).tobytes())
        dates.write(np.int32(md.get("published_key", -1)).tobytes())
        vecs.write(np.asarray(vector, dtype=np.float32).tobytes())
        m["rows"], m["ids_bytes"], m["articles_bytes"] = m["rows"] + 1, m["ids_bytes"] + len(line), m["articles_bytes"] + len(article)
        m["dim"] = m["dim"] or len(vector)
        return row

    def __enter__(self) -> "_Appender":
        return self

    def __exit__(self, *exc) -> None:
        for f in self.files:
            f.flush()
            os.fsync(f.fileno())
            f.close()


def _manifest(folder: Path, manifest: dict, deleted: np.ndarray | None) -> None:
    old = {p.name for p in folder.glob("deleted-*.npy")}
    name = ""
    if deleted is not None and deleted.any():
        name = f"deleted-{len(deleted)}-{int(deleted.sum())}.npy"
        np.save(folder / name, deleted)
    tmp = folder / f"manifest.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({**manifest, "deleted": name}, ensure_ascii=False))
    os.replace(tmp, folder / "manifest.json")
    for stale in old - {name}:
        (folder / stale).unlink(missing_ok=True)


def _live_rows(vf: VectorFile, deleted: np.ndarray) -> Iterator[Row]:
    article_ids = vf.article_ids()
    for i in np.flatnonzero(~deleted):
        md = {"article_id": article_ids[i], "outlet": vf.outlets[vf.outlet_codes[i]], "published_key": int(vf.date_keys[i])}
        yield str(vf.ids[i]), "", md, np.array(vf.vectors[i])
