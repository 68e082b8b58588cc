"""HTML and Markdown the UI shows: source cards with the cited sentence highlighted, notes,
attributions and upload reports. Pure functions of the package's records, tested without a browser.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from assistant.cite import INFERRED, attribution, disagreement_lines, evidence_span, long_date, short_date
from assistant.ingest import IngestReport
from assistant.records import Answer, Citation, Claim, Disagreement

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
.sources .attr .tools { display: flex; flex-direction: column; gap: .3rem; margin-left: auto; }
.sources .copy-attr, .sources .read-at { font-size: .85em; padding: .1rem .5rem; border: 1px solid var(--border-color-primary); border-radius: 6px; background: var(--background-fill-secondary); cursor: pointer; white-space: nowrap; }
.sources .open-reader { all: unset; cursor: pointer; color: var(--link-text-color, #2563eb); text-decoration: underline; text-underline-offset: 2px; }
.sources .open-reader:hover { color: var(--link-text-color-hover, #1d4ed8); }
.sources .original { font-size: .85em; margin-left: .4em; white-space: nowrap; }
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
  // The article reader: a card's title asks the server for the whole article, with the
  // card's cited passages; the reply is shown over the page with the cited sentence in view.
  const askReader = (request) => {
    const box = document.querySelector('#reader-request textarea, #reader-request input');
    if (!box) return;
    box.value = JSON.stringify({...request, t: Date.now()});
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  const showReader = () => {
    const overlay = document.querySelector('#reader .reader-overlay:not([data-shown])');
    if (!overlay) return;
    overlay.dataset.shown = '1';
    const focus = overlay.querySelector('#reader-focus');
    if (focus) focus.scrollIntoView({block: 'center'});
    const close = overlay.querySelector('.reader-close');
    if (close) close.focus({preventScroll: true});
  };
  new MutationObserver(showReader).observe(document.body, {childList: true, subtree: true});
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    const overlay = document.querySelector('#reader .reader-overlay:not(.closed)');
    if (overlay) overlay.classList.add('closed');
  });
  document.addEventListener('click', (ev) => {
    // A card's headline opens its article at the card's first cited sentence; a passage's
    // "Read in article" at that passage's. Every cited span of the card is marked there.
    const opener = ev.target.closest ? ev.target.closest('button.open-reader, button.read-at') : null;
    if (opener) {
      ev.preventDefault(); ev.stopPropagation();
      const card = opener.closest('.card');
      const spans = [];
      card.querySelectorAll('blockquote[data-span]').forEach((q) => {
        const [ps, pe, ...sentences] = q.dataset.span.split(',').map(Number);
        for (let i = 0; i + 1 < sentences.length; i += 2) spans.push([ps, pe, sentences[i], sentences[i + 1], Number(q.dataset.key)]);
      });
      const focus = opener.dataset.key ? Number(opener.dataset.key) : (spans.length ? spans[0][4] : null);
      askReader({article: card.dataset.article, spans, focus});
      return;
    }
    const closer = ev.target.closest ? ev.target.closest('.reader-close') : null;
    if (closer || (ev.target.classList && ev.target.classList.contains('reader-overlay'))) {
      const overlay = ev.target.closest('.reader-overlay');
      if (overlay) { ev.preventDefault(); overlay.classList.add('closed'); }
      return;
    }
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
    """The cited passage, HTML-escaped, with each cited sentence in <mark>."""
    passage = c.passage
    spans = [(a - c.start, b - c.start) for a, b in c.cited_spans()]
    spans = [(a, b) for a, b in spans if 0 <= a < b <= len(passage)]
    if not spans and c.sentence and c.sentence in passage:
        a = passage.index(c.sentence)
        spans = [(a, a + len(c.sentence))]
    out, at = [], 0
    for a, b in sorted(spans):
        if a < at:
            continue
        out += [html.escape(passage[at:a]), f"<mark>{html.escape(passage[a:b])}</mark>"]
        at = b
    return "".join(out) + html.escape(passage[at:])


def date_html(c: Citation | Claim) -> str:
    """The date as a card shows it: a date the article does not state is marked, with why."""
    shown = html.escape(short_date(c.published))
    if c.published and c.published_inferred:
        why = html.escape(f"Not stated in the article; inferred: {c.published_inferred}", quote=True)
        return f"{shown} <span class='inferred' title='{why}'>({INFERRED})</span>"
    return shown


#: How an outlet the article does not name is shown: on cards, in the reader and in the
#: disagreement panel alike, never as "Unknown outlet" and never silently left out.
OUTLET_NOT_STATED = "<span class='unstated'>outlet not stated</span>"


def outlet_html(outlet: str | None) -> str:
    return html.escape(outlet) if outlet else OUTLET_NOT_STATED


def meta_html(c: Citation) -> str:
    """Outlet · byline · date; an outlet the article does not name is said to be so."""
    outlet = outlet_html(c.outlet)
    return " · ".join(x for x in (outlet, html.escape(c.author or ""), date_html(c)) if x)


def claim_html(c: Claim) -> str:
    """One side of a disagreement: `[1] RT, "Headline", 4 Jul 2016: "sentence"`, its outlet and
    date shown as the cards show them (an outlet the article does not name is said to be so)."""
    key = f"[{c.key}] " if c.key is not None else ""
    title = html.escape(f'"{c.title}"')
    ref = ", ".join(x for x in (outlet_html(c.outlet), title, date_html(c)) if x)
    sentence = html.escape('"' + " ".join(c.sentence.split()) + '"')
    return f"{key}{ref}: {sentence}"


def disagreement_html(d: Disagreement) -> str:
    """The sources that state one thing in other ways, side by side."""
    head = disagreement_lines(d)[0]
    items = "".join(f"<li>{claim_html(c)}</li>" for c in d.claims)
    return f"<div class='differ'><strong>≠ {html.escape(head)}:</strong><ul>{items}</ul></div>"


def quote_tools(c: Citation, copyable: bool = True) -> str:
    """Under a cited passage: its copy-ready attribution with a Copy button (unless the passage
    is not one to attribute), and a button that opens the article at this passage."""
    read = (f"<button class='read-at' type='button' data-key='{c.key}' title='Read the whole article at "
            f"passage [{c.key}]'>Read in article</button>")
    if not copyable:
        return f"<div class='attr'><span class='tools'>{read}</span></div>"
    text = attribution(c)
    return (
        f"<div class='attr'><q>{html.escape(text)}</q><span class='tools'>"
        f"<button class='copy-attr' type='button' data-copy='{html.escape(text, quote=True)}' "
        f"title='Copy this attribution'>Copy</button>{read}</span></div>"
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
        out.append(f"<p class='notice'>Note: {html.escape(for_writers(answer.notice))}</p>")
    flagged = [s for s in answer.statements if s.supported is False]
    if flagged:
        items = "".join(
            f"<li>{html.escape(s.text)}" + (f" <em>({html.escape(s.problem)})</em>" if s.problem else "") + "</li>" for s in flagged
        )
        out.append(f"<div class='flags'><strong>⚠ Not supported by the cited passage:</strong><ul>{items}</ul></div>")
    for d in answer.disagreements:
        out.append(disagreement_html(d))
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
        # The title opens the whole article in the reader; the original page is a link beside it.
        title = (f"<button type='button' class='open-reader' title='Read the whole article'>"
                 f"{html.escape(c.title)}</button>")
        if _web_url(c.url):
            title += (f"<a href='{html.escape(c.url, quote=True)}' class='original' target='_blank' "
                      "rel='noopener' title='The original page'>original ↗</a>")
        copyable = not answer.refused  # a refusal's nearest evidence is not something to attribute
        quotes = "".join(
            f"<blockquote id='source-{x.key}' data-key='{x.key}'{_span_attr(x)}><span class='key'>[{x.key}]</span>{_highlighted(x)}</blockquote>"
            + quote_tools(x, copyable)
            for x in cites
        )
        out.append(
            f"<div class='card{' nearest' if answer.nearest else ''}' data-article='{html.escape(c.article_id, quote=True)}'>"
            f"<div class='meta'><span class='key'>{keys}</span>{meta_html(c)}</div>"
            f"<div class='headline'>{title}</div>{quotes}</div>"
        )
    out.append("</div>")
    return "".join(out)


def _web_url(url: str | None) -> bool:
    return bool(url) and url.strip().lower().startswith(("http://", "https://")) and url == url.strip()


def _span_attr(c: Citation) -> str:
    """The passage's offsets in the article, then each cited sentence's, for the reader."""
    spans = c.cited_spans() or [(c.start, c.end)]
    return f" data-span='{int(c.start)},{int(c.end)},{','.join(f'{int(a)},{int(b)}' for a, b in spans)}'"


READER_CSS = """
#reader .reader-overlay { position: fixed; inset: 0; z-index: 1000; background: rgba(17, 24, 39, .55);
  display: flex; align-items: center; justify-content: center; padding: 2vh 2vw; }
#reader .reader-overlay.closed { display: none; }
#reader .reader { background: var(--background-fill-primary, #fff); color: var(--body-text-color, #111);
  border-radius: 10px; width: min(1100px, 100%); max-height: 96vh; display: flex; flex-direction: column;
  box-shadow: 0 10px 40px rgba(0, 0, 0, .35); }
#reader .reader-head { display: flex; align-items: flex-start; gap: 1rem; padding: .8rem 1rem;
  border-bottom: 1px solid var(--border-color-primary, #e5e7eb); }
#reader .reader-head h2 { flex: 1; margin: 0; font-size: 1.25rem; line-height: 1.3; }
#reader .reader-close { font-size: .95rem; padding: .25rem .7rem; border: 1px solid var(--border-color-primary, #d1d5db);
  border-radius: 6px; background: var(--background-fill-secondary, #f3f4f6); cursor: pointer; }
#reader .reader-main { display: grid; grid-template-columns: minmax(0, 1fr) 16rem; gap: 1.2rem; overflow: hidden;
  padding: 0 0 0 1rem; min-height: 0; }
#reader .reader-text { overflow-y: auto; white-space: pre-line; line-height: 1.6; padding: .8rem .5rem .8rem 0;
  max-height: calc(96vh - 4.5rem); font-size: 1rem; }
#reader .reader-meta { margin: 0; padding: .8rem 1rem; font-size: .9rem; background: var(--background-fill-secondary, #f9fafb);
  border-left: 1px solid var(--border-color-primary, #e5e7eb); overflow-y: auto; }
#reader .reader-meta dt { font-weight: 600; color: var(--body-text-color-subdued, #6b7280); font-size: .8rem;
  margin-top: .6rem; }
#reader .reader-meta dd { margin: .1rem 0 0; overflow-wrap: anywhere; }
#reader .passage { background: #fef3c7; }
#reader mark.cited { background: #fcd34d; color: #111; padding: 0 .1em; }
#reader .reader-key { font-size: .75em; font-weight: 700; vertical-align: super; color: #92400e; margin-left: .1em; }
#reader .inferred { font-style: italic; color: #92400e; }
#reader .unstated { font-style: italic; }
@media (max-width: 700px) {
  #reader .reader-overlay { padding: 0; }
  #reader .reader { max-height: 100vh; height: 100vh; border-radius: 0; }
  #reader .reader-main { display: flex; flex-direction: column; overflow-y: auto; padding: 0; }
  #reader .reader-meta { order: -1; border-left: 0; flex-shrink: 0; overflow: visible; border-bottom: 1px solid var(--border-color-primary, #e5e7eb);
    display: grid; grid-template-columns: auto 1fr; column-gap: .8rem; padding: .5rem 1rem; }
  #reader .reader-meta dt { margin-top: .2rem; }
  #reader .reader-meta dd { margin-top: .2rem; }
  #reader .reader-text { max-height: none; overflow: visible; padding: .8rem 1rem; flex-shrink: 0; }
}
"""


def reader_html(article_id: str, meta, text: str | None,
                spans: list[tuple[int, int, int, int, int]] = (), focus: int | None = None, nonce: int = 0,
                corrected: tuple[str, ...] = ()) -> str:
    """The whole cleaned article over the page: every cited passage shaded, each cited sentence
    marked with its key, the `focus` key's sentence given the id the page scrolls to; beside it
    the metadata, and a link to the original page where it has an http(s) URL.

    `spans` are (passage start, passage end, sentence start, sentence end, key) offsets into
    `text`, as the cards carry them; spans that do not fit the text are left out. `corrected`
    names the fields a writer has corrected."""
    if meta is None or text is None:
        body = f"<p>The article {html.escape(article_id)} is no longer in the index.</p>"
        return (f"<div class='reader-overlay' data-nonce='{nonce}'><div class='reader' role='dialog' aria-modal='true'>"
                f"<div class='reader-head'><h2>Article not found</h2><button type='button' class='reader-close'>Close</button>"
                f"</div><div class='reader-main'><div class='reader-text'>{body}</div></div></div></div>")
    n = len(text)
    good = [(a, b, c, d, k) for a, b, c, d, k in spans if 0 <= a < b <= n and 0 <= c < d <= n]
    cuts = sorted({0, n, *(x for s in good for x in s[:4])})
    out, focused = [], False
    for lo, hi in zip(cuts, cuts[1:]):
        piece = html.escape(text[lo:hi])
        sentences = [s for s in good if s[2] <= lo and hi <= s[3]]
        if sentences:
            keys = sorted({s[4] for s in sentences})
            attrs = f" data-keys='{' '.join(map(str, keys))}'"
            if focus in keys and not focused:
                attrs += " id='reader-focus'"
                focused = True
            piece = f"<mark class='cited'{attrs}>{piece}</mark>"
            if any(s[3] == hi for s in sentences):  # the sentence ends here: its keys after it
                piece += "".join(f"<span class='reader-key'>[{k}]</span>" for k in keys if any(s[4] == k and s[3] == hi for s in sentences))
        elif any(s[0] <= lo and hi <= s[1] for s in good):
            piece = f"<span class='passage'>{piece}</span>"
        out.append(piece)
    outlet = outlet_html(meta.outlet)
    when = html.escape(long_date(meta.published)) if meta.published else "<span class='unstated'>not stated</span>"
    if meta.published and meta.published_inferred:
        when += (f" <span class='inferred'>({INFERRED}: {html.escape(meta.published_inferred)})</span>")
    rows = [("Outlet", outlet), ("Author", html.escape(meta.author) if meta.author else "<span class='unstated'>not stated</span>"),
            ("Published", when)]
    if meta.agency:
        rows.append(("Wire service", html.escape(meta.agency)))
    if good:
        rows.append(("Cited here", " ".join(f"[{k}]" for k in sorted({s[4] for s in good}))))
    if _web_url(meta.url):
        rows.append(("Original", f"<a class='reader-original' href='{html.escape(meta.url, quote=True)}' target='_blank' "
                                 f"rel='noopener'>{html.escape(meta.url)} ↗</a>"))
    if corrected:
        rows.append(("Corrected by a writer", html.escape(", ".join(corrected))))
    rows.append(("Article id", f"<code>{html.escape(article_id)}</code>"))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        f"<div class='reader-overlay' data-nonce='{nonce}' data-article='{html.escape(article_id, quote=True)}'>"
        f"<div class='reader' role='dialog' aria-modal='true' aria-labelledby='reader-title'>"
        f"<div class='reader-head'><h2 id='reader-title'>{html.escape(meta.title)}</h2>"
        f"<button type='button' class='reader-close' title='Close (Esc)'>Close</button></div>"
        f"<div class='reader-main'><div class='reader-text'>{''.join(out)}</div>"
        f"<dl class='reader-meta'>{dl}</dl></div></div></div>"
    )


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
