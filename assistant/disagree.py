"""Where the sources disagree: the same statement, in another article, with other numbers or
the opposite polarity.

For each sentence an answer cites, the retrieved passages of the *other* articles are searched
for a sentence that says nearly the same thing: close in meaning, sharing most of its words,
about the same named people and places. When the two state different numbers, or one adds a
"not" that the other lacks, they are shown side by side with outlet and date, and the writer
decides: the answer does not silently pick a side.

Different events are not disagreements: "Putin spoke to Obama for an hour in 2016" and "Putin
spoke to Trump for 50 minutes in 2017" name different people, so they are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import numpy as np

from assistant.answer.support import negation_flipped, numbers
from assistant.chunk import split_sentences
from assistant.records import Answer, Claim, Disagreement, Passage
from assistant.text import STOPWORDS, terms

#: Cosine between the two sentences' vectors (MiniLM) for them to count as one statement.
MIN_COSINE = 0.75
#: Share of the shorter sentence's content terms (numbers aside) found in the other.
MIN_SHARED = 0.6
MAX_SHOWN = 3

SentenceVectors = Callable[[list[str]], dict[str, tuple[np.ndarray, np.ndarray]]]
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
_NOT_NAME = {"The", "This", "That", "These", "Those", "But", "And", "However", "Monday", "Tuesday", "Wednesday",
             "Thursday", "Friday", "Saturday", "Sunday", "President", "Presidents", "Minister", "Mr", "Mrs", "Ms"}


# Who says it is not what is said: "..., the Kremlin said." / "According to the White House, ...".
_LEAD_ATTRIBUTION = re.compile(r"^according to [^,]+,\s*", re.IGNORECASE)
_TAIL_ATTRIBUTION = re.compile(
    r"^\s*(according to .+|(the )?[\w.’' -]{2,60} (said|says|reported|reports|added|told [\w ]+))[.!]?\s*$", re.IGNORECASE
)


class _Sentence:
    def __init__(self, p: Passage, text: str, start: int, end: int, vector: np.ndarray | None):
        self.passage, self.text, self.start, self.end, self.vector = p, text, start, end, vector
        self.claim = claim = _without_attribution(text)
        self.numbers = numbers(claim)
        shown = {w.lower() for n in self.numbers.values() for w in n.split()}
        self.terms = {t for t in terms(claim) if t not in shown and not t.isdigit()}
        self.names = {w for w in _NAME.findall(claim) if w not in _NOT_NAME and w.lower() not in STOPWORDS}


def find_disagreements(answer: Answer, sentence_vectors: SentenceVectors | None = None) -> list[Disagreement]:
    """Groups of retrieved sentences, one of them cited, that state one thing in other ways.

    Pairs that share a sentence are one group: the 50-minute report beside both 45-minute
    ones, not twice. Cited sentences come first, then the others by date."""
    if answer.refused or not answer.citations:
        return []
    stored = sentence_vectors([p.chunk.id for p in answer.passages]) if sentence_vectors else {}
    raw = [r for p in _unique(answer.passages) for r in _raw_sentences(p, stored)]
    cited = {i for i, r in enumerate(raw) if _is_cited(r, answer)}
    # Only pairs close in meaning are read closely: reading a sentence costs ~0.1 ms.
    vectors = [r[4] for r in raw]
    pairs = []
    for i in sorted(cited):
        for j, r in enumerate(raw):
            if r[0].chunk.article_id == raw[i][0].chunk.article_id or (j in cited and j < i):
                continue
            if vectors[i] is not None and vectors[j] is not None and float(np.dot(vectors[i], vectors[j])) < MIN_COSINE:
                continue
            pairs.append((i, j))
    read: dict[int, _Sentence] = {}
    group: dict[int, int] = {}  # sentence -> group number
    groups: list[dict] = []
    for i, j in pairs:
        a = read.setdefault(i, _Sentence(*raw[i]))
        b = read.setdefault(j, _Sentence(*raw[j]))
        about = _conflict(a, b)
        if about is None:
            continue
        g = group.get(i, group.get(j))
        if g is None:
            g = len(groups)
            groups.append({"about": about, "members": []})
        for x in (i, j):
            if x not in group:
                group[x] = g
                groups[g]["members"].append(x)
    keys = {c.article_id: c.key for c in answer.citations}
    found = []
    for g in groups[:MAX_SHOWN]:
        members = [read[x] for x in sorted(g["members"], key=lambda x: (x not in cited, raw[x][0].chunk.meta.published or date.max))]
        if g["about"] == "numbers":
            detail = " / ".join(dict.fromkeys(_number_phrase(s) for s in members))
        else:
            detail = "one of them says not"
        found.append(Disagreement(about=g["about"], detail=detail, claims=tuple(_claim(s, keys) for s in members)))
    return found


def _conflict(a: _Sentence, b: _Sentence) -> str | None:
    """"numbers" or "negation" when a and b state one thing two ways; else None."""
    if not a.terms or not b.terms:
        return None
    if len(a.terms & b.terms) / min(len(a.terms), len(b.terms)) < MIN_SHARED:
        return None
    if not (a.names <= b.names or b.names <= a.names):
        return None  # other people or places: another event
    if any(v not in b.numbers for v in a.numbers) and any(v not in a.numbers for v in b.numbers):
        return "numbers"
    if negation_flipped(a.claim, b.claim) or negation_flipped(b.claim, a.claim):
        return "negation"
    return None


def _number_phrase(s: _Sentence) -> str:
    """The sentence's numbers with the word each counts: "45 minutes"."""
    phrases = []
    for shown in s.numbers.values():
        m = re.search(rf"{re.escape(shown)}\s+([a-z]+)", s.claim)
        phrases.append(f"{shown} {m.group(1)}" if m and m.group(1) not in STOPWORDS else shown)
    return ", ".join(phrases)


def _without_attribution(text: str) -> str:
    """The sentence without its "according to X" or ", X said" (the part after its last comma)."""
    text = _LEAD_ATTRIBUTION.sub("", text.strip())
    head, comma, tail = text.rpartition(",")
    return head if comma and head and _TAIL_ATTRIBUTION.match(tail) else text


def _unique(passages: list[Passage]) -> list[Passage]:
    return list({p.chunk.id: p for p in passages}.values())


_Raw = tuple  # (passage, text, start, end, unit vector or None)


def _raw_sentences(p: Passage, stored: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[_Raw]:
    c = p.chunk
    if c.id in stored:
        spans, vectors = stored[c.id]
        if len(vectors):
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        return [(p, c.text[a - c.start : b - c.start], int(a), int(b), v) for (a, b), v in zip(spans, vectors)]
    return [(p, s.text, s.start, s.end, None) for s in split_sentences(c.text, offset=c.start)]


def _is_cited(r: _Raw, answer: Answer) -> bool:
    """The sentence lies in what a citation points at: its sentences, else its passage."""
    p, _, start, end, _ = r
    for c in answer.citations:
        if c.article_id != p.chunk.article_id:
            continue
        lo, hi = (c.sentence_start, c.sentence_end) if c.sentence_start is not None else (c.start, c.end)
        if lo <= start and end <= hi:
            return True
    return False


def _claim(s: _Sentence, keys: dict[str, int]) -> Claim:
    m = s.passage.chunk.meta
    return Claim(
        key=keys.get(s.passage.chunk.article_id),
        article_id=s.passage.chunk.article_id,
        source=m.outlet,
        title=m.title,
        published=m.published.isoformat() if m.published else None,
        url=m.url,
        sentence=s.text,
        start=s.start,
        end=s.end,
    )
