"""The question-answering pipeline: retrieve, draft with a backend, cite.

`Assistant` holds the loaded parts (store, retriever, embedder, backends) so that a UI, a
batch of questions or an eval pays for loading once.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from assistant.answer import BACKENDS, REFUSAL, Backend, Draft, backend_choices
from assistant.answer.offline import OfflineAnswerer
from assistant.answer.question import year_bounds
from assistant.cite import build_answer
from assistant.config import Settings
from assistant.disagree import find_disagreements
from assistant.records import Answer, Disagreement, Filters
from assistant.retrieve import RetrievalResult, get_retriever, make_filters


@dataclass(frozen=True)
class AskOptions:
    k: int | None = None
    outlets: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    backend: str | None = None

    def filters(self) -> Filters:
        return make_filters(list(self.outlets), self.since, self.until)


class Assistant:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.retriever = get_retriever(settings)
        self._backends: dict[str, Backend] = {}

    # Parts ------------------------------------------------------------------------------

    def idf(self, q_terms: list[str]) -> list[float]:
        """Inverse document frequency of each term over the chunk collection."""
        index = self.retriever.search_index()
        return index.keyword.idf(q_terms) if index is not None else [1.0] * len(q_terms)

    def backend(self, name: str | None = None) -> Backend:
        name = name or self.settings.backend
        if name not in self._backends:
            if name == "offline":
                store = self.retriever.store
                self._backends[name] = OfflineAnswerer(self.retriever.embedder, self.idf, self.settings.refusal_threshold,
                                                       self.settings.max_answer_sentences, store.sentence_vectors,
                                                       store.article_texts)
            elif name in BACKENDS:
                module, factory = BACKENDS[name]
                make = getattr(importlib.import_module(module), factory)
                self._backends[name] = make(self.settings, self.retriever.embedder, self.offline)
            else:
                raise ValueError(f"unknown backend {name!r}; use {backend_choices(quote=True)}")
        return self._backends[name]

    @property
    def offline(self) -> OfflineAnswerer:
        """The offline answerer: a backend, the fallback of the others, and the timeline's writer."""
        return self.backend("offline")  # type: ignore[return-value]

    # Asking -----------------------------------------------------------------------------

    def retrieve(self, question: str, options: AskOptions) -> RetrievalResult:
        t = time.perf_counter()
        result = self.retriever.retrieve(question, options.k or self.settings.top_k, options.filters())
        result.timings_ms["retrieve_ms"] = (time.perf_counter() - t) * 1000
        return result

    def _filtered_out(self, question: str, options: AskOptions, answer: Answer) -> Answer:
        """A refusal under outlet or date filters says so where an article outside them answers."""
        wider = replace(options, outlets=(), since=None, until=None)
        result = self.retrieve(question, wider)
        draft = self.offline.draft(question, result.passages, result.query_vector)
        if draft.refused:
            return answer
        first = result.passages[draft.sentences[0].passage_index].chunk.meta
        note = filter_note(options, first.outlet, first.published)
        return replace(answer, text=f"{answer.text} {note}", filter_note=note)

    def timeline(self, question: str, options: AskOptions = AskOptions()) -> Answer:
        """The dated evidence on a topic, one sentence per article, oldest first."""
        started = time.perf_counter()
        k = options.k or max(self.settings.top_k, 10)
        if options.since is None and options.until is None:
            # "... in 2017", "since 2016": a timeline of what was published then (none: a refusal).
            since, until = year_bounds(question)
            options = replace(options, since=since, until=until)
        result = self.retriever.retrieve(question, k, options.filters(), max_per_article=1)
        draft = self.offline.timeline(question, result.passages, result.query_vector)
        answer = build_answer(question, draft, result.passages, "offline")
        disagreements = find_disagreements(answer, self.retriever.store.sentence_vectors)
        return self._finished(answer, disagreements, {**result.timings_ms, "total_ms": (time.perf_counter() - started) * 1000})

    def ask(self, question: str, options: AskOptions = AskOptions()) -> Answer:
        answer = None
        for event in self.stream(question, options):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, options: AskOptions = AskOptions()) -> Iterator[str | Answer]:
        """Text deltas as the answer is written, then the finished `Answer`."""
        started = time.perf_counter()
        question = question.strip()
        if not question:
            raise ValueError("the question is empty; ask something about the articles")
        result = self.retrieve(question, options)
        passages, timings = result.passages, result.timings_ms
        backend = self.backend(options.backend)
        t = time.perf_counter()
        draft: Draft | None = None
        streamed = False
        for event in backend.stream(question, passages, result.query_vector):
            if isinstance(event, Draft):
                draft = event
            else:
                streamed = True
                yield event
        assert draft is not None
        timings["answer_ms"] = (time.perf_counter() - t) * 1000
        answer = backend.check_support(build_answer(question, draft, passages, "offline" if draft.fallback else backend.name))
        if answer.refused and not options.filters().empty:
            answer = self._filtered_out(question, options, answer)
        t = time.perf_counter()
        disagreements = find_disagreements(answer, self.retriever.store.sentence_vectors)
        timings["disagree_ms"] = (time.perf_counter() - t) * 1000
        if draft.fallback:
            yield "\n\n" + answer.text  # after what the failed backend had written, if anything
        elif not streamed:
            yield answer.text  # a backend that drafts whole (offline)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        yield self._finished(answer, disagreements, timings)

    def _finished(self, answer: Answer, disagreements: list[Disagreement], timings_ms: dict[str, float]) -> Answer:
        """The cited answer with what the pipeline adds: disagreements, timings, config hash."""
        return replace(answer, disagreements=disagreements, timings_ms=timings_ms, config_hash=self.settings.config_hash())


def filter_note(options: AskOptions, outlet: str | None, published: date | None) -> str:
    """"No article dated 2020–2021 answers this; one from RT (2016) does: clear the date filter
    to see it." What the filters kept, and the article outside them that answers."""
    kept = []
    if options.outlets:
        kept.append("from " + " or ".join(options.outlets))
    if options.since or options.until:
        kept.append("dated " + _span(options.since, options.until))
    cleared = " and ".join(name for name, on in (("outlet", options.outlets), ("date", options.since or options.until)) if on)
    other = " ".join(x for x in (f"from {outlet}" if outlet else "", f"({published.year})" if published else "") if x)
    return (f"No article {', '.join(kept)} answers this; one {other or 'outside them'} does: "
            f"clear the {cleared} filter{'s' if ' and ' in cleared else ''} to see it.")


def _span(since: date | None, until: date | None) -> str:
    """"2020–2021", "2020 or later", "up to 2019"; days where the bounds are not whole years."""

    def show(d: date, start: bool) -> str:
        whole = (d.month, d.day) == ((1, 1) if start else (12, 31))
        return str(d.year) if whole else d.isoformat()

    if since and until:
        a, b = show(since, True), show(until, False)
        return a if a == b else f"{a}–{b}"
    return f"{show(since, True)} or later" if since else f"up to {show(until, False)}"


__all__ = ["Assistant", "AskOptions", "REFUSAL", "filter_note"]
