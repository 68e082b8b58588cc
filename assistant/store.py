"""The store: chunk vectors in Chroma; article records and chunk texts in SQLite beside it.

Each fact is kept once: a chunk's vector in Chroma (with its article id, for deletes), its text,
metadata and sentence vectors in the chunk table. `iter_chunks` joins the two.

Embedded (`PersistentClient` in index_dir) or a Chroma server (`chroma run`), the same code.
An article is written in three steps so that a kill at any point leaves a state that a rerun
repairs: its record is marked pending, its chunks are replaced, its record gets its hash.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.records import Article, ArticleMeta, Chunk
from assistant.table import ArticleWrite, ChunkTable, flat_meta, meta_from, vector_metadata


class StoreError(RuntimeError):
    """The store cannot be reached or used; the message says what to do."""


class DamagedStoreError(StoreError):
    """A file of the index is damaged: the message names it and the repair command."""

    def __init__(self, message: str, path: Path, reason: str):
        super().__init__(message)
        self.path, self.reason = path, reason


def repair_command(settings: Settings) -> str:
    """The command that repairs this index: `assistant repair`, naming the folder unless it is ./index."""
    if settings.index_dir == Path("index"):
        return "assistant repair"
    return f"assistant repair --index {shlex.quote(str(settings.index_dir))}"


def table_path(settings: Settings) -> Path:
    """The chunk table: article records and texts, chunk texts, metadata and sentence vectors."""
    return settings.index_dir / f"chunks-{settings.collection_name}.sqlite"


def other_tables(settings: Settings) -> list[Path]:
    """Chunk tables in index_dir of other collections: indexes that another version of the
    assistant, or other model or chunking settings, built there (left as they are)."""
    return sorted(p for p in settings.index_dir.glob("chunks-*.sqlite") if p != table_path(settings))


def empty_index_hint(settings: Settings) -> str:
    """What to do about an empty index: ingest, saying so where an older index is beside it."""
    older = other_tables(settings)
    if not older:
        return "run `assistant ingest`"
    return (f"run `assistant ingest` to build it (the folder holds an index of another version or settings, "
            f"{older[0].name}, which this version does not read)")


def chroma_file(settings: Settings) -> Path:
    """The embedded Chroma store's database (its vector segments are folders beside it)."""
    return settings.index_dir / "chroma.sqlite3"


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    meta: ArticleMeta
    source_path: str
    content_hash: str
    n_chunks: int
    ingested_at: float
    agency: str | None = None
    #: A writer's corrections of the file's metadata, by field ("" for not stated): `meta`
    #: has them applied, and every ingest of the article applies them again.
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.content_hash)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            **self.meta.to_dict(),
            "source_path": self.source_path,
            "chunks": self.n_chunks,
            "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.ingested_at)),
            "corrected": sorted(self.corrections),
        }


def record_from(article_id: str, md: dict[str, Any]) -> ArticleRecord:
    """An article's record back from its stored metadata."""
    return ArticleRecord(id=article_id, meta=meta_from(md), source_path=md.get("source_path", ""),
                         content_hash=md.get("content_hash", ""), n_chunks=int(md.get("n_chunks", 0)),
                         ingested_at=float(md.get("ingested_at", 0)), corrections=dict(md.get("corrections") or {}))


class ChromaStore:
    """Chunks and article records in two collections named after the index settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.name = settings.collection_name
        self.client = self.connect(settings)
        try:
            self.chunks = self.client.get_or_create_collection(
                self.name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except Exception as exc:
            raise StoreError(f"cannot open the Chroma collections at {self.location} ({exc})") from exc
        self._batch = max(1, min(self.client.get_max_batch_size(), 5000))
        path = table_path(settings)
        try:
            self.table = ChunkTable(path)
        except sqlite3.DatabaseError as exc:
            raise DamagedStoreError(
                f"the chunk table {path} is damaged ({exc}); run `{repair_command(settings)}` to rebuild it", path, str(exc)
            ) from exc
        self._migrate_records()

    def _migrate_records(self) -> None:
        """Indexes written before article records moved to SQLite kept them in a Chroma
        collection: copy them over once. The old collection stays (dropping 250,000 records
        from Chroma took over ten minutes here, on a store's first open); delete it with Chroma's
        `delete_collection("<collection>-articles")` to reclaim its disk."""
        if self.table.article_count():
            return
        try:
            old = self.client.get_collection(f"{self.name}-articles")
        except Exception:
            return
        try:
            rows, total = [], old.count()
            for offset in range(0, total, self._batch):
                got = old.get(include=["metadatas", "documents"], limit=self._batch, offset=offset)
                rows += [(aid, md, text or "") for aid, md, text in zip(got["ids"], got["metadatas"], got["documents"])]
            self.table.write_records(rows)
        except Exception:  # another process opening the same index got there first
            if not self.table.article_count():
                raise

    @property
    def location(self) -> str:
        s = self.settings
        return f"http://{s.chroma_host}:{s.chroma_port}" if s.chroma_host else str(s.index_dir)

    @staticmethod
    def connect(settings: Settings):
        """A Chroma client for the settings' store (a server, or the files in index_dir)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if settings.chroma_host:
                client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
                client.heartbeat()
                return client
            settings.index_dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
        except BaseException as exc:  # a damaged database can make Chroma's Rust code panic (a BaseException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            if not settings.chroma_host:
                forget_chroma(settings)  # else the next try in this process finds the broken client
            path = chroma_file(settings)
            if not settings.chroma_host and _damaged_database(exc) and path.is_file():
                raise DamagedStoreError(
                    f"the vector store {path} is damaged ({_first_line(exc)}); "
                    f"run `{repair_command(settings)}` to rebuild it", path, _first_line(exc)
                ) from exc
            where = (
                f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}; start it with "
                f"`chroma run --path DIR --port {settings.chroma_port}` or unset ASSISTANT_CHROMA_HOST"
                if settings.chroma_host
                else f"the index folder {settings.index_dir}; check it is writable or set ASSISTANT_INDEX_DIR"
            )
            raise StoreError(f"cannot open {where} ({_first_line(exc)})") from exc

    # Articles ---------------------------------------------------------------------------

    def article_records(self, ids: list[str] | None = None) -> dict[str, ArticleRecord]:
        """Every article's record, or those of `ids`."""
        return {aid: record_from(aid, md) for aid, md in self.table.records(ids).items()}

    def article_text(self, article_id: str) -> str | None:
        return self.table.article_text(article_id)

    def _write_records(self, articles: list[tuple[Article, int]], pending: bool) -> None:
        """Article records. `pending` ones (written first, with the article's text) have no
        hash, so a rerun redoes them; the final write sets the hash. A record's corrections are
        the writer's, not the file's: they stay."""
        now = time.time()
        old = self.table.records([a.id for a, _ in articles])
        self.table.write_records([
            (
                a.id,
                {
                    **flat_meta(a.meta),
                    "source_path": a.source_path,
                    "content_hash": "" if pending else a.content_hash,
                    "n_chunks": n,
                    "ingested_at": now,
                    **({"corrections": c} if (c := old.get(a.id, {}).get("corrections")) else {}),
                },
                a.text if pending else None,
            )
            for a, n in articles
        ])

    def set_corrections(self, article_id: str, corrections: dict[str, str]) -> None:
        """Keep a writer's corrections on the article's record, marked pending until its chunks
        are written again with them (`assistant.correct`): if that is cut short, the next
        ingest redoes the article, corrections applied."""
        md = self.table.record(article_id)
        if md is None:
            raise KeyError(article_id)
        self.table.write_records([(article_id, {**md, "corrections": corrections, "content_hash": ""}, None)])

    def replace_articles(self, batch: list[ArticleWrite]) -> None:
        """Make the store hold exactly these chunks for each article, in a few calls per batch.

        Crash-safe on rerun: records are marked pending first and get their hash last.
        """
        if not batch:
            return
        self._write_records([(w.article, len(w.chunks)) for w in batch], pending=True)
        ids = [w.article.id for w in batch]
        for i in range(0, len(ids), self._batch):
            self.chunks.delete(where={"article_id": {"$in": ids[i : i + self._batch]}})
        self.table.replace_many(batch)
        chunks = [c for w in batch for c in w.chunks]
        vectors = np.concatenate([w.vectors for w in batch]) if chunks else np.zeros((0, 1))
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self.chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + self._batch],
                metadatas=[vector_metadata(c.article_id) for c in part],
            )
        self._write_records([(w.article, len(w.chunks)) for w in batch], pending=False)

    def move_article(self, article_id: str, source_path: str) -> None:
        """Record that an unchanged article now lives at another path."""
        md = self.table.record(article_id)
        if md is not None:
            self.table.write_records([(article_id, {**md, "source_path": source_path}, None)])

    def delete_article(self, article_id: str) -> None:
        self.chunks.delete(where={"article_id": article_id})
        self.table.delete(article_id)

    def rewrite_vectors(self, rows: Iterable[tuple[str, str, np.ndarray]]) -> int:
        """Chroma's collection made again from (chunk id, article id, vector) rows: the search
        index's vector file holds them all (`assistant.repair`). Returns the number written."""
        try:
            self.client.delete_collection(self.name)
        except Exception:  # not there (a new or damaged store)
            pass
        self.chunks = self.client.get_or_create_collection(self.name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        rows, written = iter(rows), 0
        while batch := list(islice(rows, self._batch)):
            self.chunks.upsert(ids=[cid for cid, _, _ in batch], embeddings=np.stack([v for _, _, v in batch]),
                               metadatas=[vector_metadata(aid) for _, aid, _ in batch])
            written += len(batch)
        return written

    def vector_ids(self) -> set[str]:
        """The ids of every chunk Chroma holds a vector for (read page by page)."""
        ids: set[str] = set()
        for offset in range(0, self.chunks.count(), self._batch):
            ids.update(self.chunks.get(include=[], limit=self._batch, offset=offset)["ids"])
        return ids

    # Chunks -----------------------------------------------------------------------------

    def count(self) -> int:
        return self.chunks.count()

    def iter_chunks(self, article_ids: list[str] | None = None) -> Iterator[tuple[str, str, dict, np.ndarray]]:
        """Every chunk as (id, text, metadata, vector): the chunk table's rows with Chroma's
        vectors, a batch at a time (3.4 s for 100,000 chunks, embedded); only those of
        `article_ids` when given. StoreError where Chroma has no vector for a chunk."""
        batch: list[tuple[str, str, dict]] = []
        for row in self.table.iter_chunks(article_ids):
            batch.append(row)
            if len(batch) == self._batch:
                yield from self._with_vectors(batch)
                batch = []
        yield from self._with_vectors(batch)

    def _with_vectors(self, rows: list[tuple[str, str, dict]]) -> Iterator[tuple[str, str, dict, np.ndarray]]:
        if not rows:
            return
        got = self.chunks.get(ids=[cid for cid, _, _ in rows], include=["embeddings"])
        vectors = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        for cid, text, md in rows:
            if cid not in vectors:
                raise StoreError(f"the vector store has no vector for the chunk {cid} of the chunk table; "
                                 f"run `{repair_command(self.settings)}`")
            yield cid, text, md, vectors[cid]

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        if not ids:
            return []
        by_id = self.table.chunks(ids)
        return [by_id[i] for i in ids if i in by_id]

    def article_texts(self, article_ids: list[str]) -> dict[str, str]:
        """The cleaned text of each of these articles, by id (citation offsets point into it)."""
        return self.table.article_texts(sorted(set(article_ids)))

    def sentence_vectors(self, ids: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return self.table.sentences(ids)

    def fingerprint(self, records: dict[str, ArticleRecord] | None = None) -> str:
        """A hash of which articles, at which content, the store holds."""
        return records_fingerprint(self.article_records() if records is None else records)


def records_fingerprint(records: dict[str, ArticleRecord]) -> str:
    """A hash of which articles, at which content and with which corrections, these records describe."""
    data = sorted((r.id, r.content_hash, r.n_chunks) + ((sorted(r.corrections.items()),) if r.corrections else ())
                  for r in records.values())
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def forget_chroma(settings: Settings) -> None:
    """Drop the Chroma client this process holds for the embedded store in index_dir: Chroma
    keeps one per folder, which a failed open leaves broken, and which a repair that sets the
    database aside must not reuse."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(settings.index_dir)
    SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)


def _damaged_database(exc: BaseException) -> bool:
    """Whether Chroma's error says its database file is damaged (not unwritable or missing)."""
    text = str(exc).lower()
    return type(exc).__name__ == "PanicException" or any(
        s in text for s in ("not a database", "malformed", "corrupt", "no such table", "no such column")
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


_STORES: dict[tuple, ChromaStore] = {}


def _key(settings: Settings) -> tuple:
    return (settings.chroma_host, settings.chroma_port, str(settings.index_dir.resolve()), settings.collection_name)


def open_store(settings: Settings) -> ChromaStore:
    """One store per location and collection in a process."""
    key = _key(settings)
    if key not in _STORES:
        _STORES[key] = ChromaStore(settings)
    return _STORES[key]


def forget_store(settings: Settings) -> None:
    """Drop this process's open store of this index (a repair replaces files under it)."""
    _STORES.pop(_key(settings), None)
