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

    One key per passage: sentences cited from the same passage share it; the citation's cited
    text runs from the first to the last of them, and names each one (`sentence_spans`), so that
    a sentence between them that the answer does not cite is not shown as cited.
    """
    if draft.refused and draft.nearest is not None:
        return _near_miss_answer(question, draft, passages, backend)
    order: list[int] = []
    spans: dict[int, set[tuple[int, int]]] = {}
    sentence_keys: list[tuple[int, ...]] = []
    for s in draft.sentences:
        idxs = [i for i in ((s.passage_index,) if s.passage_index is not None else ()) + s.extra_passages if 0 <= i < len(passages)]
        for i in idxs:
            if i not in order:
                order.append(i)
        if s.passage_index in idxs and s.start is not None and s.end is not None:
            spans.setdefault(s.passage_index, set()).add((s.start, s.end))
        sentence_keys.append(tuple(dict.fromkeys(order.index(i) + 1 for i in idxs)))
    citations = [_citation(n + 1, passages[i], sorted(spans.get(i, ()))) for n, i in enumerate(order)]
    offline = backend == "offline"
    statements = [
        Statement(text=s.text, keys=keys, support=1.0 if offline else None, supported=True if offline else None)
        for s, keys in zip(draft.sentences, sentence_keys)
    ]
    parts = [f"{s.text} {''.join(f'[{k}]' for k in keys)}".strip() for s, keys in zip(draft.sentences, sentence_keys)]
    text = draft.text if draft.refused or not parts else " ".join(parts)
    return Answer(question=question, text=text, citations=citations, refused=draft.refused, backend=backend,
                  statements=statements, passages=passages, confidence=draft.confidence, notice=draft.notice,
                  removed_keys=draft.removed_keys, prompt_hash=draft.prompt_hash)


def _near_miss_answer(question: str, draft: Draft, passages: list[Passage], backend: str) -> Answer:
    """A refusal that cites the nearest thing the corpus reports, marked as no answer."""
    s = draft.nearest
    assert s is not None and s.passage_index is not None
    citation = _citation(1, passages[s.passage_index], [(s.start, s.end)] if s.start is not None and s.end is not None else [])
    nearest = Nearest(key=1, sentence=s.text, misses=draft.nearest_misses or "")
    return Answer(question=question, text=f"{REFUSAL} {near_miss_line(nearest)}", citations=[citation], refused=True,
                  backend=backend, passages=passages, confidence=draft.confidence, notice=draft.notice, nearest=nearest)


def near_miss_line(n: Nearest) -> str:
    """"Closest reported, not an answer (no mention of Biden): <sentence> [1]"."""
    return f"Closest reported, not an answer ({n.misses}): {n.sentence} [{n.key}]"


def _citation(key: int, p: Passage, sentences: list[tuple[int, int]]) -> Citation:
    """The passage's citation, its cited text running from the first to the last of `sentences`
    (article offsets, in order); the whole paragraph or chunk around them is the passage."""
    c = p.chunk
    sentence = None
    start, end = (sentences[0][0], max(e for _, e in sentences)) if sentences else (None, None)
    if start is not None and end is not None:
        ps, pe = paragraph_bounds(c.text, c.start, start, end)
        sentence = c.text[start - c.start : end - c.start]
    else:
        ps, pe = c.start, c.end
    passage = c.text[ps - c.start : pe - c.start]
    m = c.meta
    return Citation(key=key, article_id=c.article_id, title=m.title, outlet=m.outlet, author=m.author,
                    published=m.published, url=m.url, passage=passage, start=ps, end=pe, sentence=sentence,
                    sentence_start=start, sentence_end=end, agency=m.agency, published_inferred=m.published_inferred,
                    sentence_spans=tuple(sentences) if len(sentences) > 1 else ())


# Rendering -------------------------------------------------------------------------------


def short_date(d: date | None) -> str:
    """"4 Jul 2016", or "undated"."""
    return f"{d.day} {d:%b} {d.year}" if d else "undated"


def long_date(d: date | None) -> str | None:
    """"4 July 2016", or None."""
    return f"{d.day} {d:%B} {d.year}" if d else None


#: How a date the article does not state is marked wherever it is shown, so that a writer
#: never cites a date inferred from the events reported as the publication date.
INFERRED = "date inferred"


def date_label(d: date | None, inferred: str | None = None) -> str:
    """`4 Jul 2016`, or `19 Apr 2016 (date inferred)` for a date the article does not state."""
    return f"{short_date(d)} ({INFERRED})" if d and inferred else short_date(d)


def reference(c: Citation) -> str:
    """`RT, "Headline", 4 Jul 2016` (with the byline and link where known). An outlet the
    article does not name is left out, not shown as "Unknown outlet": the headline leads."""
    parts = [f"{c.outlet} ({c.agency})" if c.agency and c.agency != c.outlet else c.outlet] if c.outlet else []
    parts.append(f'"{c.title}"')
    if c.author:
        parts.append(f"by {c.author}")
    parts.append(date_label(c.published, c.published_inferred))
    ref = ", ".join(parts)
    return f"{ref}, {c.url}" if c.url else ref


def _article(word: str) -> str:
    """"a" or "an" as the word is spoken: an 8 May, an 11 June, an RT report, a US report."""
    spoken_vowel = re.match(r"^(8|11|18)\b|^[aeiouAEIOU]|^(?:[FHLMNRSX]|RT)\b|^[FHLMNRSX][A-Z]", word)
    return "an" if spoken_vowel and not re.match(r"^(?:U[A-Z]|One\b|Uni|Use|Eu)", word) else "a"


def quoted(text: str) -> str:
    """Words of an article as a quotation, on one line, in curly double quotes with the quotation
    marks inside it turned single (“... ‘the dialogue’ ...”). Its final stop stays inside. A
    sentence that begins inside a quotation opened before it (`... Syria,” the White House
    said.`) gets that quotation's opening mark, one that ends inside one gets its closing mark:
    the marks always pair."""
    text = " ".join(text.split())
    text = re.sub(r'(^|[\s(\[—–-])"', "\\1“", text).replace('"', "”")
    unopened = depth = 0
    for ch in text:
        if ch == "“":
            depth += 1
        elif ch == "”":
            unopened, depth = (unopened + 1, depth) if depth == 0 else (unopened, depth - 1)
    text = text.replace("“", "‘").replace("”", "’")
    return f"“{'‘' * unopened}{text}{'’' * depth}”"


def attribution(c: Citation) -> str:
    """A copy-ready attribution in house style: `according to a 4 July 2016 RT report, “...”`.

    It quotes the article's own words that the answer cites (`cited_quote`), never the answer's
    rewording of them, else the passage. The byline follows the outlet ("an RT report by Jane
    Doe"); an outlet named "The ..." reads "a report in The Age"; an article with no outlet is
    named by its headline; a date the article does not state is never given as its publication
    date: `according to an RT report (publication date inferred: 19 April 2016), “...”`."""
    when = long_date(c.published)
    stated = when if when and not c.published_inferred else None
    the_outlet = bool(c.outlet and re.match(r"^the\b", c.outlet, re.IGNORECASE))
    subject = f"{c.outlet} report" if c.outlet and not the_outlet else "report"
    lead = " ".join(x for x in (stated, subject) if x)
    lead = f"according to {_article(lead)} {lead}"
    if c.author:
        lead += f" by {c.author}"
    if the_outlet:
        lead += f" in {c.outlet}"
    if not c.outlet:
        lead += f" headlined {quoted(c.title)}"
    if when and c.published_inferred:
        lead += f" (publication date inferred: {when})"
    elif not when:
        lead += " (undated)"
    return f"{lead}, {quoted(cited_quote(c) or c.passage)}"


def cited_quote(c: Citation) -> str | None:
    """The sentences of the passage that the answer cites, word for word as the article has them
    (whether the answer quotes, trims or rewords them), joined by an ellipsis where the article
    has words between them that the answer does not cite; None where it names no sentence."""
    spans = [(a - c.start, b - c.start) for a, b in c.cited_spans()]
    spans = [(a, b) for a, b in spans if 0 <= a < b <= len(c.passage)]
    if not spans:
        return c.sentence
    out, end = "", None
    for a, b in spans:
        piece = " ".join(c.passage[a:b].split())
        if end is not None:
            out += " " if not c.passage[end:a].strip() else " … "
        out, end = out + piece, b
    return out


def claim_reference(c: Claim) -> str:
    """`[1] RT, "Headline", 4 Jul 2016` for one side of a disagreement; no key when uncited."""
    ref = ", ".join(x for x in (c.outlet, f'"{c.title}"', date_label(c.published, c.published_inferred)) if x)
    return f"[{c.key}] {ref}" if c.key is not None else ref


def disagreement_lines(d: Disagreement) -> list[str]:
    """A heading saying what differs, then each side: its attribution and its sentence."""
    head = f"Sources differ ({d.detail})" if d.about == "numbers" else "Sources differ (one of them says not)"
    return [head] + [f'{claim_reference(c)}: "{" ".join(c.sentence.split())}"' for c in d.claims]


def evidence_span(answer: Answer) -> str | None:
    """"Evidence dated 4 July 2016 to 15 June 2021.", saying when a date shown is inferred."""
    dates = sorted({c.published for c in answer.citations if c.published})
    if not dates:
        return None
    inferred = {c.published for c in answer.citations if c.published and c.published_inferred}
    stated = {c.published for c in answer.citations if c.published and not c.published_inferred}
    ends = [dates[0]] if len(dates) == 1 else [dates[0], dates[-1]]
    shown = [f"{long_date(d)}{f' ({INFERRED})' if d in inferred and d not in stated else ''}" for d in ends]
    return f"Evidence dated {' to '.join(shown)}."


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
    if span := evidence_span(answer):
        lines.append(span)
    if answer.citations:
        lines += ["", "Sources:"]
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
    # The question searched: a follow-up ("and what did the White House propose?") is
    # shown as the standalone question it was rewritten into, then as it was typed.
    head = f"**Q:** {_md(answer.rewritten_question or answer.question)}"
    if answer.rewritten_question and answer.rewritten_question != answer.question:
        head += f"\\\n*Asked as a follow-up: {_md(answer.question)}*"
    lines = [head, "", body]
    for s in answer.statements:
        if s.supported is False:
            why = f" ({_md(s.problem)})" if s.problem else ""
            lines += ["", f"> **Not supported by its cited passage{why}:** {_md(s.text)}"]
    for d in answer.disagreements:
        head, *sides = disagreement_lines(d)
        lines += ["", f"> **{_md(head)}:**"] + [f"> - {_md(x)}" for x in sides]
    if span := evidence_span(answer):
        lines += ["", f"*{span}*"]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            ref = f'{_md(c.outlet) + ", " if c.outlet else ""}"{_md(c.title)}"'
            if c.author:
                ref += f", by {_md(c.author)}"
            ref += f", {date_label(c.published, c.published_inferred)}"
            if link := _md_link(c.url):
                ref += f", {link}"
            passage = _md(c.passage.replace("\n", " "))
            lines.append(f'[^{c.key}]: {ref}. Passage: "{passage}"')
    return "\n".join(lines) + "\n"
