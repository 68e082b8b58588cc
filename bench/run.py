"""The scale and speed benchmark suite: one command, tables on stdout, results.json and a plot.

    .venv/bin/python -m bench.run                      # ingest corpus + 1,000 chunks; query 10k, 100k
    .venv/bin/python -m bench.run --quick              # ingest corpus + 1,000; query 10k; fewer repeats
    .venv/bin/python -m bench.run --sizes 1000,10000   # adds the ~10+ min 10,000-chunk ingest
    .venv/bin/python -m bench.run --sizes 1000,10000,100000,1000000   # adds the 1M store (hours)

Every size is a number of chunks. Sizes up to 10,000 are ingested for real (MiniLM on the
configured device); sizes from 10,000 up get a filled store and the query benchmark; the
10,000 store is always filled, as the base of the fill-time projection. Each stage runs in
its own process. Output goes to bench/results/<timestamp>/ (git-ignored); see bench/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from bench.common import ROOT, device_info, log, run_stage, write_json
from bench.report import plot, render

RESULTS = ROOT / "bench" / "results"
MAX_INGEST = 10_000
MIN_QUERY = 10_000


def _sizes(text: str) -> list[int]:
    try:
        return sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise SystemExit(f"--sizes takes chunk counts separated by commas, like 1000,100000 (got {text!r})") from None


def fill_projection(fills: dict) -> dict | None:
    """Linear fit of fill seconds on chunk count from the two largest fills, extrapolated to 1M."""
    pts = sorted((f["chunks"], f["seconds"]["total_s"], f["seconds"].get("chroma_chunks_s", 0.0)) for f in fills.values() if "error" not in f)
    if len(pts) < 2 or any(p[0] >= 1_000_000 for p in pts):
        return None
    (n1, t1, _), (n2, t2, _) = pts[-2], pts[-1]
    slope = (t2 - t1) / (n2 - n1) if n2 != n1 else t2 / n2
    proj = t2 + slope * (1_000_000 - n2)
    text = (f"filling 1,000,000 chunks ~ {proj / 60:.0f} min (linear from {n1:,} and {n2:,}: {1000 * slope:.2f} s per 1,000 chunks; "
            f"Chroma's HNSW insert slows as the graph grows, so read it as a lower bound)")
    return {"seconds": round(proj), "s_per_1000_chunks": round(1000 * slope, 3), "text": text}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=None, help="Chunk counts, comma-separated (default 1000,100000; --quick: 1000).")
    ap.add_argument("--quick", action="store_true", help="Fewer repeats, query only at 10,000, starter on the bundled corpus only.")
    ap.add_argument("--queries", type=int, default=None, help="MultiHop questions per query benchmark (default 20, quick 12).")
    ap.add_argument("--no-server", action="store_true", help="Skip the Chroma server side of the query benchmark.")
    ap.add_argument("--skip", default="", help="Stages to skip, comma-separated: ingest, writes, starter, coldstart, query.")
    ap.add_argument("--profile", action="store_true", help="Also profile one ingest of the largest size (cProfile top lines in results.json).")
    ap.add_argument("--pool", type=Path, default=None, help="Index folder of an earlier real ingest to fill query stores from (skips nothing else).")
    ap.add_argument("--workdir", type=Path, default=None, help="Scratch folder for indexes (default: <results>/work).")
    ap.add_argument("--keep", action="store_true", help="Keep the scratch indexes (the 1M store takes several GB).")
    args = ap.parse_args(argv)

    sizes = _sizes(args.sizes or ("1000" if args.quick else "1000,100000"))
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = RESULTS / stamp
    work = args.workdir or out_dir / "work"
    work.mkdir(parents=True, exist_ok=True)
    device = device_info()
    results: dict = {
        "timestamp": stamp,
        "mode": "quick" if args.quick else "full",
        "sizes": sizes,
        "device": device,
        "device_line": f"settings.device={device.get('settings_device')}, torch.cuda.is_available()={device.get('cuda_available')}, "
        f"{device.get('cpu_count')} CPUs, load at start {tuple(round(x, 1) for x in device.get('loadavg_start', ()))}",
        "ingest": {},
        "starter": {},
        "fill": {},
        "query": {},
    }
    log(f"results -> {out_dir}; {results['device_line']}")

    from assistant.chunk import TokenCounter
    from assistant.config import load_settings

    from bench.corpus_gen import build_articles, write_jsonl

    settings = load_settings()
    counter = TokenCounter(settings.model_path())
    sources = {"corpus": ROOT / "corpus"}
    results["articles"] = {}
    for n in [s for s in sizes if s <= MAX_INGEST]:
        records, info = build_articles(n, counter, settings.chunk_max_tokens, settings.chunk_overlap_sentences)
        sources[f"{n} chunks"] = write_jsonl(records, work / f"articles-{n}.jsonl")
        results["articles"][str(n)] = info
        log(f"articles for {n} chunks: {info}")

    pools: dict[str, Path] = {}
    for label, path in ([] if "ingest" in skip else sources.items()):
        n = 0 if label == "corpus" else int(label.split()[0])
        repeats = (3 if args.quick else 5) if n == 0 else (2 if args.quick else 3) if n <= 1000 else 1
        profile = args.profile and n == max([0] + [s for s in sizes if s <= MAX_INGEST])
        stage_args = ["--source", str(path), "--workdir", str(work / f"ingest-{n}"), "--repeats", str(repeats)]
        r = run_stage("ingest_bench", stage_args + (["--profile"] if profile else []), work / f"ingest-{n}.json")
        results["ingest"][label] = r
        if "error" not in r:
            pools[label] = Path(r["index_dir"])
        write_json(out_dir / "results.json", results)

    small = [k for k in pools if k == "corpus" or int(k.split()[0]) <= 1000]
    if "writes" not in skip and small:
        label = max(small, key=lambda k: 0 if k == "corpus" else int(k.split()[0]))
        results["store_writes"] = {"pool": label, **run_stage(
            "store_writes", ["--pool", str(pools[label]), "--workdir", str(work / "writes"), "--repeats", "2" if args.quick else "3"],
            work / "store-writes.json")}
        write_json(out_dir / "results.json", results)

    if "starter" not in skip:
        results["starter"]["corpus"] = run_stage("starter", ["--workdir", str(work / "starter-corpus"), "--repeats", "2" if args.quick else "3"], work / "starter-corpus.json")
        if not args.quick and "1000 chunks" in sources:
            results["starter"]["corpus + 1000 chunks"] = run_stage(
                "starter", ["--workdir", str(work / "starter-1000"), "--repeats", "1", "--extra", str(sources["1000 chunks"])], work / "starter-1000.json")
        write_json(out_dir / "results.json", results)

    if "query" not in skip and (pools or args.pool):
        pool = args.pool or pools[max(pools, key=lambda k: 0 if k == "corpus" else int(k.split()[0]))]
        results["query_pool"] = str(pool)
        for n in sorted({MIN_QUERY} | {s for s in sizes if s >= MIN_QUERY}):
            index = work / f"q{n}"
            if index.exists():
                shutil.rmtree(index)
            f = run_stage("fill", ["--pool", str(pool), "--size", str(n), "--index", str(index)], work / f"fill-{n}.json")
            results["fill"][str(n)] = f
            if "error" not in f:
                q_args = ["--index", str(index), "--queries", str(args.queries or (12 if args.quick else 20)),
                          "--repeats", "1" if args.quick else "2", "--warmup", "3"] + ([] if args.no_server else ["--server"])
                results["query"][str(n)] = run_stage("query_bench", q_args, work / f"query-{n}.json")
            if not args.keep:
                shutil.rmtree(index, ignore_errors=True)
                shutil.rmtree(work / f"q{n}-server", ignore_errors=True)
            results["fill_projection"] = fill_projection(results["fill"])
            write_json(out_dir / "results.json", results)

    if "coldstart" not in skip and "corpus" in pools:
        results["coldstart"] = run_stage("coldstart", ["--index", str(pools["corpus"]), "--repeats", "3"], work / "coldstart.json")

    results["finished"] = time.strftime("%Y%m%d-%H%M%S")
    write_json(out_dir / "results.json", results)
    png = plot(results, out_dir / "bench.png")
    text = render(results)
    (out_dir / "tables.txt").write_text(text + "\n")
    print(text)
    print(f"\nresults: {out_dir / 'results.json'}\nplot:    {png}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
