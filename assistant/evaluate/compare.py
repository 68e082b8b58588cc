"""Comparing two runs (`--compare`) and gating on thresholds (`--fail-under`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluate.datasets import EvalError

#: Per-question flags whose loss makes a question "worse": it was right, hit or refused
#: correctly in the old run and is not now.
FLAGS = ("correct", "hit@1", "hit@5", "passage_hit@5", "fact_hits@10")

_THRESHOLD = re.compile(r"^\s*([^\s<>=]+)\s*(<=|>=|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def lower_is_better(name: str) -> bool:
    """False-refusal rate and latencies: smaller is better."""
    base = name.split(":")[-1]
    return base == "false_refusal_rate" or bool(re.search(r"_ms(_p\d+)?$", base))


def load_results(path: Path | str) -> dict[str, Any]:
    """An earlier run's results.json (or the run folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"cannot read the run to compare with, {path} ({exc.strerror}); pass an earlier run's results.json") from exc
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path} is not valid JSON ({exc.msg}); pass an earlier run's results.json") from exc
    if not isinstance(data, dict) or "metrics" not in data or "questions" not in data:
        raise EvalError(f"{path} is not an eval results.json (no 'metrics' and 'questions'); pass an earlier run's results.json")
    return data


def _truthy(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _lost_flags(old_q: dict, new_q: dict) -> list[str]:
    lost = []
    for flag in FLAGS:
        before, now = _truthy(old_q["metrics"].get(flag)), _truthy(new_q["metrics"].get(flag))
        if before and now is False:
            lost.append("refused correctly" if flag == "correct" and not new_q["answerable"] else flag)
    return lost


def flat_metrics(results: dict[str, Any]) -> dict[str, float | None]:
    """Names thresholds and comparisons use: overall (`hit@5`), per question type
    (`who:hit@5`) and latency per stage (`total_ms_p50`, `total_ms_p95`)."""
    flat: dict[str, float | None] = dict(results["metrics"])
    for kind, values in results.get("by_type", {}).items():
        flat.update({f"{kind}:{name}": v for name, v in values.items() if name != "n"})
    for stage, stats in results.get("latency_ms", {}).items():
        flat[f"{stage}_p50"] = stats["p50"]
        flat[f"{stage}_p95"] = stats["p95"]
    return flat


def compare_runs(old: dict[str, Any], new: dict[str, Any], old_path: str = "") -> dict[str, Any]:
    """Metric deltas and the questions that got worse (or better) from `old` to `new`."""
    old_flat, new_flat = flat_metrics(old), flat_metrics(new)
    deltas = {
        name: {"old": old_flat[name], "new": value, "delta": value - old_flat[name]}
        for name, value in new_flat.items()
        if isinstance(value, (int, float)) and isinstance(old_flat.get(name), (int, float))
    }
    old_q = {q["id"]: q for q in old["questions"]}
    new_ids = {q["id"] for q in new["questions"]}
    worse, better = [], []
    for q in new["questions"]:
        before = old_q.get(q["id"])
        if before is None:
            continue
        if lost := _lost_flags(before, q):
            worse.append({"id": q["id"], "question": q["question"], "lost": lost,
                          "old_answer": before.get("answer"), "new_answer": q.get("answer")})
        if gained := _lost_flags(q, before):
            better.append({"id": q["id"], "question": q["question"], "gained": gained})
    return {"old_results": old_path, "old_date": old.get("date"), "old_config_hash": old.get("config_hash"),
            "old_backend": old.get("backend"),
            "dataset_changed": (old.get("dataset") or {}).get("sha256") != new["dataset"]["sha256"],
            "corpus_changed": old.get("corpus_fingerprint") != new.get("corpus_fingerprint"),
            "deltas": deltas, "worse": worse, "better": better,
            "only_old": sorted(set(old_q) - new_ids), "only_new": sorted(new_ids - set(old_q))}


@dataclass(frozen=True)
class Threshold:
    metric: str
    op: str  # ">=" or "<="
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


def parse_threshold(spec: str) -> Threshold:
    """`metric=value`, `metric>=value` or `metric<=value`.

    `=` means "at least" for a higher-is-better metric and "at most" for a lower-is-better one
    (false_refusal_rate, latencies), so `false_refusal_rate=0.05` caps it at 0.05.
    """
    m = _THRESHOLD.match(spec)
    if not m:
        raise ValueError(f"bad threshold {spec!r}: write metric=value, e.g. hit@5=0.8, who:answer_contains>=0.7 "
                         "or false_refusal_rate<=0.05")
    name, op, value = m.group(1), m.group(2), float(m.group(3))
    if op == "=":
        op = "<=" if lower_is_better(name) else ">="
    return Threshold(name, op, value)


def parse_thresholds(specs: list[str]) -> list[Threshold]:
    """Check threshold syntax before a run (raises ValueError naming the bad one)."""
    return [parse_threshold(s) for s in specs]


def check_thresholds(run: Any, specs: list[str]) -> list[str]:
    """One message per threshold the run misses, naming the metric, its value and the threshold.

    `run` is an `EvalRun` or a results.json dict. A metric the run does not have (unknown name,
    or no question it applies to) is a failure too, so a typo cannot pass a gate.
    """
    results = run if isinstance(run, dict) else run.to_dict()
    flat = flat_metrics(results)
    failures = []
    for t in parse_thresholds(specs):
        if t.metric not in flat:
            known = ", ".join(k for k in flat if ":" not in k)
            failures.append(f"{t.metric}: no such metric in this run (known: {known}; per type: TYPE:METRIC)")
            continue
        value = flat[t.metric]
        if value is None:
            failures.append(f"{t.metric}: no value in this run (no question it applies to), threshold {t.op} {t.value:g}")
        elif t.op == ">=" and value < t.value:
            failures.append(f"{t.metric} = {value:.4f} is below the threshold {t.value:g}")
        elif t.op == "<=" and value > t.value:
            failures.append(f"{t.metric} = {value:.4f} is above the threshold {t.value:g}")
    return failures
