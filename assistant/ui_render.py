"""Text the UI shows around an answer: the chat's message (its keys linked to the Sources
panel, a refusal's notice, a backend's note without command-line setting names) and the Corpus
tab's upload report. Pure functions of the package's records, tested without a browser.

The Sources panel's cards are `ui_sources`, the article reader `ui_reader`.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest import IngestReport
from assistant.records import Answer


def linked_keys(text: str, keys: set[int]) -> str:
    """`[2]` as a link to source 2 in the Sources panel (clicking it scrolls there and flashes it)."""
    return re.sub(
        r"\[(\d+)\]",
        lambda m: f"<a href='#source-{m.group(1)}' class='cite-key' title='Show source {m.group(1)}'>[{m.group(1)}]</a>"
        if int(m.group(1)) in keys else m.group(0),
        text,
    )


def scope_note(scope: str) -> str:
    return f"Only articles {scope} were searched; clear the filters to search every article."


#: The kinds of notice a refusal is shown as, with the label the chat puts above each.
NOTICE_LABELS = {"near-miss": "Not an answer: the nearest report", "filter": "Not found under the search filters"}

#: The notices' look in the chat: a labelled, dashed box; the thumbs under its message hidden.
NOTICE_CSS = """
#chat .chat-notice { border: 1px dashed #6b7280; border-radius: 8px; padding: .1rem .8rem .2rem; background: #f3f4f6; color: #111827; }
#chat .chat-notice::before { display: block; margin: .4rem 0 -.2rem; font-size: .8em; font-weight: 700; color: #4b5563; }
#chat .chat-notice.notice-filter { border-color: #b45309; background: #fffbeb; }
#chat .message-row:has(.chat-notice) + .message-buttons { display: none !important; }
#chat .message-row:has(.chat-notice) .message { border-color: transparent !important; background: transparent !important; padding: 0 !important; }
""" + "".join(f"#chat .chat-notice.notice-{kind}::before {{ content: \"{label}\"; }}\n" for kind, label in NOTICE_LABELS.items())


def notice_kind(answer: Answer, scope: str | None = None) -> str | None:
    """"near-miss" for a refusal that shows the nearest report, "filter" for one under outlet or
    date filters (or that an article outside them answers); None for an answer or a plain refusal."""
    if not answer.refused:
        return None
    if answer.nearest:
        return "near-miss"
    if answer.filter_note or scope:
        return "filter"
    return None


def chat_text(answer: Answer, scope: str | None = None) -> str:
    """The answer as the chat shows it: a note first when the backend left one, its keys linked
    to their sources, and under filters a refusal says what was searched.

    A near miss or a filter notice is a message of its own kind, not an answer: a labelled,
    dashed box (`chat-notice`), with no thumbs under it (APP_CSS hides them)."""
    text = linked_keys(answer.text, {c.key for c in answer.citations})
    if answer.refused and scope and not answer.filter_note:
        text += f"\n\n_{scope_note(scope)}_"
    if answer.refused and answer.filter_note and answer.filter_note not in text:
        text += f"\n\n_{answer.filter_note}_"
    if kind := notice_kind(answer, scope):
        # Classes only: the chat's sanitizer drops data- attributes. The label is NOTICE_CSS's.
        text = f"<div class='chat-notice notice-{kind}'>\n\n{text}\n\n</div>"
    return f"_Note: {for_writers(answer.notice)}_\n\n{text}" if answer.notice else text


#: A setting's name as the command line gives it: ASSISTANT_OPENAI_API_KEY.
_SETTING = r"[A-Z][A-Z0-9]*_[A-Z0-9_]+"


def for_writers(notice: str) -> str:
    """A backend's notice without the setting names it gives for the command line ("(ASSISTANT_
    OPENAI_TOTAL_TIMEOUT)", "set ASSISTANT_OPENAI_BASE_URL, e.g. ...", "; check ASSISTANT_OPENAI_
    API_KEY"): a writer in the UI cannot change them; what happened and that the offline answer
    follows stay."""
    notice = re.sub(rf"\s*\((?:set |e\.g\. )?{_SETTING}[^)]*\)", "", notice)
    notice = re.sub(rf";\s*(?:check|set)\b[^;)]*\b{_SETTING}[^;)]*", "", notice)
    return re.sub(r"\s{2,}", " ", notice).strip()


def describe_upload(report: IngestReport) -> str:
    """What an upload did, as Markdown: one line per outcome, each failure naming its file."""
    lines = []
    for label, ids in (("Added", report.added), ("Updated", report.updated), ("Unchanged", report.unchanged)):
        if ids:
            lines.append(f"- {label} {len(ids)} article{'s' * (len(ids) != 1)}: {', '.join(ids)}.")
    for f in report.failed:
        file, _, line = f.path.partition("#")
        lines.append(f"- ✗ {Path(file).name}{'#' + line if line else ''}: {f.reason}")
    if report.failed:
        n = len(report.failed)
        lines.insert(0, f"**{n} file{'s' * (n != 1)} could not be added**; everything indexed before is still there.")
    return "\n".join(lines)
