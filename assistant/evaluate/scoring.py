"""Scoring: one answer against its eval item, then means over questions, latency, calibration.

A question's record (`record`) is what results.json keeps per question: the answer, its
citations and retrieved passages, the per-sentence support, every metric and a verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.evaluate import metrics as M
from assistant.evaluate.datasets import EvalItem
from assistant.records import Answer, iso

if TYPE_CHECKING:
    from assistant.evaluate.judge import Judge

#: Every aggregated metric, in report order. Rates over questions unless named otherwise.
METRICS = (
    "correct", "hit@1", "hit@5", "mrr@10", "article_recall@5", "passage_hit@1", "passage_hit@5",
    "cited_first", "answer_contains", "f1", "exact_match", "citation_precision", "citation_recall",
    "supported_share", "lexical_supported_share", "refusal_recall", "false_refusal_rate",
    "near_miss_refused", "control_correct", "confidence_auroc", "answerable_auroc",
    "fact_hits@4", "fact_hits@10", "fact_mrr@10", "fact_map@10",
    "judge_faithfulness", "judge_correctness",
)
#: Dropped from a run's figures when no question of the dataset has them.
OPTIONAL_METRICS = ("near_miss_refused", "control_correct", "fact_hits@4", "fact_hits@10", "fact_mrr@10", "fact_map@10", "judge_faithfulness", "judge_correctness")
CALIBRATION_STEPS = 101


# Scoring one question ---------------------------------------------------------------------


def _statement_support(answer: Answer) -> list[dict[str, Any]]:
    by_key = {c.key: c for c in answer.citations}
    out = []
    for s in answer.statements:
        passages = [by_key[k].passage for k in s.keys if k in by_key]
        lexical = bool(passages) and M.lexically_supported(s.text, passages)
        out.append({"text": s.text, "keys": list(s.keys), "support": s.support, "supported": s.supported,
                    "lexical_supported": lexical, "counted_supported": s.supported if s.supported is not None else lexical})
    return out


def score(item: EvalItem, answer: Answer) -> tuple[dict[str, float | bool | None], list[dict[str, Any]]]:
    """Per-question metrics (None where a metric does not apply) and per-statement support."""
    ranked = M.dedup(p.chunk.article_id for p in answer.passages)
    chunks = [p.chunk.text for p in answer.passages]
    # A refusal's nearest evidence is shown as no answer: it is not a citation of one.
    cited = [] if answer.refused else M.dedup(c.article_id for c in answer.citations)
    gold_articles = item.gold_articles if item.answerable else ()
    gold_passages = item.gold_passages if item.answerable else ()
    text = "" if answer.refused else answer.text
    m: dict[str, float | bool | None] = {
        "hit@1": M.hit_at(ranked, gold_articles, 1),
        "hit@5": M.hit_at(ranked, gold_articles, 5),
        "mrr@10": M.reciprocal_rank(ranked, gold_articles, 10),
        "article_recall@5": M.recall_at(ranked, gold_articles, 5),
        "passage_hit@1": M.passage_hit_at(chunks, gold_passages, 1),
        "passage_hit@5": M.passage_hit_at(chunks, gold_passages, 5),
        "answer_contains": M.contains_answer(text, item.gold_answers) if item.gold_answers else None,
        "f1": M.best_f1(text, item.gold_answers),
        "exact_match": M.exact_match(text, item.gold_answers),
        "cited_first": (bool(cited) and cited[0] in gold_articles) if gold_articles else None,
        "citation_precision": M.citation_precision(cited, gold_articles),
        "citation_recall": M.citation_recall(cited, gold_articles),
        "refused": answer.refused,
    }
    if item.answerable and item.gold_facts:
        m.update(M.fact_scores(chunks, item.gold_facts, 10))
    statements = _statement_support(answer)
    if statements and not answer.refused:
        m["supported_share"] = M.mean(s["counted_supported"] for s in statements)
        m["lexical_supported_share"] = M.mean(s["lexical_supported"] for s in statements)
    else:
        m["supported_share"] = m["lexical_supported_share"] = None
    if not item.answerable:
        m["correct"] = answer.refused
    elif item.gold_answers:
        m["correct"] = bool(m["answer_contains"])
    else:
        m["correct"] = None
    return m, statements


def verdict(item: EvalItem, answer: Answer, correct: bool | None) -> str:
    if not item.answerable:
        return "refused correctly" if answer.refused else "answered an unanswerable question"
    if answer.refused:
        return "false refusal"
    if correct is None:
        return "answered (no gold answer to check)"
    return "correct" if correct else "wrong answer"


# Aggregating ------------------------------------------------------------------------------


def aggregate(records: list[dict[str, Any]]) -> dict[str, float | None]:
    """Means over the questions each metric applies to; refusal rates over (un)answerable ones."""
    out: dict[str, float | None] = {}
    for name in METRICS:
        if name == "refusal_recall":
            out[name] = M.mean(r["metrics"]["refused"] for r in records if not r["answerable"])
        elif name == "false_refusal_rate":
            out[name] = M.mean(r["metrics"]["refused"] for r in records if r["answerable"])
        elif name == "near_miss_refused":
            # Questions that swap one person, date, place or number against what is reported.
            out[name] = M.mean(r["metrics"]["refused"] for r in records if r["type"] == "near_miss")
        elif name == "control_correct":
            # ... and their matched controls, which must still be answered right.
            out[name] = M.mean(r["metrics"]["correct"] for r in records if r["answerable"] and r.get("pair"))
        elif name == "confidence_auroc":
            # Does confidence tell right answers from wrong ones (refusals count as not right)?
            scored = [r for r in records if r["answerable"] and r["metrics"]["correct"] is not None]
            out[name] = M.auroc([r["confidence"] for r in scored], [bool(r["metrics"]["correct"]) for r in scored])
        elif name == "answerable_auroc":
            # ... and answerable questions from those the corpus does not answer?
            out[name] = M.auroc([r["confidence"] for r in records], [r["answerable"] for r in records])
        else:
            out[name] = M.mean(r["metrics"].get(name) for r in records)
    out["n"] = len(records)
    return out


def drop_unused(values: dict[str, float | None], records: list[dict[str, Any]]) -> dict[str, float | None]:
    used = {k for r in records for k, v in r["metrics"].items() if v is not None}
    return {k: v for k, v in values.items() if k not in OPTIONAL_METRICS or k in used or v is not None}


def latency(answers: list[Answer]) -> dict[str, dict[str, float]]:
    stages = list(dict.fromkeys(k for a in answers for k in a.timings_ms))
    return {s: M.percentiles([a.timings_ms[s] for a in answers if s in a.timings_ms]) for s in stages}


def calibration(records: list[dict[str, Any]], threshold: float, backend: str) -> dict[str, Any]:
    curve = M.refusal_curve(
        [r["confidence"] for r in records], [r["answerable"] for r in records], np.linspace(0, 1, CALIBRATION_STEPS)
    )
    best = None
    rr, fr = curve["refusal_recall"], curve["false_refusal_rate"]
    if rr and rr[0] is not None and fr[0] is not None:
        # Youden's J: the threshold that best separates unanswerable from answerable questions.
        j = [a - b for a, b in zip(rr, fr)]
        best = curve["thresholds"][int(np.argmax(j))]
    return {**curve, "current_threshold": threshold, "best_threshold": best, "backend": backend}


def record(item: EvalItem, answer: Answer, judge: Judge | None = None) -> dict[str, Any]:
    """The question's entry in results.json; with a judge, its verdicts too."""
    metrics, statements = score(item, answer)
    gold = set(item.gold_articles)
    facts = [M.strip_spaces(f) for f in item.gold_facts]
    judged = None
    if judge is not None:
        faith, correct = judge.faithfulness(answer), judge.correctness(item, answer)
        metrics["judge_faithfulness"] = faith.score if faith else None
        metrics["judge_correctness"] = correct.score if correct else None
        judged = {"faithfulness": faith.to_dict() if faith else None, "correctness": correct.to_dict() if correct else None}
    return {
        **item.to_dict(),
        "answer": answer.text,
        "refused": answer.refused,
        "confidence": round(float(answer.confidence), 4),
        "backend": answer.backend,
        "notice": answer.notice,
        "verdict": verdict(item, answer, metrics["correct"]),
        "metrics": metrics,
        "judge": judged,
        "citations": [
            {"key": c.key, "article_id": c.article_id, "title": c.title, "outlet": c.outlet,
             "published": iso(c.published), "gold": c.article_id in gold, "passage": c.passage}
            for c in answer.citations
        ],
        "statements": statements,
        "retrieved": [
            {"rank": r, "chunk_id": p.chunk.id, "article_id": p.chunk.article_id, "score": round(p.score, 4),
             "gold_article": p.chunk.article_id in gold,
             **({"holds_fact": any(f in M.strip_spaces(p.chunk.text) for f in facts)} if facts else {})}
            for r, p in enumerate(answer.passages, start=1)
        ],
        "timings_ms": {k: round(v, 2) for k, v in answer.timings_ms.items()},
    }
