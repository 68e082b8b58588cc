"""The records of the constraint check: what a question pins down (`Constraint`, `Agency`,
`Ask`), the evidence a cited sentence is read with (`Evidence`) and what it misses
(`Coverage`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.answer.vocabulary import WORD, verb_forms


@dataclass(frozen=True)
class Constraint:
    """One thing the question names: its kind, its words as the question writes them, and
    what in the evidence states it (alternatives: "Obama or Trump" is met by either)."""

    kind: str  # name, role, direction, compass, year, date, month, quarter, number, quote, stage, stance, speaker, weekday, done, current, permanent, speaker role, doer role, former speaker, sense
    text: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agency:
    """"did Trump offer Putin": who does (agent), the verb's term, and the others named.
    "According to X" is X saying it (unless X is the article's outlet, `reversed_agency`)."""

    agent: str
    verb: str
    others: tuple[str, ...]
    #: The question's other content words: what the verb is about ("offer ... help fight the
    #: virus"), so that another doer of the same thing, named beside the agent, reverses it.
    topic: frozenset[str] = frozenset()
    #: "Which company fined Brackwater Transit?": the name is the one the verb is done to.
    done_to: bool = False
    #: "What did X say / tell / warn ...?", "according to X": words of X's own are asked for,
    #: not a fact X reported ("What revenue did X report?").
    spoken: bool = False

    def told_in(self, text: str) -> bool:
        """Whether a text uses the verb asked about (and so claims who did it)."""
        return any(self.verb in verb_forms(w) for w in WORD.findall(text) if not w[:1].isupper())


@dataclass(frozen=True)
class Ask:
    """Everything a question pins down."""

    constraints: tuple[Constraint, ...] = ()
    agencies: tuple[Agency, ...] = ()
    question: str = ""


@dataclass(frozen=True)
class Evidence:
    """What an answer's citation puts before a reader: the cited sentences and their context."""

    sentences: str
    context: str = ""
    published: date | None = None
    #: The article's whole text: what "the summit" in the evidence refers to.
    article: str = ""
    #: The article's outlet and byline: who an "according to ..." may name.
    source: str = ""
    #: The sentences just before the cited one (part of `context`): what it goes on from.
    near: str = ""
    #: The one sentence just before it in its paragraph ("" where it opens the paragraph).
    lead_in: str = ""

    @property
    def text(self) -> str:
        return f"{self.source}\n{self.context}\n{self.sentences}"


@dataclass(frozen=True)
class Coverage:
    """Which of a question's constraints the evidence misses, and whether it reverses who did what."""

    missing: tuple[Constraint, ...] = ()
    reversed_by: str | None = None  # the evidence's agent, where it is another of the question's names
    agency: Agency | None = field(default=None, compare=False)  # the one reversed

    @property
    def ok(self) -> bool:
        return not self.missing and self.reversed_by is None

    def reason(self) -> str:
        """What the evidence lacks, for a writer: "no mention of Biden; not 2021"."""
        parts = [_MISSING_PHRASE[c.kind].format(c.text) for c in self.missing]
        if self.reversed_by and self.agency and self.agency.done_to:
            parts.append(f"there it is {self.reversed_by}, not {self.agency.agent}, that it is done to")
        elif self.reversed_by and self.agency:
            parts.append(f"there it is {self.reversed_by}, not {self.agency.agent}, who does what the question asks")
        return "; ".join(parts)


_MISSING_PHRASE = {
    "name": "no mention of {}",
    "year": "nothing from {}",
    "date": "nothing dated {}",
    "month": "nothing from {}",
    "quarter": "not {}",
    "number": "no {}",
    "quote": "not the words “{}”",
    "stage": "not the {}",
    "dimension": "not the {} (another measure there)",
    "ordinal": "not the {}",
    "whose": "not {}",
    "role": "not {}",
    "direction": "not {}",
    "compass": "not {}",
    "stance": "not {}",
    "speaker": "{} says nothing there",
    "weekday": "not on {}",
    "current": "not the {} now (a former one there)",
    "permanent": "not the {} (one standing in there)",
    "done": "still to come there (“{}”)",
    "speaker role": "the one speaking there is not the {}",
    "doer role": "the one there is not the {}",
    "former speaker": "the one speaking there is not the {} (one in office now)",
    "sense": "not “{}” there)",
}
