"""Typed records that carry the evidence from ingest to answer, citation and eval.

Nothing outside `assistant.retrieve` and `assistant.store` sees a llama-index or Chroma
object: they convert to these records at their edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal


@dataclass(frozen=True)
class ArticleMeta:
    """What a writer needs to attribute an article."""

    title: str
    published: date | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    agency: str | None = None  # the wire service the outlet ran it from: "Reuters"
    #: Why `published` is inferred rather than read as written ("06/08/2021 read day-first, as
    #: 25/08/2021 elsewhere in the article is written"); None for a date the page states.
    published_inferred: str | None = None

    def to_dict(self) -> dict:
        return {**asdict(self), "published": iso(self.published)}


@dataclass(frozen=True)
class Article:
    """A cleaned article: its body text and metadata, with a stable id."""

    id: str
    text: str
    meta: ArticleMeta
    source_path: str
    content_hash: str


@dataclass(frozen=True)
class Chunk:
    """A passage of an article, with its character offsets in the cleaned text."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    meta: ArticleMeta


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be retrieved."""

    outlets: tuple[str, ...] = ()  # compared case-insensitively; "" is an article without an outlet
    since: int | None = None  # YYYYMMDD, inclusive
    until: int | None = None  # YYYYMMDD, inclusive

    @property
    def empty(self) -> bool:
        return not self.outlets and self.since is None and self.until is None


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the ranks it got from each retriever."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_score: float | None = None


@dataclass(frozen=True)
class Citation:
    """One cited passage, as a writer would attribute it."""

    key: int
    article_id: str
    title: str
    outlet: str | None
    author: str | None
    published: date | None
    url: str | None
    passage: str
    start: int
    end: int
    #: The cited text: from the first to the last sentence of the passage that the answer cites.
    sentence: str | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None
    agency: str | None = None  # the wire service behind the outlet's report: "Reuters"
    #: Why `published` is inferred, not stated by the article; a writer must not cite it as
    #: the publication date. None for a date the article states.
    published_inferred: str | None = None
    #: Each sentence the answer cites, as (start, end) article offsets in article order, where
    #: it cites more than one of the passage: the cited text runs across sentences it does not
    #: cite, which are not to be shown as cited. Empty for one sentence, or none.
    sentence_spans: tuple[tuple[int, int], ...] = ()

    def cited_spans(self) -> list[tuple[int, int]]:
        """The cited sentences' (start, end) article offsets: each one, or the cited text whole."""
        if self.sentence_spans:
            return [tuple(s) for s in self.sentence_spans]
        return [(self.sentence_start, self.sentence_end)] if self.sentence_start is not None and self.sentence_end is not None else []

    def to_dict(self) -> dict:
        """The citation's fields in JSON's types (the date in ISO form, the spans as lists)."""
        return {**asdict(self), "published": iso(self.published), "sentence_spans": [list(s) for s in self.sentence_spans]}


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer, the keys it cites and how well they support it."""

    text: str
    keys: tuple[int, ...]
    support: float | None = None
    supported: bool | None = None
    problem: str | None = None  # why it is not supported, in words a reader can check


@dataclass(frozen=True)
class Nearest:
    """What a refusal shows instead of an answer: the nearest thing the corpus reports, cited
    (its key), and what it lacks of the question ("no mention of Biden")."""

    key: int
    sentence: str
    misses: str


@dataclass(frozen=True)
class Claim:
    """One side of a disagreement: a sentence of a retrieved article, with its attribution."""

    key: int | None  # the answer's key for this article, when the answer cites it
    article_id: str
    outlet: str | None
    title: str
    published: date | None
    url: str | None
    sentence: str
    start: int
    end: int
    published_inferred: str | None = None  # as on Citation

    def to_dict(self) -> dict:
        return {**asdict(self), "published": iso(self.published)}


@dataclass(frozen=True)
class Disagreement:
    """Articles stating one thing in other ways: other numbers, or one of them negated."""

    about: Literal["numbers", "negation"]
    detail: str  # what differs, e.g. "45 minutes / 50 minutes"
    claims: tuple[Claim, ...]  # two or more; those the answer cites first

    def to_dict(self) -> dict:
        return {**asdict(self), "claims": [c.to_dict() for c in self.claims]}


@dataclass
class Answer:
    """Everything needed to render, log, evaluate or export an answer without another lookup."""

    question: str
    text: str
    citations: list[Citation]
    refused: bool
    backend: str
    statements: list[Statement] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    config_hash: str = ""
    prompt_hash: str | None = None
    rewritten_question: str | None = None
    notice: str | None = None
    removed_keys: int = 0
    confidence: float = 0.0
    disagreements: list[Disagreement] = field(default_factory=list)
    nearest: Nearest | None = None
    #: Why a refusal under outlet / date filters may not be the corpus's last word.
    filter_note: str | None = None

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "backend": self.backend,
            "citations": [c.to_dict() for c in self.citations],
            "statements": [asdict(s) for s in self.statements],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "config_hash": self.config_hash,
            "prompt_hash": self.prompt_hash,
            "rewritten_question": self.rewritten_question,
            "notice": self.notice,
            "removed_keys": self.removed_keys,
            "confidence": round(self.confidence, 4),
            "evidence_dates": evidence_dates(self.citations),
            "disagreements": [d.to_dict() for d in self.disagreements],
            "nearest": asdict(self.nearest) if self.nearest else None,
            "filter_note": self.filter_note,
        }


def evidence_dates(citations: list[Citation]) -> dict | None:
    """The date range of the cited evidence (ISO dates), so an answer can say how current it is."""
    dates = sorted(c.published for c in citations if c.published)
    return {"earliest": iso(dates[0]), "latest": iso(dates[-1])} if dates else None


def iso(d: date | None) -> str | None:
    """A date as JSON carries it: "2016-07-04", or None."""
    return d.isoformat() if d else None
