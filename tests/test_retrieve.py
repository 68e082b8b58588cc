"""Filtered dense search: exact over the kept rows, HNSW over-fetch and the no-index fallback all
give the true nearest chunks within the filter (every stored vector compared, the filter read
from the chunk table's metadata)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from assistant import retrieve
from assistant.config import load_settings
from assistant.retrieve import HybridRetriever, make_filters

QUESTIONS = [
    "Where will Biden and Putin meet?",
    "What did Putin send to Obama on Independence Day?",
    "Which leaders did Putin send telegrams to?",
]
FILTERS = [
    make_filters(outlets=["RT"]),
    make_filters(since=date(2020, 1, 1)),
    make_filters(until=date(2017, 12, 31)),
    make_filters(outlets=["Reuters", "rt"], since=date(2016, 1, 1)),
]


@pytest.fixture(scope="module")
def retriever(built_index):
    return HybridRetriever(load_settings(index_dir=built_index))


def _chroma_filtered(r: HybridRetriever, vector, k, filters):
    """The k nearest chunks within the filters, by brute force over every stored chunk."""
    outlets = {o.lower() for o in filters.outlets}
    rows = [(cid, v) for cid, _, md, v in r.store.iter_chunks()
            if (not outlets or md["outlet"].lower() in outlets)
            and (filters.since is None or md["published_key"] >= filters.since)
            and (filters.until is None or 0 <= md["published_key"] <= filters.until)]
    sims = np.stack([v for _, v in rows]) @ vector
    return [rows[i][0] for i in np.argsort(-sims)[:k]]


@pytest.mark.parametrize("filters", FILTERS)
def test_exact_filtered_search_matches_chroma(retriever, filters):
    index = retriever.search_index()
    keep = index.vectors.keep(filters)
    assert 0 < keep.sum() < len(keep)
    for q in QUESTIONS:
        v = retriever.embedder.embed_query(q)
        ours = retriever.dense(q, 5, filters, v, index, keep)
        assert [cid for cid, _ in ours] == _chroma_filtered(retriever, v, 5, filters)
        stored = {c.id: c for c in retriever.store.get_chunks([cid for cid, _ in ours])}
        assert all(filters.outlets == () or stored[cid].meta.outlet.lower() in {o.lower() for o in filters.outlets} for cid, _ in ours)


@pytest.mark.parametrize("filters", FILTERS)
def test_overfetch_path_matches_chroma(retriever, filters, monkeypatch):
    """The path a large corpus takes: unfiltered HNSW, then the filter applied to its hits."""
    monkeypatch.setattr(retrieve, "EXACT_MAX_ROWS", 0)
    calls = []
    original = HybridRetriever._hnsw

    def spy(self, vector, k):
        calls.append((None, k))
        return original(self, vector, k)

    monkeypatch.setattr(HybridRetriever, "_hnsw", spy)
    index = retriever.search_index()
    keep = index.vectors.keep(filters)
    for q in QUESTIONS:
        v = retriever.embedder.embed_query(q)
        ours = [cid for cid, _ in retriever.dense(q, 3, filters, v, index, keep)]
        assert ours == _chroma_filtered(retriever, v, 3, filters)
    assert any(where is None and k > 3 for where, k in calls)  # the over-fetch really ran


@pytest.mark.parametrize("filters", FILTERS)
def test_without_a_search_index_hnsw_hits_are_checked_against_the_table(retriever, filters):
    """Chroma keeps no filter fields: before a search index exists, HNSW's hits are filtered by
    the chunk table's metadata."""
    for q in QUESTIONS:
        v = retriever.embedder.embed_query(q)
        ours = [cid for cid, _ in retriever.dense(q, 3, filters, v, None, None)]
        assert ours == _chroma_filtered(retriever, v, 3, filters)


def test_filter_that_keeps_nothing_returns_nothing(retriever):
    nothing = make_filters(outlets=["No Such Outlet"])
    result = retriever.retrieve("Where will Biden and Putin meet?", 6, nothing)
    assert result.passages == []
