"""The offline answerer: composes an answer from the corpus's own best supporting sentences.

It never writes a claim of its own. Every sentence of the answer is a sentence of a retrieved
passage, cited; quotes are the passage's own words between the passage's own quotation marks.
The sentences are chosen by how well they match the question (embedding similarity and
IDF-weighted term overlap), how highly their passage was retrieved, and whether they hold the
kind of answer asked for (a date for "when", a number for "how many", ...). When the best
evidence is weak it refuses with the shared refusal phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from assistant.answer import REFUSAL, Backend, Draft, DraftSentence
from assistant.answer.candidate import Candidate
from assistant.answer.constraint_records import Coverage
from assistant.answer.asked import parse, topic_terms
from assistant.answer.constraints import holder_named
from assistant.answer.evidence import evidence
from assistant.answer.covering import answers, covering, verb_asked
from assistant.answer.entities import names_entity, stand_ins
from assistant.answer.question import QuestionKind, classify, holds_answer, quoted_spans, type_match
from assistant.answer.quotes import ATTRIBUTION_ONLY, bare_attribution, goes_on, next_sentence, quote_before, render, speaker_quoted, whole_quotation
from assistant.chunk import chunk_sentences
from assistant.records import Passage
from assistant.text import STOPWORDS, terms, words

#: Candidate sentences embedded per question: the dominant cost of an offline answer.
EMBED_CANDIDATES = 6

# Weights of the sentence score, tuned on evals/news.jsonl.
W_DENSE, W_LEX, W_PASSAGE, W_TYPE, W_DATE = 0.45, 0.2, 0.0, 0.02, 0.05
W_RECENT = 0.1  # "latest ...": the newest of the retrieved articles over the oldest
W_ENTITY = 0.06  # "which think tank ...": a sentence that names one
VERB_WEIGHT = 2.0  # the verb a who / what / which question asks about, in the term overlap
TYPE_MISSING_FACTOR, YEAR_MISSING_FACTOR = 0.35, 0.45
TYPE_SWAP_MARGIN = 0.1
SAME_ARTICLE_SWAP_MARGIN = 0.15  # ... from the best match's own article: the same event
#: A sentence going on about the best match's person joins the answer this far below it.
GOES_ON_MARGIN = 0.1
MISSING_FACTOR = 0.35  # confidence of evidence, per constraint of the question it misses


class OfflineAnswerer(Backend):
    name = "offline"

    def __init__(self, embedder, idf, refusal_threshold: float, max_sentences: int = 3, sentence_vectors=None, article_texts=None):
        self.embedder = embedder
        self.article_texts = article_texts or (lambda article_ids: {})  # callable: article ids -> {id: text}
        self.sentence_vectors = sentence_vectors  # callable: chunk ids -> {id: (spans, vectors)}
        self.idf = idf  # callable: list[str] -> list[float]
        self.threshold = refusal_threshold
        self.max_sentences = max_sentences

    def candidates(self, question: str, kind: QuestionKind, passages: list[Passage]) -> list[Candidate]:
        q_terms = list(dict.fromkeys(terms(question)))
        weights = self.idf(q_terms) if q_terms else []
        # "Who built ...?", "Which company signed ...?", "What did the White House propose?":
        # the verb asked about is what an answer must say; the rest is often the article's topic.
        verb = verb_asked(question)
        weights = [w * VERB_WEIGHT if t == verb else w for t, w in zip(q_terms, weights)]
        total = sum(weights) or 1.0
        top_score = max((p.score for p in passages), default=1.0) or 1.0
        stored = self.sentence_vectors([p.chunk.id for p in passages]) if self.sentence_vectors else {}
        seen: set[tuple[str, int]] = set()
        out: list[Candidate] = []
        newness = _newness(passages) if kind.recent else {}
        # "Which think tank ...": the noun asked with is the blank a named think tank fills.
        blank = set(terms(kind.entity_noun)) if kind.entity_noun else set()
        # "the analyst quoted" is matched by "a scholar at ..., told": a role's other names count as its own.
        stand = stand_ins(question)
        roles = {t: stand[w] for w, t in _stems(question) if w in stand}
        for i, p in enumerate(passages):
            c = p.chunk
            for sentence, vector in chunk_sentences(c, stored):
                start, end, text = sentence.start, sentence.end, sentence.text
                if (c.article_id, start) in seen or len(text) < 15:
                    continue
                seen.add((c.article_id, start))
                s_terms = set(terms(text))
                lowered = text.lower() if roles else ""
                named = bool(blank) and names_entity(kind.entity, question, text) is not None
                matched = sum(
                    w for t, w in zip(q_terms, weights)
                    if t in s_terms or (named and t in blank) or (t in roles and roles[t].search(lowered))
                )
                out.append(
                    Candidate(
                        passage_index=i,
                        article_id=c.article_id,
                        text=text,
                        start=start,
                        end=end,
                        coverage=matched / total,
                        passage_score=p.score / top_score,
                        type_score=type_match(kind.kind, text) + speaker_quoted(kind, text),
                        date_score=_date_match(kind.years, c.meta.published),
                        recent_score=newness.get(c.article_id, 0.0),
                        entity_score=1.0 if named else 0.0,
                        vector=vector,
                    )
                )
        return out

    def confidence(self, question: str, kind: QuestionKind, best: Candidate, head: list[Candidate], passages: list[Passage]) -> float:
        """How sure the evidence answers the question: match strength, discounted when the best
        sentence lacks the kind of answer asked for or the question's year is nowhere in it."""
        value = best.strength
        if not holds_answer(kind, question, best.text):
            value *= TYPE_MISSING_FACTOR
        if _unmatched_year(kind, best, passages, lambda: _near(best, passages)):
            value *= YEAR_MISSING_FACTOR
        return value

    def ranked(self, question: str, passages: list[Passage], query_vector: np.ndarray | None = None) -> tuple[QuestionKind, list[Candidate]]:
        """Every sentence of the passages, scored against the question, best first."""
        kind = classify(question)
        cands = self.candidates(question, kind, passages)
        if not cands:
            return kind, []
        qv = query_vector if query_vector is not None else self.embedder.embed_query(question)
        # Sentences without stored vectors (an index built before they existed) are embedded
        # now, only the most promising few: each costs several milliseconds.
        missing = [c for c in cands if c.vector is None]
        missing.sort(key=lambda c: -(0.6 * c.coverage + 0.3 * c.passage_score + 0.1 * c.type_score))
        if missing:
            for c, v in zip(missing, self.embedder.embed_documents([c.text for c in missing[:EMBED_CANDIDATES]])):
                c.vector = v
        head = [c for c in cands if c.vector is not None]
        for c in head:
            c.dense = float(np.dot(qv, c.vector))
            c.score = (
                W_DENSE * c.dense + W_LEX * c.coverage + W_PASSAGE * c.passage_score + W_TYPE * c.type_score + W_DATE * c.date_score
                + W_RECENT * c.recent_score + W_ENTITY * c.entity_score
            )
        head.sort(key=lambda c: -c.score)
        return kind, head

    def _near_miss(self, question: str, kind: QuestionKind, nearest: tuple[Candidate, Coverage] | None, passages: list[Passage]) -> Draft:
        """A refusal that shows what the corpus does report nearest to the question, cited and
        marked as no answer, where that is a confident match but for the constraints it misses."""
        if nearest is None:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=0.0, kind=kind.kind)
        c, coverage = nearest
        confidence = self.confidence(question, kind, c, [c], passages)
        discounted = confidence * MISSING_FACTOR ** (len(coverage.missing) + (coverage.reversed_by is not None))
        if confidence < self.threshold:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=discounted, kind=kind.kind)
        sentence = DraftSentence(text=c.text, passage_index=c.passage_index, start=c.start, end=c.end, source_text=c.text)
        return Draft(refused=True, text=REFUSAL, sentences=[], confidence=discounted, kind=kind.kind,
                     nearest=sentence, nearest_misses=coverage.reason())

    def timeline(self, question: str, passages: list[Passage], query_vector: np.ndarray | None = None) -> Draft:
        """The best sentence of each relevant article, oldest article first."""
        kind, head = self.ranked(question, passages, query_vector)
        best_per_article: dict[str, Candidate] = {}
        for c in head:
            if c.article_id not in best_per_article and c.strength >= self.threshold:
                best_per_article[c.article_id] = c
        if not best_per_article:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=0.0, kind=kind.kind)

        def when(c: Candidate) -> str:
            published = passages[c.passage_index].chunk.meta.published
            return published.isoformat() if published else "9999"

        chosen = sorted(best_per_article.values(), key=lambda c: (when(c), c.start))
        sentences = [DraftSentence(text=c.text, passage_index=c.passage_index, start=c.start, end=c.end, source_text=c.text) for c in chosen]
        return Draft(refused=False, text="", sentences=sentences, confidence=max(c.score for c in chosen), kind="timeline")

    def draft(self, question: str, passages: list[Passage], query_vector: np.ndarray | None = None) -> Draft:
        if not passages:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=0.0)
        kind, head = self.ranked(question, passages, query_vector)
        if not head:
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=0.0)
        cands = head
        # Evidence that misses a person, date, place or number the question names is about
        # another event: it is no answer, at best the nearest thing the corpus reports.
        head, nearest, unfound = covering(parse(question), kind, head, passages, self.article_texts)
        if not head:
            return self._near_miss(question, kind, nearest, passages)
        best = head[0]
        if not holds_answer(kind, question, best.text) or not holder_named(question, best.text):
            # A close runner-up that holds the kind of answer asked for is the better answer; one
            # from the best match's own article first (the same event, not another one's place).
            swaps = [
                c for c in head[1:5]
                if c.score >= best.score - (SAME_ARTICLE_SWAP_MARGIN if c.article_id == best.article_id else TYPE_SWAP_MARGIN)
                and answers(kind, question, c.text)
            ]
            best = next((c for c in swaps if c.article_id == best.article_id), swaps[0] if swaps else best)
            head.remove(best)
            head.insert(0, best)
        if bare_attribution(best, kind) and not quote_before(best, cands):
            # Who spoke, without what they said, answers nothing: the next sentence that says something.
            best = next((c for c in head[1:] if not ATTRIBUTION_ONLY.match(c.text)), best)
            head.remove(best)
            head.insert(0, best)
        confidence = self.confidence(question, kind, best, head, passages)
        if confidence < self.threshold:
            if kind.years and _OVERVIEW_Q.match(question):
                overview = _overview(kind, cands, passages, self.max_sentences)
                if overview is not None:
                    return overview
            if nearest is not None:
                return self._near_miss(question, kind, nearest, passages)
            return Draft(refused=True, text=REFUSAL, sentences=[], confidence=confidence, kind=kind.kind)

        chosen = [best]
        best_article = passages[best.passage_index].chunk.article_id
        if not holds_answer(kind, question, best.text):
            # The best match lacks the kind of answer asked for ("where": no place in it): add the
            # article's best sentence that has one, if it is relevant enough to stand.
            extra = next(
                (c for c in head[1:8] if c.article_id == best_article and answers(kind, question, c.text)
                 and c.strength >= self.threshold),
                None,
            )
            if extra is not None:
                chosen.append(extra)
        if kind.kind == "quote":
            # "In his message, Putin said ..." is often followed by the quote itself: “...,” he said.
            follow = next_sentence(best, cands)
            if follow is not None and follow.text.lstrip().startswith(("“", '"')):
                if follow in head:  # ... unless it is someone else's, or about another event
                    chosen.append(follow)
            elif not quoted_spans(best.text) and not best.text.lstrip().startswith(("“", '"')):
                # ... or preceded by it, the attribution on a line of its own: "X told CBS News."
                chosen.extend(quote_before(best, cands)[: self.max_sentences - 1])
        elif bare_attribution(best, kind):
            # "X, a scholar at Y, told CBS News." says nothing alone: what X told them comes first.
            chosen.extend(quote_before(best, cands)[: self.max_sentences - 1])
        for c in head[1:]:
            if len(chosen) >= self.max_sentences:
                break
            article = passages[c.passage_index].chunk.article_id
            other_article = article not in {passages[x.passage_index].chunk.article_id for x in chosen}
            margin = 0.12 if (kind.multi and other_article) else 0.06
            if c.score < best.score - margin or c.strength < self.threshold:
                continue
            if _redundant(c, chosen):
                continue
            if bare_attribution(c, kind):
                continue  # who said it, without what was said
            if kind.years and article != best_article and _unmatched_year(kind, c, passages[c.passage_index : c.passage_index + 1]):
                continue  # "in 2020": not another article's sentence from another year
            if not kind.multi and article != best_article and c.score < best.score - 0.03:
                continue
            chosen.append(c)
        if len(chosen) < self.max_sentences:
            # The sentence that sets the question's scene ("..., without their head coach, Pete
            # Garnock, who was sent to the dressing room") is often followed by the answer, about
            # the same person, with the question's words the scene lacks: "His assistant, Ryan
            # Boateng, ran the bench."
            # (The best of the article's close sentences with those words, and only if it goes
            # on: not a lower one past it, "Marsh scored the winner in October".)
            topic = topic_terms(parse(question)) - set(terms(best.text))
            more = next(
                (c for c in head[1:8] if c.article_id == best.article_id and c.score >= best.score - GOES_ON_MARGIN
                 and c.strength >= self.threshold and topic & set(terms(c.text))),
                None,
            )
            if more is not None and more not in chosen and goes_on(best, more, cands) and not _redundant(more, chosen) and not bare_attribution(more, kind):
                chosen.append(more)
        # Keep sentences of one article in reading order; articles in order of relevance.
        article_rank: dict[str, int] = {}
        for c in chosen:
            article_rank.setdefault(passages[c.passage_index].chunk.article_id, len(article_rank))
        chosen.sort(key=lambda c: (article_rank[passages[c.passage_index].chunk.article_id], c.start))
        # A quotation is given whole, with its closing mark and its speaker: never “... alone.
        units: list[Candidate] = []
        for c in chosen:
            whole = whole_quotation(c, cands, passages)
            if not any(u.article_id == whole.article_id and u.start <= whole.start and whole.end <= u.end for u in units):
                units = [u for u in units if not (u.article_id == whole.article_id and whole.start <= u.start and u.end <= whole.end)]
                units.append(whole)
        sentences: list[DraftSentence] = []
        for i, c in enumerate(units):
            spoken = i + 1 < len(units) and ATTRIBUTION_ONLY.match(units[i + 1].text) and next_sentence(c, cands) is units[i + 1]
            rendered = kind.kind == "quote" or c.text not in {x.text for x in chosen}  # a quotation widened to be whole
            # The speaker is named in front of the quotation, unless the line naming them follows it.
            text = render(c, kind, cands) if rendered and not spoken else c.text
            sentences.append(DraftSentence(text=text, passage_index=c.passage_index, start=c.start, end=c.end, source_text=c.text))
        notice = f"This answers only part of the question: the articles found have {unfound}." if unfound else None
        return Draft(refused=False, text="", sentences=sentences, confidence=confidence, kind=kind.kind, notice=notice)


# "What happened in 2021?": no words to match, only a time; the articles of that time answer it.
_OVERVIEW_Q = re.compile(
    r"^\s*what\s+(happened|has happened|was happening|went on|was going on|was new|is new|"
    r"were the (main |biggest )?(events|developments|headlines|stories))\b",
    re.IGNORECASE,
)


def _overview(kind: QuestionKind, cands: list[Candidate], passages: list[Passage], limit: int) -> Draft | None:
    """The lede (first retrieved sentence) of each article published in the years asked
    about, oldest first; None when no retrieved article was published then."""
    ledes: dict[str, Candidate] = {}
    for c in sorted(cands, key=lambda c: c.start):
        published = passages[c.passage_index].chunk.meta.published
        if published and published.year in kind.years and c.article_id not in ledes and not ATTRIBUTION_ONLY.match(c.text):
            ledes[c.article_id] = c
    if not ledes:
        return None
    chosen = sorted(ledes.values(), key=lambda c: passages[c.passage_index].chunk.meta.published)[:limit]
    sentences = [DraftSentence(text=c.text, passage_index=c.passage_index, start=c.start, end=c.end, source_text=c.text) for c in chosen]
    return Draft(refused=False, text="", sentences=sentences, confidence=max(c.score for c in chosen), kind="overview")


def _stems(text: str) -> list[tuple[str, str]]:
    """Each content word of the text with its term (its stem): ("quoted", "quot")."""
    ws = [w for w in words(text) if w not in STOPWORDS]
    return list(zip(ws, terms(" ".join(ws))))


def _unmatched_year(kind: QuestionKind, best: Candidate, passages: list[Passage], near: Callable[[], str] = lambda: "") -> bool:
    """The question names a year that neither the evidence's dates nor its text (the sentence,
    and those just before it: "In April 2017 the estate lost ... It then spent ...") mention.
    `near` gives those sentences, read only where the dates and the sentence do not have it."""
    if not kind.years:
        return False
    published = {p.chunk.meta.published.year for p in passages if p.chunk.meta.published}
    if any(y in published or str(y) in best.text for y in kind.years):
        return False
    before = near()
    return not any(str(y) in before for y in kind.years)


def _near(c: Candidate, passages: list[Passage]) -> str:
    """The sentences just before a candidate in its chunk, which its evidence is read with."""
    chunk = passages[c.passage_index].chunk
    return evidence(chunk, c.start, c.end).near


def _newness(passages: list[Passage]) -> dict[str, float]:
    """Each article's place among the retrieved articles' publication dates: newest 1, oldest 0
    (undated articles 0)."""
    dates = sorted({p.chunk.meta.published for p in passages if p.chunk.meta.published})
    if len(dates) < 2:
        return {}
    place = {d: i / (len(dates) - 1) for i, d in enumerate(dates)}
    return {p.chunk.article_id: place.get(p.chunk.meta.published, 0.0) for p in passages}


def _date_match(years: tuple[int, ...], published) -> float:
    """1 when the question names the year the article was published ("in spring 2020")."""
    if not years or published is None:
        return 0.0
    return 1.0 if published.year in years else 0.0


def _redundant(c: Candidate, chosen: list[Candidate]) -> bool:
    a = set(terms(c.text))
    for x in chosen:
        b = set(terms(x.text))
        if a and len(a & b) / len(a) > 0.7:
            return True
    return False
