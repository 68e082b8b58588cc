"""Where the sources disagree: the same statement, in another article, with another number or
the opposite polarity.

For each sentence an answer cites, the retrieved passages of the *other* articles are searched
for a sentence that says nearly the same thing: close in meaning, sharing most of its words,
about the same named people and places. When the two count the same thing differently ("45
minutes" / "50 minutes"), or one adds a "not" that the other lacks, they are shown side by
side with outlet and date, and the writer decides: the answer does not silently pick a side.

Different events are not disagreements: "Putin spoke to Obama for 90 minutes" and "Putin spoke
to Trump for 45 minutes" name different people, and "the 2012 election" and "the 2018
election" name different years, so neither pair is compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np

from assistant.answer.vocabulary import MONTH, YEAR
from assistant.answer.support import negation_flipped, numbers
from assistant.chunk import chunk_sentences
from assistant.records import Answer, Claim, Disagreement, Passage
from assistant.text import STOPWORDS, is_name_word, terms

#: Cosine between the two sentences' vectors (MiniLM) for them to count as one statement.
MIN_COSINE = 0.75
#: Share of the shorter sentence's content terms (numbers aside) found in the other.
MIN_SHARED = 0.6
MAX_SHOWN = 3

SentenceVectors = Callable[[list[str]], dict[str, tuple[np.ndarray, np.ndarray]]]
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
# Who says it is not what is said: "..., the Kremlin said." / "According to the White House, ...".
_LEAD_ATTRIBUTION = re.compile(r"^according to [^,]+,\s*", re.IGNORECASE)
_TAIL_ATTRIBUTION = re.compile(
    r"^\s*(according to .+|(the )?[\w.’' -]{2,60} (said|says|reported|reports|added|told [\w ]+))[.!]?\s*$", re.IGNORECASE
)


class _Raw(NamedTuple):
    """A sentence of a retrieved passage, before it is read closely."""

    passage: Passage
    text: str
    start: int
    end: int
    vector: np.ndarray | None  # unit length; None for an index without sentence vectors


@dataclass
class _Sentence:
    """A sentence read closely: its claim (attribution set aside), counts, terms and names."""

    raw: _Raw
    claim: str = ""
    counts: dict[str, float] = field(default_factory=dict)  # "minutes" -> 45: what is counted, how many
    years: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # and months: another month is another event

    @classmethod
    def read(cls, raw: _Raw) -> "_Sentence":
        claim = _without_attribution(raw.text)
        counted = numbers(claim)
        shown = {w.lower() for n in counted.values() for w in n.split()}
        return cls(
            raw=raw,
            claim=claim,
            counts=_counts(claim, counted),
            years=set(YEAR.findall(claim)),
            terms={t for t in terms(claim) if t not in shown and not t.isdigit()},
            names={w for w in _NAME.findall(claim) if (is_name_word(w) or re.fullmatch(MONTH, w)) and w.lower() not in STOPWORDS},
        )


@dataclass
class _Group:
    about: str
    members: list[int] = field(default_factory=list)  # indexes into the raw sentences


def find_disagreements(answer: Answer, sentence_vectors: SentenceVectors | None = None) -> list[Disagreement]:
    """Groups of retrieved sentences, one of them cited, that state one thing in other ways.

    Pairs that share a sentence are one group: the 50-minute report beside both 45-minute
    ones, not twice. Cited sentences come first, then the others by date."""
    if answer.refused or not answer.citations:
        return []
    stored = sentence_vectors([p.chunk.id for p in answer.passages]) if sentence_vectors else {}
    raw = [r for p in _unique(answer.passages) for r in _raw_sentences(p, stored)]
    cited = {i for i, r in enumerate(raw) if _is_cited(r, answer)}
    read: dict[int, _Sentence] = {}
    group_of: dict[int, int] = {}
    groups: list[_Group] = []
    for i, j in _close_pairs(raw, cited):
        a = read.setdefault(i, _Sentence.read(raw[i]))
        b = read.setdefault(j, _Sentence.read(raw[j]))
        about = _conflict(a, b)
        if about is None:
            continue
        g = group_of.get(i, group_of.get(j))
        if g is None:
            g = len(groups)
            groups.append(_Group(about))
        for x in (i, j):
            if x not in group_of:
                group_of[x] = g
                groups[g].members.append(x)
    keys = {c.article_id: c.key for c in answer.citations}
    found = []
    for g in groups[:MAX_SHOWN]:
        order = sorted(g.members, key=lambda x: (x not in cited, raw[x].passage.chunk.meta.published or date.max))
        members = [read[x] for x in order]
        if g.about == "numbers":
            detail = " / ".join(dict.fromkeys(_count_phrase(s) for s in members))
        else:
            detail = "one of them says not"
        found.append(Disagreement(about=g.about, detail=detail, claims=tuple(_claim(s.raw, keys) for s in members)))
    return found


def _close_pairs(raw: list[_Raw], cited: set[int]) -> list[tuple[int, int]]:
    """(cited, other) sentence pairs from different articles, close in meaning, not the same
    words (a syndicated story agrees with itself); each pair once.

    Only these are read closely: reading a sentence costs ~0.1 ms."""
    order = sorted(cited)
    close = np.ones((len(order), len(raw)), dtype=bool)
    have = [i for i, r in enumerate(raw) if r.vector is not None]
    if have:
        vectors = np.zeros((len(raw), len(raw[have[0]].vector)), dtype=np.float32)
        vectors[have] = np.stack([raw[i].vector for i in have])
        known = np.zeros(len(raw), dtype=bool)
        known[have] = True
        sims = vectors[order] @ vectors.T
        close = (sims >= MIN_COSINE) | ~known[order][:, None] | ~known[None, :]
    pairs = []
    for row, i in enumerate(order):
        for j in np.flatnonzero(close[row]):
            r = raw[j]
            if r.passage.chunk.article_id == raw[i].passage.chunk.article_id or (j in cited and j < i) or r.text == raw[i].text:
                continue
            pairs.append((i, int(j)))
    return pairs


def _conflict(a: _Sentence, b: _Sentence) -> str | None:
    """"numbers" or "negation" when a and b state one thing two ways; else None."""
    if not a.terms or not b.terms:
        return None
    if len(a.terms & b.terms) / min(len(a.terms), len(b.terms)) < MIN_SHARED:
        return None
    if not (a.names <= b.names or b.names <= a.names):
        return None  # other people or places: another event
    if a.years and b.years and a.years != b.years:
        return None  # other years: another event
    if any(a.counts[unit] != b.counts[unit] for unit in a.counts.keys() & b.counts.keys()):
        return "numbers"
    if negation_flipped(a.claim, b.claim, both_ways=True):
        return "negation"
    return None


def _counts(claim: str, counted: dict[float, str]) -> dict[str, float]:
    """What each number counts, by the word after it: "lasted 45 minutes" -> {"minutes": 45}.

    Years, and numbers followed by no such word ("on May 9", "in 2016"), count nothing here."""
    out: dict[str, float] = {}
    for value, shown in counted.items():
        if YEAR.fullmatch(shown):
            continue
        m = re.search(rf"(?<![\w.]){re.escape(shown)}\s+([a-z][a-z-]+)", claim)
        if m and m.group(1) not in STOPWORDS:
            out.setdefault(m.group(1).removesuffix("s"), value)
    return out


def _count_phrase(s: _Sentence) -> str:
    """The sentence's counts as it words them: "45 minutes"."""
    phrases = []
    for unit in s.counts:
        m = re.search(rf"(?<![\w.])([\w.,-]+\s+{re.escape(unit)}s?)\b", s.claim)
        phrases.append(m.group(1) if m else unit)
    return ", ".join(phrases)


def _without_attribution(text: str) -> str:
    """The sentence without its "according to X" or ", X said" (the part after its last comma)."""
    text = _LEAD_ATTRIBUTION.sub("", text.strip())
    head, comma, tail = text.rpartition(",")
    return head if comma and head and _TAIL_ATTRIBUTION.match(tail) else text


def _unique(passages: list[Passage]) -> list[Passage]:
    return list({p.chunk.id: p for p in passages}.values())


def _raw_sentences(p: Passage, stored: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[_Raw]:
    sentences = chunk_sentences(p.chunk, stored)
    vectors = [v for _, v in sentences]
    if sentences and vectors[0] is not None:
        vectors = np.asarray(vectors)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return [_Raw(p, s.text, s.start, s.end, v) for (s, _), v in zip(sentences, vectors)]


def _is_cited(r: _Raw, answer: Answer) -> bool:
    """The sentence lies in what a citation points at: its sentences, else its passage."""
    for c in answer.citations:
        if c.article_id != r.passage.chunk.article_id:
            continue
        lo, hi = (c.sentence_start, c.sentence_end) if c.sentence_start is not None else (c.start, c.end)
        if lo <= r.start and r.end <= hi:
            return True
    return False


def _claim(r: _Raw, keys: dict[str, int]) -> Claim:
    m = r.passage.chunk.meta
    return Claim(key=keys.get(r.passage.chunk.article_id), article_id=r.passage.chunk.article_id, outlet=m.outlet,
                 title=m.title, published=m.published, published_inferred=m.published_inferred, url=m.url,
                 sentence=r.text, start=r.start, end=r.end)
