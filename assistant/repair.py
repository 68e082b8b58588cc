"""`assistant repair`: rebuild the damaged parts of an index from what still holds the facts.

- chunk rows an article lost (or a dropped `chunks` table): chunked and embedded again from the
  text and metadata that its record in the chunk table keeps; no source file is read;
- the vector store (the one home of chunk vectors): made again from the search index's vector
  file where that describes the chunk table as it is now (nothing is embedded); else its vectors
  of chunks the table no longer has are deleted, and the articles whose chunks lack a vector are
  embedded again from the texts the chunk table keeps (every article, where its vectors cannot
  be searched);
- the search index (keyword index and vector file): built again from the chunk table and the
  vector store, once the vector store is whole;
- a chunk table that cannot be read, or that lost article records: the recorded source paths
  are ingested again. Those are every path given to `ingest` (`sources-<collection>.json`),
  the files its readable records name, and any paths given to `repair`. An article whose record
  was lost and whose file is gone cannot come back: it is named, and its chunks removed.

Files that cannot be read (`chroma.sqlite3` with its segment folders, the chunk table) are
moved to `<index>/damaged-<time>/`, never deleted.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.health import SEARCH, TABLE, VECTORS, IndexHealth, TableFacts, inspect_index, open_existing, read_table, read_vectors
from assistant.ingest import Progress, file_of, ingest, rebuild_articles, recorded_sources, refresh_search_index
from assistant.load import LoadFailure
from assistant.records import Article
from assistant.search import current_state, index_state, search_root, writer_lock
from assistant.store import ArticleRecord, ChromaStore, chroma_file, forget_chroma, forget_store, open_store, table_path
from assistant.vectors import VectorFile, VectorFileError

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class RepairReport:
    actions: list[str] = field(default_factory=list)  # what was done, one line each
    lost: list[str] = field(default_factory=list)  # articles whose record was lost and whose file is gone
    failed: list[LoadFailure] = field(default_factory=list)  # files the re-ingest could not read
    before: IndexHealth | None = None
    after: IndexHealth | None = None

    def to_dict(self) -> dict:
        return {
            "actions": self.actions,
            "lost": self.lost,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
            "damaged_before": [p.part for p in self.before.damaged] if self.before else [],
            "damaged_after": [{"part": p.part, "path": p.path, "problem": p.problem} for p in self.after.damaged] if self.after else [],
        }


def repair_index(settings: Settings, paths: list[Path] | None = None, progress: Progress | None = None) -> RepairReport:
    """Rebuild what is damaged; see the module's note. Raises StoreError where the store cannot
    be reached at all (a Chroma server that is down), which no repair of files can fix."""
    from assistant.embed import check_model

    check_model(settings)
    with writer_lock(search_root(settings)):
        return _repair(settings, paths, progress)


def _repair(settings: Settings, paths: list[Path] | None, progress: Progress | None) -> RepairReport:
    report = RepairReport(before=inspect_index(settings))
    table = read_table(table_path(settings))
    if not report.before.damaged and not table.pending:
        report.actions.append("nothing to repair: every part of the index is sound")
        report.after = report.before
        return report
    damaged = {p.part for p in report.before.damaged}
    forget_store(settings)  # files are replaced under it
    aside = _Aside(settings.index_dir)
    if read_vectors(settings).unreadable:
        forget_chroma(settings)
        aside.move([chroma_file(settings), *_chroma_segments(settings.index_dir)], VECTORS, report)
    sources = _salvage_sources(table.path) if table.unreadable else [md.get("source_path", "") for md in table.records.values()]
    if table.unreadable:
        aside.move([table.path, *(table.path.with_name(table.path.name + s) for s in ("-wal", "-shm"))], TABLE, report)
    store = open_store(settings)  # new files where they were set aside; a dropped table is made again, empty
    if _records_lost(table, report.before):
        _reingest(settings, store, table, sources, paths, report, progress)
        table = read_table(table.path)  # as the ingest left it
    if table.short:
        _reembed(settings, store, table, report, progress)
    if table.pending:
        _finish_pending(settings, store, table, report, progress)
    _mend_vectors(settings, store, report, progress)
    outcome = refresh_search_index(settings, store, progress, rebuild=SEARCH in damaged)
    if outcome != "unchanged":
        report.actions.append(f"{outcome} the search index (keyword index and vector file) from the chunk table and "
                              f"the vector store: {store.table.count()} chunks")
    report.after = inspect_index(settings)
    return report


def _records_lost(table: TableFacts, before: IndexHealth) -> bool:
    """Whether articles' records (their text, metadata and source) are gone: from a table that
    cannot be read, a missing or emptied one, or rows of chunks that no record owns."""
    emptied = not table.articles and not before.part(TABLE).ok
    return bool(table.unreadable or emptied or table.orphans or "articles" in table.missing_tables)


def _reingest(settings: Settings, store: ChromaStore, table: TableFacts, sources: list[str], paths: list[Path] | None,
              report: RepairReport, progress: Progress | None) -> None:
    """Ingest the recorded source paths again; remove the chunks of articles none of them gives."""
    known = {file_of(p) for p in sources if p}
    roots = _unique([*recorded_sources(settings), *(Path(p) for p in sorted(known)), *(paths or [])])
    if not roots:
        roots = [settings.corpus_dir]
        report.actions.append(f"no source paths are recorded for this index (made by an older version): ingesting {settings.corpus_dir}")
    there = [r for r in roots if r.exists()]
    gone = [r for r in roots if not r.exists()]
    if gone:
        report.actions.append(f"{len(gone)} recorded source path(s) no longer exist, e.g. {gone[0]}")
    before = _vector_articles(store) | set(table.orphans)
    done = ingest(settings, there, store=store, progress=progress, refresh_search=False) if there else None
    if done is not None:
        report.failed += done.failed
        report.actions.append(
            f"ingested the recorded source paths again ({', '.join(map(str, there[:3]))}{' ...' if len(there) > 3 else ''}): "
            f"{len(done.added)} articles added, {len(done.updated)} updated, {len(done.unchanged)} unchanged"
        )
    kept = set(store.article_records())
    report.lost = sorted(before - kept)
    for article_id in report.lost:
        store.delete_article(article_id)
    if report.lost:
        report.actions.append(
            f"{len(report.lost)} article(s) could not be recovered (their records were lost and no recorded source gives them): "
            f"{', '.join(report.lost[:5])}{' ...' if len(report.lost) > 5 else ''}; ingest their files to add them again"
        )


def _mend_vectors(settings: Settings, store: ChromaStore, report: RepairReport, progress: Progress | None) -> None:
    """Make the vector store hold a vector for each chunk of the chunk table, and no other; see
    the module's note. Its vectors are distrusted whole where searching it for a stored chunk's
    vector fails (a damaged segment)."""
    chunks = store.table.chunk_articles()
    sample = next(iter(chunks), None)
    distrusted = read_vectors(settings, sample).problem is not None if sample else False
    if not distrusted and store.count() == len(chunks):
        return  # the counts agree and a stored vector is found: what `assistant check` asks of it
    held = set() if distrusted else store.vector_ids()
    if held == chunks.keys():
        return
    if (file := _current_vector_file(settings, store, chunks.keys())) is not None:
        n = store.rewrite_vectors(file.live_vectors())
        report.actions.append(f"rebuilt the vector store from the search index's vector file: {n} vectors (nothing embedded)")
        return
    if distrusted:
        store.rewrite_vectors([])
    extra = sorted(held - chunks.keys())
    for i in range(0, len(extra), 5000):
        store.chunks.delete(ids=extra[i : i + 5000])
    lacking = sorted({aid for cid, aid in chunks.items() if cid not in held})
    _, articles = _rebuild_stored(settings, store, lacking, report, progress)
    report.actions.append(f"the vector store lacked the vectors of {len(lacking)} article(s) and the search index's vector file "
                          f"is not current: embedded {len(articles)} again from the texts the chunk table keeps"
                          + (f"; removed {len(extra)} vectors of chunks the table does not have" if extra else ""))


def _current_vector_file(settings: Settings, store: ChromaStore, chunk_ids) -> VectorFile | None:
    """The search index's vector file, where it describes the chunk table as it is now: the
    state it names is the table's and its live rows are the table's chunks."""
    root = search_root(settings)
    if current_state(root) != index_state(store.fingerprint()):
        return None
    try:
        file = VectorFile(root / "vectors")
    except VectorFileError:
        return None
    return file if set(file.ids[np.flatnonzero(file.alive)].tolist()) == set(chunk_ids) else None


def _reembed(settings: Settings, store: ChromaStore, table: TableFacts, report: RepairReport, progress: Progress | None) -> None:
    """Chunk and embed again the articles that lost chunk rows, from the text their records keep."""
    records, articles = _rebuild_stored(settings, store, sorted(table.short), report, progress)
    report.actions.append(f"chunked and embedded again {len(articles)} article(s) that lost chunk rows, from the texts the chunk table keeps")
    textless = sorted(set(records) - {a.id for a in articles})
    if textless:
        files = _unique([Path(file_of(records[a].source_path)) for a in textless])
        for aid in textless:
            store.table.write_records([(aid, {**store.table.record(aid), "content_hash": ""}, None)])  # redone by the ingest
        _ingest_files(settings, store, files, report, progress, "that lost their chunk rows and text")


def _rebuild_stored(settings: Settings, store: ChromaStore, article_ids: list[str], report: RepairReport,
                    progress: Progress | None) -> tuple[dict[str, ArticleRecord], list[Article]]:
    """Chunk and embed again these articles from the text and metadata their records keep:
    their records, and the articles that had a text to rebuild from."""
    records = store.article_records(article_ids)
    texts = store.article_texts(sorted(records))
    articles = [Article(aid, texts[aid], r.meta, r.source_path, r.content_hash) for aid, r in records.items() if texts.get(aid)]
    report.failed += rebuild_articles(settings, store, articles, progress).failed
    return records, articles


def _finish_pending(settings: Settings, store: ChromaStore, table: TableFacts, report: RepairReport, progress: Progress | None) -> None:
    """Articles an ingest left half-written: ingested again from their files, as a rerun would."""
    records = store.article_records(table.pending)
    files = _unique([Path(file_of(r.source_path)) for r in records.values() if r.source_path])
    _ingest_files(settings, store, files, report, progress, "left half-written by an ingest")


def _ingest_files(settings, store, files: list[Path], report: RepairReport, progress, what: str) -> None:
    there = [f for f in files if f.exists()]
    if there:
        done = ingest(settings, there, store=store, progress=progress, refresh_search=False)
        report.failed += done.failed
    report.actions.append(f"ingested again the files of {len(files)} article(s) {what}"
                          + (f"; {len(files) - len(there)} file(s) are gone" if len(there) < len(files) else ""))


def _vector_articles(store: ChromaStore) -> set[str]:
    """The articles the vector store holds chunks of (read page by page: Chroma has no distinct)."""
    ids: set[str] = set()
    try:
        total = store.chunks.count()
        for offset in range(0, total, 5000):
            got = store.chunks.get(include=["metadatas"], limit=5000, offset=offset)
            ids.update(md.get("article_id", "") for md in got["metadatas"] if md)
    except Exception:  # a damaged vector store is rebuilt anyway (`_mend_vectors`)
        pass
    return ids - {""}


def _salvage_sources(path: Path) -> list[str]:
    """The source paths that the records of an unreadable chunk table still give, as far as they can be read."""
    sources: list[str] = []
    try:
        with closing(open_existing(path, "ro", timeout=5.0)) as db:
            for (meta,) in db.execute("SELECT meta FROM articles"):
                try:
                    sources.append(json.loads(meta).get("source_path", ""))
                except (ValueError, AttributeError):
                    continue
    except sqlite3.Error:
        pass
    return sources


def _chroma_segments(index_dir: Path) -> list[Path]:
    """The embedded Chroma store's segment folders (named by UUID) beside chroma.sqlite3."""
    return [p for p in index_dir.iterdir() if p.is_dir() and _UUID.fullmatch(p.name)]


def _unique(paths: list[Path]) -> list[Path]:
    seen: dict[str, Path] = {}
    for p in paths:
        seen.setdefault(str(p.resolve()) if p.exists() else str(p), p)
    return list(seen.values())


class _Aside:
    """`<index>/damaged-<time>/`, made on first use: where files that cannot be read are kept."""

    def __init__(self, index_dir: Path):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.folder = next(index_dir / name for n in range(1, 1000)
                           if not (index_dir / (name := f"damaged-{stamp}" + (f"-{n}" if n > 1 else ""))).exists())

    def move(self, paths: list[Path], part: str, report: RepairReport) -> None:
        present = [p for p in paths if p.exists()]
        if not present:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for p in present:
            shutil.move(str(p), str(self.folder / p.name))
        report.actions.append(
            f"moved the damaged {part} ({', '.join(p.name for p in present)}) to {self.folder}; delete that folder once the index answers again"
        )
