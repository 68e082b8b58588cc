"""HTML and Markdown the UI shows: source cards with the cited sentence highlighted, notes,
attributions and upload reports. Pure functions of the package's records, tested without a browser.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from assistant.cite import INFERRED, attribution, cited_quote, disagreement_lines, evidence_span, short_date
from assistant.ingest import IngestReport
from assistant.records import Answer, Citation

SOURCES_CSS = """
.sources { display: flex; flex-direction: column; gap: .6rem; }
.sources .card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6rem .8rem; }
.sources .meta { font-size: .85em; color: var(--body-text-color-subdued); }
.sources .headline { font-weight: 600; margin: .15rem 0; }
.sources blockquote { margin: .4rem 0 0; padding-left: .6rem; border-left: 3px solid var(--color-accent); white-space: pre-line; }
.sources mark { background: #fde68a; color: #111; padding: 0 .1em; }
.sources .key { font-weight: 600; margin-right: .3em; }
.sources .flags { border: 1px solid #dc2626; background: #fef2f2; color: #7f1d1d; border-radius: 8px; padding: .5rem .8rem; }
.sources .differ { border: 1px solid #d97706; background: #fffbeb; color: #78350f; border-radius: 8px; padding: .5rem .8rem; }
.sources .span, .sources .notice, .sources .empty { font-size: .9em; margin: 0; }
.sources .nearest, .sources .filtered { border: 1px solid #6b7280; background: #f3f4f6; color: #111827; border-radius: 8px; padding: .5rem .8rem; margin: 0; }
.sources .card.nearest { border-style: dashed; opacity: .85; }
.sources .card.nearest mark { background: #e5e7eb; }
.sources .unstated, .sources .inferred { font-style: italic; }
.sources .inferred { color: #92400e; }
.sources .attr { display: flex; gap: .5rem; align-items: flex-start; margin: .3rem 0 0 .9rem; font-size: .85em; }
.sources .attr q { flex: 1; quotes: none; color: var(--body-text-color-subdued); }
.sources .copy-attr { font-size: .85em; padding: .1rem .5rem; border: 1px solid var(--border-color-primary); border-radius: 6px; background: var(--background-fill-secondary); cursor: pointer; white-space: nowrap; }
.sources blockquote.flash, .sources .cited.flash { animation: flash-key 1.6s ease-out; }
@keyframes flash-key { 0%, 40% { background: #fde68a; } 100% { background: transparent; } }
"""

#: Installed once by the Sources panel: a key `[2]` in an answer scrolls to and flashes source
#: 2; a card's Copy button puts its attribution on the clipboard (with a fallback for pages
#: served over plain HTTP, where the clipboard API is missing).
SOURCES_JS = """
if (!window.__newsDesk) {
  window.__newsDesk = true;
  const flash = (el) => { el.classList.remove('flash'); void el.offsetWidth; el.classList.add('flash'); };
  const copyText = async (text) => {
    try { await navigator.clipboard.writeText(text); return; } catch (e) {}
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    document.execCommand('copy'); area.remove();
  };
  document.addEventListener('click', (ev) => {
    const key = ev.target.closest ? ev.target.closest("a[href^='#source-']") : null;
    if (key) {
      ev.preventDefault(); ev.stopPropagation();
      const el = document.getElementById(key.getAttribute('href').slice(1));
      if (el) { el.scrollIntoView({behavior: 'smooth', block: 'center'}); flash(el); }
      return;
    }
    const copy = ev.target.closest ? ev.target.closest('button.copy-attr') : null;
    if (copy) {
      ev.preventDefault(); ev.stopPropagation();
      copyText(copy.dataset.copy).then(() => {
        copy.textContent = 'Copied';
        setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      });
    }
  }, true);
}
"""


def _highlighted(c: Citation) -> str:
    """The cited passage, HTML-escaped, with the cited sentence in <mark>."""
    passage = c.passage
    s, e = None, None
    if c.sentence_start is not None and c.sentence_end is not None:
        s, e = c.sentence_start - c.start, c.sentence_end - c.start
    if (s is None or not 0 <= s < e <= len(passage)) and c.sentence and c.sentence in passage:
        s = passage.index(c.sentence)
        e = s + len(c.sentence)
    if s is None or not 0 <= s < e <= len(passage):
        return html.escape(passage)
    return f"{html.escape(passage[:s])}<mark>{html.escape(passage[s:e])}</mark>{html.escape(passage[e:])}"


def date_html(c: Citation) -> str:
    """The date as a card shows it: a date the article does not state is marked, with why."""
    shown = html.escape(short_date(c.published))
    if c.published and c.published_inferred:
        why = html.escape(f"Not stated in the article; inferred: {c.published_inferred}", quote=True)
        return f"{shown} <span class='inferred' title='{why}'>({INFERRED})</span>"
    return shown


def meta_html(c: Citation) -> str:
    """Outlet · byline · date; an outlet the article does not name is said to be so."""
    outlet = html.escape(c.source) if c.source else "<span class='unstated'>outlet not stated</span>"
    return " · ".join(x for x in (outlet, html.escape(c.author or ""), date_html(c)) if x)


def attribution_html(answer: Answer, c: Citation) -> str:
    """The citation's copy-ready attribution, shown and copied with one click."""
    text = attribution(c, cited_quote(answer, c))
    return (
        f"<div class='attr'><q>{html.escape(text)}</q>"
        f"<button class='copy-attr' type='button' data-copy='{html.escape(text, quote=True)}' "
        f"title='Copy this attribution'>Copy</button></div>"
    )


def sources_html(answer: Answer | None, scope: str | None = None) -> str:
    """One card per cited article, with the evidence dates and any unsupported sentences.

    `scope` names the outlet and date filters the question was searched under ("from RT,
    dated 2020 or later"), so that a refusal says where it looked."""
    if answer is None:
        return "<div class='sources'><p class='empty'>Sources of the answer appear here.</p></div>"
    out = ["<div class='sources'>"]
    if answer.refused and scope and not answer.filter_note:
        out.append(f"<p class='filtered'>{html.escape(scope_note(scope))}</p>")
    if answer.notice:
        out.append(f"<p class='notice'>Note: {html.escape(answer.notice)}</p>")
    flagged = [s for s in answer.statements if s.supported is False]
    if flagged:
        items = "".join(
            f"<li>{html.escape(s.text)}" + (f" <em>({html.escape(s.problem)})</em>" if s.problem else "") + "</li>" for s in flagged
        )
        out.append(f"<div class='flags'><strong>⚠ Not supported by the cited passage:</strong><ul>{items}</ul></div>")
    for d in answer.disagreements:
        head, *sides = disagreement_lines(d)
        items = "".join(f"<li>{html.escape(x)}</li>" for x in sides)
        out.append(f"<div class='differ'><strong>≠ {html.escape(head)}:</strong><ul>{items}</ul></div>")
    if span := evidence_span(answer):
        out.append(f"<p class='span'>{html.escape(span)}</p>")
    if answer.filter_note:
        out.append(f"<p class='filtered'>{html.escape(answer.filter_note)}</p>")
    if answer.nearest:
        out.append(
            "<p class='nearest'><strong>Not an answer.</strong> The nearest thing the articles report, "
            f"cited below, misses what the question asks ({html.escape(answer.nearest.misses)}).</p>"
        )
    if not answer.citations:
        out.append("<p class='empty'>No sources: the indexed articles do not answer this question.</p>")
    by_article: dict[str, list[Citation]] = {}
    for c in answer.citations:
        by_article.setdefault(c.article_id, []).append(c)
    for cites in by_article.values():
        c = cites[0]
        keys = " ".join(f"[{x.key}]" for x in cites)
        title = html.escape(c.title)
        if c.url and c.url.lower().startswith(("http://", "https://")):
            title = f"<a href='{html.escape(c.url, quote=True)}' target='_blank' rel='noopener'>{title}</a>"
        copyable = not answer.refused  # a refusal's nearest evidence is not something to attribute
        quotes = "".join(
            f"<blockquote id='source-{x.key}' data-key='{x.key}'><span class='key'>[{x.key}]</span>{_highlighted(x)}</blockquote>"
            + (attribution_html(answer, x) if copyable else "")
            for x in cites
        )
        out.append(
            f"<div class='card{' nearest' if answer.nearest else ''}' data-article='{html.escape(c.article_id, quote=True)}'>"
            f"<div class='meta'><span class='key'>{keys}</span>{meta_html(c)}</div>"
            f"<div class='headline'>{title}</div>{quotes}</div>"
        )
    out.append("</div>")
    return "".join(out)


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


def chat_text(answer: Answer, scope: str | None = None) -> str:
    """The answer as the chat shows it: a note first when the backend left one, its keys linked
    to their sources, and under filters a refusal says what was searched."""
    text = linked_keys(answer.text, {c.key for c in answer.citations})
    if answer.refused and scope and not answer.filter_note:
        text += f"\n\n_{scope_note(scope)}_"
    return f"_Note: {answer.notice}_\n\n{text}" if answer.notice else text


def attribution_text(answer: Answer | None) -> str:
    """Every citation's attribution, one a line (the cards carry each with its own Copy button)."""
    if answer is None or answer.refused:
        return ""  # a refusal's nearest evidence is not something to attribute
    return "\n".join(f"[{c.key}] {attribution(c, cited_quote(answer, c))}" for c in answer.citations)


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
