"""Answer backends behind one small protocol, and the refusal phrase they all share.

A backend turns a question and its retrieved passages into a `Draft`: sentences, each tied
to the passages it cites. `assistant.cite` turns a draft into an `Answer` with citations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from assistant.records import Passage

#: The one phrase that means "the corpus does not answer this": prompt, parser and evals share it.
REFUSAL = "The indexed articles do not answer this question."


@dataclass(frozen=True)
class DraftSentence:
    """A sentence of an answer and the passage (by index into the retrieved list) it cites."""

    text: str
    passage_index: int | None
    start: int | None = None
    end: int | None = None
    source_text: str | None = None
    extra_passages: tuple[int, ...] = ()


@dataclass
class Draft:
    refused: bool
    text: str
    sentences: list[DraftSentence]
    confidence: float = 0.0
    kind: str = ""
    notice: str | None = None
    removed_keys: int = 0
    prompt_hash: str | None = None
    raw: str | None = None
    unsupported: list[int] = field(default_factory=list)
    #: A refusal's nearest evidence: what the corpus does report, cited, marked as no answer.
    nearest: DraftSentence | None = None
    #: ... and what it lacks of the question ("no mention of Biden").
    nearest_misses: str | None = None


class Backend(Protocol):
    name: str

    def draft(self, question: str, passages: list[Passage]) -> Draft: ...


class StreamingBackend(Backend, Protocol):
    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Draft]: ...
