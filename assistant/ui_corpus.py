"""The Corpus tab's handlers: the article table and the choices drawn from it, uploads,
deletes, and a writer's corrections of an article's metadata.

A part of `assistant.ui_state.AssistantUI`, which holds what they share: the settings, the
store, the index's writer lock, the uploads folder and the status line. Every change goes
through `assistant.ingest`, `assistant.correct` and the store.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import gradio as gr

from assistant.config import Settings
from assistant.correct import correct_article
from assistant.ingest import ingest, refresh_after_change
from assistant.metadata import CORRECTABLE, MetadataError
from assistant.records import ArticleMeta
from assistant.retrieve import NO_OUTLET
from assistant.search import search_root, writer_lock
from assistant.store import ChromaStore
from assistant.ui_render import describe_upload

TABLE_HEADERS = ["id", "title", "outlet", "author", "date", "chunks"]


class CorpusTab:
    """The Corpus tab's handlers (see the module's docstring)."""

    settings: Settings
    store: ChromaStore
    ingest_lock: threading.Lock
    uploads: Path
    status: str

    def index_summary(self) -> str:
        """"Ready: 5 articles (11 passages) indexed, from 4 outlets, dated 2016–2021.": what the corpus is."""
        records = self.store.article_records().values()
        chunks = sum(r.n_chunks for r in records)
        outlets = {r.meta.outlet for r in records if r.meta.outlet}
        years = sorted(r.meta.published.year for r in records if r.meta.published)
        about = f", from {len(outlets)} outlet{'s' * (len(outlets) != 1)}" if outlets else ""
        if years:
            about += f", dated {years[0]}" + (f"–{years[-1]}" if years[-1] != years[0] else "")
        return f"Ready: {len(records)} articles ({chunks} passages) indexed{about}."

    def load_correction(self, article_id: str | None) -> tuple:
        """The correction form filled with the article's metadata as it is now: title, outlet,
        author, date, whether the date is inferred, URL, and the form's message."""
        record = self.store.article_records([article_id]).get(article_id) if article_id else None
        if record is None:
            return "", "", "", "", False, "", ""
        m = record.meta
        fixed = [CORRECTABLE[f] for f in record.corrections if f in CORRECTABLE]
        note = f"Corrected before: {', '.join(fixed)}." if fixed else ""
        return (m.title, m.outlet or "", m.author or "", m.published.isoformat() if m.published else "",
                bool(m.published_inferred), m.url or "", note)

    def save_correction(self, article_id: str | None, title: str, outlet: str, author: str, published: str,
                        inferred: bool, url: str) -> tuple:
        """Correct the article's metadata: (message, status, *corpus views). A value that cannot
        be used is named in the message and nothing changes."""
        if not article_id:
            return "Choose an article to correct first.", gr.skip(), *(gr.skip(),) * 4
        values = {"title": title, "outlet": outlet, "author": author, "published": published, "url": url}
        try:
            with self.ingest_lock:
                done = correct_article(self.settings, self.store, article_id, values, bool(inferred))
        except MetadataError as exc:
            return f"**⚠ Not saved.** {exc}", gr.skip(), *(gr.skip(),) * 4
        except KeyError:
            return f"⚠ No article '{article_id}' in the index.", gr.skip(), *self.corpus_views()
        if not done.changes:
            return "Nothing to save: the form says what the article already says.", gr.skip(), *(gr.skip(),) * 4
        self.status = self.index_summary()
        said = "; ".join(_change_words(f, old, new) for f, (old, new) in done.changes.items())
        return (f"Saved {article_id}: {said}. New answers show it; it stays when the article's file is ingested again.",
                self.status, *self.corpus_views())

    def corpus_views(self, clear_choice: bool = False) -> tuple:
        """The article table, the delete choices and the outlet choices, as they are now.

        The article chosen for deletion is kept unless `clear_choice` (it was just deleted): the
        status timer's refresh must not undo a choice the writer has just made."""
        records = sorted(self.store.article_records().values(), key=lambda r: r.id)
        rows = [[r.id, r.meta.title, r.meta.outlet or "", r.meta.author or "", _table_date(r.meta), r.n_chunks] for r in records]
        ids = [(f"{r.id} — {r.meta.title[:60]}", r.id) for r in records]
        outlets = sorted({r.meta.outlet for r in records if r.meta.outlet})
        if any(not r.meta.outlet for r in records):  # so that articles with no outlet can be chosen too
            outlets.append(NO_OUTLET)
        choice = gr.Dropdown(choices=ids, value=None) if clear_choice else gr.Dropdown(choices=ids)
        return gr.Dataframe(value=rows, headers=TABLE_HEADERS), choice, gr.Dropdown(choices=outlets), choice

    def add_files(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple:
        """Copy uploads into <index_dir>/uploads and ingest them; a file that fails is taken back out."""
        if not files:
            return "Choose one or more files first (.txt, .md, .html, .jsonl).", gr.skip(), gr.skip(), *self.corpus_views()
        with self.ingest_lock:
            self.uploads.mkdir(parents=True, exist_ok=True)
            before: dict[str, bytes | None] = {}
            for f in files:
                dest = self.uploads / Path(f).name
                before[str(dest)] = dest.read_bytes() if dest.exists() else None
                shutil.copyfile(f, dest)
            progress(0, desc="reading the files")
            report = ingest(self.settings, [Path(p) for p in before], store=self.store,
                            progress=lambda stage, done, total: progress((done, total), desc=f"{stage} {done}/{total}"))
            for failure in report.failed:
                if failure.path in before:  # the whole file failed: put back what was there before
                    dest, old = Path(failure.path), before[failure.path]
                    dest.write_bytes(old) if old is not None else dest.unlink(missing_ok=True)
        self.status = self.index_summary()
        return describe_upload(report), None, self.status, *self.corpus_views()

    def ask_delete(self, article_id: str | None) -> tuple:
        """Delete asks first, naming the article: (message, confirmation row, its text)."""
        if not article_id:
            return "Choose an article to delete first.", gr.Column(visible=False), gr.skip()
        record = self.store.article_records([article_id]).get(article_id)
        if record is None:
            return f"No article '{article_id}' in the index.", gr.Column(visible=False), gr.skip()
        question = (f"**Delete {article_id}** ('{record.meta.title}')? It leaves the index and no answer "
                    "will cite it; an uploaded file is removed too.")
        return "", gr.Column(visible=True), question

    def delete(self, article_id: str | None) -> tuple:
        if not article_id:
            return "Choose an article to delete first.", gr.skip(), gr.Column(visible=False), *self.corpus_views()
        with self.ingest_lock, writer_lock(search_root(self.settings)):
            record = self.store.article_records([article_id]).get(article_id)
            if record is None:
                return f"No article '{article_id}' in the index.", gr.skip(), gr.Column(visible=False), *self.corpus_views()
            self.store.delete_article(article_id)
            refresh_after_change(self.settings, self.store, record)  # drops its rows only
            source = Path(record.source_path.split("#")[0])
            if source.parent.resolve() == self.uploads.resolve() and "#" not in record.source_path:
                source.unlink(missing_ok=True)
        self.status = self.index_summary()
        return (f"Deleted {article_id} ('{record.meta.title}').", self.status, gr.Column(visible=False),
                *self.corpus_views(clear_choice=True))


def _change_words(field: str, old: str, new: str) -> str:
    """"outlet: not stated → “Skerrow Gazette”": one field's correction, as the Corpus tab says it."""
    if field == "published_inferred":
        return "the date is marked as not stated in the article" if new else "the date is marked as stated in the article"
    name = "URL" if field == "url" else CORRECTABLE.get(field, field).lower()
    return f"{name}: {f'“{old}”' if old else 'not stated'} → {f'“{new}”' if new else 'not stated'}"


def _table_date(meta: ArticleMeta) -> str:
    """The table's date, marked where the article does not state it."""
    if not meta.published:
        return ""
    return f"{meta.published.isoformat()} (inferred)" if meta.published_inferred else meta.published.isoformat()
