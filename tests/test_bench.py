"""Smoke test of the benchmark scripts at toy sizes: real model, real Chroma, no server."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench import corpus_gen, fill, ingest_bench, query_bench, report, store_writes
from bench.run import _sizes, fill_projection


def test_sizes_and_projection():
    assert _sizes("100000,1000,1_000") == [1000, 100000]
    proj = fill_projection({"a": {"chunks": 10_000, "seconds": {"total_s": 20.0}}, "b": {"chunks": 100_000, "seconds": {"total_s": 200.0}}})
    assert proj["seconds"] == 2000


def test_articles_reach_the_chunk_count(tmp_path):
    from assistant.chunk import TokenCounter
    from assistant.config import load_settings

    s = load_settings()
    records, info = corpus_gen.build_articles(12, TokenCounter(s.model_path()), s.chunk_max_tokens, s.chunk_overlap_sentences)
    assert info["chunks_expected"] >= 12 and info["distinct_titles"] > 100
    assert {"id", "title", "outlet", "published", "text"} <= set(records[0])
    path = corpus_gen.write_jsonl(records, tmp_path / "a.jsonl")
    assert len(path.read_text().splitlines()) == len(records)


def test_ingest_fill_query_and_report_at_toy_sizes(tmp_path):
    from assistant.chunk import TokenCounter
    from assistant.config import load_settings

    s = load_settings()
    records, info = corpus_gen.build_articles(8, TokenCounter(s.model_path()), s.chunk_max_tokens, s.chunk_overlap_sentences)
    source = corpus_gen.write_jsonl(records, tmp_path / "articles.jsonl")

    ing = ingest_bench.run(source, tmp_path / "ingest", repeats=1, reingest_repeats=1, subprocess_repeats=0)
    assert ing["chunks"] == info["chunks_expected"]
    assert ing["raw_vs_stored_cosine_min"] > 0.999  # raw encode saw exactly the texts ingest embedded
    assert ing["ratio_ingest_over_raw"]["p50"] > 0 and ing["reingest_embedded_chunks"] == 0

    writes = store_writes.run(Path(ing["index_dir"]), tmp_path / "writes", repeats=1)
    assert writes["chunks"] == ing["chunks"] and writes["median_s"]["ingest"]["total"] > 0

    filled = fill.fill(Path(ing["index_dir"]), 150, tmp_path / "q150")
    assert filled["chunks"] == 150 and filled["disk_mib"]["bm25"] > 0

    q = query_bench.run(tmp_path / "q150", server=False, n_queries=2, repeats=1, warmup=1)
    assert {r["filter"] for r in q["latency"]} == {"none", "outlet", "since"}
    assert all(r["retrieve_ms"]["p50"] > 0 and r["ask_ms"]["n"] == 2 for r in q["latency"])

    results = {"timestamp": "test", "mode": "smoke", "device": {"cpu_count": 2}, "ingest": {"toy": ing},
               "fill": {"150": filled}, "query": {"150": q}}
    text = report.render(json.loads(json.dumps(results, default=str)))
    assert "Targets" in text and "ingest/raw" in text
    assert report.plot(results, tmp_path / "bench.png").stat().st_size > 10_000


def test_encoder_bench_runs(built_index, capsys):
    """A few questions through bench.encoder_bench (figures printed, never asserted): the export
    loaded with SkipLayerNormFusion on (as EXPORT_VERSION 1 ran) gives the package's vector."""
    from bench import encoder_bench

    before, after = encoder_bench.encoders(None)
    assert np.abs(before.embed("Where is the summit?") - after.embed("Where is the summit?")).max() < 1e-5
    encoder_bench.run(3, 1, None)
    out = capsys.readouterr().out
    assert "short n=3" in out and "long  n=3" in out
