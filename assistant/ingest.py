"""Ingest: files -> clean articles -> chunks -> vectors -> store, incrementally and safely.

An unchanged article costs one hash and no embedding. Changed and new articles are cleaned,
chunked and embedded in batches (one `encode` call per batch keeps the model busy), then
written article by article. Failures are collected, never raised: one bad file does not
stop the others, and nothing already indexed is removed because a new version failed.
A writer's corrections of an article's metadata (`assistant.correct`) are applied over what its
file says at every ingest of it: they stick; the fields not corrected follow the file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant import search
from assistant.chunk import TokenCounter, chunk_article, embed_text, fitted_header, split_sentences
from assistant.config import Settings
from assistant.load import ArticleError, LoadFailure, Skipped, SourceItem, discover
from assistant.metadata import corrected
from assistant.progress import Progress
from assistant.records import Article, Chunk
from assistant.search import index_state, search_root
from assistant.store import ArticleRecord, ChromaStore, open_store
from assistant.table import ArticleWrite

log = logging.getLogger(__name__)

#: Chunks gathered before one embedding call: large enough to keep batches full, small enough
#: that the last batch's write (the one no embedding overlaps) is short.
EMBED_BATCH_CHUNKS = 256


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[LoadFailure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # files of other formats in the folders given
    chunks: int = 0
    seconds: float = 0.0
    keyword_index: str = "unchanged"  # or "updated" (the changed articles only) or "rebuilt"

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def empty(self) -> bool:
        """Nothing in the paths given could be ingested: no article there, or every one failed."""
        return not (self.added or self.updated or self.unchanged)

    def to_dict(self) -> dict:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "chunks": self.chunks,
            "keyword_index": self.keyword_index,
            "seconds": round(self.seconds, 3),
        }


def sources_file(settings: Settings) -> Path:
    """The files and folders ever given to ingest this collection: what `assistant repair`
    ingests again when the chunk table, which names each article's file, cannot be read."""
    return settings.index_dir / f"sources-{settings.collection_name}.json"


def recorded_sources(settings: Settings) -> list[Path]:
    """The paths `sources_file` records; none where it is missing or unreadable."""
    try:
        paths = json.loads(sources_file(settings).read_text(encoding="utf-8"))["paths"]
        return [Path(p) for p in paths if isinstance(p, str)]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _record_sources(settings: Settings, roots: list[Path]) -> None:
    """Add the roots of this ingest to `sources_file` (rewritten whole, atomically, when one is new)."""
    known = recorded_sources(settings)
    new = [r for r in (p.resolve() for p in roots) if r.exists() and r not in known]
    if not new:
        return
    path = sources_file(settings)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"paths": sorted(map(str, known + new))}, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # the ingest itself is done; only a later repair would miss these paths
        log.warning("cannot record the ingested paths in %s (%s)", path, exc)


def ingest(settings: Settings, paths: list[Path] | None = None, prune: bool = False, progress: Progress | None = None,
           store: ChromaStore | None = None, refresh_search: bool = True) -> IngestReport:
    """Bring the store in line with the articles under `paths` (default: the corpus folder).
    One ingest at a time writes an index: a second one waits for the first (`search.writer_lock`).
    `refresh_search=False` leaves the search index to the caller (a repair brings the vector
    store in line first)."""
    from assistant.embed import check_model

    started = time.perf_counter()
    check_model(settings)  # before the store is opened: a bad model must not leave an empty collection behind
    store = store or open_store(settings)
    with search.writer_lock(search_root(settings)):
        return _ingest(settings, paths or [settings.corpus_dir], prune, progress, store, started, refresh_search)


def _ingest(settings: Settings, paths: list[Path], prune: bool, progress: Progress | None, store: ChromaStore,
            started: float, refresh_search: bool) -> IngestReport:
    roots = [Path(p) for p in paths]
    _record_sources(settings, roots)
    report = IngestReport()
    records = store.article_records()
    found: list[SourceItem] = []
    for item in discover(roots, int(settings.max_file_mb * 1e6)):
        if isinstance(item, LoadFailure):
            report.failed.append(item)
        elif isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            found.append(item)
    # The ids each file read now gives: an indexed article whose file gives it no more is free.
    ids_by_file: dict[str, set[str]] = {}
    for item in found:
        ids_by_file.setdefault(file_of(item.path), set()).add(item.id)
    items: list[SourceItem] = []
    seen: dict[str, str] = {}
    for item in found:
        if owner := _other_source(item, records.get(item.id), ids_by_file):
            report.failed.append(LoadFailure(item.path, _clash(item, owner)))
        elif item.id in seen:
            report.failed.append(
                LoadFailure(item.path, f"article id '{item.id}' is also used by {seen[item.id]}; rename one file or give it an id")
            )
        else:
            seen[item.id] = item.path
            items.append(item)

    todo = [i for i in items if not (i.id in records and records[i.id].content_hash == i.content_hash)]
    todo_ids = {i.id for i in todo}
    report.unchanged = [i.id for i in items if i.id not in todo_ids]
    for i in items:
        if i.id not in todo_ids and records[i.id].source_path != i.path:
            store.move_article(i.id, i.path)  # same content, moved or renamed file
    if todo:
        _process(settings, store, todo, records, report, progress)

    # An article whose file now gives another id (an `id` added, or a name that an older version
    # turned into another id) is replaced by the new one once that is indexed: no duplicate stays.
    indexed = set(report.added) | set(report.updated) | set(report.unchanged)
    for article_id, record in records.items():
        now_ids = ids_by_file.get(record.source_path) if "#L" not in record.source_path else None
        if article_id not in seen and now_ids and now_ids <= indexed:
            store.delete_article(article_id)
            report.removed.append(article_id)

    if prune:
        failed_files = {file_of(f.path) for f in report.failed}
        replaced = set(report.removed)
        for article_id, record in records.items():
            if article_id not in replaced and article_id not in seen and _source_gone(record.source_path, roots, failed_files):
                store.delete_article(article_id)
                report.removed.append(article_id)

    # The records now: those read above, with what this ingest wrote or removed read back
    # (re-reading all of them costs seconds at a quarter of a million articles).
    removed = set(report.removed)
    now = {aid: r for aid, r in records.items() if aid not in removed}
    now.update(store.article_records(report.added + report.updated))
    if refresh_search:
        report.keyword_index = refresh_search_index(settings, store, progress, records, now)
    report.seconds = time.perf_counter() - started
    return report


def rebuild_articles(settings: Settings, store: ChromaStore, articles: list[Article],
                     progress: Progress | None = None) -> IngestReport:
    """Chunk, embed and store these articles again from their stored text and metadata (a
    repair of lost chunk rows: no source file is read). The search index is left to the caller."""
    started = time.perf_counter()
    report = IngestReport()
    records = store.article_records([a.id for a in articles])
    items = [SourceItem(a.id, a.source_path, a.content_hash, lambda a=a: a) for a in articles]
    if items:
        _process(settings, store, items, records, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def file_of(source_path: str) -> str:
    """The file of an article's source: a JSONL line's source is `<file>#L<n>`."""
    return source_path.split("#L")[0]


def _other_source(item: SourceItem, record: ArticleRecord | None, ids_by_file: dict[str, set[str]]) -> str | None:
    """The source of the indexed article with this item's id where that is another file, which
    is still there and still gives this id; None where the item may update the article: no such
    article, the same file (a JSONL line may have moved within it), or a file moved or renamed."""
    if record is None or not record.source_path:
        return None
    old, new = file_of(record.source_path), file_of(item.path)
    if old == new:
        return None
    if old in ids_by_file and item.id not in ids_by_file[old]:
        return None  # read now, that file gives this id no more (a line moved to another file, an id changed)
    try:
        os.stat(old)
    except (FileNotFoundError, NotADirectoryError):
        return None  # moved or renamed
    except OSError:
        return record.source_path  # cannot tell (an unreadable folder): the indexed article is not replaced
    try:
        if os.path.samefile(old, new):
            return None  # the same file by another path (a link)
    except OSError:
        pass
    return record.source_path


def _clash(item: SourceItem, owner: str) -> str:
    own_id = "an \"id\" field on the line" if "#L" in item.path else "an id (in its front matter or metadata.toml)"
    return (
        f"article id '{item.id}' is already indexed from another file, {owner}; nothing was changed. "
        f"Rename this file or give it {own_id}; or, if it replaces that file, delete that file and ingest again"
    )


def _source_gone(source_path: str, roots: list[Path], failed_files: set[str]) -> bool:
    """An indexed article whose file no longer exists, or a JSONL file that no longer holds it.

    A file that failed to load this time proves nothing about its articles: they stay.
    """
    file = Path(file_of(source_path))
    try:
        if not file.exists():
            return True
    except OSError:  # it cannot be looked at (an unreadable folder): not known to be gone
        return False
    return ("#L" in source_path and any(file.resolve().is_relative_to(r.resolve()) for r in roots)
            and str(file) not in failed_files)


def _process(settings, store, todo, records, report, progress) -> None:
    """Embed in batches; each batch is written while the next one is embedded.

    Writing (Chroma and the chunk table) takes a few percent of the time of embedding: done in
    one writer thread, in order, it overlaps the model's work instead of adding to it.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from assistant.embed import get_embedder

    counter = TokenCounter(settings.model_path())
    embedder = get_embedder(settings)
    pending: list[tuple[Article, list[Chunk]]] = []
    lock = threading.Lock()
    done = 0
    writing: Future | None = None

    def tick() -> None:
        nonlocal done
        with lock:
            done += 1
            if progress:
                progress("embedding", done, len(todo))

    def write(batch, vectors, span_vectors, sentence_spans) -> None:
        writes, offset = [], 0
        for article, chunks in batch:
            rows = [(c.id, sentence_spans[offset + i], span_vectors[offset + i]) for i, c in enumerate(chunks)]
            writes.append(ArticleWrite(article, chunks, vectors[offset : offset + len(chunks)], rows))
            offset += len(chunks)
        store.replace_articles(writes)
        for article, chunks in batch:
            (report.updated if article.id in records else report.added).append(article.id)
            report.chunks += len(chunks)
            tick()

    def flush(pool: ThreadPoolExecutor) -> None:
        nonlocal writing
        batch = list(pending)
        pending.clear()
        texts, spans, sentence_spans = [], [], []
        for article, chunks in batch:
            header = fitted_header(article, counter, settings.chunk_max_tokens)
            shift = len(header) + 1
            for c in chunks:
                texts.append(embed_text(header, c.text))
                sents = split_sentences(c.text)
                spans.append([(s.start + shift, s.end + shift) for s in sents])
                sentence_spans.append(np.array([(s.start + c.start, s.end + c.start) for s in sents], dtype=np.int32).reshape(-1, 2))
        vectors, span_vectors = embedder.embed_with_spans(texts, spans)
        if writing is not None:
            writing.result()  # in order, and a write error stops the ingest here
        writing = pool.submit(write, batch, vectors, span_vectors, sentence_spans)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer", initializer=_yield_to_model) as pool:
        n_pending = 0
        for item in todo:
            try:
                article = item.build()
                if (record := records.get(article.id)) and record.corrections:  # the writer's, over the file's
                    article = replace(article, meta=corrected(article.meta, record.corrections))
                chunks = chunk_article(article, counter, settings.chunk_max_tokens, settings.chunk_overlap_sentences)
            except ArticleError as exc:
                report.failed.append(LoadFailure(item.path, str(exc)))
                tick()
                continue
            pending.append((article, chunks))
            n_pending += len(chunks)
            if n_pending >= EMBED_BATCH_CHUNKS:
                flush(pool)
                n_pending = 0
        if pending:
            flush(pool)
        if writing is not None:
            writing.result()


def _yield_to_model() -> None:
    """The writer thread runs at a lower priority (Linux): it fills the model's idle moments
    instead of pre-empting one of its threads, which would stall the other at every barrier."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def refresh_search_index(settings: Settings, store: ChromaStore, progress: Progress | None = None,
                         before: dict[str, ArticleRecord] | None = None,
                         now: dict[str, ArticleRecord] | None = None, rebuild: bool = False) -> str:
    """Bring the search index (keyword index and vector file) in line with the store (the chunk
    table's rows with Chroma's vectors):
    "unchanged", "updated" (only the articles that changed since `before`, the store's records
    when the index last matched it) or "rebuilt" (no usable index, or it describes some other
    state of the store, or `rebuild`: its files are damaged though `STATE` names the right state)."""
    root = search_root(settings)
    records = store.article_records() if now is None else now
    state = index_state(store.fingerprint(records) if records else "")
    if progress:
        progress("search index", 0, 1)
    if rebuild:
        search.rebuild(root, state, store.iter_chunks())
        outcome = "rebuilt"
    else:
        changed = None if before is None else {a for a in before.keys() | records.keys() if _state(before.get(a)) != _state(records.get(a))}
        outcome = search.refresh(
            root, state, store.iter_chunks, changed, [a for a in changed or () if a in records],
            index_state(store.fingerprint(before)) if before else None,
        )
    if progress:
        progress("search index", 1, 1)
    return outcome


def refresh_after_change(settings: Settings, store: ChromaStore, old: ArticleRecord) -> str:
    """The search index brought in line after one article was written again or deleted (`old`:
    its record before): only its rows change, though the index is named after every record."""
    now = store.article_records()
    return refresh_search_index(settings, store, before={**now, old.id: old}, now=now)


def _state(record: ArticleRecord | None) -> tuple | None:
    return None if record is None else (record.content_hash, record.n_chunks, sorted(record.corrections.items()))
