"""HTML and Markdown the UI shows: source cards with the cited sentence highlighted, notes,
attributions and upload reports. Pure functions of the package's records, tested without a browser.
"""

from __future__ import annotations

import html
from pathlib import Path

from assistant.cite import attribution, disagreement_lines, evidence_span, short_date
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


def sources_html(answer: Answer | None) -> str:
    """One card per cited article, with the evidence dates and any unsupported sentences."""
    if answer is None:
        return "<div class='sources'><p class='empty'>Sources of the answer appear here.</p></div>"
    out = ["<div class='sources'>"]
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
        meta = " · ".join(html.escape(x) for x in (c.source or "Unknown outlet", c.author, short_date(c.published)) if x)
        quotes = "".join(f"<blockquote><span class='key'>[{x.key}]</span>{_highlighted(x)}</blockquote>" for x in cites)
        out.append(
            f"<div class='card{' nearest' if answer.nearest else ''}' data-article='{html.escape(c.article_id, quote=True)}'>"
            f"<div class='meta'><span class='key'>{keys}</span>{meta}</div>"
            f"<div class='headline'>{title}</div>{quotes}</div>"
        )
    out.append("</div>")
    return "".join(out)


def chat_text(answer: Answer) -> str:
    """The answer as the chat shows it: a note first when the backend left one."""
    return f"_Note: {answer.notice}_\n\n{answer.text}" if answer.notice else answer.text


def attribution_text(answer: Answer | None) -> str:
    if answer is None or answer.refused:
        return ""  # a refusal's nearest evidence is not something to attribute
    return "\n".join(f"[{c.key}] {' '.join(attribution(c).split())}" for c in answer.citations)


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
