"""The search index of a collection: the keyword index and the vector file, derived together
from the chunk table and Chroma's vectors (`ChromaStore.iter_chunks` joins them), with one
state key and one writer at a time.

`<index_dir>/search/<collection>/` holds `keyword/` (tantivy), `vectors/` (the vector file) and
`STATE`: the index version and a hash of the article records the two describe, written after
both are whole. A retriever reloads them when `STATE` changes; ingest updates them by the
articles that changed since the state they name, and rebuilds them from the store when
they name another state, cannot be read, or were written by another tantivy format.
Writers (ingest, a correction, a delete, a repair) take `write.lock` in turn: a second ingest
waits for the first, in this process or another.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.config import INDEX_VERSION, Settings
from assistant.keyword import KeywordIndex, KeywordIndexError, Row
from assistant.vectors import VectorFile, VectorFileError

log = logging.getLogger(__name__)


def search_root(settings: Settings) -> Path:
    """The folder of the collection's search index: written by ingest, read by retrieval."""
    return settings.index_dir / "search" / settings.collection_name


def index_state(fingerprint: str) -> str:
    """What `STATE` holds for a chunk table whose records hash to `fingerprint` ("": no index)."""
    return f"{INDEX_VERSION}-{fingerprint}" if fingerprint else ""


def current_state(root: Path) -> str | None:
    """The state the index describes; None where there is no whole index."""
    try:
        return (root / "STATE").read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def write_state(root: Path, state: str) -> None:
    tmp = root / f"STATE.{os.getpid()}.tmp"
    tmp.write_text(state, encoding="utf-8")
    os.replace(tmp, root / "STATE")


@dataclass
class SearchIndex:
    keyword: KeywordIndex
    vectors: VectorFile
    state: str

    @staticmethod
    def load(root: Path) -> "SearchIndex | None":
        """Both parts, as `STATE` names them; None where there is no index (or nothing in it)."""
        for attempt in range(3):  # a writer in another process may switch folders meanwhile
            state = current_state(root)
            if state is None:
                return None
            try:
                keyword = KeywordIndex.open(root / "keyword")
                vectors = VectorFile(root / "vectors")
            except (KeywordIndexError, VectorFileError):
                if attempt == 2:
                    raise
                time.sleep(0.2)
                continue
            return SearchIndex(keyword, vectors, state) if keyword is not None else None
        return None


_LOCKS: dict[str, threading.RLock] = {}
_HELD: dict[str, int] = {}


@contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """One writer at a time: a thread of this process or another process waits its turn
    (re-entrant within a thread: an ingest's own refresh does not wait for itself)."""
    root.mkdir(parents=True, exist_ok=True)
    key = str(root.resolve())
    lock = _LOCKS.setdefault(key, threading.RLock())
    with lock:
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        with open(root / "write.lock", "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"waiting: another process is writing the index at {root} (it holds {root / 'write.lock'})",
                      file=sys.stderr, flush=True)
                fcntl.flock(f, fcntl.LOCK_EX)
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD[key] = 0
                fcntl.flock(f, fcntl.LOCK_UN)


def refresh(root: Path, state: str, rows: Callable[[list[str] | None], Iterable[Row]],
            changed: set[str] | None = None, present: list[str] | None = None, before: str | None = None) -> str:
    """Bring the index to `state`: "unchanged" (where it opens); "updated" when it describes `before` (the rows of
    the `changed` articles deleted, those of `present` ones added again, from `rows(ids)`); else
    "rebuilt" from `rows(None)`, every chunk."""
    with writer_lock(root):
        current = current_state(root)
        if current == state and _opens(root):
            return "unchanged"
        if before is not None and current == before and changed is not None:
            try:
                index = SearchIndex.load(root)
                if index is not None:
                    index.keyword.update(rows(present or []), changed)
                    index.vectors.update(rows(present or []), changed)
                    write_state(root, state)
                    return "updated"
            except (KeywordIndexError, VectorFileError, OSError) as exc:  # damaged: rebuilt below
                log.warning("search index at %s unreadable (%s); rebuilding it", root, exc)
        rebuild(root, state, rows(None))
        return "rebuilt"


def _opens(root: Path) -> bool:
    """Whether the keyword index opens: one written by another tantivy format does not (ms)."""
    try:
        return KeywordIndex.open(root / "keyword") is not None
    except KeywordIndexError as exc:
        log.warning("keyword index at %s cannot be opened (%s); rebuilding it", root, exc)
        return False


def rebuild(root: Path, state: str, rows: Iterable[Row]) -> None:
    """Both parts from every row, in one pass over the chunk table, built beside the parts they
    replace, which readers go on using until the two are switched in (then `STATE` is written)."""
    with writer_lock(root):
        new = root / f"new.{os.getpid()}.tmp"
        shutil.rmtree(new, ignore_errors=True)
        with VectorFile.building(new / "vectors") as add:
            KeywordIndex.build(new / "keyword", map(add, rows))
        (root / "STATE").unlink(missing_ok=True)  # a crash from here on leaves no state: rebuilt again
        for part in ("keyword", "vectors"):
            shutil.rmtree(root / part, ignore_errors=True)  # a reader holding the old files keeps them (mmap)
            (new / part).rename(root / part)
        new.rmdir()
        legacy = root.parent.parent / "bm25"  # the keyword index this one replaced (issue #18)
        if legacy.is_dir():
            shutil.rmtree(legacy, ignore_errors=True)
        if state:
            write_state(root, state)
