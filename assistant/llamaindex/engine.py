"""Our whole pipeline as a llama-index query engine: cited answers as llama-index responses.

`as_query_engine(settings).query(question)` gives what `assistant ask --json` gives, the
llama-index way:

- `response.response`: the answer text with its `[k]` keys (or the refusal, with the nearest
  report's notice, or the filter note);
- `response.source_nodes`: one node per key, in key order: the cited passage (its text is the
  citation's passage, its offsets the passage's in the cleaned article), with the citation's
  fields, the highlighted sentence, the statements that cite it and whether they are supported
  (`supported`, `problems`) in its metadata; a refusal's nearest report is marked `nearest`;
- `response.metadata`: the `ask --json` object itself (`refused`, `nearest`, `notice`,
  `statements` with their support flags, `filter_note`, `disagreements`, `timings_ms`, ...).

With `streaming=True` the query gives a `CitedStreamingResponse`: its `response_gen` yields
the text as it is written (an LLM's own words as they arrive, keys as it wrote them); once it
is drained, `source_nodes` and `metadata` are filled and `get_response()` / `str()` give the
checked answer, exactly as a non-streamed query would.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response, StreamingResponse
from llama_index.core.llms import LLM
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import MetadataFilters

from assistant.answer import Backend
from assistant.config import Settings
from assistant.llamaindex.llm import NAME, LlamaIndexLLMAnswerer
from assistant.llamaindex.nodes import filter_options, passage_node, text_node
from assistant.pipeline import Assistant, AskOptions
from assistant.records import Answer, Citation, Passage


class _Assistant(Assistant):
    """The pipeline, with a llama-index `LLM` as one more backend (named "llama-index")."""

    def __init__(self, settings: Settings, llm: LLM | None = None):
        super().__init__(settings)
        self.llm = llm

    def backend(self, name: str | None = None) -> Backend:
        if (name or self.settings.backend) != NAME:
            return super().backend(name)
        if self.llm is None:
            raise ValueError("the llama-index backend needs an LLM: as_query_engine(settings, backend=llm)")
        if NAME not in self._backends:
            self._backends[NAME] = LlamaIndexLLMAnswerer(self.settings, self.retriever.embedder, self.offline, self.llm)
        return self._backends[NAME]


@dataclass
class CitedStreamingResponse(StreamingResponse):
    """A streamed answer: `response_gen` yields the text as written; once drained, the checked
    `Answer` (`answer`), its nodes and metadata are here, and `response_txt` is its text."""

    answer: Answer | None = None

    def _drain(self, echo: bool = False) -> None:
        if self.answer is None:
            for text in self.response_gen:
                if echo:
                    print(text, end="", flush=True)
        assert self.answer is not None
        self.response_txt = self.answer.text

    def __str__(self) -> str:
        self._drain()
        return self.response_txt or ""

    def get_response(self) -> Response:
        self._drain()
        return Response(self.response_txt, self.source_nodes, self.metadata)

    def print_response_stream(self) -> None:
        self._drain(echo=True)


class CitedQueryEngine(BaseQueryEngine):
    """Ask the assistant; get its cited answer as a llama-index response."""

    def __init__(self, assistant: Assistant, options: AskOptions = AskOptions(), streaming: bool = False, callback_manager=None):
        super().__init__(callback_manager)
        self.assistant = assistant
        self.options = options
        self.streaming = streaming

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}  # the prompts are the assistant's own (prompts/system.md, prompts/answer.md)

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """The passages an answer to this question would be drawn from."""
        result = self.assistant.retrieve(query_bundle.query_str, self.options)
        return [passage_node(p) for p in result.passages]

    def _query(self, query_bundle: QueryBundle) -> Response | CitedStreamingResponse:
        question = query_bundle.query_str
        if not self.streaming:
            return answer_response(self.assistant.ask(question, self.options))
        response = CitedStreamingResponse(response_gen=iter(()))

        def deltas():
            for event in self.assistant.stream(question, self.options):
                if isinstance(event, Answer):
                    response.source_nodes = cited_nodes(event)
                    response.metadata = answer_metadata(event)
                    response.answer = event
                else:
                    yield event

        response.response_gen = deltas()
        return response

    async def _aquery(self, query_bundle: QueryBundle) -> Response | CitedStreamingResponse:
        # The pipeline is synchronous (model, Chroma, SQLite): it runs in a worker thread.
        return await asyncio.to_thread(self._query, query_bundle)


def as_query_engine(settings: Settings, backend: str | LLM | None = None, k: int | None = None,
                    filters: MetadataFilters | None = None, streaming: bool = False, callback_manager=None) -> CitedQueryEngine:
    """The assistant over `settings`' index as a llama-index query engine.

    `backend`: a backend's name ("offline", "openai", ...; default: `settings.backend`), or any llama-index `LLM`
    (`Ollama(...)`, `Anthropic(...)`, `OpenAILike(...)`): it writes the answer from our prompts,
    and its keys and sentences are checked as the `openai` backend's are. `k` and `filters`
    (`MetadataFilters` on outlet and published, see `filter_options`) are `ask`'s `--k`,
    `--outlet`, `--since` and `--until`.
    """
    llm = backend if isinstance(backend, LLM) else None
    if backend is not None and llm is None and not isinstance(backend, str):
        raise TypeError(f"backend is a backend's name ('offline', 'openai', ...) or a llama-index LLM, not {type(backend).__name__}")
    outlets, since, until = filter_options(filters)
    options = AskOptions(k=k, outlets=outlets, since=since, until=until, backend=NAME if llm is not None else backend)
    assistant = _Assistant(settings, llm)
    assistant.backend(options.backend)  # an unknown name fails here, not at the first question
    return CitedQueryEngine(assistant, options, streaming, callback_manager)


# Answers as responses -----------------------------------------------------------------------


def answer_response(answer: Answer) -> Response:
    return Response(answer.text, source_nodes=cited_nodes(answer), metadata=answer_metadata(answer))


def answer_metadata(answer: Answer) -> dict:
    """The object `assistant ask --json` prints for this answer (JSON types: lists, not tuples)."""
    return json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))


def cited_nodes(answer: Answer) -> list[NodeWithScore]:
    """One node per citation, in key order, with the citation's fields and its support."""
    nodes = []
    for c in answer.citations:
        passage = _passage_of(c, answer.passages)
        citing = [i for i, s in enumerate(answer.statements) if c.key in s.keys]
        flags = [answer.statements[i].supported for i in citing]
        metadata = {
            **{k: v for k, v in c.to_dict().items() if k != "passage"},
            "chunk_id": passage.chunk.id if passage else None,
            "statements": citing,
            "supported": None if not flags or None in flags else all(flags),
            "problems": [p for i in citing if (p := answer.statements[i].problem)],
            "nearest": bool(answer.nearest and answer.nearest.key == c.key),
        }
        node_id = f"{passage.chunk.id}#{c.start}-{c.end}" if passage else f"{c.article_id}#{c.start}-{c.end}"
        node = text_node(node_id, c.passage, c.start, c.end, c.article_id, metadata)
        nodes.append(NodeWithScore(node=node, score=passage.score if passage else None))
    return nodes


def _passage_of(c: Citation, passages: list[Passage]) -> Passage | None:
    """The retrieved passage (chunk) a citation's span lies in."""
    return next((p for p in passages if p.chunk.article_id == c.article_id and p.chunk.start <= c.start and c.end <= p.chunk.end), None)


__all__ = ["CitedQueryEngine", "CitedStreamingResponse", "answer_metadata", "answer_response", "as_query_engine", "cited_nodes"]
