"""The `eval` command: measure the answers against the eval sets and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli_checks import IndexOpt, fail, read_settings


def evaluate(
    index: IndexOpt = None,
    dataset: Annotated[Optional[list[str]], typer.Option("--dataset", help="A JSONL eval set, multihop-sample, or multihop:/dir (repeatable; default: the dev set evals/news.jsonl and the held-out test set evals/test.jsonl).")] = None,
    backend: Annotated[Optional[str], typer.Option("--backend", help="offline, openai or local.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Report folder (default evals/runs/<time>).")] = None,
    compare: Annotated[Optional[Path], typer.Option("--compare", help="An earlier results.json to diff against.")] = None,
    fail_under: Annotated[Optional[list[str]], typer.Option("--fail-under", help="metric=value; exit 1 when a figure falls short (repeatable).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="Only the first N questions.")] = None,
) -> None:
    """Measure retrieval, answer accuracy, citations and refusals; write results.json, report.md, report.html.

    Example usage:

        assistant eval                                  # the dev set, then the held-out test set
        assistant eval --dataset evals/test.jsonl --compare evals/runs/OLD/results.json --fail-under hit@1=0.85 --fail-under false_refusal_rate=0.05
    """
    from assistant.evaluate import EvalError, check_thresholds, parse_thresholds, rich_progress, run_eval
    from assistant.evaluate.datasets import DEFAULT_DATASETS

    settings = read_settings(index)
    datasets = dataset or list(DEFAULT_DATASETS)
    if compare is not None and len(datasets) > 1:
        fail("--compare diffs one dataset's run: name it with --dataset")
    failures: list[str] = []
    for name in datasets:
        # Several datasets: each reports into a folder of its own under --out.
        where = out / Path(name).stem if out is not None and len(datasets) > 1 else out
        try:
            parse_thresholds(fail_under or [])
            with rich_progress() as progress:
                run = run_eval(settings, name, backend=backend, out_dir=where, compare=compare, progress=progress, limit=limit)
        except (EvalError, ValueError) as exc:
            fail(str(exc))
        typer.echo(run.summary())
        for f in check_thresholds(run, fail_under or []):
            failures.append(f)
            typer.secho(f"FAIL {run.dataset['name']}: {f}", fg="red")
    raise typer.Exit(1 if failures else 0)
