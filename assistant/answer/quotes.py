"""Quotations in the offline answer: a quote given whole, with its closing mark and its speaker
named ("Peskov said: “...”"), and the attribution lines that say who spoke."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.candidate import Candidate
from assistant.answer.question import QuestionKind, quoted_spans
from assistant.answer.vocabulary import CAPS, WORD
from assistant.records import Passage
from assistant.text import is_name_word

QUOTE_SPEAKER_BONUS = 5.0  # times the type weight: a quote attributed to the speaker asked about


def speaker_quoted(kind: QuestionKind, text: str) -> float:
    """For "what did X say": a sentence that quotes and names X is worth more than either alone."""
    if kind.kind != "quote" or not kind.speaker or not quoted_spans(text):
        return 0.0
    outside = re.sub(r"[“\"][^”\"]*[”\"]", " ", text)
    return QUOTE_SPEAKER_BONUS if kind.speaker.split()[-1].lower() in outside.lower() else 0.0


def _quote_balance(text: str) -> int:
    """1 where a sentence opens a quotation it does not close, -1 where it closes one it did not
    open (“... / ...,” he said), 0 otherwise."""
    curly = text.count("“") - text.count("”")
    if curly:
        return 1 if curly > 0 else -1
    if text.count('"') % 2 == 0:
        return 0
    return 1 if re.search(r'(?:^|\s)"\S', text) and not re.search(r'\S"(?:\s|$|[,.;:])', text.rstrip()[:-1] + " ") else -1


def whole_quotation(c: Candidate, cands: list[Candidate], passages: list[Passage]) -> Candidate:
    """The candidate widened to the whole quotation it is part of (up to three more sentences of
    its passage), or itself when its quotation marks balance or the quotation runs outside."""
    balance = _quote_balance(c.text)
    if not balance:
        return c
    chunk = passages[c.passage_index].chunk
    same = sorted((x for x in cands if x.article_id == c.article_id and chunk.start <= x.start and x.end <= chunk.end), key=lambda x: x.start)
    at = next((i for i, x in enumerate(same) if x.start == c.start), None)
    if at is None:
        return c
    steps = same[at + 1 : at + 4] if balance > 0 else same[max(0, at - 3) : at][::-1]
    end = next((x for x in steps if _quote_balance(x.text) == -balance), None)
    if end is None:
        return c
    first, last = (c, end) if balance > 0 else (end, c)
    text = chunk.text[first.start - chunk.start : last.end - chunk.start]
    return replace(c, text=text, start=first.start, end=last.end)


def next_sentence(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    after = [x for x in cands if x.article_id == c.article_id and x.start >= c.end]
    return min(after, key=lambda x: x.start) if after else None


def goes_on(c: Candidate, other: Candidate, cands: list[Candidate]) -> bool:
    """Whether a sentence goes on about the person a sentence before it names: it names them
    by their last name ("..., Sharrock wrote"), or is the very next sentence and refers back
    to them ("His assistant, Ryan Boateng, ran the bench")."""
    if other.start < c.end:
        return False
    last = {_plain(run.split()[-1]) for run in (m.group(0) for m in CAPS.finditer(c.text)) if 2 <= len(run.split()) <= 4}
    if last & {_plain(w) for w in WORD.findall(other.text)}:  # "in Voss's absence"
        return True
    return next_sentence(c, cands) is other and _BACK.match(other.text) is not None


def _plain(word: str) -> str:
    return re.sub(r"['’]s$", "", word.rstrip(".,;:!?"))


_BACK = re.compile(r"\s*[“\"]?(?:He|She|His|Her|They|Their)\b")


def quote_before(c: Candidate, cands: list[Candidate]) -> list[Candidate]:
    """The quotation that an attribution line closes (up to three sentences), else none."""
    lines: list[Candidate] = []
    for prev in _previous_sentences(c, cands)[:3]:
        if not prev.text.rstrip().endswith(("”", '"')) and not lines:
            return []
        lines.append(prev)
        if prev.text.lstrip().startswith(("“", '"')):
            return lines
    return []


# A sentence that only says who spoke: a name, perhaps who they are, and the verb:
# "Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told CBS News."
ATTRIBUTION_ONLY = re.compile(
    r"^(?:The |A )?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?:,[^,“”\"]{1,80},)?\s+(told [^.“”\"]{1,40}|said|says|added|wrote)\.$"
)


def bare_attribution(c: Candidate, kind: QuestionKind) -> bool:
    """A line that only says who spoke, where the question asks for more than who (or a quote)."""
    return kind.kind not in ("who", "quote") and bool(ATTRIBUTION_ONLY.match(c.text))


def _previous_sentences(c: Candidate, cands: list[Candidate]) -> list[Candidate]:
    before = [x for x in cands if x.article_id == c.article_id and x.end <= c.start]
    return sorted(before, key=lambda x: -x.start)


_NAME_WORDS = r"(?:the\s+)?[A-Z][\w’'-]*(?:\.[A-Z][\w’'-]*)*\.?(?:\s+[A-Z][\w’'-]*(?:\.[A-Z][\w’'-]*)*\.?)*"
# "told Reuters" names who was spoken to, not who spoke: "told" only counts before the verb.
_SPEAKER_AFTER = re.compile(rf"\b(said|says|wrote|writes|added|adds|stressed|continued|noted|insisted)\s+({_NAME_WORDS})")
_SPEAKER_BEFORE = re.compile(rf"({_NAME_WORDS})\s+(said|says|wrote|writes|told|tells|added|adds|stressed|reported|noted|insisted)\b")
_PRONOUN = re.compile(r"\b(he|she|they)\s+(said|says|wrote|told|added|stressed|noted)\b")
_NAME = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\s+(?:said|says|wrote|told|stressed|added)\b")
_VERB = {"told": "said", "tells": "says"}


def _clean_name(name: str) -> str | None:
    """A speaker's name without trailing punctuation; None for dates, weekdays and the like."""
    name = name.strip().rstrip(".,;:")
    words = [w for w in name.split() if w.lower() != "the"]
    return name if words and all(is_name_word(w) for w in words) else None


def _speaker(c: Candidate, cands: list[Candidate]) -> tuple[str, str] | None:
    """Who is quoted and the verb the article uses, from the sentence or the one before it.

    None when the article does not say it plainly: the sentence then stays verbatim.
    """
    outside = re.sub(r"[“\"][^”\"]*[”\"]", " ", c.text)
    for pattern, name_group, verb_group in ((_SPEAKER_AFTER, 2, 1), (_SPEAKER_BEFORE, 1, 2)):
        m = pattern.search(outside)
        name = _clean_name(m.group(name_group)) if m else None
        if name:
            return name, _VERB.get(m.group(verb_group), m.group(verb_group))
    follow = next_sentence(c, cands)
    if follow is not None and not outside.strip(" .,;:…") and ATTRIBUTION_ONLY.match(follow.text):
        # “...” / Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told CBS News.
        m = ATTRIBUTION_ONLY.match(follow.text)
        name = _clean_name(re.split(r",", follow.text, maxsplit=1)[0]) if "," in follow.text[: m.start(1)] else _clean_name(follow.text[: m.start(1)])
        if name:
            return name, m.group(1)
    m = _PRONOUN.search(outside)
    if m:
        for prev in _previous_sentences(c, cands)[:1]:
            named = _NAME.search(prev.text)
            name = _clean_name(named.group(1)) if named else None
            if name:
                return name, _VERB.get(m.group(2), m.group(2))
    return None


def render(c: Candidate, kind: QuestionKind, cands: list[Candidate]) -> str:
    """A quote as "Speaker wrote: “words”", the words exactly as the article has them.

    Sentences without a whole quotation, or whose speaker cannot be told, stay verbatim.
    """
    spans = quoted_spans(c.text)
    found = _speaker(c, cands) if spans else None
    if not found:
        return c.text
    name, verb = found
    name = name[0].upper() + name[1:]
    quote = " … ".join(q.rstrip(",;: ") for q in spans)
    return f"{name} {verb}: “{quote}”"
