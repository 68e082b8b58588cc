"""The eval suite: ask a dataset's questions through the real pipeline and score the answers.

    run = run_eval(settings, "evals/news.jsonl", out_dir=Path("evals/runs/today"))
    print(run.summary())
    failures = check_thresholds(run, ["hit@5=0.8", "false_refusal_rate<=0.1"])

Modules: `datasets` (records, the JSONL format), `multihop` (MultiHop-RAG adapter),
`metrics` (pure metric functions), `judge` (LLM-judged faithfulness and correctness),
`scoring` (one answer against its item, aggregates), `compare` (--compare and --fail-under),
`report` (`EvalRun`, results.json, report.md, report.html), `runner` (`run_eval`, dataset names).
"""

from assistant.evaluate.compare import check_thresholds, compare_runs, flat_metrics, parse_thresholds
from assistant.evaluate.datasets import Dataset, DatasetError, EvalError, EvalItem, MissingArticlesError, load_dataset
from assistant.evaluate.report import EvalRun
from assistant.evaluate.runner import Progress, resolve_dataset, run_eval
from assistant.progress import rich_progress
from assistant.evaluate.scoring import METRICS

__all__ = [
    "METRICS", "Dataset", "DatasetError", "EvalError", "EvalItem", "EvalRun", "MissingArticlesError", "Progress",
    "check_thresholds", "compare_runs", "flat_metrics", "load_dataset", "parse_thresholds", "resolve_dataset",
    "rich_progress", "run_eval",
]
