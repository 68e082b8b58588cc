"""Ingest throughput: `assistant.ingest.ingest` beside raw MiniLM `encode` on the same texts.

One process, model and Chroma warmed up first. Each repeat ingests into a fresh index folder,
then encodes the exact texts the store holds (`chunk_header + "\\n" + text`, read back from
Chroma) with the same model object and batch size; repeats alternate which of the two runs
first, and the ratio is taken per repeat, so a noisy neighbour slows both sides of it alike.
Afterwards the unchanged corpus is re-ingested in-process and as a subprocess.

    .venv/bin/python -m bench.ingest_bench --source corpus --workdir /tmp/b --out /tmp/b/ingest.json
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import json
import pstats
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.common import PYTHON, ROOT, bench_env, log, peak_mib, reset_peak, summary, write_json

_REINGEST_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from assistant.config import load_settings
from assistant.ingest import ingest
t1 = time.perf_counter()
report = ingest(load_settings(index_dir=Path(sys.argv[1])), [Path(sys.argv[2])])
print(json.dumps({"import_s": t1 - t0, "ingest_s": report.seconds, "unchanged": len(report.unchanged),
                  "embedded": report.chunks}))
"""


def stored_texts(settings) -> tuple[list[str], list[str]]:
    """Chunk ids and the exact text ingest embedded for each (header + newline + passage)."""
    from assistant.chunk import embed_text
    from assistant.store import open_store

    ids, texts = [], []
    for chunk_id, text, md, _ in open_store(settings).iter_chunks():
        parts = [md.get("title", "")] + [p for p in (md.get("outlet"), md.get("published")) if p]
        ids.append(chunk_id)
        texts.append(embed_text(" | ".join(parts), text))
    return ids, texts


class PhaseClock:
    """Wall time spent inside named package functions during an ingest (wrappers, not a profiler)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list = []

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        seconds = self.seconds

        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                # Time spent in a worker thread (ingest's writer) overlaps the main thread's work.
                bg = "" if threading.current_thread() is threading.main_thread() else "_bg"
                seconds[label + bg] += time.perf_counter() - t

        setattr(owner, name, wrapper)
        self._undo.append((owner, name, original, name in vars(owner)))

    def __enter__(self) -> "PhaseClock":
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original, own in reversed(self._undo):
            if own:
                setattr(owner, name, original)
            else:  # an instance attribute shadowing its class's method: remove the shadow
                delattr(owner, name)


def _clocked_ingest(settings, source: Path, embedder):
    import assistant.ingest as ingest_mod
    from assistant.embed import SentenceTransformerEmbedder
    from assistant.store import ChromaStore

    with PhaseClock() as clock:
        clock.wrap(ingest_mod, "chunk_article", "chunk_s")
        clock.wrap(ingest_mod, "refresh_search_index", "bm25_s")
        clock.wrap(SentenceTransformerEmbedder, "embed_with_spans", "embed_with_spans_s")
        clock.wrap(SentenceTransformerEmbedder, "embed_documents", "embed_documents_s")
        clock.wrap(ChromaStore, "replace_articles", "store_write_s")
        clock.wrap(embedder.model, "encode", "model_encode_s")
        t = time.perf_counter()
        report = ingest_mod.ingest(settings, [source])
        wall = time.perf_counter() - t
    phases = {k: round(v, 3) for k, v in clock.seconds.items()}
    return report, wall, phases


def reingest_subprocess(index_dir: Path, source: Path, repeats: int) -> dict:
    """Re-ingest from a fresh process: `assistant ingest` (when the CLI exists) and `python -c`.

    The `python -c` form times its own imports and its `ingest()` call, which splits start-up
    from the work a re-ingest does in a new process (opening Chroma, hashing, reading records).
    """
    env = bench_env(ASSISTANT_INDEX_DIR=str(index_dir))
    out: dict = {"notes": []}
    if importlib.util.find_spec("assistant.cli") is not None:
        exe = str(Path(PYTHON).parent / "assistant")
        walls, helps = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            proc = subprocess.run([exe, "ingest", str(source)], cwd=ROOT, env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - t)
            if proc.returncode != 0:
                out["notes"].append(f"`assistant ingest` exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
                walls.clear()
                break
            t = time.perf_counter()
            subprocess.run([exe, "--help"], cwd=ROOT, env=env, capture_output=True)
            helps.append(time.perf_counter() - t)
        if walls:
            out["cli_wall_s"] = summary(walls)
            out["cli_help_s"] = summary(helps)
    else:
        out["notes"].append("assistant.cli does not exist yet; only the python -c form was timed")
    walls, imports, work = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run([PYTHON, "-c", _REINGEST_SCRIPT, str(index_dir), str(source)], cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            out["notes"].append(f"python -c re-ingest failed: {proc.stderr.strip()[-300:]}")
            break
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        walls.append(wall)
        imports.append(got["import_s"])
        work.append(got["ingest_s"])
    out["pyc_wall_s"] = summary(walls)
    out["pyc_import_s"] = summary(imports)
    out["pyc_ingest_s"] = summary(work)
    return out


def profile_ingest(settings, source: Path, top: int = 25) -> list[str]:
    from assistant.ingest import ingest

    prof = cProfile.Profile()
    prof.enable()
    ingest(settings, [source])
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue().splitlines()


def run(source: Path, workdir: Path, repeats: int, reingest_repeats: int = 3, profile: bool = False,
        subprocess_repeats: int | None = None) -> dict:
    """`subprocess_repeats` (default: reingest_repeats) of 0 skips the new-process re-ingests."""
    from assistant.config import load_settings
    from assistant.embed import get_embedder

    workdir.mkdir(parents=True, exist_ok=True)
    base = load_settings(index_dir=workdir / "warmup")
    embedder = get_embedder(base)
    t = time.perf_counter()
    _ = embedder.model
    load_s = time.perf_counter() - t
    # Warm-up: the first ingest pays imports, tokenizer and Chroma start-up; not measured.
    from assistant.ingest import ingest

    ingest(base, [ROOT / "corpus"])
    embedder.model.encode(["warm-up"] * 8, batch_size=base.embed_batch_size)

    reps: list[dict] = []
    texts: list[str] = []
    ids: list[str] = []
    for i in range(repeats):
        settings = load_settings(index_dir=workdir / f"run{i}")
        order = ("ingest", "raw") if i % 2 == 0 or not texts else ("raw", "ingest")
        rep: dict = {"order": "/".join(order)}
        for step in order:
            reset_peak()
            cpu = time.process_time()
            if step == "ingest":
                report, wall, phases = _clocked_ingest(settings, source, embedder)
                rep.update(ingest_s=wall, ingest_cpu_s=time.process_time() - cpu, chunks=report.chunks, articles=len(report.added) + len(report.updated),
                           failed=[f.reason for f in report.failed][:5], phases=phases, ingest_peak_mib=peak_mib())
                ids, texts = stored_texts(settings)
            else:
                t = time.perf_counter()
                vectors = embedder.model.encode(texts, batch_size=base.embed_batch_size, normalize_embeddings=True,
                                                convert_to_numpy=True, show_progress_bar=False)
                rep.update(raw_s=time.perf_counter() - t, raw_cpu_s=time.process_time() - cpu, raw_texts=len(texts), raw_peak_mib=peak_mib())
        rep["ratio"] = rep["raw_s"] / rep["ingest_s"]
        rep["cpu_ratio"] = rep["raw_cpu_s"] / rep["ingest_cpu_s"]
        reps.append(rep)
        log(f"ingest {source.name} repeat {i + 1}/{repeats}: {rep['chunks']} chunks, ingest {rep['ingest_s']:.2f}s, "
            f"raw encode {rep['raw_s']:.2f}s, ratio {rep['ratio']:.3f}, CPU-time ratio {rep['cpu_ratio']:.3f} ({rep['order']})")

    from assistant.store import open_store

    last = load_settings(index_dir=workdir / f"run{repeats - 1}")
    sample = open_store(last).chunks.get(ids=ids[:64], include=["embeddings"])
    stored = dict(zip(sample["ids"], np.asarray(sample["embeddings"])))
    raw = dict(zip(ids[:64], vectors[:64]))
    same = [float(np.dot(stored[k], raw[k])) for k in stored if k in raw]

    re_runs = []
    for _ in range(reingest_repeats):
        t = time.perf_counter()
        report = ingest(last, [source])
        re_runs.append({"wall_s": time.perf_counter() - t, "embedded": report.chunks, "unchanged": len(report.unchanged)})
    n = reps[-1]["chunks"]
    sub_n = reingest_repeats if subprocess_repeats is None else subprocess_repeats
    result = {
        "source": str(source),
        "chunks": n,
        "articles": reps[-1]["articles"],
        "model_load_s": round(load_s, 3),
        "repeats": reps,
        "ingest_chunks_per_s": summary([r["chunks"] / r["ingest_s"] for r in reps]),
        "raw_chunks_per_s": summary([r["raw_texts"] / r["raw_s"] for r in reps]),
        "ratio_ingest_over_raw": summary([r["ratio"] for r in reps]),
        # CPU seconds of this process: less swayed by neighbours than wall time on a shared machine.
        "cpu_ratio_ingest_over_raw": summary([r["cpu_ratio"] for r in reps]),
        "raw_vs_stored_cosine_min": round(min(same), 6) if same else None,
        "ingest_peak_mib": max(r["ingest_peak_mib"] or 0 for r in reps),
        "raw_peak_mib": max(r["raw_peak_mib"] or 0 for r in reps),
        "reingest_inprocess_s": summary([r["wall_s"] for r in re_runs]),
        "reingest_embedded_chunks": max(r["embedded"] for r in re_runs),
        "reingest_subprocess": reingest_subprocess(last.index_dir, source, sub_n) if sub_n else {"notes": ["skipped"]},
        "index_dir": str(last.index_dir),
    }
    if profile:
        result["profile_top"] = profile_ingest(load_settings(index_dir=workdir / "profiled"), source)
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, required=True, help="Folder or JSONL file of articles to ingest.")
    ap.add_argument("--workdir", type=Path, required=True, help="Scratch folder for the index folders.")
    ap.add_argument("--repeats", type=int, default=3, help="Fresh ingests, each paired with a raw encode.")
    ap.add_argument("--reingest-repeats", type=int, default=3, help="Re-ingests of the unchanged corpus.")
    ap.add_argument("--profile", action="store_true", help="Also run one ingest under cProfile and keep the top lines.")
    ap.add_argument("--out", type=Path, required=True, help="Where to write the JSON result.")
    args = ap.parse_args(argv)
    write_json(args.out, run(args.source, args.workdir, args.repeats, args.reingest_repeats, args.profile))


if __name__ == "__main__":
    main()
