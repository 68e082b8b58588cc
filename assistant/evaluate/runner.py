"""Run an eval: ask every question through the real pipeline, score, aggregate, write reports."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.answer import BACKEND_NAMES, backend_choices
from assistant.config import Settings
from assistant.evaluate import metrics as M
from assistant.evaluate.compare import compare_runs, load_results
from assistant.evaluate.datasets import Dataset, EvalError, EvalItem, MissingArticlesError, jsonl_dataset
from assistant.evaluate.multihop import corpus_jsonl, load_multihop
from assistant.evaluate.report import EvalRun, write_reports
from assistant.evaluate.scoring import aggregate, calibration, drop_unused, latency, record
from assistant.progress import Progress
from assistant.records import Answer



# Running ----------------------------------------------------------------------------------


def resolve_dataset(spec: Path | str, limit: int | None = None) -> Dataset:
    """A dataset by name: a JSONL path, `multihop-sample`, or `multihop:/path/to/dir`.

    `limit` keeps the first N questions in file order (for MultiHop-RAG, null queries
    included, as the official `--limit` does).
    """
    if limit is not None and limit < 1:
        raise EvalError(f"limit must be a positive number of questions (got {limit})")
    text = str(spec)
    if text == "multihop-sample" or text.startswith("multihop:"):
        return load_multihop(None if text == "multihop-sample" else Path(text.split(":", 1)[1]), limit)
    return jsonl_dataset(text, limit)


def prompt_hashes(prompts_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(prompts_dir.glob("*.md"))}


def check_index(settings: Settings, items: list[EvalItem], dataset: str) -> None:
    """Raise `MissingArticlesError` when gold articles of the dataset are not indexed."""
    from assistant.store import open_store

    store = open_store(settings)
    indexed = set(store.article_records())
    gold = list(dict.fromkeys(a for i in items for a in i.gold_articles))
    missing = [a for a in gold if a not in indexed]
    if not missing:
        return
    shown = ", ".join(missing[:10]) + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else "")
    where = f"the index at {store.location}" + (" (empty)" if not indexed else "")
    raise MissingArticlesError(
        f"{len(missing)} of the {len(gold)} gold articles of {dataset} are not in {where}: {shown}. "
        "Ingest the articles first (`assistant ingest corpus/`, or the folder they come from), "
        "or point ASSISTANT_INDEX_DIR at the index that holds them.",
        missing,
    )


def benchmark_settings(settings: Settings, dataset: Dataset, progress: Progress | None) -> Settings:
    """Index the dataset's own corpus into a folder of its own, keyed by the corpus's hash."""
    from assistant.ingest import ingest

    assert dataset.corpus is not None
    text = corpus_jsonl(dataset.corpus)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", dataset.name.split("/")[-1] if ":" in dataset.name else dataset.name).strip("-")
    root = settings.index_dir / "benchmarks" / f"{slug or 'dataset'}-{digest}"
    root.mkdir(parents=True, exist_ok=True)
    corpus_path = root / "corpus.jsonl"
    if not corpus_path.exists() or corpus_path.read_text(encoding="utf-8") != text:
        corpus_path.write_text(text, encoding="utf-8")
    # Always the embedded store: on a Chroma server the benchmark would share the news
    # collection's name, and the pruning ingest below would delete the news articles.
    bench = settings.model_copy(update={"index_dir": root / "index", "log_path": root / "answers.sqlite", "chroma_host": None})
    report = ingest(bench, [corpus_path], prune=True, progress=progress)
    if report.failed:
        first = report.failed[0]
        raise EvalError(f"{len(report.failed)} articles of the {dataset.name} corpus failed to ingest; first: {first.path}: {first.reason}")
    return bench


def run_eval(settings: Settings, dataset: Path | str = "evals/news.jsonl", backend: str | None = None,
             out_dir: Path | None = None, compare: Path | None = None, progress: Progress | None = None,
             limit: int | None = None, judge: bool | None = None) -> EvalRun:
    """Ask every question of `dataset`, score the answers, write results.json and the reports.

    `dataset`: a JSONL path (evals/README.md), `multihop-sample` or `multihop:/path/to/dir`.
    `out_dir` defaults to evals/runs/<UTC timestamp>. `compare`: an earlier results.json (or its
    folder) to diff against. `judge`: LLM-judged faithfulness and correctness; default on when
    the backend is "openai". Raises `EvalError` (`DatasetError`, `MissingArticlesError`) before
    asking anything when the dataset or the index cannot serve the eval.
    """
    from assistant.pipeline import Assistant, AskOptions
    from assistant.store import open_store

    started = time.perf_counter()
    stamp = datetime.now(timezone.utc)
    data = resolve_dataset(dataset, limit)
    backend_name = backend or settings.backend
    if backend_name not in BACKEND_NAMES:
        raise EvalError(f"unknown backend {backend_name!r}; use {backend_choices(quote=True)}")
    old = load_results(compare) if compare else None
    use_judge = backend_name == "openai" if judge is None else judge
    if data.corpus is not None:
        settings = benchmark_settings(settings, data, progress)
    else:
        check_index(settings, data.items, data.source)
    judge_client = None
    if use_judge:
        from assistant.evaluate.judge import Judge

        judge_client = Judge(settings)

    assistant = Assistant(settings)
    options = AskOptions(k=data.k, backend=backend_name)
    records: list[dict[str, Any]] = []
    answers: list[Answer] = []
    try:
        for n, item in enumerate(data.items, start=1):
            answer = assistant.ask(item.question, options)
            answers.append(answer)
            records.append(record(item, answer, judge_client))
            if progress:
                progress("asking", n, len(data.items))
    finally:
        if judge_client:
            judge_client.close()

    overall = drop_unused(aggregate(records), records)
    overall.pop("n")
    types = list(dict.fromkeys(r["type"] for r in records))
    by_type = {t: drop_unused(aggregate([r for r in records if r["type"] == t]), records) for t in types}
    run = EvalRun(
        dataset={"name": data.name, "source": data.source, "sha256": data.sha256, "limit": limit,
                 "questions": len(data.items), "retrieval_k": data.k or settings.top_k, "index_dir": str(settings.index_dir)},
        backend=backend_name,
        date=stamp.isoformat(timespec="seconds"),
        config_hash=settings.config_hash(),
        corpus_fingerprint=open_store(settings).fingerprint(),
        prompt_hashes=prompt_hashes(settings.prompts_dir),
        metrics=overall,
        by_type=by_type,
        counts={"questions": len(records), "answerable": sum(r["answerable"] for r in records),
                "unanswerable": sum(not r["answerable"] for r in records), "refused": sum(bool(r["refused"]) for r in records)},
        latency_ms=latency(answers),
        calibration=calibration(records, settings.refusal_threshold, backend_name),
        questions=records,
        settings=settings.model_dump(mode="json", exclude={"openai_api_key"}),
        out_dir=Path(out_dir) if out_dir else Path("evals/runs") / stamp.strftime("%Y%m%d-%H%M%S"),
        judge=_judge_summary(settings, records) if use_judge else None,
        notes=list(data.notes),
    )
    if old is not None:
        run.comparison = compare_runs(old, run.to_dict(), str(compare))
    run.elapsed_s = time.perf_counter() - started
    write_reports(run)
    return run


def _judge_summary(settings: Settings, records: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts = [v for r in records if r["judge"] for v in r["judge"].values() if v]
    return {
        "model": settings.openai_model,
        "base_url": settings.llm_base_url,
        "faithfulness": M.mean(r["metrics"].get("judge_faithfulness") for r in records),
        "correctness": M.mean(r["metrics"].get("judge_correctness") for r in records),
        "judged": sum(v["error"] is None for v in verdicts),
        "errors": sum(v["error"] is not None for v in verdicts),
    }
