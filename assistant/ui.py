"""The Gradio UI: a cited chat over the indexed articles, its sources, export, feedback, corpus.

A thin shell: every answer comes from `Assistant.stream`, every citation is rendered by
`assistant.cite`, every corpus change goes through `assistant.ingest` and the store. The chat
handler is a plain `(message, history, *options)` generator (gradio's ChatInterface).
"""

from __future__ import annotations

import atexit
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.cite import render_markdown
from assistant.config import Settings
from assistant.feedback import AnswerLog
from assistant.followup import standalone
from assistant.ingest import ingest, refresh_keyword_index
from assistant.load import slug
from assistant.pipeline import AskOptions, Assistant
from assistant.records import Answer
from assistant.ui_render import SOURCES_CSS, attribution_text, chat_text, describe_upload, sources_html
from assistant.store import open_store

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: Answers computed at once; the rest wait in gradio's queue (the model shares 2 cores well).
ANSWER_CONCURRENCY = 4
#: Seconds a question waits for the first ingest to finish before giving up.
STARTUP_WAIT_S = 600
TABLE_HEADERS = ["id", "title", "outlet", "author", "date", "chunks"]
PLACEHOLDER = (
    "**Ask about the indexed news articles.** Every sentence of an answer cites its source, "
    "e.g. *Where will Biden and Putin meet?* Follow-up questions keep the conversation's topic."
)

def exposure_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    """Why binding `host` without a password is risky, or None when it is not."""
    if host in LOCAL_HOSTS or (auth and all(auth)):  # an empty user or password protects nothing
        return None
    return (
        f"Warning: serving on {host} without a password: anyone who can reach this machine can "
        "read the articles, ask questions and change the index. Pass auth=(user, password) "
        "(`--auth USER:PASSWORD`) or bind to 127.0.0.1."
    )


def parse_day(value: str | None, label: str) -> date | None:
    """A YYYY-MM-DD date from a textbox, or None when empty; ValueError says what is wrong."""
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"The {label} date '{value}' is not in YYYY-MM-DD form, for example 2021-06-15.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"The {label} date '{value}' is not a real calendar date; use YYYY-MM-DD.") from None


def ask_options(backend: str, k: float | None, outlets: list[str] | None, since: str, until: str) -> AskOptions:
    start, end = parse_day(since, "since"), parse_day(until, "until")
    if start and end and start > end:
        raise ValueError(f"The since date {start} is after the until date {end}; swap them.")
    return AskOptions(k=int(k) if k else None, outlets=tuple(outlets or ()), since=start, until=end, backend=backend or None)


def _message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    return " ".join(p if isinstance(p, str) else p.get("text", "") for p in parts if isinstance(p, (str, dict)))


# The app's state -------------------------------------------------------------------------

_INGEST_LOCKS: dict[tuple[str, str], threading.Lock] = {}


def _ingest_lock(settings: Settings) -> threading.Lock:
    """One writer per index in this process: two apps on one index must not ingest at once."""
    key = (str(settings.index_dir.resolve()), settings.collection_name)
    return _INGEST_LOCKS.setdefault(key, threading.Lock())


class AssistantUI:
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

    def index_summary(self) -> str:
        records = self.store.article_records()
        chunks = sum(r.n_chunks for r in records.values())
        return f"Ready: {len(records)} articles ({chunks} passages) indexed."

    # Chat ---------------------------------------------------------------------------

    def _wait_ready(self) -> Iterator[str]:
        deadline = time.monotonic() + STARTUP_WAIT_S
        while not self.ready.wait(0.5) and time.monotonic() < deadline:
            yield f"_{self.status}_"

    def chat(self, message: str, history: list[dict], backend: str, k: float, outlets: list[str] | None,
             since: str, until: str, log_ids: dict) -> Iterator[tuple]:
        """Stream an answer into the chat; then its sources, the answer, the log ids, attributions."""
        keep = (gr.skip(),) * 4
        try:
            options = ask_options(backend, k, outlets, since, until)
        except ValueError as exc:
            yield (f"⚠ {exc}", *keep)
            return
        for note in self._wait_ready():
            yield (note, *keep)
        previous = [_message_text(m) for m in history if m.get("role") == "user"]
        query = standalone(message, previous)
        head = f"_Searching for: {query}_\n\n" if query != message.strip() else ""
        yield (head + "…", sources_html(None), *keep[1:])
        answer, text = None, ""
        try:
            for event in self.assistant.stream(query, options):
                if isinstance(event, Answer):
                    answer = event
                else:
                    text += event
                    yield (head + text, *keep)
        except Exception as exc:  # the user sees why; the server keeps running
            yield (f"{head}⚠ The answer failed: {exc}", *keep)
            return
        entry = self.finish(answer, message, query, options)
        # The answer's message follows the history and this question's message.
        log_ids = {**(log_ids or {}), len(history) + 1: entry}
        yield (head + chat_text(answer), sources_html(answer), answer, log_ids, attribution_text(answer))

    def finish(self, answer: Answer, question: str, query: str, options: AskOptions) -> int:
        """Record the question as asked (and as searched) on the answer; log it and return its log id."""
        answer.question = question.strip()
        answer.rewritten_question = query if query != answer.question else None
        logged = {
            "backend": options.backend or self.settings.backend,
            "k": options.k or self.settings.top_k,
            "outlets": list(options.outlets),
            "since": options.since.isoformat() if options.since else None,
            "until": options.until.isoformat() if options.until else None,
            "source": "ui",
        }
        return self.log.record(answer, self.settings.config_hash(), logged)

    def api_ask(self, question: str, backend: str = "", top_k: int = 0, outlets: list[str] | None = None,
                since: str = "", until: str = "", previous_questions: list[str] | None = None) -> tuple[str, dict]:
        """Answer one question: the answer text with [n] keys, and the whole answer (citations included).

        backend "" and top_k 0 mean the server's settings; since/until are YYYY-MM-DD; with
        previous_questions (oldest first) a follow-up is made standalone as in the chat.
        """
        try:
            options = ask_options(backend, top_k, outlets, since, until)
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        if not self.ready.wait(STARTUP_WAIT_S):
            raise gr.Error(self.status)
        query = standalone(question, list(previous_questions or []))
        try:
            answer = self.assistant.ask(query, options)
        except Exception as exc:
            raise gr.Error(f"The answer failed: {exc}") from None
        entry = self.finish(answer, question, query, options)
        return answer.text, {**answer.to_dict(), "log_id": entry}

    def on_like(self, log_ids: dict, data: gr.LikeData) -> None:
        entry = (log_ids or {}).get(data.index if isinstance(data.index, int) else data.index[0])
        if entry is not None:
            self.log.feedback(entry, 1 if data.liked is True else -1 if data.liked is False else 0)

    def export(self, answer: Answer | None) -> gr.DownloadButton:
        """Write the last answer as Markdown with footnotes and offer it for download."""
        if answer is None:
            gr.Warning("Ask a question first: there is no answer to export yet.")
            return gr.DownloadButton(visible=False)
        path = self.exports / f"answer-{slug(answer.question.lower())[:60]}-{int(time.time())}.md"
        path.write_text(render_markdown(answer), encoding="utf-8")
        return gr.DownloadButton("Download the Markdown file", value=str(path), visible=True)

    # Corpus -------------------------------------------------------------------------

    def corpus_views(self) -> tuple:
        """The article table, the delete choices and the outlet choices, as they are now."""
        records = sorted(self.store.article_records().values(), key=lambda r: r.id)
        rows = [
            [r.id, r.meta.title, r.meta.outlet or "", r.meta.author or "",
             r.meta.published.isoformat() if r.meta.published else "", r.n_chunks]
            for r in records
        ]
        ids = [(f"{r.id} — {r.meta.title[:60]}", r.id) for r in records]
        outlets = sorted({r.meta.outlet for r in records if r.meta.outlet})
        return (
            gr.Dataframe(value=rows, headers=TABLE_HEADERS),
            gr.Dropdown(choices=ids, value=None),
            gr.Dropdown(choices=outlets),
        )

    def tick(self) -> tuple:
        """The status line while the first ingest runs; the timer stops once it is done."""
        if not self.ready.is_set():
            return self.status, gr.Timer(active=True), gr.skip(), gr.skip(), gr.skip()
        return self.status, gr.Timer(active=False), *self.corpus_views()

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
            report = ingest(
                self.settings,
                [Path(p) for p in before],
                progress=lambda stage, done, total: progress((done, total), desc=f"{stage} {done}/{total}"),
                store=self.store,
            )
            for failure in report.failed:
                if failure.path in before:  # the whole file failed: put back what was there before
                    dest, old = Path(failure.path), before[failure.path]
                    dest.write_bytes(old) if old is not None else dest.unlink(missing_ok=True)
        self.status = self.index_summary()
        return describe_upload(report), None, self.status, *self.corpus_views()

    def delete(self, article_id: str | None) -> tuple:
        if not article_id:
            return "Choose an article to delete first.", gr.skip(), *self.corpus_views()
        with self.ingest_lock:
            records = self.store.article_records()
            record = records.get(article_id)
            if record is None:
                return f"No article '{article_id}' in the index.", gr.skip(), *self.corpus_views()
            self.store.delete_article(article_id)
            remaining = {aid: r for aid, r in records.items() if aid != article_id}
            refresh_keyword_index(self.settings, self.store, before=records, now=remaining)  # drops its rows only
            source = Path(record.source_path.split("#")[0])
            if source.parent.resolve() == self.uploads.resolve() and "#" not in record.source_path:
                source.unlink(missing_ok=True)
        self.status = self.index_summary()
        return f"Deleted {article_id} ('{record.meta.title}').", self.status, *self.corpus_views()


# Layout ----------------------------------------------------------------------------------


def build_app(settings: Settings, echo: Callable[[str], None] | None = None) -> gr.Blocks:
    """The whole UI; the first ingest (when the index is empty) starts now, in the background."""
    ui = AssistantUI(settings, echo)
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        status = gr.Markdown(ui.status, elem_id="status")
        timer = gr.Timer(1.0)
        with gr.Tab("Chat", id="chat-tab"):
            last_answer = gr.State(None)
            log_ids = gr.State({})
            backend = gr.Radio(["offline", "openai"], value=settings.backend, label="Backend", render=False)
            top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to retrieve (top-k)", render=False)
            outlets = gr.Dropdown([], multiselect=True, label="Outlets (none = all)", elem_id="outlets", render=False)
            since = gr.Textbox(label="Since (YYYY-MM-DD)", placeholder="2016-01-01", elem_id="since", render=False)
            until = gr.Textbox(label="Until (YYYY-MM-DD)", placeholder="2021-12-31", elem_id="until", render=False)
            sources = gr.HTML(sources_html(None), css_template=SOURCES_CSS, elem_id="sources", render=False)
            attributions = gr.Textbox(label="Copy as attribution", lines=3, buttons=["copy"],
                                      elem_id="attribution", interactive=False, render=False)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chat = gr.ChatInterface(
                        ui.chat,
                        chatbot=gr.Chatbot(elem_id="chat", height=460, label="Answers with citations",
                                           placeholder=PLACEHOLDER, render=False),
                        textbox=gr.Textbox(placeholder="Ask about the articles…", elem_id="question",
                                           submit_btn=True, stop_btn=True, render=False),
                        additional_inputs=[backend, top_k, outlets, since, until, log_ids],
                        additional_inputs_accordion=gr.Accordion("Search options", open=True, render=False),
                        additional_outputs=[sources, last_answer, log_ids, attributions],
                        api_visibility="private",
                        concurrency_limit=ANSWER_CONCURRENCY,
                        fill_height=False,
                        analytics_enabled=False,
                    )
                with gr.Column(scale=2, min_width=280):
                    gr.Markdown("### Sources")
                    sources.render()
                    export_btn = gr.Button("Export answer as Markdown", elem_id="export")
                    download = gr.DownloadButton("Download Markdown", visible=False, elem_id="export-download")
                    attributions.render()
        with gr.Tab("Corpus", id="corpus-tab"):
            articles = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="articles",
                                    label="Indexed articles", column_widths=["19%", "37%", "14%", "14%", "10%", "6%"])
            with gr.Row():
                with gr.Column():
                    files = gr.File(file_count="multiple", label="Upload articles (.txt, .md, .html, .jsonl)",
                                    elem_id="upload")
                    add_btn = gr.Button("Add to index", variant="primary", elem_id="add")
                with gr.Column():
                    delete_id = gr.Dropdown([], label="Article to delete", elem_id="delete-id")
                    delete_btn = gr.Button("Delete article", variant="stop", elem_id="delete")
            corpus_msg = gr.Markdown(elem_id="corpus-message")

        views = [articles, delete_id, outlets]
        timer.tick(ui.tick, None, [status, timer, *views], api_visibility="private", show_progress="hidden")
        app.load(lambda: (ui.status, *ui.corpus_views()), None, [status, *views], api_visibility="private")
        chat.chatbot.like(ui.on_like, [log_ids], None, api_visibility="private")
        export_btn.click(ui.export, [last_answer], [download], api_visibility="private")
        add_btn.click(ui.add_files, [files], [corpus_msg, files, status, *views], api_visibility="private")
        delete_btn.click(ui.delete, [delete_id], [corpus_msg, status, *views], api_visibility="private")
        gr.api(ui.api_ask, api_name="ask", concurrency_limit=ANSWER_CONCURRENCY)
    app.assistant_ui = ui  # the handlers' shared state, for tests and for embedding the app
    return app


def launch(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    open_browser: bool = False,
    block: bool = True,
) -> gr.Blocks:
    """Serve the UI. With block=False it returns at once and serves from a background thread."""
    if warning := exposure_warning(host, auth):
        print(warning, file=sys.stderr)
    app = build_app(settings, echo=lambda line: print(line, file=sys.stderr))
    app.queue(default_concurrency_limit=ANSWER_CONCURRENCY)
    app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        inbrowser=open_browser,
        prevent_thread_lock=not block,
        show_error=True,
        quiet=not block,
        # Files up to the ingest limit get ingest's own message; far larger ones never reach the disk.
        max_file_size=f"{int(settings.max_file_mb * 10)}mb",
        footer_links=["api"],
    )
    return app
