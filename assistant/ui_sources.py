"""The Sources panel's HTML: one card per cited article with the cited sentences highlighted,
the evidence dates, flagged sentences, disagreements and copy-ready attributions, and the page
script that links an answer's keys to the cards. Pure functions of the package's records,
tested without a browser.
"""

from __future__ import annotations

import html

from assistant.cite import INFERRED, attribution, disagreement_lines, evidence_span, short_date
from assistant.records import Answer, Citation, Claim, Disagreement
from assistant.ui_render import for_writers, scope_note

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
    if flagged := [s for s in answer.statements if s.supported is False]:
        items = "".join(f"<li>{html.escape(s.text)}" + (f" <em>({html.escape(s.problem)})</em>" if s.problem else "") + "</li>"
                        for s in flagged)
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
        if web_url(c.url):
            title += (f"<a href='{html.escape(c.url, quote=True)}' class='original' target='_blank' "
                      "rel='noopener' title='The original page'>original ↗</a>")
        copyable = not answer.refused  # a refusal's nearest evidence is not something to attribute
        quotes = "".join(f"<blockquote id='source-{x.key}' data-key='{x.key}'{_span_attr(x)}><span class='key'>[{x.key}]</span>"
                         f"{_highlighted(x)}</blockquote>" + quote_tools(x, copyable) for x in cites)
        out.append(
            f"<div class='card{' nearest' if answer.nearest else ''}' data-article='{html.escape(c.article_id, quote=True)}'>"
            f"<div class='meta'><span class='key'>{keys}</span>{meta_html(c)}</div>"
            f"<div class='headline'>{title}</div>{quotes}</div>"
        )
    out.append("</div>")
    return "".join(out)


def web_url(url: str | None) -> bool:
    """Whether `url` is an http(s) address the page may link to as it is."""
    return bool(url) and url.strip().lower().startswith(("http://", "https://")) and url == url.strip()


def _span_attr(c: Citation) -> str:
    """The passage's offsets in the article, then each cited sentence's, for the reader."""
    spans = c.cited_spans() or [(c.start, c.end)]
    return f" data-span='{int(c.start)},{int(c.end)},{','.join(f'{int(a)},{int(b)}' for a, b in spans)}'"
