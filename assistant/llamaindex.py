"""The hybrid retriever as a llama-index `BaseRetriever`, for use in llama-index pipelines.

    from assistant.llamaindex import as_retriever
    engine = RetrieverQueryEngine.from_args(as_retriever(settings), llm=...)

llama-index types stay in this module: the rest of the package works with `Passage`.
"""

from __future__ import annotations

from assistant.bm25 import Filters
from assistant.config import Settings
from assistant.retrieve import get_retriever


def as_retriever(settings: Settings, k: int | None = None, filters: Filters = Filters()):
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

    hybrid = get_retriever(settings)

    class HybridLlamaRetriever(BaseRetriever):
        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            result = hybrid.retrieve(query_bundle.query_str, k, filters)
            return [
                NodeWithScore(
                    node=TextNode(
                        id_=p.chunk.id,
                        text=p.chunk.text,
                        metadata={"article_id": p.chunk.article_id, **p.chunk.meta.to_dict(), "start": p.chunk.start, "end": p.chunk.end},
                    ),
                    score=p.score,
                )
                for p in result.passages
            ]

    return HybridLlamaRetriever()
