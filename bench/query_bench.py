"""Query latency on a filled store: retrieval and whole offline answers, embedded and server Chroma.

One process holds two `Assistant`s over the same index folder: one reads Chroma in-process,
the other a `chroma run` server started here on a copy of the Chroma files (BM25 and sentence
vectors are shared files; the BM25 object is shared in memory so it is counted once). Both
are warmed up, then every question runs with and without filters, alternating which mode goes
first. Peak memory: the client process after the server-mode warm-up (server mode), the
process at the end (embedded mode), and the server process's own peak.

    .venv/bin/python -m bench.query_bench --index /tmp/b/q100000 --server --out q.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from bench.common import PYTHON, ROOT, bench_env, du_mib, log, peak_mib, rss_mib, summary, write_json
from bench.corpus_gen import sample_queries

SINCE_QUANTILE = 0.9  # the date filter keeps about the newest tenth of the chunks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: Path, server_dir: Path, port: int) -> tuple[subprocess.Popen, float, float]:
    """Copy the Chroma files (not the search index / the chunk table) and serve them; returns (process, copy s, start s)."""
    t = time.perf_counter()
    if server_dir.exists():
        shutil.rmtree(server_dir)
    server_dir.mkdir(parents=True)
    for p in index_dir.iterdir():
        if p.name in ("bm25", "search") or p.name.startswith(("chunks-", "answers")):
            continue
        (shutil.copytree if p.is_dir() else shutil.copy2)(p, server_dir / p.name)
    copy_s = time.perf_counter() - t
    exe = str(Path(PYTHON).parent / "chroma")
    log_file = open(server_dir.parent / f"chroma-server-{port}.log", "w")
    t = time.perf_counter()
    proc = subprocess.Popen([exe, "run", "--path", str(server_dir), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log_file, stderr=subprocess.STDOUT, env=bench_env())
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    deadline = time.time() + 180
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
            break
        except Exception:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"chroma server did not start; see {log_file.name}")
            time.sleep(0.2)
    return proc, copy_s, time.perf_counter() - t


def filter_variants(index) -> dict[str, dict]:
    """No filter, the commonest outlet, and a `since` date keeping about the newest tenth."""
    from assistant.pipeline import AskOptions

    vf = index.vectors
    codes = np.bincount(vf.outlet_codes, minlength=len(vf.outlets))
    named = [i for i, o in enumerate(vf.outlets) if o]
    outlet = vf.outlets[max(named, key=lambda i: codes[i])] if named else ""
    keys = vf.date_keys[vf.date_keys > 0]
    k = int(np.quantile(keys, SINCE_QUANTILE))
    since = date(k // 10000, k // 100 % 100, k % 100)
    variants = {"none": AskOptions(), "outlet": AskOptions(outlets=(outlet,)), "since": AskOptions(since=since)}
    out = {}
    for name, opts in variants.items():
        mask = vf.keep(opts.filters())
        out[name] = {"options": opts, "selectivity": 1.0 if mask is None else float(mask.mean()),
                     "label": {"none": "no filter", "outlet": f"outlet={outlet}", "since": f"since={since}"}[name]}
    return out


def _share_search_index(src, dst) -> bool:
    """Let the second retriever use the first one's loaded search index (counted once in memory)."""
    index = src.search_index()
    if hasattr(dst, "_search") and hasattr(dst, "_state"):
        dst._search, dst._state = index, src._state
        return True
    return False


def eval_queries(n: int) -> list[str]:
    """The first n answerable questions of the project's eval set: short, as writers ask them
    (the MultiHop-RAG ones are long, so embedding the question dominates their cost)."""
    rows = [json.loads(line) for line in (ROOT / "evals" / "news.jsonl").read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows if r.get("answerable", True)][:n]


def run(index_dir: Path, server: bool, n_queries: int, repeats: int, warmup: int, question_set: str = "multihop") -> dict:
    from assistant.config import load_settings

    queries = eval_queries(n_queries) if question_set == "eval" else sample_queries(n_queries)
    settings = {"embedded": load_settings(index_dir=index_dir)}
    result: dict = {"index_dir": str(index_dir), "question_set": question_set, "queries": len(queries), "repeats": repeats, "warmup_queries": warmup,
                    "query_words_p50": float(np.median([len(q.split()) for q in queries]))}
    proc = None
    if server:
        port = free_port()
        proc, copy_s, start_s = start_server(index_dir, index_dir.parent / f"{index_dir.name}-server", port)
        result["server"] = {"copy_s": round(copy_s, 2), "start_s": round(start_s, 2), "pid": proc.pid}
        settings = {"server": load_settings(index_dir=index_dir, chroma_host="127.0.0.1", chroma_port=port), **settings}
    try:
        return _measure(settings, queries, repeats, warmup, result, proc)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


def _measure(settings, queries, repeats, warmup, result, proc) -> dict:
    from assistant.pipeline import Assistant
    from assistant.retrieve import OVERFETCH

    assistants: dict[str, Assistant] = {}
    variants = None
    first_query_s: dict[str, float] = {}
    for mode, s in settings.items():  # server first: its client-side peak is read before the embedded index loads
        t = time.perf_counter()
        a = Assistant(s)
        if assistants:
            result["bm25_shared"] = _share_search_index(next(iter(assistants.values())).retriever, a.retriever)
        assistants[mode] = a
        open_s = time.perf_counter() - t
        if variants is None:
            variants = filter_variants(a.retriever.search_index())
        t = time.perf_counter()
        a.retrieve(queries[0], variants["none"]["options"])
        first_query_s[mode] = time.perf_counter() - t
        for q in queries[:warmup]:
            for v in variants.values():
                a.retrieve(q, v["options"])
                a.ask(q, v["options"])
        result.setdefault("open_s", {})[mode] = round(open_s, 3)
        result.setdefault("client_peak_mib", {})[mode] = peak_mib()
        log(f"{mode}: opened in {open_s:.2f}s, first retrieval {first_query_s[mode]:.2f}s, warm-up done")
    result["first_retrieval_s"] = {k: round(v, 3) for k, v in first_query_s.items()}
    result["filters"] = {k: {"label": v["label"], "selectivity": round(v["selectivity"], 4)} for k, v in variants.items()}

    retrieve_ms: dict[tuple, list[float]] = defaultdict(list)
    ask_ms: dict[tuple, list[float]] = defaultdict(list)
    parts: dict[tuple, list[dict]] = defaultdict(list)
    embed_ms: list[float] = []
    search_ms: dict[tuple, list[float]] = defaultdict(list)
    agree = []
    modes = list(assistants)
    any_assistant = assistants[modes[0]]
    for r in range(repeats):
        for qi, q in enumerate(queries):
            t = time.perf_counter()
            vector = any_assistant.retriever.embedder.embed_query(q)
            embed_ms.append((time.perf_counter() - t) * 1000)
            for vname, v in variants.items():
                order = modes if (qi + r) % 2 == 0 else modes[::-1]
                top = {}
                for mode in order:
                    a = assistants[mode]
                    # Each timed step encodes the question itself, as a new question would be
                    # (the embedder keeps the last question's vector for a filtered refusal).
                    a.retriever.embedder.forget_last_query()
                    t = time.perf_counter()
                    res = a.retriever.retrieve(q, None, v["options"].filters())
                    retrieve_ms[(mode, vname)].append((time.perf_counter() - t) * 1000)
                    top[mode] = [p.chunk.id for p in res.passages]
                    # Dense search alone (HNSW, or exact over filtered rows), with the question vector given.
                    t = time.perf_counter()
                    index = a.retriever.search_index()
                    a.retriever.dense(q, a.settings.top_k * OVERFETCH, v["options"].filters(), vector, index,
                                      index.vectors.keep(v["options"].filters()))
                    search_ms[(mode, vname)].append((time.perf_counter() - t) * 1000)
                    a.retriever.embedder.forget_last_query()
                    t = time.perf_counter()
                    ans = a.ask(q, v["options"])
                    ask_ms[(mode, vname)].append((time.perf_counter() - t) * 1000)
                    parts[(mode, vname)].append(dict(ans.timings_ms))
                if len(top) == 2:
                    agree.append(top[modes[0]] == top[modes[1]])
        log(f"query repeat {r + 1}/{repeats} done")

    table = []
    for (mode, vname), xs in retrieve_ms.items():
        br = defaultdict(list)
        for tm in parts[(mode, vname)]:
            for k, val in tm.items():
                br[k].append(val)
        table.append({
            "mode": mode,
            "filter": vname,
            "retrieve_ms": summary(xs),
            "ask_ms": summary(ask_ms[(mode, vname)]),
            "vector_search_ms": summary(search_ms[(mode, vname)]),
            "ask_parts_p50_ms": {k: round(float(np.median(v)), 2) for k, v in br.items()},
        })
    result["latency"] = table
    result["embed_query_ms"] = summary(embed_ms)
    result["same_top_k_embedded_vs_server"] = round(float(np.mean(agree)), 3) if agree else None
    result["process_peak_mib"] = peak_mib()
    result["process_rss_mib"] = rss_mib()
    if proc is not None:
        result["server"]["peak_mib"] = peak_mib(proc.pid)
        result["server"]["rss_mib"] = rss_mib(proc.pid)
    idx = Path(result["index_dir"])
    result["disk_mib"] = du_mib(idx)
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="A filled index folder (bench.fill).")
    ap.add_argument("--server", action="store_true", help="Also query a `chroma run` server on a copy of the store.")
    ap.add_argument("--queries", type=int, default=20, help="Questions asked.")
    ap.add_argument("--questions", choices=["multihop", "eval"], default="multihop",
                    help="MultiHop-RAG questions (long, about the filled articles) or the eval set's (short).")
    ap.add_argument("--repeats", type=int, default=2, help="Passes over the questions.")
    ap.add_argument("--warmup", type=int, default=3, help="Questions asked per mode and filter before measuring.")
    ap.add_argument("--out", type=Path, required=True, help="Where to write the JSON result.")
    args = ap.parse_args(argv)
    write_json(args.out, run(args.index, args.server, args.queries, args.repeats, args.warmup, args.questions))


if __name__ == "__main__":
    main()
