"""Index health: what `assistant check` reports on each part of an index, and what `ask`, `ui`
and `ingest` look at before they use one.

An index folder holds three parts for a collection. The chunk table
(`chunks-<collection>.sqlite`) holds each article's record (metadata, source path) and cleaned
text, its chunks' texts, metadata and sentence vectors. The vector store (Chroma:
`chroma.sqlite3` and its segment folders, or a server) holds each chunk's vector. The search
index (`search/<collection>/`: the tantivy keyword index and the vector file,
`assistant.search`) is derived from the two. `assistant repair` (`assistant.repair`) rebuilds
the search index from them, and the vector store from the search index's vector file (or, where
that cannot be used, by embedding the chunk table's texts again).

`inspect_index(quick=True)`, run before a question is answered, costs a few counting queries,
opening the keyword index and the vector file's manifest. The full look (`assistant check`,
`repair`) also runs SQLite's integrity check, reads every record and the vector file's rows,
and searches the vector store once.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.keyword import KeywordIndex, KeywordIndexError
from assistant.search import current_state, index_state, search_root
from assistant.store import (
    ChromaStore,
    DamagedStoreError,
    chroma_file,
    record_from,
    records_fingerprint,
    repair_command,
    table_path,
)
from assistant.vectors import VectorFile, VectorFileError

TABLE, VECTORS, SEARCH = "chunk table", "vector store", "search index"
#: What `assistant repair` does for each part.
REPAIRS = {
    TABLE: "rebuild it: lost chunk rows from the article texts it keeps, lost records by ingesting the recorded source paths again",
    VECTORS: "rebuild it from the search index's vector file (where that is current; else the texts are embedded again)",
    SEARCH: "rebuild it (keyword index and vector file) from the chunk table and the vector store",
}


@dataclass(frozen=True)
class PartHealth:
    """One part of the index: sound (with a summary of what it holds), or what is wrong with it."""

    part: str
    path: str  # the file or folder at fault; the part's location when it is sound
    problem: str | None = None
    summary: str = ""
    note: str | None = None  # not damage: out of date, or half-written by an ingest

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class IndexHealth:
    index_dir: str
    parts: tuple[PartHealth, ...]
    repair: str  # the command that repairs this index
    empty: bool  # nothing indexed and nothing damaged: a new index

    @property
    def damaged(self) -> list[PartHealth]:
        return [p for p in self.parts if p.problem]

    def part(self, name: str) -> PartHealth:
        return next(p for p in self.parts if p.part == name)

    def error(self) -> str:
        """One line for a command that cannot use the index: the first damaged part and the fix."""
        first, more = self.damaged[0], len(self.damaged) - 1
        others = f" (and {more} more damaged part{'s' if more > 1 else ''}: `assistant check` lists them)" if more else ""
        return (f"the index at {self.index_dir} is damaged: {first.part} {first.path}: {first.problem}{others}; "
                f"repair it with `{self.repair}`")


class Damage(Exception):
    """A file of the index that cannot be used, and why."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


# The chunk table -----------------------------------------------------------------------------


@dataclass
class TableFacts:
    """What the chunk table holds, read without changing it."""

    path: Path
    exists: bool = True
    unreadable: str | None = None  # it cannot be used at all: set aside and rebuilt from the sources
    missing_tables: tuple[str, ...] = ()
    articles: int = 0
    chunks: int = 0
    listed: int = 0  # the chunks its complete records say their articles have
    pending: list[str] = field(default_factory=list)  # half-written by an ingest that stopped or runs
    short: dict[str, tuple[int, int]] = field(default_factory=dict)  # article id -> (rows, n_chunks)
    orphans: dict[str, int] = field(default_factory=dict)  # article id of no record -> chunk rows
    changing: bool = False  # it changed while it was read (an ingest is writing): counts are not compared
    records: dict[str, dict] = field(default_factory=dict)  # full reads only
    sample: str | None = None  # a chunk's id, whose vector the vector store must hold and find

    @property
    def sound(self) -> bool:
        return self.exists and not (self.unreadable or self.missing_tables or self.short or self.orphans) and (
            self.listed == self.chunks or not self.settled
        )

    @property
    def comparable(self) -> bool:
        """Sound, and no ingest is half-way through it: the other parts' counts must match its own."""
        return self.sound and self.settled

    @property
    def settled(self) -> bool:
        """No ingest is half-way through it."""
        return not (self.pending or self.changing)

    def problem(self, others_hold: int) -> str | None:
        """What is wrong with it, given how many chunks the other parts hold."""
        if self.unreadable:
            return self.unreadable
        if not self.exists:
            return f"missing, while the other parts hold {others_hold} chunks" if others_hold else None
        if self.missing_tables:
            return f"its {' and '.join(self.missing_tables)} table{'s are' if len(self.missing_tables) > 1 else ' is'} missing"
        if not self.articles and others_hold:
            return f"holds no article records, while the other parts hold {others_hold} chunks (emptied or replaced)"
        if self.orphans:
            aid = next(iter(self.orphans))
            return (f"{sum(self.orphans.values())} chunk rows of {len(self.orphans)} article(s) have no article record "
                    f"(e.g. {aid!r}): the records were lost")
        if self.short:
            aid, (rows, n) = next(iter(self.short.items()))
            return f"{len(self.short)} article(s) lack chunk rows (e.g. {aid!r} has {rows} of {n})"
        if self.listed != self.chunks and self.settled:
            return f"holds {self.chunks} chunk rows where its article records list {self.listed}"
        return None


def open_existing(path: Path, mode: str = "rw", timeout: float = 30) -> sqlite3.Connection:
    """An SQLite file that must already exist (`mode` rw or ro): a missing one is an error, not
    a new empty database left behind by the check."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=timeout)


def read_table(path: Path, full: bool = True) -> TableFacts:
    """The chunk table's counts (and, `full`, its integrity, records and each article's rows)."""
    facts = TableFacts(path)
    if not path.exists():
        facts.exists = False
        return facts
    try:
        db = open_existing(path)
    except sqlite3.Error as exc:
        facts.unreadable = f"cannot be opened ({exc})"
        return facts
    try:
        _read_table(db, facts, full)
    except sqlite3.DatabaseError as exc:
        facts.unreadable = f"not a readable SQLite database ({exc})"
    except (ValueError, KeyError, TypeError) as exc:
        facts.unreadable = f"holds an unreadable article record ({type(exc).__name__}: {exc})"
    finally:
        db.close()
    return facts


def _read_table(db: sqlite3.Connection, facts: TableFacts, full: bool) -> None:
    if full:
        result = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
        if result != ["ok"]:
            facts.unreadable = f"fails SQLite's integrity check ({'; '.join(result)})"
            return
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        facts.unreadable = "holds no tables (emptied?)"
        return
    facts.missing_tables = tuple(t for t in ("articles", "chunks") if t not in tables)
    if "articles" in tables:
        complete = "json_extract(meta, '$.content_hash') != ''"
        facts.articles, facts.listed = db.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {complete} THEN json_extract(meta, '$.n_chunks') END), 0) FROM articles"
        ).fetchone()
        if full:
            facts.records = {aid: json.loads(md) for aid, md in db.execute("SELECT article_id, meta FROM articles")}
            facts.pending = [aid for aid, md in facts.records.items() if not md.get("content_hash")]
        else:
            facts.pending = [aid for (aid,) in db.execute(f"SELECT article_id FROM articles WHERE NOT {complete}")]
    if "chunks" not in tables:
        facts.short = {aid: (0, int(md.get("n_chunks", 0))) for aid, md in facts.records.items()
                       if md.get("content_hash") and int(md.get("n_chunks", 0))}
        return
    facts.chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    if not full:
        return
    counts = dict(db.execute("SELECT article_id, COUNT(*) FROM chunks GROUP BY article_id"))
    if "articles" in tables:  # without it, its absence is the problem; its chunks are not orphans of it
        facts.orphans = {aid: n for aid, n in counts.items() if aid not in facts.records}
    for aid, md in facts.records.items():
        n = int(md.get("n_chunks", 0))
        if md.get("content_hash") and counts.get(aid, 0) != n:
            facts.short[aid] = (counts.get(aid, 0), n)
    row = db.execute("SELECT chunk_id FROM chunks ORDER BY rowid LIMIT 1").fetchone()
    if row:
        facts.sample = row[0]


def table_counts(path: Path) -> tuple[int, int, int] | None:
    """(articles, chunks, half-written articles) now; None where they cannot be read."""
    try:
        with closing(open_existing(path)) as db:
            return (
                db.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM articles WHERE json_extract(meta, '$.content_hash') = ''").fetchone()[0],
            )
    except sqlite3.Error:
        return None


# The vector store ----------------------------------------------------------------------------


@dataclass
class VectorFacts:
    location: str
    problem: str | None = None
    unreadable: bool = False  # the embedded store's database cannot be opened: set aside by a repair
    count: int = 0


def read_vectors(settings: Settings, sample: str | None = None) -> VectorFacts:
    """How many vectors Chroma holds for this collection; with `sample` (a chunk id), whether it
    holds that chunk's vector and searching for it finds the chunk (a damaged vector segment
    does not)."""
    local = not settings.chroma_host
    facts = VectorFacts(str(chroma_file(settings)) if local else f"http://{settings.chroma_host}:{settings.chroma_port}")
    if local and not chroma_file(settings).is_file():
        facts.problem = "missing"  # whether that is damage depends on the chunk table
        return facts
    try:
        client = ChromaStore.connect(settings)  # a server that cannot be reached raises StoreError
    except DamagedStoreError as exc:
        facts.problem, facts.unreadable = f"cannot be opened ({exc.reason})", True
        return facts
    try:
        collection = client.get_collection(settings.collection_name)
    except Exception:  # no such collection
        facts.problem = f"holds no collection {settings.collection_name}"
        return facts
    try:
        facts.count = collection.count()
        if sample is not None and facts.count:
            stored = collection.get(ids=[sample], include=["embeddings"])
            if not stored["ids"]:
                facts.problem = f"holds no vector for the chunk table's chunk {sample}"
                return facts
            found = collection.query(query_embeddings=[np.asarray(stored["embeddings"][0]).tolist()], n_results=1,
                                     include=["distances"])
            distances = found["distances"][0] if found["distances"] else []
            if not distances or distances[0] > 1e-3:
                facts.problem = f"searching it for a stored chunk's own vector ({sample}) does not find it: its vector segment is damaged"
    except Exception as exc:  # Chroma's errors have no common base class
        facts.problem = f"cannot be read or searched ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
    return facts


# The search index ----------------------------------------------------------------------------


@dataclass
class SearchFacts:
    root: Path
    damage: Damage | None = None
    missing: bool = False  # no STATE: no index (or one an ingest is building)
    older: bool = False  # only the keyword index of an older version (`bm25/`): rebuilt by the next ingest
    state: str = ""
    keyword: int = 0  # chunks in the keyword index
    live: int = 0  # live rows of the vector file


def read_search(root: Path, full: bool = True) -> SearchFacts:
    """The search index's chunk counts, after opening both parts (`full`: the vector file's
    rows are read whole; else its manifest and deleted mask only)."""
    facts = SearchFacts(root)
    state = current_state(root)
    if state is None:
        facts.missing = True
        facts.older = (root.parent.parent / "bm25").is_dir()
        return facts
    facts.state = state
    try:
        keyword = KeywordIndex.open(root / "keyword")
    except KeywordIndexError as exc:
        facts.damage = Damage(root / "keyword", f"cannot be opened: {exc}")
        return facts
    if keyword is None:
        facts.damage = Damage(root / "keyword", "missing")
        return facts
    facts.keyword = keyword.count
    try:
        if full:
            facts.live = VectorFile(root / "vectors").live
        else:
            manifest = json.loads((root / "vectors" / "manifest.json").read_text())
            mask = np.load(root / "vectors" / manifest["deleted"]) if manifest["deleted"] else np.zeros(0, bool)
            facts.live = int(manifest["rows"]) - int(mask.sum())
    except (VectorFileError, OSError, ValueError, KeyError, TypeError) as exc:
        facts.damage = Damage(root / "vectors", f"cannot be read ({exc})")
    return facts


# The whole index -----------------------------------------------------------------------------


def inspect_index(settings: Settings, quick: bool = False) -> IndexHealth:
    """Each part's health, read without changing anything (`quick`: see the module's note)."""
    table = read_table(table_path(settings), full=not quick)
    vectors = read_vectors(settings, None if quick else table.sample)
    search = read_search(search_root(settings), full=not quick)
    if table.exists and not table.unreadable and not table.missing_tables:
        table.changing = table_counts(table.path) != (table.articles, table.chunks, len(table.pending))
    table_health = _table_part(table, max(vectors.count, search.keyword))
    # The other parts' counts are held against a sound table's only: not blamed for disagreeing
    # with a damaged one, nor with one that an ingest is writing.
    compare = table_health.ok and table.comparable
    parts = (table_health, _vector_part(vectors, table, compare), _search_part(search, table, compare))
    empty = not (table.articles or table.chunks or vectors.count or search.keyword) and not any(p.problem for p in parts)
    return IndexHealth(str(settings.index_dir), parts, repair_command(settings), empty)


def _table_part(table: TableFacts, others: int) -> PartHealth:
    if problem := table.problem(others):
        return PartHealth(TABLE, str(table.path), problem)
    note = (f"{len(table.pending)} article(s) half-written: an ingest is running, or stopped; `assistant ingest` "
            "finishes them") if table.pending else "changing as it is read: an ingest is writing" if table.changing else None
    return PartHealth(TABLE, str(table.path), summary=f"{table.articles} articles, {table.chunks} chunks", note=note)


def _vector_part(vectors: VectorFacts, table: TableFacts, compare: bool) -> PartHealth:
    if vectors.problem == "missing" or vectors.problem and vectors.problem.startswith("holds no collection"):
        if not table.chunks:
            return PartHealth(VECTORS, vectors.location, summary="empty")
        return PartHealth(VECTORS, vectors.location, f"{vectors.problem}, while the chunk table has {table.chunks} chunks")
    if vectors.problem:
        return PartHealth(VECTORS, vectors.location, vectors.problem)
    if compare and vectors.count != table.chunks:
        return PartHealth(VECTORS, vectors.location, f"holds {vectors.count} vectors where the chunk table has {table.chunks} chunks")
    return PartHealth(VECTORS, vectors.location, summary=f"{vectors.count} vectors")


def _search_part(search: SearchFacts, table: TableFacts, compare: bool) -> PartHealth:
    root = str(search.root)
    if search.damage:
        return PartHealth(SEARCH, str(search.damage.path), search.damage.problem)
    if search.missing and search.older and table.chunks:
        return PartHealth(SEARCH, root, summary="made by an older version (bm25/)", note="the next `assistant ingest` rebuilds it")
    if search.missing:
        if table.chunks:
            return PartHealth(SEARCH, str(search.root / "STATE"), "missing or empty: no keyword index to search")
        return PartHealth(SEARCH, root, summary="empty")
    summary = f"{search.keyword} chunks"
    if search.keyword != search.live:
        return PartHealth(SEARCH, root, f"its keyword index holds {search.keyword} chunks where its vector file holds {search.live}")
    expected = _expected_state(table) if compare else None
    if expected is not None and search.state != expected:
        return PartHealth(SEARCH, root, summary=summary,
                          note="out of date (it describes another state of the chunk table); `assistant ingest` rebuilds it")
    if expected is not None and search.keyword != table.chunks:
        return PartHealth(SEARCH, root, f"holds {search.keyword} chunks where the chunk table has {table.chunks}")
    return PartHealth(SEARCH, root, summary=summary)


def _expected_state(table: TableFacts) -> str | None:
    """The state a current search index names (None: unknown, from a quick read)."""
    if not table.records:
        return None
    return index_state(records_fingerprint({aid: record_from(aid, md) for aid, md in table.records.items()}))
