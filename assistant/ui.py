"""The Gradio UI: a cited chat over the indexed articles, its sources, export, feedback, corpus.

A thin shell: every answer comes from `Assistant.stream`, every citation is rendered by
`assistant.cite`, every corpus change goes through `assistant.ingest` and the store. The chat
handler is a plain `(message, history, *options)` generator (gradio's ChatInterface).
"""

from __future__ import annotations

import atexit
import itertools
import json
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
from assistant.ingest import ingest
from assistant.load import slug
from assistant.metadata import CORRECTABLE
from assistant.pipeline import AskOptions, Assistant
from assistant.records import Answer
from assistant.store import open_store
from assistant.ui_corpus import TABLE_HEADERS, CorpusTab
from assistant.ui_render import (
    NOTICE_CSS,
    READER_CSS,
    SOURCES_CSS,
    SOURCES_JS,
    chat_text,
    reader_html,
    sources_html,
)

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: Answers computed at once; the rest wait in gradio's queue (the model shares 2 cores well).
ANSWER_CONCURRENCY = 4
#: Seconds a question waits for the first ingest to finish before giving up.
STARTUP_WAIT_S = 600
PLACEHOLDER = (
    "**Ask about the indexed news articles.** Every sentence of an answer cites its source, "
    "e.g. *Where will Biden and Putin meet?* Follow-up questions keep the conversation's topic."
)
#: Where the browser keeps the conversation, so that a reload does not lose it.
CONVERSATION_KEY = "news-assistant-conversation"
EMPTY_CONVERSATION = {"messages": [], "log_ids": {}, "sources": ""}
#: The page's own layout; gradio's defaults are kept for everything else.
APP_CSS = """
#app-header { align-items: baseline; gap: 1rem; }
#app-header h1 { margin: 0; font-size: 1.6rem; }
#status p, #chat-hint p { margin: 0; color: var(--body-text-color-subdued); }
#chat-hint p { font-size: .85em; }
#options-error p { margin: 0; color: #b91c1c; font-weight: 600; }
#delete-confirm { border: 1px solid #dc2626; border-radius: 8px; padding: .6rem; background: #fef2f2; }
#chat .placeholder-content { padding: 1rem 1.5rem; }
#chat button[aria-label='Clear'] { display: none; }  /* "New conversation" does it, below the chat */
#chat .cite-key { text-decoration: none; font-weight: 600; border-radius: 4px; padding: 0 .1em; }
#chat .cite-key:hover { background: #fde68a; }
#reader-request { display: none !important; }
#articles tbody td { cursor: pointer; }
@media (max-width: 700px) {
  #chat { height: 55vh !important; }
  /* The article table keeps readable columns and scrolls sideways, rather than squeezing a
     date to a character a line (gradio sets each column's width from column_widths, inline). */
  #articles table, #articles .virtual-body, #articles .virtual-row { width: 760px !important; min-width: 760px !important; max-width: none !important; }
  #articles th:nth-child(1), #articles .body-cell:nth-child(1) { width: 140px !important; min-width: 140px !important; max-width: 140px !important; }
  #articles th:nth-child(2), #articles .body-cell:nth-child(2) { width: 250px !important; min-width: 250px !important; max-width: 250px !important; }
  #articles th:nth-child(3), #articles .body-cell:nth-child(3), #articles th:nth-child(4), #articles .body-cell:nth-child(4) { width: 110px !important; min-width: 110px !important; max-width: 110px !important; }
  #articles th:nth-child(5), #articles .body-cell:nth-child(5) { width: 100px !important; min-width: 100px !important; max-width: 100px !important; }
  #articles th:nth-child(6), #articles .body-cell:nth-child(6) { width: 50px !important; min-width: 50px !important; max-width: 50px !important; }
  #app-header { flex-direction: column; gap: .2rem; }
}
"""

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


class AssistantUI(CorpusTab):
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


    # Chat ---------------------------------------------------------------------------

    def _wait_ready(self) -> Iterator[str]:
        deadline = time.monotonic() + STARTUP_WAIT_S
        while not self.ready.wait(0.5) and time.monotonic() < deadline:
            yield f"_{self.status}_"

    def begin(self, message: str, history: list[dict], backend: str, k: float, outlets: list[str] | None,
              since: str, until: str) -> tuple:
        """Check the question's options before anything enters the chat.

        Valid: the question joins the chat, the box empties and locks, the previous answer's
        download goes away, and the question goes on to `chat`. Invalid dates: the error shows
        above the box and the question stays in it, outside the chat and its follow-up history.
        Returns (textbox, chat, pending question, options error, options accordion, download)."""
        keep = gr.skip()
        if not (message or "").strip():
            return keep, keep, None, keep, keep, keep
        try:
            ask_options(backend, k, outlets, since, until)
        except ValueError as exc:
            return keep, keep, None, gr.Markdown(f"⚠ {exc}", visible=True), gr.Accordion(open=True), keep
        pending = {"message": message, "options": [backend, k, list(outlets or []), since, until]}
        return (
            gr.Textbox(value="", interactive=False),
            [*(history or []), {"role": "user", "content": message}],
            pending,
            gr.Markdown("", visible=False),
            keep,
            gr.DownloadButton(value=None, visible=False),
        )

    def chat(self, pending: dict | None, history: list[dict], log_ids: dict) -> Iterator[tuple]:
        """Stream the answer into the chat; then its sources, the answer, the log ids, its
        Markdown file for download, the unlocked box and the conversation the browser keeps."""
        if pending is None:  # `begin` refused it
            yield (gr.skip(),) * 7
            return
        message, options = pending["message"], ask_options(*pending["options"])
        unlock = gr.Textbox(interactive=True)
        keep = (gr.skip(),) * 4
        history = list(history or [])
        for note in self._wait_ready():
            yield (history + [_bot(note)], *keep, gr.skip(), gr.skip())
        previous = [_message_text(m) for m in history[:-1] if m.get("role") == "user"]
        query = standalone(message, previous)
        head = f"_Searching for: {query}_\n\n" if query != message.strip() else ""
        yield (history + [_bot(head + "…")], sources_html(None), *keep[1:], gr.skip(), gr.skip())
        answer, text = None, ""
        try:
            for event in self.assistant.stream(query, options):
                if isinstance(event, Answer):
                    answer = event
                else:
                    text += event
                    yield (history + [_bot(head + text)], *keep, gr.skip(), gr.skip())
        except Exception as exc:  # the user sees why; the server keeps running
            yield (history + [_bot(f"{head}⚠ The answer failed: {exc}")], *keep, unlock, gr.skip())
            return
        entry = self.finish(answer, message, query, options)
        scope = filter_scope(options)
        messages = history + [_bot(head + chat_text(answer, scope))]
        # The answer's message follows the history, which ends with this question's message; keys
        # are strings, as the browser keeps them.
        log_ids = {**(log_ids or {}), str(len(history)): entry}
        sources = sources_html(answer, scope)
        download = gr.DownloadButton(value=str(self.export_file(answer, entry)), visible=True)
        saved = {"messages": messages, "log_ids": log_ids, "sources": sources}
        yield (messages, sources, answer, log_ids, download, unlock, saved)

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
        index = data.index if isinstance(data.index, int) else data.index[0]
        entry = (log_ids or {}).get(str(index))
        if entry is not None:
            self.log.feedback(entry, 1 if data.liked is True else -1 if data.liked is False else 0)

    def export_file(self, answer: Answer, entry: int) -> Path:
        """The answer as Markdown with footnotes, written once it is final: the download button
        then offers this answer's file, never an earlier one, in one click."""
        name = slug((answer.rewritten_question or answer.question).lower())[:60] or "answer"
        path = self.exports / f"answer-{entry}-{name}.md"
        path.write_text(render_markdown(answer), encoding="utf-8")
        return path

    def check_dates(self, since: str, until: str) -> gr.Markdown:
        """The Since / Until error as soon as a date is typed, not at the next question."""
        try:
            ask_options("", None, [], since, until)
        except ValueError as exc:
            return gr.Markdown(f"⚠ {exc}", visible=True)
        return gr.Markdown("", visible=False)

    def restore(self, saved: dict | None) -> tuple:
        """The conversation the browser kept across a reload: its messages, log ids and sources."""
        saved = saved or EMPTY_CONVERSATION
        messages = [m for m in saved.get("messages") or [] if isinstance(m, dict)]
        sources = saved.get("sources") or sources_html(None)
        return messages, saved.get("log_ids") or {}, sources

    def new_conversation(self) -> tuple:
        """An empty chat: no follow-up carries the old topic, and the browser forgets the old one."""
        return ([], sources_html(None), None, {}, gr.DownloadButton(value=None, visible=False),
                dict(EMPTY_CONVERSATION), gr.Markdown("", visible=False))

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


def _bot(text: str) -> dict:
    return {"role": "assistant", "content": text}


def filter_scope(options: AskOptions) -> str | None:
    """"from RT, dated 2020-01-01 or later": the filters a question was searched under, or None."""
    parts = []
    if options.outlets:
        parts.append("from " + " or ".join(options.outlets))
    if options.since and options.until:
        parts.append(f"dated {options.since.isoformat()} to {options.until.isoformat()}")
    elif options.since or options.until:
        parts.append(f"dated {options.since.isoformat()} or later" if options.since else f"dated up to {options.until.isoformat()}")
    return ", ".join(parts) or None


def backend_choices(settings: Settings) -> list[str]:
    """"openai" only where an endpoint is configured, "local" only where llama.cpp's server and
    a model are installed: offered without them they can only fall back."""
    from assistant.answer.local import LocalUnavailable, model_path, server_installed

    choices = ["offline"] + (["openai"] if settings.llm_base_url else [])
    try:
        if server_installed() and model_path(settings):
            choices.append("local")
    except LocalUnavailable:
        pass
    return choices


# Layout ----------------------------------------------------------------------------------


def build_app(settings: Settings, echo: Callable[[str], None] | None = None) -> gr.Blocks:
    """The whole UI; the first ingest (when the index is empty) starts now, in the background.

    Its page style is APP_CSS, which `launch` passes to gradio (gradio 6 takes it at launch)."""
    ui = AssistantUI(settings, echo)
    backends = backend_choices(settings)
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        with gr.Row(elem_id="app-header"):
            gr.Markdown("# News assistant", elem_id="app-title")
            status = gr.Markdown(ui.status, elem_id="status")
        timer = gr.Timer(1.0)
        saved = gr.BrowserState(dict(EMPTY_CONVERSATION), storage_key=CONVERSATION_KEY)
        with gr.Tab("Chat", id="chat-tab"):
            last_answer = gr.State(None)
            log_ids = gr.State({})
            pending = gr.State(None)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(elem_id="chat", height=520, show_label=False, placeholder=PLACEHOLDER,
                                         buttons=[], feedback_options=("Like", "Dislike"))
                    options_error = gr.Markdown(visible=False, elem_id="options-error")
                    question = gr.Textbox(placeholder="Ask about the articles…",
                                          elem_id="question", show_label=False, lines=1, max_lines=6,
                                          submit_btn=True, autofocus=True)
                    with gr.Accordion("Search options: all outlets, any date", open=False, elem_id="options") as options:
                        with gr.Row():
                            outlets = gr.Dropdown([], multiselect=True, label="Outlets (none = all)", elem_id="outlets",
                                                  scale=2)
                            since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD", elem_id="since", min_width=120)
                            until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD", elem_id="until", min_width=120)
                        with gr.Row():
                            top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to retrieve (top-k)")
                            backend = gr.Radio(backends, value=settings.backend if settings.backend in backends else "offline",
                                               label="Backend", visible=len(backends) > 1, elem_id="backend")
                    with gr.Row():
                        gr.Markdown("Enter asks, Shift+Enter adds a line; a key such as [1] jumps to its source, where "
                                    "*Read in article* opens the whole article at that passage.",
                                    elem_id="chat-hint")
                        new_chat = gr.Button("New conversation", size="sm", variant="secondary", elem_id="new-chat",
                                             scale=0, min_width=160)
                with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(sources_html(None), css_template=SOURCES_CSS, js_on_load=SOURCES_JS,
                                      elem_id="sources")
                    download = gr.DownloadButton("Download answer (Markdown)", visible=False, elem_id="export-download",
                                                 size="md")
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
                    delete_btn = gr.Button("Delete article…", variant="stop", elem_id="delete")
                    with gr.Column(visible=False, elem_id="delete-confirm") as confirm_row:
                        confirm_text = gr.Markdown()
                        with gr.Row():
                            confirm_btn = gr.Button("Yes, delete it", variant="stop", size="sm", elem_id="delete-yes")
                            cancel_btn = gr.Button("Cancel", size="sm", elem_id="delete-cancel")
            corpus_msg = gr.Markdown(elem_id="corpus-message")
            with gr.Accordion("Correct an article's metadata", open=False, elem_id="correct"):
                gr.Markdown("A correction is kept in the index: new answers, footnotes, attributions and the outlet "
                            "filter show it at once, and it stays when the article's file is ingested again (the "
                            "fields you leave as they are follow the file). Click a row above to choose its article.",
                            elem_id="correct-hint")
                correct_id = gr.Dropdown([], label="Article to correct", elem_id="correct-id")
                with gr.Row():
                    fix_title = gr.Textbox(label="Title", elem_id="correct-title", scale=3)
                    fix_url = gr.Textbox(label="URL", placeholder="https://…", elem_id="correct-url", scale=2)
                with gr.Row():
                    fix_outlet = gr.Textbox(label="Outlet", elem_id="correct-outlet")
                    fix_author = gr.Textbox(label="Author", elem_id="correct-author")
                    fix_date = gr.Textbox(label="Date", placeholder="YYYY-MM-DD", elem_id="correct-date")
                    fix_inferred = gr.Checkbox(label="Date not stated in the article (inferred)", elem_id="correct-inferred")
                save_fix = gr.Button("Save corrections", variant="primary", elem_id="correct-save")
                fix_msg = gr.Markdown(elem_id="correct-message")
        # The article reader, over either tab: a card's title or a Corpus row opens it.
        reader_request = gr.Textbox(elem_id="reader-request", show_label=False, container=False)  # hidden by APP_CSS
        reader = gr.HTML("", elem_id="reader")

        views = [articles, delete_id, outlets, correct_id]
        fix_fields = [fix_title, fix_outlet, fix_author, fix_date, fix_inferred, fix_url]
        timer.tick(ui.tick, None, [status, timer, *views], api_visibility="private", show_progress="hidden")
        app.load(lambda: (ui.status, *ui.corpus_views()), None, [status, *views], api_visibility="private")
        app.load(ui.restore, [saved], [chatbot, log_ids, sources], api_visibility="private")

        asked = question.submit(
            ui.begin, [question, chatbot, backend, top_k, outlets, since, until],
            [question, chatbot, pending, options_error, options, download],
            api_visibility="private", queue=False, show_progress="hidden",
        )
        asked.then(
            ui.chat, [pending, chatbot, log_ids], [chatbot, sources, last_answer, log_ids, download, question, saved],
            api_visibility="private", concurrency_limit=ANSWER_CONCURRENCY, show_progress="minimal",
            show_progress_on=[chatbot],
        )
        for box in (since, until):
            box.change(ui.check_dates, [since, until], [options_error], api_visibility="private",
                       queue=False, show_progress="hidden")
        for control in (outlets, since, until):
            control.change(options_label, [outlets, since, until], [options], api_visibility="private",
                           queue=False, show_progress="hidden")
        new_chat.click(ui.new_conversation, None,
                       [chatbot, sources, last_answer, log_ids, download, saved, options_error],
                       api_visibility="private", queue=False)
        chatbot.like(ui.on_like, [log_ids], None, api_visibility="private")
        add_btn.click(ui.add_files, [files], [corpus_msg, files, status, *views], api_visibility="private",
                      show_progress_on=[corpus_msg])
        delete_btn.click(ui.ask_delete, [delete_id], [corpus_msg, confirm_row, confirm_text], api_visibility="private",
                         queue=False)
        confirm_btn.click(ui.delete, [delete_id], [corpus_msg, status, confirm_row, *views], api_visibility="private",
                          show_progress_on=[corpus_msg])
        cancel_btn.click(lambda: gr.Column(visible=False), None, [confirm_row], api_visibility="private", queue=False)
        reader_request.change(ui.open_reader, [reader_request], [reader], api_visibility="private", queue=False,
                             show_progress="hidden")
        articles.select(ui.open_row, [articles], [reader, correct_id], api_visibility="private", queue=False,
                        show_progress="hidden")
        correct_id.change(ui.load_correction, [correct_id], [*fix_fields, fix_msg], api_visibility="private",
                          queue=False, show_progress="hidden")
        save_fix.click(ui.save_correction, [correct_id, *fix_fields], [fix_msg, status, *views],
                       api_visibility="private", show_progress_on=[fix_msg])
        gr.api(ui.api_ask, api_name="ask", concurrency_limit=ANSWER_CONCURRENCY)
    app.assistant_ui = ui  # the handlers' shared state, for tests and for embedding the app
    return app


def options_label(outlets: list[str] | None, since: str, until: str) -> gr.Accordion:
    """The collapsed options bar says which filters are on, so a closed bar hides nothing."""
    where = " or ".join(outlets) if outlets else "all outlets"
    since, until = (since or "").strip(), (until or "").strip()
    when = f"{since or '…'} to {until or '…'}" if since or until else "any date"
    return gr.Accordion(label=f"Search options: {where}, {when}")


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
        css=APP_CSS + READER_CSS + NOTICE_CSS,
    )
    return app
