"""The assistant as llama-index parts: retriever, query engine, LLM backend, document ingestion.

    from assistant.config import load_settings
    from assistant.llamaindex import as_query_engine, as_retriever, ingest_documents

    settings = load_settings()
    response = as_query_engine(settings).query("Where will Biden and Putin meet?")
    response.response          # our answer, with its [1] keys
    response.source_nodes      # the cited passages, in key order, with offsets and support flags
    response.metadata          # what `assistant ask --json` prints: refused, nearest, statements, ...

- `as_retriever(settings, k, filters)`: the hybrid retriever as a llama-index `BaseRetriever`
  (for `RetrieverQueryEngine` and the rest); `filters` may be llama-index `MetadataFilters` on
  `outlet` and `published` (`assistant.llamaindex.nodes.filter_options` says which).
- `as_query_engine(settings, backend=..., k=..., filters=..., streaming=...)`: our whole
  pipeline (answer, key checks, support checks, refusals) as a llama-index query engine;
  `backend` is "offline", "openai" or any llama-index `LLM` object.
- `ingest_documents(settings, documents)`: llama-index `Document`s (from any reader) through
  our cleaning, metadata, chunking and incremental store.

Importing this package imports llama-index (seconds): nothing else in `assistant` imports it,
so a CLI question never pays for it.
"""

from __future__ import annotations

from assistant.llamaindex.documents import ingest_documents
from assistant.llamaindex.engine import CitedQueryEngine, CitedStreamingResponse, as_query_engine
from assistant.llamaindex.llm import LlamaIndexLLMAnswerer
from assistant.llamaindex.nodes import AssistantRetriever, as_retriever, filter_options, passage_node

__all__ = ["AssistantRetriever", "CitedQueryEngine", "CitedStreamingResponse", "LlamaIndexLLMAnswerer", "as_query_engine",
           "as_retriever", "filter_options", "ingest_documents", "passage_node"]
