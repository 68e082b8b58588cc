"""Metric functions on plain values: no pipeline, no I/O, so each can be checked by hand.

Ranks are 1-based. A metric that does not apply to a question (retrieval for a question with
no gold article, citation recall for an unanswerable one) is `None`, and aggregates skip it.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from assistant.text import normalize, terms

#: Share of a sentence's content terms that its cited passage must hold (lexical support).
LEXICAL_SUPPORT = 0.6

_CITATION_MARK = re.compile(r"\s*\[\d+\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


# Answers ------------------------------------------------------------------------------------


def strip_citations(text: str) -> str:
    """The answer text without its `[1]` keys, which would otherwise count as words."""
    return _CITATION_MARK.sub("", text)


def contains_answer(answer: str, gold_answers: Iterable[str]) -> bool:
    """Any gold answer inside the answer, both `assistant.text.normalize`d, on word boundaries.

    Word boundaries keep "eight" from matching inside "eighteen".
    """
    text = f" {normalize(strip_citations(answer))} "
    return any(g and f" {g} " in text for g in (normalize(x) for x in gold_answers))


def squad_normalize(text: str) -> str:
    """SQuAD's answer normalization: lower case, no punctuation, no articles, single spaces.

    Unicode punctuation (curly quotes, dashes) is dropped too, not only ASCII's.
    """
    text = text.lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") or ch in string.punctuation else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between one prediction and one gold answer."""
    pred = squad_normalize(strip_citations(prediction)).split()
    ref = squad_normalize(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, gold_answers: Sequence[str]) -> float | None:
    return max((token_f1(prediction, g) for g in gold_answers), default=None)


def exact_match(prediction: str, gold_answers: Sequence[str]) -> bool | None:
    if not gold_answers:
        return None
    pred = squad_normalize(strip_citations(prediction))
    return any(pred == squad_normalize(g) for g in gold_answers)


# Retrieval ----------------------------------------------------------------------------------


def dedup(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats (articles ranked by their best passage)."""
    return list(dict.fromkeys(items))


def hit_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> bool | None:
    gold = set(gold)
    if not gold:
        return None
    return any(x in gold for x in ranked[:k])


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str], k: int = 10) -> float | None:
    gold = set(gold)
    if not gold:
        return None
    for rank, x in enumerate(ranked[:k], start=1):
        if x in gold:
            return 1 / rank
    return 0.0


def recall_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> float | None:
    gold = set(gold)
    if not gold:
        return None
    return len(gold & set(ranked[:k])) / len(gold)


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces, for "is this sentence in that chunk"."""
    return " ".join(text.split())


def passage_hit_at(chunk_texts: Sequence[str], gold_passages: Sequence[str], k: int) -> bool | None:
    """A gold sentence, whitespace-normalized, inside one of the first k retrieved chunks."""
    golds = [squash(g) for g in gold_passages if g.strip()]
    if not golds:
        return None
    return any(g in squash(t) for t in chunk_texts[:k] for g in golds)


# MultiHop-RAG's official retrieval scoring (yixuantt/MultiHop-RAG, retrieval_evaluate.py):
# a chunk is relevant when a gold fact, with spaces and newlines removed, is a substring of it
# (also stripped). Average precision counts each gold fact once, at the first rank that holds
# it, and divides by min(#facts, 10).


def strip_spaces(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def fact_scores(chunk_texts: Sequence[str], facts: Sequence[str], k: int = 10) -> dict[str, float]:
    """Hits@4, Hits@10, MRR@10 and AP@10 of one query, the official way."""
    golds = [strip_spaces(f) for f in facts]
    found: set[int] = set()
    first: int | None = None
    ap = 0.0
    for rank, text in enumerate(chunk_texts[:k], start=1):
        chunk = strip_spaces(text)
        new = [i for i, g in enumerate(golds) if g in chunk]
        if not new:
            continue
        if first is None:
            first = rank
        fresh = [i for i in new if i not in found]
        found.update(fresh)
        ap += len(fresh) / rank
    return {
        "fact_hits@4": float(first is not None and first <= 4),
        "fact_hits@10": float(first is not None),
        "fact_mrr@10": 1 / first if first else 0.0,
        "fact_map@10": ap / min(len(golds), 10) if golds else 0.0,
    }


# Citations and support ----------------------------------------------------------------------


def citation_precision(cited: Iterable[str], gold: Iterable[str]) -> float | None:
    """Share of the cited articles that are gold; None when nothing is cited."""
    return citation_recall(gold, cited)


def citation_recall(cited: Iterable[str], gold: Iterable[str]) -> float | None:
    """Share of the gold articles that are cited; None when there is no gold article."""
    gold = set(gold)
    if not gold:
        return None
    return len(gold & set(cited)) / len(gold)


def lexically_supported(sentence: str, passages: Sequence[str]) -> bool:
    """At least LEXICAL_SUPPORT of the sentence's content terms appear in its cited passages."""
    wanted = set(terms(strip_citations(sentence)))
    if not wanted:
        return bool(passages)
    have: set[str] = set()
    for p in passages:
        have.update(terms(p))
    return len(wanted & have) / len(wanted) >= LEXICAL_SUPPORT


# Aggregation --------------------------------------------------------------------------------


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that apply (None skipped); None when none applies."""
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def percentiles(values: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)), "mean": float(arr.mean()),
            "max": float(arr.max()), "n": int(arr.size)}


def refusal_curve(
    confidences: Sequence[float], answerable: Sequence[bool], thresholds: Sequence[float]
) -> dict[str, list[float | None]]:
    """What a confidence threshold would refuse: an answer is refused when confidence < t.

    Refusal recall over the unanswerable questions, false-refusal rate over the answerable.
    """
    conf = np.asarray(confidences, dtype=float)
    ans = np.asarray(answerable, dtype=bool)
    recall: list[float | None] = []
    false_rate: list[float | None] = []
    for t in thresholds:
        refused = conf < t
        recall.append(float(refused[~ans].mean()) if (~ans).any() else None)
        false_rate.append(float(refused[ans].mean()) if ans.any() else None)
    return {"thresholds": [float(t) for t in thresholds], "refusal_recall": recall, "false_refusal_rate": false_rate}


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """The probability that a positive scores above a negative (ties count half): how well the
    scores separate the two; None without both kinds."""
    pos = np.asarray([s for s, p in zip(scores, positive) if p], dtype=float)
    neg = np.asarray([s for s, p in zip(scores, positive) if not p], dtype=float)
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))
