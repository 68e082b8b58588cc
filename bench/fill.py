"""Fill a large store for query benchmarks from a small, really ingested one.

Embedding a million chunks on two CPU cores would take days, and what a query costs does not
depend on which vectors are stored, only on how many and how they spread. So the big store
repeats the pool's real chunks (text, offsets, sentence vectors) as copies of their articles,
each copy with its own article id, an outlet drawn from the pool's outlet mix and a date
spread over three years, and the chunk vector plus Gaussian noise (sigma 0.02 per dimension,
renormalized; cosine to the original about 0.93). Rows go straight into the store's Chroma
collection (vectors and article ids) and chunk table (text, metadata, sentence spans and
vectors), and the search index (keyword index and vector file) is built from the two with
`search.rebuild`, as ingest would leave them.

    .venv/bin/python -m bench.fill --pool /tmp/b/ingest-1000/run0 --size 100000 --index /tmp/b/q100000 --out f.json
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from bench.common import du_mib, log, peak_mib, write_json

NOISE_SIGMA = 0.02
DATE_SPREAD_DAYS = 3 * 365
DATE_ORIGIN = date(2021, 6, 1)


@dataclass
class Pool:
    ids: list[str]
    texts: list[str]
    metas: list[dict]
    vectors: np.ndarray
    by_article: dict[str, list[int]]  # article id -> pool rows in chunk order
    article_docs: dict[str, str]
    article_metas: dict[str, dict]
    sentences: dict[str, tuple[bytes, bytes, int]]  # chunk id -> (spans, sentence vectors, dim)
    outlets: list[str]  # one per pool article: drawing from it keeps the outlet mix


def load_pool(index_dir: Path) -> Pool:
    from assistant.config import load_settings
    from assistant.store import open_store

    store = open_store(load_settings(index_dir=index_dir))
    ids, texts, metas, vecs = [], [], [], []
    for cid, text, md, vector in store.iter_chunks():
        ids.append(cid)
        texts.append(text)
        metas.append(md)
        vecs.append(vector)
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, md in enumerate(metas):
        by_article[md["article_id"]].append(i)
    for rows in by_article.values():
        rows.sort(key=lambda i: int(metas[i]["index"]))
    db = sqlite3.connect(store.table.path)
    sentences = {cid: (sp, v, d) for cid, sp, v, d in db.execute("SELECT chunk_id, spans, vectors, dim FROM chunks")}
    arts = {aid: (json.loads(md), text) for aid, md, text in db.execute("SELECT article_id, meta, text FROM articles")}
    db.close()
    article_metas = {aid: md for aid, (md, _) in arts.items()}
    return Pool(
        ids=ids,
        texts=texts,
        metas=metas,
        vectors=np.stack(vecs) if vecs else np.zeros((0, 384), np.float32),
        by_article=dict(sorted(by_article.items())),
        article_docs={aid: text for aid, (_, text) in arts.items()},
        article_metas=article_metas,
        sentences=sentences,
        outlets=[article_metas.get(a, {}).get("outlet", "") for a in sorted(by_article)],
    )


@dataclass
class Copy:
    article_id: str
    source: str  # the pool article it copies
    outlet: str
    published: date
    rows: list[int]  # pool rows of its chunks


def copies(pool: Pool, size: int, seed: int = 0) -> Iterator[Copy]:
    """Article copies whose chunks add up to exactly `size` (the last one may be cut short)."""
    left = size
    c = 0
    while left > 0:
        rng = random.Random(seed * 1_000_003 + c)
        for aid, rows in pool.by_article.items():
            if left <= 0:
                return
            rows = rows[:left]
            left -= len(rows)
            md = pool.metas[rows[0]]
            if c == 0:
                outlet = md.get("outlet", "")
                published = date.fromisoformat(md["published"]) if md.get("published") else DATE_ORIGIN
            else:
                outlet = rng.choice(pool.outlets)
                published = DATE_ORIGIN + timedelta(days=rng.randrange(DATE_SPREAD_DAYS))
            yield Copy(aid if c == 0 else f"{aid}~c{c}", aid, outlet, published, rows)
        c += 1


def _chunk_md(pool: Pool, row: int, copy: Copy) -> dict:
    from assistant.table import date_key

    md = dict(pool.metas[row])
    md.update(article_id=copy.article_id, outlet=copy.outlet, published=copy.published.isoformat(),
              published_key=date_key(copy.published))
    return md


def _chunk_id(pool: Pool, row: int, copy: Copy) -> str:
    return f"{copy.article_id}::{pool.metas[row]['index']}"


def fill(pool_dir: Path, size: int, index_dir: Path, seed: int = 0, finish: bool = False) -> dict:
    from assistant import search
    from assistant.config import load_settings
    from assistant.store import open_store
    from assistant.table import vector_metadata

    t_all = time.perf_counter()
    pool = load_pool(pool_dir)
    settings = load_settings(index_dir=index_dir)
    store = open_store(settings)
    if store.chunks.count() and not finish:
        raise SystemExit(f"{index_dir} already holds chunks; fill a fresh folder, or pass --finish to "
                         "build the search index of a fill that was stopped after its writes")
    batch = store._batch
    rng = np.random.default_rng(seed)
    secs = defaultdict(float)
    ids, embs, docs, mds, sent_rows, art_rows = [], [], [], [], [], []
    db = sqlite3.connect(store.table.path)
    written = 0

    def flush() -> None:
        nonlocal written
        if ids:
            t = time.perf_counter()
            e = np.stack(embs) + rng.normal(0, NOISE_SIGMA, (len(embs), pool.vectors.shape[1])).astype(np.float32)
            e /= np.linalg.norm(e, axis=1, keepdims=True)
            secs["vectors_s"] += time.perf_counter() - t
            t = time.perf_counter()
            store.chunks.add(ids=list(ids), embeddings=e, metadatas=[vector_metadata(md["article_id"]) for md in mds])
            secs["chroma_chunks_s"] += time.perf_counter() - t
            written += len(ids)
            t = time.perf_counter()
            with db:
                db.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [(cid, md["article_id"], text, json.dumps(md), *sent)
                                for cid, text, md, sent in zip(ids, docs, mds, sent_rows)])
            secs["table_s"] += time.perf_counter() - t
        if art_rows:
            t = time.perf_counter()
            store.table.write_records([(aid, md, text) for aid, text, md in art_rows])
            secs["article_records_s"] += time.perf_counter() - t
        for buf in (ids, embs, docs, mds, sent_rows, art_rows):
            buf.clear()

    now = time.time()
    logged = 0
    for copy in [] if finish else copies(pool, size, seed):
        for row in copy.rows:
            cid = _chunk_id(pool, row, copy)
            ids.append(cid)
            embs.append(pool.vectors[row])
            docs.append(pool.texts[row])
            mds.append(_chunk_md(pool, row, copy))
            sent_rows.append(pool.sentences.get(pool.ids[row], (b"", b"", 384)))
        amd = dict(pool.article_metas.get(copy.source, {}))
        amd.update(outlet=copy.outlet, published=copy.published.isoformat(), n_chunks=len(copy.rows),
                   content_hash=f"synthetic-{copy.article_id}", ingested_at=now)
        art_rows.append((copy.article_id, pool.article_docs.get(copy.source, ""), amd))
        if len(ids) >= batch:
            flush()
        if written // 50_000 > logged:
            logged = written // 50_000
            log(f"fill {size}: {written} chunks written")
    flush()
    db.close()

    t = time.perf_counter()
    state = search.index_state(store.fingerprint())
    secs["fingerprint_s"] = time.perf_counter() - t
    t = time.perf_counter()
    search.rebuild(search.search_root(settings), state, store.iter_chunks())
    secs["bm25_build_s"] = time.perf_counter() - t
    total = time.perf_counter() - t_all
    bm25_dir = index_dir / "search"
    sentences_mib = sum(du_mib(p) for p in index_dir.glob("chunks-*"))
    all_mib = du_mib(index_dir)
    result = {
        "size": size,
        "chunks": store.chunks.count(),
        "articles": store.table.article_count(),
        "pool_chunks": len(pool.ids),
        "pool_articles": len(pool.by_article),
        "seconds": {k: round(v, 2) for k, v in secs.items()} | {"total_s": round(total, 2)},
        "chroma_chunks_per_s": round(written / secs["chroma_chunks_s"], 1) if secs["chroma_chunks_s"] else None,
        "disk_mib": {"total": all_mib, "bm25": du_mib(bm25_dir), "chunk_table": round(sentences_mib, 1),
                     "chroma": round(all_mib - du_mib(bm25_dir) - sentences_mib, 1)},
        "peak_mib": peak_mib(),
        "index_dir": str(index_dir),
        "method": f"pool of {len(pool.ids)} really ingested chunks repeated as article copies; vectors + N(0, {NOISE_SIGMA}) "
        "renormalized; outlets drawn from the pool's mix, dates spread over 3 years",
    }
    log(f"fill {size}: {result['seconds']}")
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", type=Path, required=True, help="Index folder of a real ingest to copy from.")
    ap.add_argument("--size", type=int, required=True, help="Chunks to write.")
    ap.add_argument("--index", type=Path, required=True, help="Fresh index folder to fill.")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True, help="Where to write the JSON result.")
    ap.add_argument("--finish", action="store_true",
                    help="Skip the writes (already done by a stopped fill) and build the search index.")
    args = ap.parse_args(argv)
    write_json(args.out, fill(args.pool, args.size, args.index, args.seed, args.finish))


if __name__ == "__main__":
    main()
