"""The offline answerer: composes an answer from the corpus's own best supporting sentences.

It never writes a claim of its own. Every sentence of the answer is a sentence of a retrieved
passage, cited; quotes are the passage's own words between the passage's own quotation marks.
The sentences are chosen by how well they match the question (embedding similarity and
IDF-weighted term overlap), how highly their passage was retrieved, and whether they hold the
kind of answer asked for (a date for "when", a number for "how many", ...). When the best
evidence is weak it refuses with the shared refusal phrase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answer import REFUSAL, Draft, DraftSentence
from assistant.answer.question import QuestionKind, classify, type_match
from assistant.chunk import split_sentences
from assistant.records import Passage
from assistant.text import terms

#: Candidate sentences embedded per question: the dominant cost of an offline answer.
EMBED_CANDIDATES = 6

# Weights of the sentence score, tuned on evals/news.jsonl.
W_DENSE, W_LEX, W_PASSAGE, W_TYPE = 0.45, 0.35, 0.12, 0.08
# Confidence: how strongly the best sentence matches, blending meaning and rare-term coverage.
C_DENSE, C_LEX = 0.6, 0.4


@dataclass
class Candidate:
    passage_index: int
    text: str
    start: int
    end: int
    lex: float
    coverage: float
    passage_score: float
    type_score: float
    dense: float = 0.0
    score: float = 0.0


class OfflineAnswerer:
    name = "offline"

    def __init__(self, embedder, idf, refusal_threshold: float, max_sentences: int = 3):
        self.embedder = embedder
        self.idf = idf  # callable: list[str] -> list[float]
        self.threshold = refusal_threshold
        self.max_sentences = max_sentences

    def candidates(self, question: str, kind: QuestionKind, passages: list[Passage]) -> list[Candidate]:
        q_terms = list(dict.fromkeys(terms(question)))
        weights = self.idf(q_terms) if q_terms else []
        total = sum(weights) or 1.0
        top_score = max((p.score for p in passages), default=1.0) or 1.0
        seen: set[tuple[str, int]] = set()
        out: list[Candidate] = []
        for i, p in enumerate(passages):
            c = p.chunk
            for s in split_sentences(c.text, offset=c.start):
                if (c.article_id, s.start) in seen or len(s.text) < 15:
                    continue
                seen.add((c.article_id, s.start))
                s_terms = set(terms(s.text))
                matched = sum(w for t, w in zip(q_terms, weights) if t in s_terms)
                out.append(
                    Candidate(
                        passage_index=i,
                        text=s.text,
                        start=s.start,
                        end=s.end,
                        lex=matched / total,
                        coverage=matched / total,
                        passage_score=p.score / top_score,
                        type_score=type_match(kind.kind, s.text),
                    )
                )
        return out

    def draft(self, question: str, passages: list[Passage]) -> Draft:
        if not passages:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=0.0)
        kind = classify(question)
        cands = self.candidates(question, kind, passages)
        if not cands:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=0.0)
        # Embed only the most promising sentences: each costs several milliseconds.
        cands.sort(key=lambda c: -(0.6 * c.lex + 0.3 * c.passage_score + 0.1 * c.type_score))
        head = cands[:EMBED_CANDIDATES]
        vectors = self.embedder.embed_documents([question] + [c.text for c in head])
        qv, sv = vectors[0], vectors[1:]
        for c, v in zip(head, sv):
            c.dense = float(np.dot(qv, v))
        for c in cands:
            c.score = W_DENSE * c.dense + W_LEX * c.lex + W_PASSAGE * c.passage_score + W_TYPE * c.type_score
        head.sort(key=lambda c: -c.score)
        best = head[0]
        confidence = C_DENSE * best.dense + C_LEX * best.coverage
        if confidence < self.threshold:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=confidence, kind=kind.kind)

        chosen = [best]
        best_article = passages[best.passage_index].chunk.article_id
        for c in head[1:]:
            if len(chosen) >= self.max_sentences:
                break
            article = passages[c.passage_index].chunk.article_id
            other_article = article not in {passages[x.passage_index].chunk.article_id for x in chosen}
            margin = 0.12 if (kind.multi and other_article) else 0.06
            if c.score < best.score - margin or C_DENSE * c.dense + C_LEX * c.coverage < self.threshold:
                continue
            if _redundant(c, chosen):
                continue
            if not kind.multi and article != best_article and c.score < best.score - 0.03:
                continue
            chosen.append(c)
        # Keep sentences of one article in reading order; articles in order of relevance.
        article_rank: dict[str, int] = {}
        for c in chosen:
            article_rank.setdefault(passages[c.passage_index].chunk.article_id, len(article_rank))
        chosen.sort(key=lambda c: (article_rank[passages[c.passage_index].chunk.article_id], c.start))
        sentences = [
            DraftSentence(
                text=_render(c.text, kind),
                passage_index=c.passage_index,
                start=c.start,
                end=c.end,
                source_text=c.text,
            )
            for c in chosen
        ]
        return Draft(refused=False, text="", sentences=sentences, confidence=confidence, kind=kind.kind)


def _redundant(c: Candidate, chosen: list[Candidate]) -> bool:
    a = set(terms(c.text))
    for x in chosen:
        b = set(terms(x.text))
        if a and len(a & b) / len(a) > 0.7:
            return True
    return False


def _render(sentence: str, kind: QuestionKind) -> str:
    """The sentence as it stands in the article: verbatim, quotation marks included."""
    return sentence

