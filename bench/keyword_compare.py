"""Our BM25 index (`assistant.bm25`) beside tantivy (issue #18), on the same chunks, in one run.

Both engines index the same rows a filled store holds (`bench.fill`'s article copies of a pool
of real chunks: text, headline, outlet, date) and are fed the same terms: our analyzer
(`assistant.text.terms` of headline + text, plus the year term, as `bm25_segment` makes them)
is run in Python for both, and tantivy indexes the terms joined by spaces with its
`whitespace` tokenizer (frequencies, no positions), so both score BM25 over identical
documents. The scoring differs only in tantivy's own constants (k1 = 1.2 against our 1.5, b =
0.75 both; not settable from Python) and its one-byte quantized document lengths. Outlet (raw, lower-cased) and date (YYYYMMDD integer) are tantivy fast
fields; filters are `Must` clauses of constant score 0 (a term set and a range query).

The rows are made in memory from the pool (no Chroma, no SQLite, no embedding): what the
keyword index costs depends on the texts and their number only. The pool is the package's
own chunks of `bench.corpus_gen`'s 10,000-chunk article set (chunked, not embedded).

Each build, memory reading and add runs in its own process (peak = VmHWM / ru_maxrss of that
process); engines alternate. Queries: one process opens both indexes and asks every question
of both, alternating which engine goes first, with and without filters.

    .venv/bin/python -m bench.keyword_compare run --sizes 10000,100000,1000000 --workdir /tmp/kwbench --out kw.json
    .venv/bin/python -m bench.keyword_compare agree --index /tmp/dev-index --out agree.json   # an ingested store
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import numpy as np

from bench.common import PYTHON, ROOT, bench_env, du_mib, log, peak_mib, summary, write_json

POOL_CHUNKS = 10_000
K = 24  # what retrieve asks BM25 for: top_k (6) x OVERFETCH (4)
TV_HEAP = 256_000_000
TV_THREADS = 1


# Rows -------------------------------------------------------------------------------------


def make_pool(path: Path) -> None:
    """The package's chunks of the 10,000-chunk article set, with metadata as ingest writes it."""
    from assistant.chunk import TokenCounter, chunk_article
    from assistant.config import load_settings
    from assistant.records import Article, ArticleMeta
    from assistant.table import chunk_metadata
    from bench.corpus_gen import build_articles

    s = load_settings()
    counter = TokenCounter(s.model_path())
    records, info = build_articles(POOL_CHUNKS, counter, s.chunk_max_tokens, s.chunk_overlap_sentences)
    ids, texts, metas = [], [], []
    for rec in records:
        meta = ArticleMeta(title=rec["title"], published=date.fromisoformat(rec["published"]), outlet=rec["outlet"] or None,
                           author=rec["author"] or None, url=rec["url"] or None)
        art = Article(id=rec["id"], text=rec["text"], meta=meta, source_path="", content_hash="")
        for ch in chunk_article(art, counter, s.chunk_max_tokens, s.chunk_overlap_sentences):
            ids.append(ch.id)
            texts.append(ch.text)
            metas.append(chunk_metadata(ch))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps({"ids": ids, "texts": texts, "metas": metas, "info": info}))
    log(f"pool: {len(ids)} chunks of {len(records)} articles -> {path}")


def load_pool(path: Path):
    from collections import defaultdict

    from bench.fill import Pool

    d = pickle.loads(path.read_bytes())
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, md in enumerate(d["metas"]):
        by_article[md["article_id"]].append(i)
    vectors = np.random.default_rng(0).normal(size=(len(d["ids"]), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    first = {aid: d["metas"][rows[0]] for aid, rows in by_article.items()}
    return Pool(ids=d["ids"], texts=d["texts"], metas=d["metas"], vectors=vectors,
                by_article=dict(sorted(by_article.items())), article_docs={}, article_metas=first,
                sentences={}, outlets=[first[a].get("outlet", "") for a in sorted(by_article)])


def filled_rows(pool, size: int, seed: int = 0) -> Iterator[tuple[str, str, dict, np.ndarray]]:
    """The rows `bench.fill` writes for a store of `size` chunks (vectors: the pool's, unnoised)."""
    from bench.fill import _chunk_id, _chunk_md, copies

    for copy in copies(pool, size, seed):
        for row in copy.rows:
            yield _chunk_id(pool, row, copy), pool.texts[row], _chunk_md(pool, row, copy), pool.vectors[row]


def added_article(pool, n: int) -> tuple[str, list[tuple[str, str, dict, np.ndarray]]]:
    """A new article (a pool article's chunks under a new id) for the add-one-article test."""
    from bench.fill import Copy, _chunk_id, _chunk_md

    aid = list(pool.by_article)[n % len(pool.by_article)]
    copy = Copy(f"added-{n}-{os.getpid()}", aid, "added outlet", date(2024, 6, 1), pool.by_article[aid])
    return copy.article_id, [(_chunk_id(pool, r, copy), pool.texts[r], _chunk_md(pool, r, copy), pool.vectors[r]) for r in copy.rows]


def store_rows(index_dir: Path) -> list[tuple[str, str, dict, np.ndarray]]:
    """Every chunk of an ingested store's chunk table (read only)."""
    table = next(index_dir.glob("chunks-*.sqlite"))
    db = sqlite3.connect(f"file:{table}?mode=ro", uri=True)
    try:
        return [(cid, text, json.loads(md), np.frombuffer(v, dtype=np.float32))
                for cid, text, md, v in db.execute("SELECT chunk_id, text, meta, vector FROM chunks ORDER BY rowid")]
    finally:
        db.close()


# Tantivy, fed our terms -------------------------------------------------------------------


def doc_terms(text: str, md: dict) -> list[str]:
    """A chunk's terms exactly as `bm25_segment.Segment.write` makes them."""
    from assistant.bm25_segment import _date_terms
    from assistant.text import terms

    return terms(f"{md.get('title', '')} {text}") + _date_terms(md)


def tv_schema():
    import tantivy as tv

    sb = tv.SchemaBuilder()
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("article", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("outlet", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("date", indexed=True, fast=True)
    return sb.build()


def tv_add(writer, rows: Iterable[tuple[str, str, dict, np.ndarray]]) -> int:
    import tantivy as tv

    n = 0
    for cid, text, md, _ in rows:
        doc = tv.Document()
        doc.add_text("body", " ".join(doc_terms(text, md)))
        doc.add_text("id", cid)
        doc.add_text("article", md["article_id"])
        doc.add_text("outlet", (md.get("outlet") or "").lower())
        doc.add_integer("date", int(md.get("published_key", -1)))
        writer.add_document(doc)
        n += 1
    return n


def tv_build(folder: Path, rows) -> dict:
    import tantivy as tv

    folder.mkdir(parents=True, exist_ok=True)
    index = tv.Index(tv_schema(), path=str(folder), reuse=False)
    writer = index.writer(heap_size=TV_HEAP, num_threads=TV_THREADS)
    t = time.perf_counter()
    n = tv_add(writer, rows)
    add_s = time.perf_counter() - t
    writer.commit()
    commit_s = time.perf_counter() - t - add_s
    writer.wait_merging_threads()
    index.reload()
    return {"rows": n, "add_docs_s": round(add_s, 2), "commit_s": round(commit_s, 2),
            "merge_wait_s": round(time.perf_counter() - t - add_s - commit_s, 2), "segments": index.searcher().num_segments}


class TantivyKeyword:
    """Search a tantivy index with our query terms and our filters (`assistant.bm25.Filters`)."""

    def __init__(self, folder: Path):
        import tantivy as tv

        self.tv = tv
        self.index = tv.Index.open(str(folder))
        self.schema = self.index.schema

    def query(self, text: str, filters):
        from assistant.text import terms

        tv = self.tv
        q = Counter(terms(text))
        if not q:
            return None
        clauses = []
        for t, n in q.items():
            tq = tv.Query.term_query(self.schema, "body", t)
            clauses.append((tv.Occur.Should, tq if n == 1 else tv.Query.boost_query(tq, float(n))))
        query = tv.Query.boolean_query(clauses)
        must = []
        if filters.outlets:
            must.append(tv.Query.term_set_query(self.schema, "outlet", [o.lower() for o in filters.outlets]))
        if filters.since is not None or filters.until is not None:
            lo = filters.since if filters.since is not None else 0
            hi = filters.until if filters.until is not None else 99_999_999
            # Through the term dictionary, not the fast-field column: at 1M chunks a since filter
            # keeping 10% took 13.1 ms at p50 by the column scan, 6.9 ms so (short questions).
            must.append(tv.Query.range_query(self.schema, "date", tv.FieldType.Integer, lower_bound=lo, upper_bound=hi,
                                             use_inverted_index=True))
        if must:
            query = tv.Query.boolean_query([(tv.Occur.Must, query)] + [(tv.Occur.Must, tv.Query.const_score_query(m, 0.0)) for m in must])
        return query

    def search(self, text: str, k: int, filters) -> list[tuple[str, float]]:
        query = self.query(text, filters)
        if query is None:
            return []
        searcher = self.index.searcher()
        hits = searcher.search(query, k, count=False).hits
        return [(searcher.doc(addr).get_first("id"), score) for score, addr in hits]


# Child processes --------------------------------------------------------------------------


def _peaks() -> dict:
    """Peak memory, and the process's CPU seconds so far (all threads: less swayed by a busy machine than wall time)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"vmhwm_mib": peak_mib(), "ru_maxrss_mib": round(ru.ru_maxrss / 1024, 1), "process_cpu_s": round(ru.ru_utime + ru.ru_stime, 2)}


def child_build(engine: str, size: int, pool_path: Path, folder: Path, k1: float | None = None) -> dict:
    if k1 is not None:  # our index scored with another k1 (tantivy's is 1.2), to tell parameters from engines
        import assistant.bm25_segment as segment

        segment.K1 = k1
    shutil.rmtree(folder, ignore_errors=True)
    rows = filled_rows(load_pool(pool_path), size) if size else store_rows(pool_path)
    baseline = peak_mib()  # the pool (or the store's rows), held by both engines' builds alike
    t = time.perf_counter()
    if engine == "ours":
        from assistant.bm25 import KeywordIndex

        KeywordIndex.build(folder, rows, "bench")
        extra = {}
    else:
        extra = tv_build(folder, rows)
    secs = time.perf_counter() - t
    out = {"engine": engine, "size": size, "build_s": round(secs, 2), "disk_mib": du_mib(folder), **extra, **_peaks(),
           "rows_in_memory_before_build_mib": baseline}
    if engine == "ours":
        out["disk_mib_without_vectors"] = round(out["disk_mib"] - sum(du_mib(p) for p in folder.rglob("vectors.f32")), 1)
    return out


def open_engine(engine: str, folder: Path):
    if engine == "ours":
        from assistant.bm25 import KeywordIndex

        return KeywordIndex.load(folder)
    return TantivyKeyword(folder)


def child_add(engine: str, pool_path: Path, folder: Path, n: int) -> dict:
    """Open the index as ingest would, add one new article, make it visible to a reader."""
    pool = load_pool(pool_path)
    aid, rows = added_article(pool, n)
    baseline = peak_mib()
    t0 = time.perf_counter()
    if engine == "ours":
        from assistant.bm25 import KeywordIndex

        idx = KeywordIndex.load(folder)
        t1 = time.perf_counter()
        idx.update(rows, {aid}, f"bench-add-{n}-{os.getpid()}")
        t2 = time.perf_counter()
        reader = KeywordIndex.load(folder)  # what a retriever in another process does next
        t3 = time.perf_counter()
        segments = len(reader.segments)
        # its outlet is its own: a filled store's copies of the same text tie with it
        found = any(cid == rows[0][0] for cid, _ in reader.search(rows[0][1], 50, _only_added()))
        merge_wait = 0.0
    else:
        import tantivy as tv

        index = tv.Index.open(str(folder))
        writer = index.writer(heap_size=50_000_000, num_threads=1)
        t1 = time.perf_counter()
        writer.delete_documents_by_term("article", aid)
        tv_add(writer, rows)
        writer.commit()
        t2 = time.perf_counter()
        reader = TantivyKeyword(folder)  # a reader in another process
        t3 = time.perf_counter()
        segments = reader.index.searcher().num_segments
        found = any(cid == rows[0][0] for cid, _ in reader.search(rows[0][1], 50, _only_added()))
        t4 = time.perf_counter()
        writer.wait_merging_threads()  # a CLI ingest must wait for merges before it exits
        merge_wait = time.perf_counter() - t4
    return {"engine": engine, "open_s": round(t1 - t0, 3), "add_commit_s": round(t2 - t1, 3), "reader_open_s": round(t3 - t2, 3),
            "total_s": round(t3 - t0, 3), "merge_wait_s": round(merge_wait, 3), "segments_after": segments,
            "new_chunk_found": found, "chunks_added": len(rows), **_peaks(), "pool_in_memory_before_mib": baseline}


def _only_added():
    from assistant.bm25 import Filters

    return Filters(outlets=("added outlet",))


def child_memory(engine: str, folder: Path, questions: list[str], variants: dict) -> dict:
    """Peak memory of a process that opens one engine's index and asks every question once per filter."""
    from assistant.bm25 import Filters

    t = time.perf_counter()
    idx = open_engine(engine, folder)
    open_s = time.perf_counter() - t
    for q in questions:
        for v in variants.values():
            f = Filters(**v)
            idx.search(q, K, f)
    return {"engine": engine, "open_s": round(open_s, 3), **_peaks()}


def filter_variants(ours) -> dict[str, dict]:
    """No filter, the commonest outlet (as bench.query_bench), and a since date keeping ~10%."""
    codes = np.bincount(ours.outlet_codes, minlength=len(ours.outlets))
    named = [i for i, o in enumerate(ours.outlets) if o]
    outlet = ours.outlets[max(named, key=lambda i: codes[i])] if named else ""
    keys = ours.date_keys[ours.date_keys > 0]
    since = int(np.quantile(keys, 0.9))
    return {"none": {}, "outlet": {"outlets": (outlet,)}, "since": {"since": since}}


def child_query(folders: dict[str, Path], question_sets: dict[str, list[str]], repeats: int, warmup: int) -> dict:
    """Both engines in one process, every question with and without filters, alternating order."""
    from assistant.bm25 import Filters

    engines = {e: open_engine(e, f) for e, f in folders.items()}
    ours = engines["ours"]
    variants = filter_variants(ours)
    selectivity = {v: (1.0 if not kw else float(ours.keep(Filters(**kw)).mean())) for v, kw in variants.items()}
    for qs in question_sets.values():
        for q in qs[:warmup]:
            for kw in variants.values():
                for idx in engines.values():
                    idx.search(q, K, Filters(**kw))
    ms: dict[str, list[float]] = {}
    ratio: dict[str, list[float]] = {}
    keep_ms: dict[str, list[float]] = {}
    names = list(engines)
    for r in range(repeats):
        for set_name, qs in question_sets.items():
            for qi, q in enumerate(qs):
                for vname, kw in variants.items():
                    f = Filters(**kw)
                    order = names if (qi + r) % 2 == 0 else names[::-1]
                    took = {}
                    for e in order:
                        t = time.perf_counter()
                        engines[e].search(q, K, f)
                        took[e] = (time.perf_counter() - t) * 1000
                        ms.setdefault(f"{set_name}|{vname}|{e}", []).append(took[e])
                    ratio.setdefault(f"{set_name}|{vname}", []).append(took["tantivy"] / max(took["ours"], 1e-6))
                    if kw:
                        t = time.perf_counter()
                        ours.keep(f)
                        keep_ms.setdefault(vname, []).append((time.perf_counter() - t) * 1000)
        log(f"query repeat {r + 1}/{repeats}")
    table = []
    for key, xs in ms.items():
        set_name, vname, e = key.split("|")
        table.append({"questions": set_name, "filter": vname, "engine": e, **{k: round(v, 3) if isinstance(v, float) else v for k, v in summary(xs).items()}})
    return {
        "variants": {k: {"filter": {a: list(b) if isinstance(b, tuple) else b for a, b in v.items()}, "kept": round(selectivity[k], 4)} for k, v in variants.items()},
        "latency_ms": table,
        "ratio_tantivy_over_ours_per_question": {k: {"p50": round(statistics.median(v), 3), "n": len(v)} for k, v in ratio.items()},
        "ours_filter_mask_ms_p50": {k: round(statistics.median(v), 3) for k, v in keep_ms.items()},
        "question_words_p50": {k: statistics.median(len(q.split()) for q in v) for k, v in question_sets.items()},
        "tantivy_segments": engines["tantivy"].index.searcher().num_segments,
        "ours_segments": len(ours.segments),
        **_peaks(),
    }


def child_overlap(folders: dict[str, Path], question_sets: dict[str, list[str]], repeats: int) -> dict:
    """Retrieval runs BM25 in a thread while the question is embedded (ONNX Runtime): does each
    engine let the embedding run beside it? Per question and engine, alternating: BM25 alone,
    the embedding alone, and both side by side (wall ms)."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.bm25 import Filters
    from assistant.config import load_settings
    from assistant.embed import get_embedder

    embedder = get_embedder(load_settings())
    engines = {e: open_engine(e, f) for e, f in folders.items()}
    pool = ThreadPoolExecutor(max_workers=1)
    for q in list(question_sets.values())[0][:5]:
        embedder.embed_query(q)
        for idx in engines.values():
            pool.submit(idx.search, q, K, Filters()).result()
    ms: dict[str, list[float]] = {}
    names = list(engines)
    for r in range(repeats):
        for set_name, qs in question_sets.items():
            for qi, q in enumerate(qs):
                t = time.perf_counter()
                embedder.embed_query(q)
                ms.setdefault(f"{set_name}|embed alone", []).append((time.perf_counter() - t) * 1000)
                for e in (names if (qi + r) % 2 == 0 else names[::-1]):
                    t = time.perf_counter()
                    pool.submit(engines[e].search, q, K, Filters()).result()
                    ms.setdefault(f"{set_name}|{e} alone (in the thread)", []).append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    fut = pool.submit(engines[e].search, q, K, Filters())
                    embedder.embed_query(q)
                    fut.result()
                    ms.setdefault(f"{set_name}|{e} beside the embedding", []).append((time.perf_counter() - t) * 1000)
    return {k: {m: round(v, 3) if isinstance(v, float) else v for m, v in summary(xs).items()} for k, xs in ms.items()}


def source_key(cid: str) -> str:
    """The pool chunk a filled-store chunk copies ("mh012~v1~c3::2" -> "mh012~v1::2")."""
    aid, _, n = cid.rpartition("::")
    return f"{aid.split('~c')[0]}::{n}"


def _pair(a: list[str], b: list[str]) -> dict:
    return {"overlap": len(set(a) & set(b)) / max(len(a), len(b), 1), "top1": bool(a and b and a[0] == b[0]), "same": a == b}


def child_agree(folders: dict[str, Path], questions: dict, filled: bool, k: int = 10) -> dict:
    """Top-k agreement between the engines on the same chunks, and (where the questions name
    their gold articles) how often each engine's first chunk is from a gold article.

    On a filled store every text is held under many ids (10 at 100k, 100 at 1M) with equal
    scores, so a top 10 is mostly copies of one or two texts: there, the first hit's text is
    compared (`top1_same_text`), and the id overlap is shown but says little."""
    from assistant.bm25 import Filters

    engines = {e: open_engine("ours" if e.startswith("ours") else e, f) for e, f in folders.items()}
    names = list(engines)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    out = {}
    for set_name, qs in questions["sets"].items():
        gold = questions.get("gold", {}).get(set_name)
        key = "title" if set_name.endswith("_by_title") else "article_id"
        stats: dict[str, list] = {}
        n = 0
        for qi, q in enumerate(qs):
            hits = {e: [c for c, _ in idx.search(q, k, Filters())] for e, idx in engines.items()}
            if not any(hits.values()):
                continue
            n += 1
            for a, b in pairs:
                for m, v in _pair(hits[a], hits[b]).items():
                    stats.setdefault(f"{a}_vs_{b}:{m}", []).append(v)
                if filled:
                    sa, sb = [source_key(c) for c in hits[a]], [source_key(c) for c in hits[b]]
                    stats.setdefault(f"{a}_vs_{b}:top1_same_text", []).append(bool(sa and sb and sa[0] == sb[0]))
            if gold is not None and gold[qi]:
                for e, h in hits.items():
                    arts = [questions["chunk_" + key][c] for c in h if c in questions["chunk_" + key]]
                    stats.setdefault(f"{e}:gold_hit@1", []).append(bool(arts and arts[0] in gold[qi]))
                    stats.setdefault(f"{e}:gold_recall@{k}", []).append(len(set(arts) & set(gold[qi])) / len(set(gold[qi])))
        out[set_name] = {"questions": len(qs), "with_hits": n, **{m: round(float(np.mean(v)), 4) for m, v in sorted(stats.items())}}
    return out


# Questions --------------------------------------------------------------------------------


def short_questions() -> list[str]:
    """The eval sets' questions (dev + test, answerable or not): about 15 words."""
    qs = []
    for name in ("news.jsonl", "test.jsonl"):
        qs += [json.loads(line)["question"] for line in (ROOT / "evals" / name).read_text().splitlines() if line.strip()]
    return qs


def long_questions(n: int) -> list[str]:
    from bench.corpus_gen import sample_queries

    return sample_queries(n)


# Orchestration ----------------------------------------------------------------------------


def _child(args: list[str]) -> dict:
    out = Path(args[args.index("--json") + 1])
    cmd = [PYTHON, "-m", "bench.keyword_compare", *args]
    log("$ " + " ".join(cmd[1:]))
    proc = subprocess.run(cmd, cwd=ROOT, env=bench_env())
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}): {' '.join(args)}")
    return json.loads(out.read_text())


def run(sizes: list[int], work: Path, n_long: int, repeats: int, adds: int, build_repeats: int, build: bool = True) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    pool = work / "pool.pkl"
    if not pool.exists():
        make_pool(pool)
    result: dict = {"pool": pickle.loads(pool.read_bytes())["info"] | {"chunks": len(pickle.loads(pool.read_bytes())["ids"])},
                    "k": K, "tantivy_writer": {"heap_size": TV_HEAP, "num_threads": TV_THREADS}, "sizes": {}}
    import tantivy

    result["tantivy_version"] = {"pip": _dist_version("tantivy"), "__version__": getattr(tantivy, "__version__", None)}
    result["loadavg_start"] = os.getloadavg()
    for size in sizes:
        r: dict = {"builds": [], "adds": []}
        folders = {"ours": work / f"ours-{size}", "tantivy": work / f"tantivy-{size}"}
        reps = build_repeats if size < 1_000_000 else 1
        if not build:  # reuse the indexes (and build figures) of an earlier run in this workdir
            r["builds"] = [json.loads(p.read_text()) for p in sorted(work.glob(f"build-*-{size}-*.json"))]
            reps = 0
        for b in range(reps):
            order = ["ours", "tantivy"] if b % 2 == 0 else ["tantivy", "ours"]
            for e in order:
                r["builds"].append(_child(["child-build", "--engine", e, "--size", str(size), "--pool", str(pool),
                                           "--folder", str(folders[e]), "--json", str(work / f"build-{e}-{size}-{b}.json")]))
        qfile = work / "questions.json"
        qfile.write_text(json.dumps({"short": short_questions(), "long": long_questions(n_long)}))
        r["query"] = _child(["child-query", "--ours", str(folders["ours"]), "--tantivy", str(folders["tantivy"]),
                             "--questions", str(qfile), "--repeats", str(repeats), "--json", str(work / f"query-{size}.json")])
        r["overlap"] = _child(["child-overlap", "--ours", str(folders["ours"]), "--tantivy", str(folders["tantivy"]),
                               "--questions", str(qfile), "--repeats", "1", "--json", str(work / f"overlap-{size}.json")])
        variants = {k: v["filter"] for k, v in r["query"]["variants"].items()}
        (work / "variants.json").write_text(json.dumps(variants))
        r["memory"] = [_child(["child-memory", "--engine", e, "--folder", str(folders[e]), "--questions", str(qfile),
                               "--variants", str(work / "variants.json"), "--json", str(work / f"mem-{e}-{size}.json")])
                       for e in ("ours", "tantivy", "tantivy", "ours")]
        if size >= 100_000:
            r["agree"] = _child(["child-agree", "--ours", str(folders["ours"]), "--tantivy", str(folders["tantivy"]),
                                 "--questions", str(qfile), "--filled", "--json", str(work / f"agree-{size}.json")])
        for n in range(adds):
            for e in (["ours", "tantivy"] if n % 2 == 0 else ["tantivy", "ours"]):
                r["adds"].append(_child(["child-add", "--engine", e, "--pool", str(pool), "--folder", str(folders[e]), "--n", str(n),
                                         "--json", str(work / f"add-{e}-{size}-{n}.json")]))
        result["sizes"][str(size)] = r
        write_json(work / "partial.json", result)
    result["loadavg_end"] = os.getloadavg()
    return result


def agree_store(index_dir: Path, work: Path, n_long: int) -> dict:
    """Build our index (k1 1.5, and again with tantivy's k1 1.2) and tantivy over an ingested
    store's chunks; compare their top 10 and their gold-article hits."""
    work.mkdir(parents=True, exist_ok=True)
    folders = {"ours": work / "agree-ours", "ours_k1_1.2": work / "agree-ours-k12", "tantivy": work / "agree-tantivy"}
    builds = []
    for e, f in folders.items():
        args = ["child-build", "--engine", "tantivy" if e == "tantivy" else "ours", "--size", "0", "--pool", str(index_dir),
                "--folder", str(f), "--json", str(work / f"agree-build-{e}.json")]
        builds.append(_child(args + (["--k1", "1.2"] if e == "ours_k1_1.2" else [])))
    rows = store_rows(index_dir)
    short = [json.loads(line) for name in ("news.jsonl", "test.jsonl")
             for line in (ROOT / "evals" / name).read_text().splitlines() if line.strip()]
    from bench.corpus_gen import SAMPLE

    mh = json.loads((SAMPLE / "sample500_queries.json").read_text())["queries"][:n_long]
    truth = json.loads((SAMPLE / "sample500_ground_truth.json").read_text())
    articles = {md["article_id"] for _, _, md, _ in rows}
    titles = {md.get("title", "") for _, _, md, _ in rows}
    questions = {"sets": {"short": [r["question"] for r in short], "long": [q["question"] for q in mh]}, "gold": {}}
    if any(a in articles for r in short for a in r.get("gold_articles", [])):  # the eval set's own corpus
        questions["gold"]["short"] = [[a for a in r.get("gold_articles", []) if a in articles] for r in short]
    if any(ev["title"].strip() in titles for q in mh for ev in truth.get(q["id"], {}).get("evidence_list", [])):
        questions["gold"]["long_by_title"] = [sorted({ev["title"].strip() for ev in truth.get(q["id"], {}).get("evidence_list", [])}) for q in mh]
        questions["sets"]["long_by_title"] = questions["sets"].pop("long")
    questions["chunk_article_id"] = {cid: md["article_id"] for cid, _, md, _ in rows}
    if "long_by_title" in questions["gold"]:
        questions["chunk_title"] = {cid: md.get("title", "").strip() for cid, _, md, _ in rows}
    qfile = work / "agree-questions.json"
    qfile.write_text(json.dumps(questions))
    agree = _child(["child-agree", "--engines", json.dumps({e: str(f) for e, f in folders.items()}),
                    "--questions", str(qfile), "--json", str(work / "agree.json")])
    return {"index_dir": str(index_dir), "chunks": len(rows), "articles": len(articles), "builds": builds, "agree": agree}


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def print_table(result: dict) -> None:
    for size, r in result.get("sizes", {}).items():
        print(f"\n== {int(size):,} chunks")
        for b in r["builds"]:
            print(f"build {b['engine']:8s} {b['build_s']:8.1f} s  peak {b['vmhwm_mib']:8.1f} MiB  disk {b['disk_mib']:8.1f} MiB"
                  + (f" (w/o vectors {b['disk_mib_without_vectors']})" if "disk_mib_without_vectors" in b else f"  segments {b.get('segments')}"))
        q = r["query"]
        for row in sorted(q["latency_ms"], key=lambda x: (x["questions"], x["filter"], x["engine"])):
            print(f"query {row['questions']:5s} {row['filter']:6s} {row['engine']:8s} p50 {row['p50']:7.2f}  p95 {row['p95']:7.2f}  n {row['n']}")
        for key, v in q["ratio_tantivy_over_ours_per_question"].items():
            print(f"ratio tantivy/ours {key:14s} p50 {v['p50']:.3f}")
        for m in r["memory"]:
            print(f"memory {m['engine']:8s} open {m['open_s']:.3f} s  peak {m['vmhwm_mib']} MiB")
        for a in r["adds"]:
            print(f"add {a['engine']:8s} total {a['total_s']:.3f} s (open {a['open_s']}, add+commit {a['add_commit_s']}, reader {a['reader_open_s']}) merge wait {a['merge_wait_s']} peak {a['vmhwm_mib']} found {a['new_chunk_found']}")
        for key, v in r.get("overlap", {}).items():
            print(f"beside embedding {key:45s} p50 {v['p50']:7.2f}  p95 {v['p95']:7.2f}")
        if "agree" in r:
            print("agree", json.dumps(r["agree"]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run", help="Builds, queries, memory, adds and agreement at each size, engines alternating.")
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/kwbench"))
    p.add_argument("--long", type=int, default=100, help="MultiHop-RAG questions (long) asked; the 199 eval questions are the short set.")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--adds", type=int, default=3, help="Articles added per engine (each in its own process).")
    p.add_argument("--build-repeats", type=int, default=2, help="Builds per engine below 1M (1M: one).")
    p.add_argument("--no-build", action="store_true", help="Reuse the indexes of an earlier run in --workdir.")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("agree", help="Top-10 agreement on an ingested store's chunks.")
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/kwbench-agree"))
    p.add_argument("--long", type=int, default=500)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("table", help="Print a run's JSON as tables.")
    p.add_argument("json", type=Path)
    for name in ("child-build", "child-add", "child-memory", "child-query", "child-agree", "child-overlap"):
        c = sub.add_parser(name)
        c.add_argument("--engine")
        c.add_argument("--size", type=int)
        c.add_argument("--pool", type=Path)
        c.add_argument("--folder", type=Path)
        c.add_argument("--ours", type=Path)
        c.add_argument("--tantivy", type=Path)
        c.add_argument("--questions", type=Path)
        c.add_argument("--variants", type=Path)
        c.add_argument("--repeats", type=int, default=2)
        c.add_argument("--n", type=int, default=0)
        c.add_argument("--filled", action="store_true")
        c.add_argument("--k1", type=float)
        c.add_argument("--engines", help="JSON: engine name -> index folder (child-agree).")
        c.add_argument("--json", type=Path, required=True)
    a = ap.parse_args(argv)
    if a.cmd == "run":
        res = run([int(s) for s in a.sizes.split(",")], a.workdir, a.long, a.repeats, a.adds, a.build_repeats, not a.no_build)
        write_json(a.out, res)
        print_table(res)
        return
    if a.cmd == "agree":
        write_json(a.out, agree_store(a.index, a.workdir, a.long))
        print(a.out.read_text())
        return
    if a.cmd == "table":
        print_table(json.loads(a.json.read_text()))
        return
    if a.cmd == "child-build":
        out = child_build(a.engine, a.size, a.pool, a.folder, a.k1)
    elif a.cmd == "child-add":
        out = child_add(a.engine, a.pool, a.folder, a.n)
    elif a.cmd == "child-memory":
        qs = json.loads(a.questions.read_text())
        variants = {k: {kk: tuple(vv) if isinstance(vv, list) else vv for kk, vv in v.items()} for k, v in json.loads(a.variants.read_text()).items()}
        out = child_memory(a.engine, a.folder, qs["short"] + qs["long"], variants)
    elif a.cmd == "child-overlap":
        out = child_overlap({"ours": a.ours, "tantivy": a.tantivy}, json.loads(a.questions.read_text()), a.repeats)
    elif a.cmd == "child-query":
        out = child_query({"ours": a.ours, "tantivy": a.tantivy}, json.loads(a.questions.read_text()), a.repeats, warmup=5)
    else:
        qs = json.loads(a.questions.read_text())
        folders = {e: Path(f) for e, f in json.loads(a.engines).items()} if a.engines else {"ours": a.ours, "tantivy": a.tantivy}
        out = child_agree(folders, qs if "sets" in qs else {"sets": qs}, a.filled)
    write_json(a.json, out)


if __name__ == "__main__":
    main()
