"""The article reader's HTML: the whole cleaned article over the page, its cited passages
shaded and its cited sentences marked, beside its metadata. A pure function of the stored
article, tested without a browser.
"""

from __future__ import annotations

import html

from assistant.cite import INFERRED, long_date
from assistant.ui_sources import outlet_html, web_url

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
    if web_url(meta.url):
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
