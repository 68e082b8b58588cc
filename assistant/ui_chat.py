"""The Chat tab's handlers: a question's options checked, its answer streamed into the chat with
its sources, logged and offered for download, thumbs up / down, and the conversation the
browser keeps across a reload.

A part of `assistant.ui_state.AssistantUI`, which holds what they share: the settings, the
loaded assistant, the answer log, the exports folder and the first ingest's progress. Every
answer comes from `Assistant.stream` (or `Assistant.ask` for the API).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.cite import render_markdown
from assistant.config import Settings
from assistant.feedback import AnswerLog
from assistant.followup import standalone
from assistant.load import slug
from assistant.pipeline import AskOptions, Assistant
from assistant.records import Answer
from assistant.ui_render import chat_text
from assistant.ui_sources import sources_html

#: Seconds a question waits for the first ingest to finish before giving up.
STARTUP_WAIT_S = 600
EMPTY_CONVERSATION = {"messages": [], "log_ids": {}, "sources": ""}


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


class ChatTab:
    """The Chat tab's handlers (see the module's docstring)."""

    settings: Settings
    assistant: Assistant
    log: AnswerLog
    exports: Path
    ready: threading.Event
    status: str

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
        return (gr.Textbox(value="", interactive=False), [*(history or []), {"role": "user", "content": message}], pending,
                gr.Markdown("", visible=False), keep, gr.DownloadButton(value=None, visible=False))

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
        logged = {"backend": options.backend or self.settings.backend, "k": options.k or self.settings.top_k,
                  "outlets": list(options.outlets), "since": options.since.isoformat() if options.since else None,
                  "until": options.until.isoformat() if options.until else None, "source": "ui"}
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


def options_label(outlets: list[str] | None, since: str, until: str) -> gr.Accordion:
    """The collapsed options bar says which filters are on, so a closed bar hides nothing."""
    where = " or ".join(outlets) if outlets else "all outlets"
    since, until = (since or "").strip(), (until or "").strip()
    when = f"{since or '…'} to {until or '…'}" if since or until else "any date"
    return gr.Accordion(label=f"Search options: {where}, {when}")
