"""What the UI's handlers share: the loaded assistant, the store, the answer log, the first
ingest of an empty index and its status line; and the article reader's handlers.

The Chat tab's handlers are `ui_chat.ChatTab`'s, the Corpus tab's `ui_corpus.CorpusTab`'s.
"""

from __future__ import annotations

import atexit
import itertools
import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from assistant.config import Settings
from assistant.feedback import AnswerLog
from assistant.ingest import ingest
from assistant.metadata import CORRECTABLE
from assistant.pipeline import Assistant
from assistant.store import open_store
from assistant.ui_chat import ChatTab
from assistant.ui_corpus import CorpusTab
from assistant.ui_reader import reader_html

_INGEST_LOCKS: dict[tuple[str, str], threading.Lock] = {}


def _ingest_lock(settings: Settings) -> threading.Lock:
    """One writer per index in this process: two apps on one index must not ingest at once."""
    key = (str(settings.index_dir.resolve()), settings.collection_name)
    return _INGEST_LOCKS.setdefault(key, threading.Lock())


class AssistantUI(ChatTab, CorpusTab):
    """What the UI's handlers share: the loaded assistant, the store, the log, the first ingest."""

    def __init__(self, settings: Settings, echo: Callable[[str], None] | None = None):
        self.settings = settings
        self.store = open_store(settings)
        self.assistant = Assistant(settings)
        self.log = AnswerLog(settings.answer_log)
        self.uploads = settings.index_dir / "uploads"
        self.exports = Path(tempfile.mkdtemp(prefix="assistant-exports-"))
        atexit.register(shutil.rmtree, self.exports, ignore_errors=True)
        self.ingest_lock = _ingest_lock(settings)
        self.ready = threading.Event()
        self.status = "Checking the index…"
        self._echo = echo or (lambda line: None)
        if self.store.article_records():
            self._set_status(self.index_summary())
            self.ready.set()
        else:
            threading.Thread(target=self._first_ingest, name="first-ingest", daemon=True).start()

    def _set_status(self, text: str) -> None:
        self.status = text
        self._echo(text)

    def _first_ingest(self) -> None:
        corpus = self.settings.corpus_dir

        def progress(stage: str, done: int, total: int) -> None:
            self._set_status(f"Indexing {corpus}: {stage} {done}/{total}…")

        self._set_status(f"The index is empty; indexing {corpus}…")
        try:
            with self.ingest_lock:
                report = ingest(self.settings, progress=progress, store=self.store)
            failed = "; ".join(f"{Path(f.path).name}: {f.reason}" for f in report.failed[:3])
            more = f" ({len(report.failed)} files could not be ingested: {failed})" if report.failed else ""
            self._set_status(f"{self.index_summary()}{more}")
        except Exception as exc:  # shown to the user, who can fix the folder and restart
            self._set_status(f"Indexing {corpus} failed: {exc}")
        finally:
            self.ready.set()

    # The article reader ---------------------------------------------------------------

    _reader_nonce = itertools.count(1)

    def reader(self, article_id: str, spans: list | tuple = (), focus: int | None = None) -> str:
        """The whole cleaned article with these cited spans, as the reader shows it."""
        record = self.store.article_records([article_id]).get(article_id)
        text = self.store.article_text(article_id) if record else None
        return reader_html(article_id, record.meta if record else None, text, spans, focus, next(self._reader_nonce),
                           corrected=tuple(CORRECTABLE.get(f, "") for f in record.corrections if f in CORRECTABLE) if record else ())

    def open_reader(self, request: str) -> str:
        """A source card's title was clicked: `request` is the card's JSON (article id, the
        cited spans as offsets, the key to scroll to)."""
        try:
            data = json.loads(request or "")
            article_id = str(data["article"])
            spans = [tuple(int(x) for x in span[:5]) for span in data.get("spans") or [] if len(span) >= 5]
            focus = int(data["focus"]) if data.get("focus") is not None else None
        except (ValueError, KeyError, TypeError):
            return gr.skip()
        return self.reader(article_id, spans, focus)

    def open_row(self, table, evt: gr.SelectData) -> tuple:
        """A row of the Corpus table was clicked: its article in the reader, and in the form that
        corrects its metadata."""
        row = evt.row_value if getattr(evt, "row_value", None) else None
        if not row:
            return gr.skip(), gr.skip()
        return self.reader(str(row[0])), gr.Dropdown(value=str(row[0]))

    # Corpus (its other handlers are CorpusTab's) ----------------------------------------

    def tick(self) -> tuple:
        """The status line while the first ingest runs; the timer stops once it is done."""
        if not self.ready.is_set():
            return self.status, gr.Timer(active=True), *(gr.skip(),) * 4
        return self.status, gr.Timer(active=False), *self.corpus_views()
