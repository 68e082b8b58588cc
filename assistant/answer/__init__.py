"""Answer backends behind one small protocol, and the refusal phrase they all share.

A backend turns a question and its retrieved passages into a `Draft`: sentences, each tied
to the passages it cites. `assistant.cite` turns a draft into an `Answer` with citations,
and the backend then checks that answer (`Backend.check_support`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.records import Answer, Passage

if TYPE_CHECKING:
    import numpy as np

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


@dataclass(frozen=True)
class Draft:
    """What a backend writes: the parts an `Answer` is built from once (`assistant.cite.build_answer`)."""

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
    #: The offline answer, given in place of this backend's own, which failed (`notice` says why).
    fallback: bool = False


class Backend(Protocol):
    """What the pipeline calls to answer: `stream`, then `check_support` on the cited answer.

    A backend that writes its answer whole defines `draft`; one that writes it as it goes
    (a model) defines `stream`. Each method's default is given by the other, so define one.
    """

    name: str

    def stream(self, question: str, passages: list[Passage], query_vector: np.ndarray | None = None) -> Iterator[str | Draft]:
        """The answer's text as it is written (none for a backend that drafts it whole), then its `Draft`."""
        yield self.draft(question, passages, query_vector)

    def draft(self, question: str, passages: list[Passage], query_vector: np.ndarray | None = None) -> Draft:
        """The `Draft` that `stream` ends with."""
        drafts = [event for event in self.stream(question, passages, query_vector) if isinstance(event, Draft)]
        return drafts[-1]

    def check_support(self, answer: Answer) -> Answer:
        """The cited answer with each statement's support checked; as it is where the backend's
        sentences are the passages' own."""
        return answer


#: The backends other than "offline" (which the pipeline builds from the retriever's parts), by
#: name: the module and the callable there that builds one from (settings, embedder, offline).
#: A new backend is one module and one line here (and its name in the `backend` setting's
#: Literal in config.py, which a type must spell out).
BACKENDS = {
    "openai": ("assistant.answer.llm", "LLMAnswerer"),
    "local": ("assistant.answer.local", "local_answerer"),
}
#: Every backend name, as `--backend` and the eval take them.
BACKEND_NAMES = ("offline", *BACKENDS)


def backend_choices(quote: bool = False) -> str:
    """"offline, openai or local", for messages that list the backends."""
    names = [f"'{n}'" if quote else n for n in BACKEND_NAMES]
    return f"{', '.join(names[:-1])} or {names[-1]}"
