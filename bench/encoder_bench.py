"""Question embedding: the ONNX encoder as it is now beside the way it was, in one process.

Two `OnnxEncoder`s over the model's export embed the same questions in turn, the order
swapped every question: short ones (the eval sets', median ~19 word pieces) and long ones
(MultiHop-RAG's, median ~60), `-n` of each, each set gone through `--repeats` times. "before"
is the export loaded with ONNX Runtime's SkipLayerNormFusion left on, which gives the graph of
EXPORT_VERSION 1 (its SkipLayerNormalization nodes), or the export file given with `--old`;
"after" is `OnnxEncoder` as the package builds it. Whole `embed` calls are timed (tokenizing,
the run, normalizing); p50 and p95 of each, and the median of the per-question ratio
after/before in wall and in CPU time (`time.process_time`, less swayed by neighbours).
The load average before and after is printed: the machine is shared. `--same` pits two
encoders built alike against each other: how far its ratios stray from 1 is the noise floor.

    .venv/bin/python -m bench.encoder_bench -n 300
    .venv/bin/python -m bench.encoder_bench --old ~/.cache/news-assistant/onnx/OLD.onnx
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from bench.common import ROOT
from bench.corpus_gen import sample_queries


def eval_questions(n: int) -> list[str]:
    """The eval sets' questions (answerable or not), dev first, up to n."""
    files = [ROOT / "evals" / "news.jsonl", ROOT / "evals" / "test.jsonl", *sorted((ROOT / "evals").glob("dev*/questions.jsonl"))]
    out = []
    for f in files:
        out += [json.loads(line)["question"] for line in f.read_text().splitlines() if line.strip()]
    return out[:n]


def encoders(old: str | None, same: bool = False, before_first: bool = False):
    """(before, after), made in the order asked: the one made first has run a few % slower in
    `--same` runs here (where its memory lies), so compare both orders."""
    import assistant.encoder as encoder
    from assistant.config import load_settings

    model = load_settings().model_path()
    path = encoder.exported_file(model)
    if not path.exists():
        raise SystemExit(f"no export at {path}: run `assistant ingest` (or any question) once to make it")

    def build(which: str):
        if which == "after" or same:
            return encoder.OnnxEncoder(path, model)
        if old:
            return encoder.OnnxEncoder(old, model)
        saved, encoder.UNFUSED = encoder.UNFUSED, []  # the same file with the fusion now turned off
        try:
            return encoder.OnnxEncoder(path, model)
        finally:
            encoder.UNFUSED = saved

    made = {which: build(which) for which in (("before", "after") if before_first else ("after", "before"))}
    return made["before"], made["after"]


def run(n: int, repeats: int, old: str | None, same: bool = False, before_first: bool = False) -> None:
    before, after = encoders(old, same, before_first)
    print(f"made first: {'before' if before_first else 'after'}")
    sets = {"short": eval_questions(n), "long": sample_queries(n)}
    pieces = {k: float(np.median([len(after.tok.encode(q).ids) for q in qs])) for k, qs in sets.items()}
    gap = max(float(np.abs(before.embed(q) - after.embed(q)).max()) for qs in sets.values() for q in qs[:50])
    print(f"max |before - after| over 100 questions: {gap:.2g}")
    print(f"load average before: {os.getloadavg()[0]:.2f}  cores: {os.cpu_count()}")
    for name, qs in sets.items():
        for q in qs[:10]:  # warm-up, not measured
            before.embed(q), after.embed(q)
        wall = {"before": [], "after": []}
        cpu = {"before": [], "after": []}
        i = 0
        for _ in range(repeats):
            for q in qs:
                order = (("before", before), ("after", after)) if i % 2 == 0 else (("after", after), ("before", before))
                for label, enc in order:
                    c, t = time.process_time(), time.perf_counter()
                    enc.embed(q)
                    wall[label].append(time.perf_counter() - t)
                    cpu[label].append(time.process_time() - c)
                i += 1
        b, a = np.array(wall["before"]), np.array(wall["after"])
        ratio = a / b
        cpu_ratio = np.median(np.array(cpu["after"]) / np.maximum(np.array(cpu["before"]), 1e-9))
        print(f"{name:5s} n={len(a)} (median {pieces[name]:.0f} pieces)  "
              f"before p50 {np.median(b) * 1e3:6.2f} ms p95 {np.percentile(b, 95) * 1e3:6.2f} | "
              f"after p50 {np.median(a) * 1e3:6.2f} ms p95 {np.percentile(a, 95) * 1e3:6.2f} | "
              f"after/before per question: median {np.median(ratio):.3f} (p25 {np.percentile(ratio, 25):.3f}, p75 {np.percentile(ratio, 75):.3f}), "
              f"CPU {cpu_ratio:.3f}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300, help="Questions of each kind (short, long).")
    ap.add_argument("--repeats", type=int, default=1, help="Passes over each set.")
    ap.add_argument("--old", help="An earlier export to compare with (default: this one with SkipLayerNormFusion on).")
    ap.add_argument("--same", action="store_true", help="Compare two encoders built alike (the noise floor: ratios should be 1).")
    ap.add_argument("--before-first", action="store_true", help="Make the 'before' encoder first (default: 'after' first).")
    args = ap.parse_args()
    run(args.n, args.repeats, args.old, args.same, args.before_first)


if __name__ == "__main__":
    main()
