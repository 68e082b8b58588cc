"""Shared helpers: robust statistics, peak memory per phase, disk size, child processes.

Every stage runs in its own Python process (`python -m bench.<stage>`) so that its peak memory
and its Chroma clients are its own; the stage writes one JSON object that `bench.run` collects.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MIB = 1024 * 1024


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95, min and count of a list of timings (same unit in, same unit out)."""
    if not values:
        return {"n": 0}
    xs = sorted(values)
    p95 = xs[min(len(xs) - 1, max(0, round(0.95 * (len(xs) - 1))))]
    return {"n": len(xs), "p50": statistics.median(xs), "p95": p95, "min": xs[0], "max": xs[-1]}


def _status_kib(field: str, pid: int | str = "self") -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(m.group(1)) if m else None


def reset_peak() -> bool:
    """Reset this process's peak resident memory (Linux clear_refs 5), so a phase gets its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mib(pid: int | str = "self") -> float | None:
    """Peak resident memory (VmHWM) since start or the last `reset_peak`; ru_maxrss as a fallback."""
    kib = _status_kib("VmHWM", pid)
    if kib is None and pid == "self":
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024, 1) if kib is not None else None


def rss_mib(pid: int | str = "self") -> float | None:
    kib = _status_kib("VmRSS", pid)
    return round(kib / 1024, 1) if kib is not None else None


def du_mib(path: Path) -> float:
    """Bytes actually allocated on disk under a path (sparse files count what they use)."""
    total = 0
    if path.is_file():
        return round(path.stat().st_blocks * 512 / MIB, 1)
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_blocks * 512
    return round(total / MIB, 1)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: offline model loading, no stray ASSISTANT_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        ANONYMIZED_TELEMETRY="False",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.update(extra)
    return env


def run_stage(module: str, args: list[str], out: Path, timeout: float | None = None) -> dict:
    """Run `python -m bench.<module> ... --out OUT` in a fresh process and return its JSON."""
    cmd = [PYTHON, "-m", f"bench.{module}", *args, "--out", str(out)]
    log("$ " + " ".join(cmd[1:]))
    proc = subprocess.run(cmd, cwd=ROOT, env=bench_env(), timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        return {"error": f"bench.{module} exited with {proc.returncode}; see the log above"}
    return json.loads(out.read_text())


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))


def device_info() -> dict[str, Any]:
    """Which device embeds: the configured one, and whether torch could use a GPU."""
    from assistant.config import load_settings

    info: dict[str, Any] = {"settings_device": load_settings().device}
    try:
        import torch

        info["torch"] = torch.__version__
        info["cuda_available"] = bool(torch.cuda.is_available())
        info["torch_threads"] = torch.get_num_threads()
        if info["cuda_available"]:
            info["cuda_device"] = torch.cuda.get_device_name(0)
    except Exception as exc:  # torch missing or broken: say so rather than fail the run
        info["torch_error"] = str(exc)
    info["cpu_count"] = os.cpu_count()
    try:
        info["loadavg_start"] = os.getloadavg()
    except OSError:
        pass
    return info
