"""The SQLite table beside the vector store: article records and texts, chunk texts, their
metadata, sentence spans and sentence vectors; and the row formats the store uses. A chunk's
vector is Chroma's alone (`assistant.store`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from assistant.records import Article, ArticleMeta, Chunk


def date_key(d: date | None) -> int:
    """Dates as sortable integers (YYYYMMDD) for the search index's range filters; -1 when unknown."""
    return d.year * 10000 + d.month * 100 + d.day if d else -1


def flat_meta(m: ArticleMeta) -> dict[str, str]:
    """An article's metadata in its flat stored form ("" for unknown); `meta_from` reads it back."""
    return {
        "title": m.title,
        "outlet": m.outlet or "",
        "author": m.author or "",
        "url": m.url or "",
        "published": m.published.isoformat() if m.published else "",
        "agency": m.agency or "",
        "published_inferred": m.published_inferred or "",
    }


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {"article_id": chunk.article_id, "index": chunk.index, "start": chunk.start, "end": chunk.end,
            **flat_meta(chunk.meta), "published_key": date_key(chunk.meta.published)}


def vector_metadata(article_id: str) -> dict[str, str]:
    """What Chroma keeps of a chunk beside its vector: its article, by which an article's
    chunks are deleted. Filters never go to Chroma (`assistant.retrieve`), so it keeps no
    outlet or date."""
    return {"article_id": article_id}


def meta_from(md: dict[str, Any]) -> ArticleMeta:
    """Article metadata back from its flat stored form ("" means unknown)."""
    published = md.get("published") or None
    return ArticleMeta(title=md.get("title", ""), published=date.fromisoformat(published) if published else None,
                       **{k: md.get(k) or None for k in ("outlet", "author", "url", "agency", "published_inferred")})


def chunk_from(chunk_id: str, text: str, md: dict[str, Any]) -> Chunk:
    return Chunk(id=chunk_id, article_id=md["article_id"], index=int(md["index"]), text=text, start=int(md["start"]),
                 end=int(md["end"]), meta=meta_from(md))


@dataclass
class ArticleWrite:
    """One article's chunks, their vectors and their sentence rows, ready to store."""

    article: Article
    chunks: list[Chunk]
    vectors: np.ndarray
    sentence_rows: list[tuple[str, np.ndarray, np.ndarray]]


class ChunkTable:
    """Article records and texts; chunk texts, metadata, sentence spans and sentence vectors:
    in SQLite beside the index.

    Chroma keeps only each chunk's vector (and its article, for deletes); the rest lives
    here, in any store mode. The chunk vector is not kept here as well: Chroma stores it and
    gives it back (`ChromaStore.iter_chunks`), and the search index's vector file is derived
    from it. Writing text to Chroma would cost its full-text index on every
    chunk (about half of ingest's write time, and most of the store's size on disk) for a
    search that BM25 does better. Article records were a Chroma collection once: reading
    250,000 of them back took over two minutes (Chroma pages by offset, and refuses one large
    `get`), on every ingest; here it is one SELECT. Sentence vectors let the offline answerer
    rank every sentence of the retrieved passages without running the model at question time.
    """

    def __init__(self, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.path = path
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL,"
                " text TEXT NOT NULL, meta TEXT NOT NULL,"
                " spans BLOB NOT NULL, vectors BLOB NOT NULL, dim INTEGER NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS by_article ON chunks(article_id)")
            db.execute("CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, meta TEXT NOT NULL, text TEXT NOT NULL)")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            self._local.db = db
        return db

    def replace_many(self, articles: list[ArticleWrite]) -> None:
        """Each article's chunks, with their sentence rows of (chunk id, spans as int32 [n, 2]
        in article offsets, vectors [n, dim] as float16); the article's old chunks go, in one
        transaction. The chunk vectors are Chroma's: not written here."""
        rows = []
        for w in articles:
            by_id = {cid: (spans, vecs) for cid, spans, vecs in w.sentence_rows}
            dim = w.vectors.shape[1] if len(w.vectors) else 0
            for c in w.chunks:
                spans, vecs = by_id.get(c.id, (np.zeros((0, 2), np.int32), np.zeros((0, dim), np.float32)))
                rows.append((c.id, w.article.id, c.text, json.dumps(chunk_metadata(c)),
                             spans.astype(np.int32).tobytes(), vecs.astype(np.float16).tobytes(), dim))
        with self._db() as db:
            db.executemany("DELETE FROM chunks WHERE article_id = ?", [(w.article.id,) for w in articles])
            db.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def delete(self, article_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))

    # Articles -------------------------------------------------------------------------------

    def write_records(self, rows: list[tuple[str, dict, str | None]]) -> None:
        """(article id, record metadata, text) rows; text None keeps the stored text."""
        with self._db() as db:
            db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET meta = excluded.meta,"
                " text = CASE WHEN ?4 IS NULL THEN articles.text ELSE excluded.text END",
                [(aid, json.dumps(md), text or "", text) for aid, md, text in rows],
            )

    def records(self, article_ids: list[str] | None = None) -> dict[str, dict]:
        """Record metadata by article id: all of them, or those of `article_ids`."""
        if article_ids is None:
            return {aid: json.loads(md) for aid, md in self._db().execute("SELECT article_id, meta FROM articles")}
        rows = _where_in(self._db(), "SELECT article_id, meta FROM articles", "article_id", article_ids)
        return {aid: json.loads(md) for aid, md in rows}

    def record(self, article_id: str) -> dict | None:
        row = self._db().execute("SELECT meta FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def article_text(self, article_id: str) -> str | None:
        row = self._db().execute("SELECT text FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def article_texts(self, article_ids: list[str]) -> dict[str, str]:
        """Each article's cleaned text, by id."""
        return dict(_where_in(self._db(), "SELECT article_id, text FROM articles", "article_id", article_ids))

    def article_count(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def count(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def chunk_articles(self) -> dict[str, str]:
        """Every chunk's article id, by chunk id."""
        return dict(self._db().execute("SELECT chunk_id, article_id FROM chunks"))

    def _select(self, columns: str, chunk_ids: list[str]) -> list[tuple]:
        return list(_where_in(self._db(), f"SELECT {columns} FROM chunks", "chunk_id", chunk_ids))

    def chunks(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        return {cid: chunk_from(cid, text, json.loads(meta)) for cid, text, meta in self._select("chunk_id, text, meta", chunk_ids)}

    def iter_chunks(self, article_ids: list[str] | None = None):
        """Every chunk as (id, text, metadata), in the order written; only those of
        `article_ids` when given."""
        db = sqlite3.connect(self.path, timeout=30)  # its own cursor: callers may query meanwhile
        query = "SELECT chunk_id, text, meta FROM chunks"
        try:
            if article_ids is None:
                rows = db.execute(f"{query} ORDER BY rowid")
            else:
                rows = _where_in(db, query, "article_id", sorted(article_ids), " ORDER BY rowid")
            for cid, text, meta in rows:
                yield cid, text, json.loads(meta)
        finally:
            db.close()

    def sentences(self, chunk_ids: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Sentence spans and vectors of these chunks, by chunk id."""
        return {
            cid: (
                np.frombuffer(spans, dtype=np.int32).reshape(-1, 2),
                np.frombuffer(vecs, dtype=np.float16).reshape(-1, dim).astype(np.float32),
            )
            for cid, spans, vecs, dim in self._select("chunk_id, spans, vectors, dim", chunk_ids)
        }


def _where_in(db: sqlite3.Connection, select: str, column: str, ids: list[str], order: str = ""):
    """The rows of `select ... WHERE column IN ids`, asked 500 ids at a time (SQLite caps the
    number of variables in one statement)."""
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        yield from db.execute(f"{select} WHERE {column} IN ({','.join('?' * len(part))}){order}", part)
