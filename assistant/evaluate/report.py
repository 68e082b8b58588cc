"""The run's outputs: `EvalRun` (all one eval produced), results.json, report.md, and report.html
readable offline.

The HTML embeds its plots as base64 PNG data URIs and its CSS inline: no JavaScript, nothing
fetched. Plots are drawn on matplotlib `Figure` objects (not pyplot), so no global backend or
figure state is touched in the calling process.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluate.compare import flat_metrics

#: What each metric means, shown in the reports.
HELP = {
    "correct": "answerable: the answer holds a gold answer; unanswerable: refused",
    "hit@1": "a gold article is the top retrieved article",
    "hit@5": "a gold article is among the top 5 retrieved articles (deduplicated, retrieval order)",
    "mrr@10": "1 / rank of the first gold article among the top 10",
    "article_recall@5": "share of the gold articles among the top 5",
    "passage_hit@1": "a gold sentence is inside the top retrieved chunk (whitespace-normalized)",
    "passage_hit@5": "a gold sentence is inside one of the top 5 chunks",
    "answer_contains": "a gold answer appears in the answer (normalized, whole words)",
    "f1": "SQuAD token F1 against the best gold answer",
    "exact_match": "the answer equals a gold answer (SQuAD normalization)",
    "cited_first": "the answer's first citation is a gold article (answerable questions)",
    "citation_precision": "share of the cited articles that are gold",
    "citation_recall": "share of the gold articles that are cited",
    "supported_share": "share of answer sentences supported by their cited passage (backend's check, else lexical)",
    "lexical_supported_share": "share of answer sentences whose cited passage holds >= 60% of their content terms",
    "refusal_recall": "share of unanswerable questions refused",
    "false_refusal_rate": "share of answerable questions refused (lower is better)",
    "fact_hits@4": "MultiHop-RAG: a chunk holding a gold fact in the top 4 (official scoring)",
    "fact_hits@10": "MultiHop-RAG: a chunk holding a gold fact in the top 10 (official scoring)",
    "fact_mrr@10": "MultiHop-RAG: 1 / rank of the first chunk holding a gold fact",
    "fact_map@10": "MultiHop-RAG: average precision over gold facts, / min(#facts, 10)",
    "judge_faithfulness": "LLM judge: the answer says nothing its cited passages do not",
    "judge_correctness": "LLM judge: the answer states a gold answer (partial = 0.5)",
}
PLOT_METRICS = ("correct", "hit@5", "passage_hit@5", "answer_contains", "citation_precision", "supported_share")


@dataclass
class EvalRun:
    """Everything one eval produced; `results.json` is `to_dict()`."""

    dataset: dict[str, Any]
    backend: str
    date: str
    config_hash: str
    corpus_fingerprint: str
    prompt_hashes: dict[str, str]
    metrics: dict[str, float | None]
    by_type: dict[str, dict[str, float | None]]
    counts: dict[str, int]
    latency_ms: dict[str, dict[str, float]]
    calibration: dict[str, Any]
    questions: list[dict[str, Any]]
    settings: dict[str, Any]
    out_dir: Path
    judge: dict[str, Any] | None = None
    comparison: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def results_json(self) -> Path:
        return self.out_dir / "results.json"

    @property
    def report_md(self) -> Path:
        return self.out_dir / "report.md"

    @property
    def report_html(self) -> Path:
        return self.out_dir / "report.html"

    def flat_metrics(self) -> dict[str, float | None]:
        """Names `check_thresholds` and `--compare` understand: overall (`hit@5`), per type
        (`who:hit@5`) and latency per stage (`total_ms_p95`)."""
        return flat_metrics(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        fields = ("date", "dataset", "backend", "config_hash", "prompt_hashes", "corpus_fingerprint", "elapsed_s", "counts",
                  "metrics", "by_type", "latency_ms", "calibration", "judge", "comparison", "notes", "settings", "questions")
        return {"schema": 1, **{k: getattr(self, k) for k in fields}, "elapsed_s": round(self.elapsed_s, 2)}

    def summary(self) -> str:
        return summary_text(self)


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _short(text: str | None, n: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def write_reports(run: EvalRun) -> None:
    run.out_dir.mkdir(parents=True, exist_ok=True)
    run.results_json.write_text(json.dumps(run.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    run.report_md.write_text(markdown(run), encoding="utf-8")
    run.report_html.write_text(html_report(run), encoding="utf-8")


# Text -------------------------------------------------------------------------------------


def _header_rows(run: EvalRun) -> list[tuple[str, str]]:
    d, c = run.dataset, run.counts
    return [
        ("Dataset", f"{d['name']} ({d['source']}), sha256 {d['sha256'][:12]}"),
        ("Questions", f"{c['questions']} ({c['answerable']} answerable, {c['unanswerable']} unanswerable)"
                      + (f", limit {d['limit']}" if d.get("limit") else "")),
        ("Backend", run.backend),
        ("Config hash", run.config_hash),
        ("Corpus fingerprint", f"{run.corpus_fingerprint} (index {d['index_dir']}, retrieval k={d['retrieval_k']})"),
        ("Prompts", ", ".join(f"{k} {v[:12]}" for k, v in run.prompt_hashes.items()) or "none"),
        ("Date", f"{run.date} ({run.elapsed_s:.1f} s)"),
    ]


def summary_text(run: EvalRun) -> str:
    """What the CLI prints after a run."""
    c = run.counts
    lines = [
        f"Eval of {run.dataset['name']}: {c['questions']} questions ({c['answerable']} answerable, "
        f"{c['unanswerable']} unanswerable), backend {run.backend}, config {run.config_hash}, "
        f"corpus {run.corpus_fingerprint}"
    ]
    lines += [f"  {name:<24} {fmt(v)}" for name, v in run.metrics.items()]
    if "total_ms" in run.latency_ms:
        t = run.latency_ms["total_ms"]
        lines.append(f"  {'latency total_ms':<24} p50 {t['p50']:.0f}  p95 {t['p95']:.0f}")
    if run.judge:
        lines.append(f"  judge ({run.judge['model']}): {run.judge['judged']} verdicts, {run.judge['errors']} errors")
    lines += [f"  note: {n}" for n in run.notes]
    missed = [f"{q['id']} ({q['verdict']})" for q in run.questions if q["metrics"].get("correct") is False]
    if missed:
        shown = ", ".join(missed[:12]) + (f", ... {len(missed) - 12} more" if len(missed) > 12 else "")
        lines.append(f"Not correct ({len(missed)}): {shown}")
    if run.comparison:
        cmp = run.comparison
        moved = [(k, d) for k, d in cmp["deltas"].items() if ":" not in k and k in run.metrics and abs(d["delta"]) > 1e-9]
        lines.append(f"Compared with {cmp['old_results']}:")
        lines += [f"  {k:<24} {d['old']:.3f} -> {d['new']:.3f} ({d['delta']:+.3f})" for k, d in moved] or ["  no metric moved"]
        for q in cmp["worse"]:
            lines.append(f"  worse: {q['id']} (no longer {', '.join(q['lost'])}): {_short(q['question'], 90)}")
        if cmp["dataset_changed"]:
            lines.append("  note: the dataset differs from the old run's")
    lines.append(f"Reports: {run.report_html}  {run.report_md}  {run.results_json}")
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def _metric_rows(run: EvalRun) -> list[list[str]]:
    return [[k, fmt(v), HELP.get(k, "")] for k, v in run.metrics.items()]


def _latency_rows(run: EvalRun) -> list[list[str]]:
    return [[s, *(fmt(v[x], 1) for x in ("p50", "p95", "mean", "max"))] for s, v in run.latency_ms.items()]


def _delta_rows(cmp: dict[str, Any]) -> list[list[str]]:
    return [[k, fmt(d["old"]), fmt(d["new"]), f"{d['delta']:+.3f}"] for k, d in cmp["deltas"].items() if ":" not in k]


def _type_rows(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    names = [m for m in run.metrics if any(v.get(m) is not None for v in run.by_type.values())]
    rows = [[t, str(v["n"])] + [fmt(v.get(m)) for m in names] for t, v in run.by_type.items()]
    return ["type", "n"] + names, rows


def markdown(run: EvalRun) -> str:
    parts = ["# Eval report", "", _table(["", ""], [[k, v] for k, v in _header_rows(run)]), ""]
    parts += [f"> {n}" for n in run.notes] + ([""] if run.notes else [])
    parts += ["## Metrics", "", _table(["metric", "value", "meaning"], _metric_rows(run)), ""]
    header, rows = _type_rows(run)
    parts += ["## By question type", "", _table(header, rows), ""]
    parts += ["## Latency (ms)", "", _table(["stage", "p50", "p95", "mean", "max"], _latency_rows(run)), ""]
    cal = run.calibration
    parts += ["## Refusal threshold", "",
              f"Current threshold {cal['current_threshold']:g}; the threshold separating unanswerable from answerable "
              f"questions best on this run (max refusal recall - false-refusal rate): {fmt(cal['best_threshold'], 2)}. "
              "See the calibration plot in report.html.", ""]
    if run.judge:
        j = run.judge
        parts += ["## LLM judge", "", f"Model {j['model']} at {j['base_url'] or 'api.openai.com'}: faithfulness "
                  f"{fmt(j['faithfulness'])}, correctness {fmt(j['correctness'])} ({j['judged']} verdicts, {j['errors']} errors). "
                  "Reported beside the offline metrics above, not instead of them.", ""]
    if run.comparison:
        parts += _comparison_md(run.comparison)
    parts += ["## Questions", "", _table(
        ["id", "type", "verdict", "hit@5", "answer", "cited"],
        [[q["id"], q["type"], q["verdict"], fmt(q["metrics"].get("hit@5")), _short(q["answer"]),
          ", ".join(dict.fromkeys(c["article_id"] for c in q["citations"]))] for q in run.questions],
    ), ""]
    return "\n".join(parts)


def _comparison_md(cmp: dict[str, Any]) -> list[str]:
    out = [f"## Compared with {cmp['old_results']}", "",
           f"Old run: {cmp['old_date']}, backend {cmp['old_backend']}, config {cmp['old_config_hash']}."
           + (" The dataset differs." if cmp["dataset_changed"] else "")
           + (" The corpus differs." if cmp["corpus_changed"] else ""), "",
           _table(["metric", "old", "new", "delta"], _delta_rows(cmp)), ""]
    out.append(f"**Worse ({len(cmp['worse'])}):**" if cmp["worse"] else "No question got worse.")
    out += [f"- `{q['id']}` no longer {', '.join(q['lost'])}: {q['question']}" for q in cmp["worse"]]
    if cmp["better"]:
        out += ["", f"**Better ({len(cmp['better'])}):** " + ", ".join(f"`{q['id']}`" for q in cmp["better"])]
    return out + [""]


# Plots ------------------------------------------------------------------------------------


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def plot_by_type(run: EvalRun) -> str:
    from matplotlib.figure import Figure

    types = list(run.by_type)
    names = [m for m in PLOT_METRICS if m in run.metrics]
    fig = Figure(figsize=(max(6, 1.1 * len(types) + 2), 3.6))
    ax = fig.add_subplot()
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        values = [run.by_type[t].get(name) for t in types]
        xs = [x + i * width for x in range(len(types))]
        ax.bar(xs, [v if v is not None else 0 for v in values], width, label=name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(types))], [f"{t}\n(n={run.by_type[t]['n']})" for t in types], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("rate")
    ax.set_title("Metrics by question type (missing bar: does not apply)")
    ax.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    return _png(fig)


def plot_latency(run: EvalRun) -> str:
    from matplotlib.figure import Figure

    stages = list(run.latency_ms)
    # Log scale: stages differ by orders of magnitude; sub-0.01 ms timings are clipped to show.
    data = [[max(q["timings_ms"][s], 0.01) for q in run.questions if s in q["timings_ms"]] for s in stages]
    fig = Figure(figsize=(6.5, 0.45 * len(stages) + 1.2))
    ax = fig.add_subplot()
    ax.boxplot(data, orientation="horizontal", showfliers=True)
    ax.set_yticks(range(1, len(stages) + 1), stages, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds per question")
    ax.set_title("Latency by stage")
    return _png(fig)


def plot_calibration(run: EvalRun) -> str:
    from matplotlib.figure import Figure

    cal = run.calibration
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.add_subplot()
    ts = cal["thresholds"]
    for key, label in (("refusal_recall", "refusal recall (unanswerable refused)"),
                       ("false_refusal_rate", "false-refusal rate (answerable refused)")):
        if cal[key] and cal[key][0] is not None:
            ax.plot(ts, cal[key], label=label)
    ax.axvline(cal["current_threshold"], color="grey", linestyle="--", label=f"current threshold {cal['current_threshold']:g}")
    if cal["best_threshold"] is not None:
        ax.axvline(cal["best_threshold"], color="grey", linestyle=":", label=f"best on this run {cal['best_threshold']:.2f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("refusal threshold (refuse when answer confidence < threshold)")
    ax.set_title("What each threshold would refuse")
    ax.legend(fontsize=7)
    return _png(fig)


# HTML -------------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.4em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{background:#fff8e0;padding:.5em 1em}
.bad{color:#a00}.good{color:#070}img{max-width:100%}small{color:#666}
"""


def _h(text: Any) -> str:
    return html.escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_h(c)}</th>" for c in header)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i >= numeric_from else ''}>{_h(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def html_report(run: EvalRun) -> str:
    p: list[str] = [f"<!doctype html><html><head><meta charset='utf-8'><title>Eval report: {_h(run.dataset['name'])}</title>",
                     f"<style>{CSS}</style></head><body><h1>Eval report</h1>"]
    p.append(_html_table(["", ""], [[k, v] for k, v in _header_rows(run)], numeric_from=99))
    p += [f"<p class=note>{_h(n)}</p>" for n in run.notes]
    p.append("<h2>Metrics</h2>")
    p.append(_html_table(["metric", "value", "meaning"], _metric_rows(run), numeric_from=1))
    header, rows = _type_rows(run)
    p += ["<h2>By question type</h2>", _html_table(header, rows), f"<img alt='metrics by type' src='{plot_by_type(run)}'>"]
    p += ["<h2>Latency (ms)</h2>", _html_table(["stage", "p50", "p95", "mean", "max"], _latency_rows(run)),
          f"<img alt='latency by stage' src='{plot_latency(run)}'>"]
    cal = run.calibration
    p += ["<h2>Refusal threshold calibration</h2>",
          f"<p>From each answer's confidence: at threshold t an answer is refused when its confidence is below t. "
          f"Current threshold {cal['current_threshold']:g}, best separating threshold on this run {fmt(cal['best_threshold'], 2)}."
          + (" The LLM backend does not refuse by this threshold; the curve shows the offline confidence only."
             if run.backend != "offline" else "") + "</p>",
          f"<img alt='refusal calibration' src='{plot_calibration(run)}'>"]
    if run.judge:
        j = run.judge
        p += ["<h2>LLM judge</h2>", f"<p>Model {_h(j['model'])}: faithfulness {fmt(j['faithfulness'])}, correctness "
              f"{fmt(j['correctness'])} ({j['judged']} verdicts, {j['errors']} errors); beside the offline metrics, not instead.</p>"]
    if run.comparison:
        cmp = run.comparison
        p.append(f"<h2>Compared with {_h(cmp['old_results'])}</h2>")
        p.append(_html_table(["metric", "old", "new", "delta"], _delta_rows(cmp)))
        if cmp["worse"]:
            p.append("<h3 class=bad>Worse</h3><ul>" + "".join(
                f"<li><b>{_h(q['id'])}</b> no longer {_h(', '.join(q['lost']))}: {_h(q['question'])}<br>"
                f"<small>before: {_h(_short(q['old_answer']))}<br>now: {_h(_short(q['new_answer']))}</small></li>"
                for q in cmp["worse"]) + "</ul>")
        else:
            p.append("<p class=good>No question got worse.</p>")
    p.append("<h2>Questions</h2>")
    p.append(_html_table(
        ["id", "type", "verdict", "hit@5", "confidence", "question", "answer", "cited"],
        [[q["id"], q["type"], q["verdict"], fmt(q["metrics"].get("hit@5")), fmt(q["confidence"], 2), q["question"],
          _short(q["answer"], 300), ", ".join(dict.fromkeys(c["article_id"] for c in q["citations"]))] for q in run.questions],
        numeric_from=99,
    ))
    p.append("</body></html>\n")
    return "\n".join(p)
