"""Our passages as llama-index nodes, llama-index metadata filters as ours, and the retriever.

A node is one retrieved chunk: its text, the article's metadata (title, outlet, author,
published, url, agency), its character offsets in the cleaned article (`start_char_idx` /
`end_char_idx`, also `start` / `end` in its metadata) and our scores (fused score as the
node's score; dense and BM25 ranks in its metadata). An LLM reading the node sees the
headline, outlet, byline and date, not the offsets and ranks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters

from assistant.config import Settings
from assistant.records import Filters, Passage
from assistant.retrieve import HybridRetriever, get_retriever, make_filters

#: Filter keys: the outlet, and the publication date (as `assistant ask --outlet / --since / --until`).
OUTLET_KEYS = ("outlet", "source")
DATE_KEYS = ("published", "date")
#: Node metadata an LLM is not shown (it sees headline, outlet, byline, date, agency).
HIDDEN_FROM_LLM = ("article_id", "url", "chunk_id", "chunk_index", "start", "end", "score", "dense_rank",
                   "bm25_rank", "dense_score", "key", "sentence_start", "sentence_end", "sentence_spans",
                   "statements", "problems")

Options = tuple[tuple[str, ...], date | None, date | None]


def passage_node(p: Passage, **extra: object) -> NodeWithScore:
    """A retrieved passage as a llama-index node with its score (None values left out)."""
    c = p.chunk
    metadata = {"article_id": c.article_id, **c.meta.to_dict(), "chunk_id": c.id, "chunk_index": c.index, "start": c.start,
                "end": c.end, "score": p.score, "dense_rank": p.dense_rank, "bm25_rank": p.bm25_rank,
                "dense_score": p.dense_score, **extra}
    return NodeWithScore(node=text_node(c.id, c.text, c.start, c.end, c.article_id, metadata), score=p.score)


def text_node(node_id: str, text: str, start: int, end: int, article_id: str, metadata: dict) -> TextNode:
    """A llama-index node for a span of an article (metadata that is None left out)."""
    metadata = {k: v for k, v in metadata.items() if v is not None}
    return TextNode(id_=node_id, text=text, metadata=metadata, start_char_idx=start, end_char_idx=end,
                    relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=article_id)},
                    excluded_llm_metadata_keys=[k for k in metadata if k in HIDDEN_FROM_LLM],
                    excluded_embed_metadata_keys=list(metadata))


# Filters ------------------------------------------------------------------------------------


def filter_options(filters: MetadataFilters | None) -> Options:
    """(outlets, since, until), as `assistant ask --outlet / --since / --until` take them.

    Accepted: `outlet` (or `source`) `==` a name or `in` a list of names (several `==` joined
    with OR are a list too); `published` (or `date`) `==`, `>=`, `>`, `<=`, `<` an ISO date
    ("2021-06-15") or a year ("2021", 2021: the whole year). Filters are joined with AND (nested
    AND groups too). Anything else is a ValueError that names it: the retriever never drops a
    filter it cannot apply.
    """
    if filters is None:
        return (), None, None
    outlets: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None
    for leaf_outlets, leaf_since, leaf_until in _groups(filters):
        if leaf_outlets is not None:
            if outlets is not None:
                raise ValueError("give the outlet filter once (one outlet, `in` a list, or several joined with OR)")
            outlets = leaf_outlets
        if leaf_since is not None:
            since = max(since, leaf_since) if since else leaf_since
        if leaf_until is not None:
            until = min(until, leaf_until) if until else leaf_until
    return outlets or (), since, until


def _groups(filters: MetadataFilters) -> Iterable[tuple[tuple[str, ...] | None, date | None, date | None]]:
    condition = filters.condition or FilterCondition.AND
    if condition == FilterCondition.OR:
        names: list[str] = []
        for f in filters.filters:
            if not isinstance(f, MetadataFilter) or f.key not in OUTLET_KEYS:
                raise ValueError(f"only outlet filters can be joined with OR, not {_shown(f)}")
            names.extend(_outlets(f))
        yield tuple(dict.fromkeys(names)), None, None
        return
    if condition != FilterCondition.AND:
        raise ValueError(f"filter condition {condition.value!r} is not supported; use AND (or OR between outlets)")
    for f in filters.filters:
        if isinstance(f, MetadataFilters):
            yield from _groups(f)
        elif f.key in OUTLET_KEYS:
            yield tuple(_outlets(f)), None, None
        elif f.key in DATE_KEYS:
            yield None, *_date_bounds(f)
        else:
            raise ValueError(f"cannot filter on {f.key!r}; filter on {' / '.join(OUTLET_KEYS)} or {' / '.join(DATE_KEYS)}")


def _outlets(f: MetadataFilter) -> list[str]:
    if f.operator == FilterOperator.EQ and isinstance(f.value, str):
        return [f.value]
    if f.operator == FilterOperator.IN and isinstance(f.value, list) and all(isinstance(v, str) for v in f.value):
        return list(f.value)
    raise ValueError(f"an outlet filter is `==` a name or `in` a list of names, not {_shown(f)}")


def _date_bounds(f: MetadataFilter) -> tuple[date | None, date | None]:
    first, last = _day_span(f)
    op = f.operator
    if op == FilterOperator.EQ:
        return first, last
    if op == FilterOperator.GTE:
        return first, None
    if op == FilterOperator.GT:
        return last + timedelta(days=1), None
    if op == FilterOperator.LTE:
        return None, last
    if op == FilterOperator.LT:
        return None, first - timedelta(days=1)
    raise ValueError(f"a date filter is ==, >=, >, <= or <, not {_shown(f)}")


def _day_span(f: MetadataFilter) -> tuple[date, date]:
    """The first and last day a date filter's value names: a day, or a whole year."""
    value = str(f.value).strip() if isinstance(f.value, (str, int)) and not isinstance(f.value, bool) else ""
    if value.isdigit() and len(value) == 4:
        return date(int(value), 1, 1), date(int(value), 12, 31)
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"a date filter's value is an ISO date (2021-06-15) or a year, not {_shown(f)}") from None
    return day, day


def _shown(f: object) -> str:
    if isinstance(f, MetadataFilter):
        op = f.operator.value if isinstance(f.operator, FilterOperator) else f.operator
        return f"{f.key} {op} {f.value!r}"
    return "a nested filter group"


# The retriever ------------------------------------------------------------------------------


class AssistantRetriever(BaseRetriever):
    """Our hybrid retriever (dense + BM25, per-article cap) behind llama-index's interface."""

    def __init__(self, hybrid: HybridRetriever, k: int | None = None, filters: Filters = Filters(), **kwargs):
        super().__init__(**kwargs)
        self.hybrid = hybrid
        self.k = k
        self.filters = filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self.hybrid.retrieve(query_bundle.query_str, self.k, self.filters)
        return [passage_node(p) for p in result.passages]


def as_retriever(settings: Settings, k: int | None = None, filters: MetadataFilters | Filters | None = None) -> AssistantRetriever:
    """The hybrid retriever over `settings`' index as a llama-index retriever.

        from llama_index.core.query_engine import RetrieverQueryEngine
        engine = RetrieverQueryEngine.from_args(as_retriever(settings), llm=llm)
    """
    if filters is None or isinstance(filters, MetadataFilters):
        outlets, since, until = filter_options(filters)
        ours = make_filters(list(outlets), since, until)
    elif isinstance(filters, Filters):
        ours = filters
    else:
        raise TypeError(f"filters are llama-index MetadataFilters or assistant.records.Filters, not {type(filters).__name__}")
    return AssistantRetriever(get_retriever(settings), k, ours)
