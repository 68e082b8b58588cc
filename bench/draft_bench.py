"""The offline answerer's draft alone, two source trees side by side: time, and identity.

Two worker processes, one per source tree (PYTHONPATH), load the same index, retrieve every
question once, and then time only `OfflineAnswerer.draft` on those retrieved passages when
asked. The driver asks them in turn, question by question, alternating which goes first, so
that a noisy shared machine slows both alike. Each worker also returns a digest of its draft
(refusal, sentences, confidence, kind, notice, nearest): the two trees' drafts must agree
where their passages do (retrieval is not always the same from one process to the next: a
question retrieved differently is reported, not compared).

Two modes:

* ``fresh`` (the default): as an eval or a server meets its questions. Each round starts a new
  pair of processes, warms them up on *other* questions (``--warmup``: the vocabularies loaded,
  the fixed patterns compiled, the word caches filled), then drafts each question once, in
  order. Every cache (``functools.lru_cache``, ``re``'s own) is as it would be then.
* ``repeat``: one pair of processes, every question drafted ``--rounds`` times; before each
  draft the per-text caches (every ``lru_cache`` in ``assistant`` of more than 4 entries, but
  those of single words or fixed patterns, ``KEPT_CACHES``) are cleared, as for sentences never seen. ``re``'s
  own cache is left as it is (it is shared with the fixed patterns). More samples, steadier
  ratios, a little less like real use.

``--clear`` in fresh mode clears the per-text caches before each draft too: the questions met
as in real use, but their sentences as if never seen (as in a large corpus).

    .venv/bin/python bench/draft_bench.py --base /work/wt/s13base --new . --index /tmp/idx \\
        --questions evals/news.jsonl --warmup evals/test.jsonl --rounds 5

``--profile base|new`` prints a cProfile of one (repeat-mode) pass of one tree instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: Caches keyed by one word (or a pair of words, a role), or by one of a fixed set of patterns:
#: warm in any process that has answered a few questions.
KEPT_CACHES = {"name_key", "same_name_word", "in_past", "verb_forms", "verb_term", "rivals", "stem", "is_title", "role_of",
               "_asked_pattern"}


def _caches():
    import functools

    found = []
    for name, mod in list(sys.modules.items()):
        if not name.startswith("assistant") or mod is None:
            continue
        for value in vars(mod).values():
            if isinstance(value, functools._lru_cache_wrapper) and (value.cache_info().maxsize or 1 << 30) > 4 \
                    and value.__wrapped__.__name__ not in KEPT_CACHES:
                found.append(value)
    return list({id(f): f for f in found}.values())


def _digest(d) -> str:
    parts = [d.refused, d.text, round(d.confidence, 9), d.kind, getattr(d, "notice", None),
             [(s.text, s.passage_index, s.start, s.end) for s in d.sentences]]
    nearest = getattr(d, "nearest", None)
    parts.append((nearest.text, nearest.start) if nearest else None)
    parts.append(getattr(d, "nearest_misses", None))
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:12]


def _questions(path: str, limit: int | None = None) -> list[str]:
    return [json.loads(line)["question"] for line in open(path) if line.strip()][:limit]


def worker(questions_path: str, limit: int | None, warmup: str | None) -> None:
    from assistant.config import load_settings
    from assistant.pipeline import Assistant, AskOptions

    a = Assistant(load_settings())
    o = a.backend("offline")
    qs = _questions(questions_path, limit)
    for q in _questions(warmup) if warmup else []:  # other questions: vocabularies, fixed patterns, word caches
        r = a.retrieve(q, AskOptions())
        o.draft(q, r.passages, r.query_vector)
    rs = [a.retrieve(q, AskOptions()) for q in qs]
    if not warmup:  # repeat mode: these questions themselves, once
        for q, r in zip(qs, rs):
            o.draft(q, r.passages, r.query_vector)
    caches = _caches()
    out = sys.stdout
    out.write(json.dumps({"n": len(qs), "caches": len(caches)}) + "\n")
    out.flush()
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "profile":
            import cProfile
            import pstats

            pr = cProfile.Profile()
            for q, r in zip(qs, rs):
                for f in caches:
                    f.cache_clear()
                pr.enable()
                o.draft(q, r.passages, r.query_vector)
                pr.disable()
            st = pstats.Stats(pr, stream=sys.stderr)
            st.sort_stats(cmd[1] if len(cmd) > 1 else "tottime").print_stats(int(cmd[2]) if len(cmd) > 2 else 40)
            sys.stderr.flush()
            out.write("{}\n")
            out.flush()
            continue
        i, clear = int(cmd[1]), cmd[2:] == ["clear"]
        q, r = qs[i], rs[i]
        if clear:
            for f in caches:
                f.cache_clear()
        c0, t0 = time.process_time(), time.perf_counter()
        d = o.draft(q, r.passages, r.query_vector)
        t1, c1 = time.perf_counter(), time.process_time()
        passages = hashlib.sha1(repr([(p.chunk.id, p.score) for p in r.passages]).encode()).hexdigest()[:12]
        out.write(json.dumps({"ms": (t1 - t0) * 1000, "cpu": (c1 - c0) * 1000, "digest": _digest(d), "passages": passages}) + "\n")
        out.flush()


def _start(src: Path, index: str, questions: str, limit: int | None, warmup: str | None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(src), HF_HUB_OFFLINE="1", ASSISTANT_INDEX_DIR=index)
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", "--questions", questions]
    args += ["--limit", str(limit)] if limit else []
    args += ["--warmup", warmup] if warmup else []
    return subprocess.Popen(args, cwd=src, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def _ask(p: subprocess.Popen, line: str) -> dict:
    p.stdin.write(line + "\n")
    p.stdin.flush()
    return json.loads(p.stdout.readline())


def _quit(p: subprocess.Popen) -> None:
    p.stdin.write("quit\n")
    p.stdin.close()
    p.wait()


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--base", type=Path, help="source tree of the baseline")
    ap.add_argument("--new", type=Path, help="source tree to compare")
    ap.add_argument("--index", help="index folder (ASSISTANT_INDEX_DIR)")
    ap.add_argument("--questions", required=True, help="a JSONL file of {'question': ...}")
    ap.add_argument("--warmup", help="fresh mode: a JSONL file of other questions to warm up on (default: evals/test.jsonl, "
                                     "or evals/news.jsonl when that is the one timed)")
    ap.add_argument("--mode", choices=["fresh", "repeat"], default="fresh")
    ap.add_argument("--clear", action="store_true", help="fresh mode: clear the per-text caches before each draft too, as "
                                                        "for sentences never seen (a large corpus), `re`'s cache left as it is")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=3, help="fresh: new process pairs; repeat: drafts of each question")
    ap.add_argument("--profile", choices=["base", "new"], help="print a cProfile of one repeat-mode pass of this tree, then stop")
    args = ap.parse_args()
    if args.worker:
        worker(args.questions, args.limit, args.warmup)
        return
    if not args.index:
        ap.error("--index is required")
    questions = str(Path(args.questions).resolve())
    if args.profile:
        p = _start(getattr(args, args.profile).resolve(), args.index, questions, args.limit, None)
        json.loads(p.stdout.readline())
        _ask(p, "profile tottime 45")
        _ask(p, "profile cumulative 45")
        _quit(p)
        return
    warmup = None
    if args.mode == "fresh":
        evals = Path(__file__).resolve().parent.parent / "evals"
        default = evals / ("news.jsonl" if Path(questions).resolve() == (evals / "test.jsonl").resolve() else "test.jsonl")
        warmup = str(Path(args.warmup or default).resolve())
    n = len(_questions(questions, args.limit))
    ms: dict[str, list[list[float]]] = {k: [[] for _ in range(n)] for k in ("base", "new")}
    cpu: dict[str, list[list[float]]] = {k: [[] for _ in range(n)] for k in ("base", "new")}
    differ: set[int] = set()
    retrieved_apart: set[int] = set()  # retrieval is not always the same from one process to the next
    flip = False
    procs = heads = None
    for r in range(args.rounds):
        if procs is None or args.mode == "fresh":
            procs = {k: _start(getattr(args, k).resolve(), args.index, questions, args.limit, warmup) for k in ("base", "new")}
            heads = {k: json.loads(p.stdout.readline()) for k, p in procs.items()}
        for i in range(n):
            order = ("new", "base") if flip else ("base", "new")
            flip = not flip
            got = {k: _ask(procs[k], f"draft {i}" + (" clear" if args.mode == "repeat" or args.clear else "")) for k in order}
            for k, g in got.items():
                ms[k][i].append(g["ms"])
                cpu[k][i].append(g["cpu"])
            if got["base"]["passages"] != got["new"]["passages"]:
                retrieved_apart.add(i)
            elif got["base"]["digest"] != got["new"]["digest"]:
                differ.add(i)
        if args.mode == "fresh" or r == args.rounds - 1:
            for p in procs.values():
                _quit(p)
    print(f"{args.questions} on {args.index}: {n} questions x {args.rounds} rounds, {args.mode} mode"
          + (f" (warm-up: {Path(warmup).name})" if warmup else "")
          + (f" (per-text caches cleared before each draft: base {heads['base']['caches']}, new {heads['new']['caches']})"
             if args.mode == "repeat" or args.clear else ""))
    for label, data in (("wall", ms), ("cpu", cpu)):
        per_q = {k: [statistics.median(v) for v in data[k]] for k in data}
        ratios = [b / a for a, b in zip(per_q["base"], per_q["new"]) if a > 0]
        print(f"  {label:4s} ms/draft (per question, median of rounds): base p50 {statistics.median(per_q['base']):.2f} "
              f"p95 {_pct(per_q['base'], 0.95):.2f} mean {statistics.mean(per_q['base']):.2f} | new p50 "
              f"{statistics.median(per_q['new']):.2f} p95 {_pct(per_q['new'], 0.95):.2f} mean {statistics.mean(per_q['new']):.2f}"
              f" | new/base: p50s {statistics.median(per_q['new']) / statistics.median(per_q['base']):.3f}, means "
              f"{statistics.mean(per_q['new']) / statistics.mean(per_q['base']):.3f}, per question median "
              f"{statistics.median(ratios):.3f} (p5 {_pct(ratios, 0.05):.3f}, p95 {_pct(ratios, 0.95):.3f})")
    print(f"  drafts differing on the same passages: {len(differ)} of {n}" + (f" {sorted(differ)}" if differ else "")
          + (f"; passages retrieved differently (not compared): {sorted(retrieved_apart)}" if retrieved_apart else ""))


if __name__ == "__main__":
    main()
