"""Cold start: one question answered by a brand-new process, and what its imports cost.

`assistant ask` (or, before the CLI existed, `python -c` calling `Assistant`) runs against an
existing index; one unmeasured run first warms the OS file cache, so "cold" means a new
process, not a cold disk. `python -X importtime` on the same command lists the imports that
take the time, summed per top-level package.

    .venv/bin/python -m bench.coldstart --index /tmp/b/ingest-corpus/run0 --out c.json
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from bench.common import PYTHON, ROOT, bench_env, log, summary, write_json

QUESTION = "Where will Biden and Putin meet?"
_ASK_SCRIPT = """
import sys
from pathlib import Path
from assistant.config import load_settings
from assistant.pipeline import Assistant
print(Assistant(load_settings(index_dir=Path(sys.argv[1]))).ask(sys.argv[2]).text)
"""
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def commands(index_dir: Path) -> dict[str, list[str]]:
    cmds = {"python -c Assistant.ask": [PYTHON, "-c", _ASK_SCRIPT, str(index_dir), QUESTION]}
    if importlib.util.find_spec("assistant.cli") is not None:
        cmds = {"assistant ask": [PYTHON, str(Path(PYTHON).parent / "assistant"), "ask", QUESTION, "--index", str(index_dir)], **cmds}
    return cmds


def import_offenders(cmd: list[str], top: int = 12) -> dict:
    """Self import time summed per top-level package, and the slowest first-level imports."""
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=ROOT, env=bench_env(), capture_output=True, text=True)
    per_package: dict[str, int] = defaultdict(int)
    first_level: list[tuple[int, str]] = []
    total = 0
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        self_us, cum_us, indent, name = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        per_package[name.split(".")[0]] += self_us
        total += self_us
        if len(indent) <= 1:
            first_level.append((cum_us, name))
    ranked = sorted(per_package.items(), key=lambda kv: -kv[1])[:top]
    return {
        "rc": proc.returncode,
        "total_import_s": round(total / 1e6, 3),
        "by_package_s": {k: round(v / 1e6, 3) for k, v in ranked},
        "slowest_top_level_s": {n: round(c / 1e6, 3) for c, n in sorted(first_level, reverse=True)[:top]},
    }


def run(index_dir: Path, repeats: int) -> dict:
    out: dict = {"question": QUESTION, "index_dir": str(index_dir), "runs": {}}
    for label, cmd in commands(index_dir).items():
        subprocess.run(cmd, cwd=ROOT, env=bench_env(), capture_output=True)  # warms the file cache
        walls, answer, rc = [], "", 0
        for _ in range(repeats):
            t = time.perf_counter()
            proc = subprocess.run(cmd, cwd=ROOT, env=bench_env(), capture_output=True, text=True)
            walls.append(time.perf_counter() - t)
            answer, rc = proc.stdout.strip()[:200], proc.returncode
            if rc:
                answer = proc.stderr.strip()[-300:]
                break
        out["runs"][label] = {"wall_s": summary(walls), "rc": rc, "answer": answer}
        log(f"cold start {label}: p50 {out['runs'][label]['wall_s'].get('p50', float('nan')):.2f}s")
    first = next(iter(commands(index_dir).values()))
    out["importtime"] = import_offenders(first)
    if importlib.util.find_spec("assistant.cli") is not None:
        out["importtime_ingest_unchanged"] = import_offenders(
            [PYTHON, str(Path(PYTHON).parent / "assistant"), "ingest", "--index", str(index_dir), str(ROOT / "corpus")]
        )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="An index folder holding the bundled corpus.")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    write_json(args.out, run(args.index, args.repeats))


if __name__ == "__main__":
    main()
