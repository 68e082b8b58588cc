"""What ingest's store writes cost, per call, and what keeping chunk text out of Chroma saves.

Takes the chunks, vectors and sentence rows of a real ingest (no model needed) and writes them
into fresh stores two ways, alternating: `ChromaStore.replace_articles` as ingest does (Chroma
gets vectors and filter fields, the chunk table gets text, metadata and sentence vectors; the
final record write is metadata only), each underlying call timed; and the earlier layout, the
same protocol with chunk text and full metadata in Chroma (which indexes the text for
full-text search) and article records in a Chroma collection, the article text upserted again
with the final record.

    .venv/bin/python -m bench.store_writes --pool /tmp/b/ingest-1000/run0 --workdir /tmp/b/w --out w.json
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.common import log, summary, write_json
from bench.fill import load_pool


def _articles(pool):
    from assistant.records import Article
    from assistant.table import chunk_from

    out = []
    for aid, rows in pool.by_article.items():
        chunks = [chunk_from(pool.ids[r], pool.texts[r], pool.metas[r]) for r in rows]
        article = Article(id=aid, text=pool.article_docs.get(aid, ""), meta=chunks[0].meta, source_path=f"bench/{aid}",
                          content_hash=f"h-{aid}")
        sents = []
        for c in chunks:
            sp, vec, dim = pool.sentences.get(c.id, (b"", b"", 384))
            sents.append((c.id, np.frombuffer(sp, dtype=np.int32).reshape(-1, 2), np.frombuffer(vec, dtype=np.float16).reshape(-1, dim).astype(np.float32)))
        out.append((article, chunks, pool.vectors[rows], sents))
    return out


def ingest_way(store, items) -> dict[str, float]:
    """`replace_articles` on all the articles, each underlying call timed."""
    from assistant.table import ArticleWrite

    secs: dict[str, float] = defaultdict(float)
    for owner, name, label in ((store.chunks, "upsert", "chunks.upsert"), (store.chunks, "delete", "chunks.delete($in)"),
                               (store.table, "write_records", "article records (pending + complete)"),
                               (store.table, "replace_many", "chunk table")):
        fn = getattr(owner, name)

        def wrapper(*a, _fn=fn, _label=label, **k):
            t = time.perf_counter()
            try:
                return _fn(*a, **k)
            finally:
                secs[_label] += time.perf_counter() - t

        setattr(owner, name, wrapper)
    t = time.perf_counter()
    store.replace_articles([ArticleWrite(a, c, v, s) for a, c, v, s in items])
    secs["total"] = time.perf_counter() - t
    return dict(secs)


def text_in_chroma(store, items) -> dict[str, float]:
    """The earlier layout: chunk text and full metadata in Chroma, article records a Chroma
    collection with the article text written twice."""
    from assistant.table import chunk_metadata

    secs: dict[str, float] = {}
    articles = store.client.get_or_create_collection(f"{store.name}-articles", embedding_function=None)
    t0 = time.perf_counter()
    ids = [a.id for a, *_ in items]

    def records(final: bool):
        return dict(ids=ids, embeddings=[[1.0]] * len(items), documents=[a.text for a, *_ in items],
                    metadatas=[{"title": a.meta.title, "outlet": a.meta.outlet or "", "source_path": a.source_path,
                                "content_hash": a.content_hash if final else "", "n_chunks": len(c), "ingested_at": time.time()}
                               for a, c, *_ in items])

    t = time.perf_counter()
    articles.upsert(**records(False))
    secs["articles.upsert (pending)"] = time.perf_counter() - t
    t = time.perf_counter()
    store.chunks.delete(where={"article_id": {"$in": ids}})
    secs["chunks.delete($in)"] = time.perf_counter() - t
    chunks = [c for _, cs, _, _ in items for c in cs]
    vectors = np.concatenate([v for _, _, v, _ in items])
    t = time.perf_counter()
    for i in range(0, len(chunks), store._batch):
        part = chunks[i : i + store._batch]
        store.chunks.upsert(ids=[c.id for c in part], embeddings=vectors[i : i + store._batch],
                            documents=[c.text for c in part], metadatas=[chunk_metadata(c) for c in part])
    secs["chunks.upsert"] = time.perf_counter() - t
    t = time.perf_counter()
    articles.upsert(**records(True))
    secs["articles.upsert (complete)"] = time.perf_counter() - t
    secs["total"] = time.perf_counter() - t0
    return secs


def run(pool_dir: Path, workdir: Path, repeats: int) -> dict:
    from assistant.config import load_settings
    from assistant.store import ChromaStore

    pool = load_pool(pool_dir)
    items = _articles(pool)
    ways = {"ingest": ingest_way, "text_in_chroma": text_in_chroma}
    runs = {how: [] for how in ways}
    for i in range(repeats):
        for how in (list(ways) if i % 2 == 0 else list(ways)[::-1]):
            store = ChromaStore(load_settings(index_dir=workdir / f"{how}-{i}"))
            runs[how].append(ways[how](store, items))
            log(f"store writes {how} {i + 1}/{repeats}: {runs[how][-1]['total']:.2f}s")
    med = {how: {k: round(float(np.median([r[k] for r in rs])), 3) for k in rs[0]} for how, rs in runs.items()}
    return {
        "articles": len(items),
        "chunks": sum(len(c) for _, c, _, _ in items),
        "repeats": repeats,
        "median_s": med,
        "total_s": {how: summary([r["total"] for r in rs]) for how, rs in runs.items()},
        "speedup": round(med["text_in_chroma"]["total"] / med["ingest"]["total"], 2),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", type=Path, required=True, help="Index folder of a real ingest.")
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    write_json(args.out, run(args.pool, args.workdir, args.repeats))


if __name__ == "__main__":
    main()
