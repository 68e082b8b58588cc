"""Citations: keys in the answer text, the passages behind them, and how a writer shows them.

Keys are numbers in square brackets, `[1]`, numbered in order of first use. Rendered as
`[1] RT, "Headline", 4 Jul 2016` with the passage under it, as Markdown footnotes, or as a
journalist's attribution ("according to a 4 July 2016 RT report").
"""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import quote

from assistant.answer import REFUSAL, Draft
from assistant.chunk import paragraph_bounds
from assistant.records import Answer, Citation, Claim, Disagreement, Nearest, Passage, Statement


def build_answer(question: str, draft: Draft, passages: list[Passage], backend: str) -> Answer:
    """Number the cited passages in order of first use and attach them to the answer text.

    One key per passage: sentences cited from the same passage share it, and the citation's
    highlighted span runs from the first to the last of them.
    """
    if draft.refused and draft.nearest is not None:
        return _near_miss_answer(question, draft, passages, backend)
    order: list[int] = []
    spans: dict[int, tuple[int, int]] = {}
    sentence_keys: list[tuple[int, ...]] = []
    for s in draft.sentences:
        idxs = [i for i in ((s.passage_index,) if s.passage_index is not None else ()) + s.extra_passages if 0 <= i < len(passages)]
        for i in idxs:
            if i not in order:
                order.append(i)
        if s.passage_index in idxs and s.start is not None and s.end is not None:
            a, b = spans.get(s.passage_index, (s.start, s.end))
            spans[s.passage_index] = (min(a, s.start), max(b, s.end))
        sentence_keys.append(tuple(dict.fromkeys(order.index(i) + 1 for i in idxs)))
    citations = [_citation(n + 1, passages[i], *spans.get(i, (None, None))) for n, i in enumerate(order)]
    offline = backend == "offline"
    statements = [
        Statement(text=s.text, keys=keys, support=1.0 if offline else None, supported=True if offline else None)
        for s, keys in zip(draft.sentences, sentence_keys)
    ]
    parts = [f"{s.text} {''.join(f'[{k}]' for k in keys)}".strip() for s, keys in zip(draft.sentences, sentence_keys)]
    text = draft.text if draft.refused or not parts else " ".join(parts)
    return Answer(
        question=question,
        text=text,
        citations=citations,
        refused=draft.refused,
        backend=backend,
        statements=statements,
        passages=passages,
        confidence=draft.confidence,
        notice=draft.notice,
        removed_keys=draft.removed_keys,
        prompt_hash=draft.prompt_hash,
    )


def _near_miss_answer(question: str, draft: Draft, passages: list[Passage], backend: str) -> Answer:
    """A refusal that cites the nearest thing the corpus reports, marked as no answer."""
    s = draft.nearest
    assert s is not None and s.passage_index is not None
    citation = _citation(1, passages[s.passage_index], s.start, s.end)
    nearest = Nearest(key=1, sentence=s.text, misses=draft.nearest_misses or "")
    return Answer(
        question=question,
        text=f"{REFUSAL} {near_miss_line(nearest)}",
        citations=[citation],
        refused=True,
        backend=backend,
        passages=passages,
        confidence=draft.confidence,
        notice=draft.notice,
        nearest=nearest,
    )


def near_miss_line(n: Nearest) -> str:
    """"Closest reported, not an answer (no mention of Biden): <sentence> [1]"."""
    return f"Closest reported, not an answer ({n.misses}): {n.sentence} [{n.key}]"


def _citation(key: int, p: Passage, start: int | None, end: int | None) -> Citation:
    c = p.chunk
    sentence = None
    if start is not None and end is not None:
        ps, pe = paragraph_bounds(c.text, c.start, start, end)
        sentence = c.text[start - c.start : end - c.start]
    else:
        ps, pe = c.start, c.end
    passage = c.text[ps - c.start : pe - c.start]
    return Citation(
        key=key,
        article_id=c.article_id,
        title=c.meta.title,
        source=c.meta.outlet,
        author=c.meta.author,
        published=c.meta.published.isoformat() if c.meta.published else None,
        url=c.meta.url,
        passage=passage,
        start=ps,
        end=pe,
        sentence=sentence,
        sentence_start=start,
        sentence_end=end,
        agency=c.meta.agency,
    )


# Rendering -------------------------------------------------------------------------------


def short_date(iso: str | None) -> str:
    if not iso:
        return "undated"
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def long_date(iso: str | None) -> str | None:
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def reference(c: Citation) -> str:
    """`RT, "Headline", 4 Jul 2016` (with the byline and link where known)."""
    outlet = c.source or "Unknown outlet"
    parts = [f"{outlet} ({c.agency})" if c.agency and c.agency != c.source else outlet, f'"{c.title}"']
    if c.author:
        parts.append(f"by {c.author}")
    parts.append(short_date(c.published))
    ref = ", ".join(parts)
    return f"{ref}, {c.url}" if c.url else ref


def attribution(c: Citation) -> str:
    """How a journalist attributes it: "according to a 4 July 2016 RT report, ..."."""
    when = long_date(c.published)
    outlet = c.source or "news"
    article = "an" if re.match(r"^(8|11|18)\b|^[aeiouAEIOU]", when or outlet) else "a"
    lead = f"according to {article} {when + ' ' if when else ''}{outlet} report"
    quote = c.sentence or c.passage
    if c.author:
        lead += f" by {c.author}"
    return f'{lead} ("{c.title}"), {quote}'


def claim_reference(c: Claim) -> str:
    """`[1] RT, "Headline", 4 Jul 2016` for one side of a disagreement; no key when uncited."""
    ref = f'{c.source or "Unknown outlet"}, "{c.title}", {short_date(c.published)}'
    return f"[{c.key}] {ref}" if c.key is not None else ref


def disagreement_lines(d: Disagreement) -> list[str]:
    """A heading saying what differs, then each side: its attribution and its sentence."""
    head = f"Sources differ ({d.detail})" if d.about == "numbers" else "Sources differ (one of them says not)"
    return [head] + [f'{claim_reference(c)}: "{" ".join(c.sentence.split())}"' for c in d.claims]


def evidence_span(answer: Answer) -> str | None:
    dates = sorted({c.published for c in answer.citations if c.published})
    if not dates:
        return None
    if len(dates) == 1:
        return f"Evidence dated {long_date(dates[0])}."
    return f"Evidence dated {long_date(dates[0])} to {long_date(dates[-1])}."


def render_text(answer: Answer, show_passages: bool = True, include_answer: bool = True) -> str:
    """Human-readable answer, its flags, its evidence dates and its sources with passages."""
    lines = [answer.text] if include_answer else []
    if answer.notice:
        lines.insert(0, f"Note: {answer.notice}")
    unsupported = [s for s in answer.statements if s.supported is False]
    for s in unsupported:
        why = f" ({s.problem})" if s.problem else ""
        lines.append(f"  ! not supported by its cited passage{why}: {s.text}")
    for d in answer.disagreements:
        head, *sides = disagreement_lines(d)
        lines += [f"  ≠ {head}:"] + [f"      {x}" for x in sides]
    span = evidence_span(answer)
    if span:
        lines.append(span)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.key}] {reference(c)}")
            if show_passages:
                lines.append(f"    {c.passage}")
    return "\n".join(lines)


def render_timeline(answer: Answer) -> str:
    """One dated line per article, oldest first, each with its reference."""
    if answer.refused:
        return answer.text
    by_key = {c.key: c for c in answer.citations}
    lines = []
    for s in answer.statements:
        c = by_key[s.keys[0]]
        lines.append(f"{short_date(c.published):>11}  {s.text} [{c.key}]")
    for d in answer.disagreements:
        head, *sides = disagreement_lines(d)
        lines += ["", f"≠ {head}:"] + [f"    {x}" for x in sides]
    lines += ["", "Sources:"] + [f"[{c.key}] {reference(c)}" for c in answer.citations]
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text from an article or a user, shown as itself in Markdown: HTML escaped and the inline
    Markdown marks backslashed, so that a `<script>` or a `[link](javascript:...)` stays text."""
    return html.escape(re.sub(r"([\\`*_\[\]~])", r"\\\1", text), quote=False)


def _md_link(url: str | None) -> str | None:
    """An http(s) URL as a Markdown autolink; any other scheme (javascript:, data:) is not written."""
    url = (url or "").strip()
    if not re.match(r"https?://", url, re.IGNORECASE):
        return None
    return "<" + re.sub(r"[\s<>]", lambda m: quote(m.group(0)), url) + ">"


def render_markdown(answer: Answer) -> str:
    """The answer with Markdown footnotes: `[^1]` marks and a reference list.

    Everything that comes from the articles (outlet, byline, headline, passages, sentences) or
    the question is escaped; only http(s) URLs become links."""
    pieces = re.split(r"\[(\d+)\]", answer.text)  # text, key, text, key, ..., text
    body = "".join(f"[^{x}]" if i % 2 else _md(x) for i, x in enumerate(pieces))
    lines = [f"**Q:** {_md(answer.question)}", "", body]
    for s in answer.statements:
        if s.supported is False:
            why = f" ({_md(s.problem)})" if s.problem else ""
            lines += ["", f"> **Not supported by its cited passage{why}:** {_md(s.text)}"]
    for d in answer.disagreements:
        head, *sides = disagreement_lines(d)
        lines += ["", f"> **{_md(head)}:**"] + [f"> - {_md(x)}" for x in sides]
    span = evidence_span(answer)
    if span:
        lines += ["", f"*{span}*"]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            ref = f'{_md(c.source or "Unknown outlet")}, "{_md(c.title)}"'
            if c.author:
                ref += f", by {_md(c.author)}"
            ref += f", {short_date(c.published)}"
            if link := _md_link(c.url):
                ref += f", {link}"
            passage = _md(c.passage.replace("\n", " "))
            lines.append(f'[^{c.key}]: {ref}. Passage: "{passage}"')
    return "\n".join(lines) + "\n"
