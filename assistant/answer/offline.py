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

from dataclasses import dataclass, replace

import numpy as np

from assistant.answer import REFUSAL, Backend, Draft, DraftSentence
from assistant.answer.constraint_records import Ask, Coverage, Evidence
from assistant.answer.constraints import check, evidence, has_several_parts, holder_named, parse, passage_evidence, sources_named, topic_terms
from assistant.answer.entities import names_entity, stand_ins
from assistant.answer.question import QuestionKind, asked_verb, classify, holds_answer, quoted_spans, type_match
from assistant.answer.vocabulary import WORD, verb_term
from assistant.chunk import chunk_sentences
from assistant.records import Passage
from assistant.text import STOPWORDS, is_name_word, terms, words

#: Candidate sentences embedded per question: the dominant cost of an offline answer.
EMBED_CANDIDATES = 6

# Weights of the sentence score, tuned on evals/news.jsonl.
W_DENSE, W_LEX, W_PASSAGE, W_TYPE, W_DATE = 0.45, 0.2, 0.0, 0.02, 0.05
W_RECENT = 0.1  # "latest ...": the newest of the retrieved articles over the oldest
W_ENTITY = 0.06  # "which think tank ...": a sentence that names one
VERB_WEIGHT = 2.0  # the verb a who / what / which question asks about, in the term overlap
# Confidence: how strongly the best sentence matches, blending meaning and rare-term coverage.
C_DENSE, C_LEX = 0.6, 0.4
TYPE_MISSING_FACTOR, YEAR_MISSING_FACTOR = 0.35, 0.45
TYPE_SWAP_MARGIN = 0.1
SAME_ARTICLE_SWAP_MARGIN = 0.15  # ... from the best match's own article: the same event
MISSING_FACTOR = 0.35  # confidence of evidence, per constraint of the question it misses
QUOTE_SPEAKER_BONUS = 5.0  # times W_TYPE: a quote attributed to the speaker asked about
#: Best-scored sentences whose evidence is checked against the question's constraints.
COVERAGE_WINDOW = 12
#: Where the best-matching sentence is about another event, a sentence that covers the
#: question answers it only if it matches nearly as well: a weaker one is the same topic's
#: filler ("Putin's overture was the latest in a series of contacts" for what Trump offered).
#: Tuned on the dev sets: covering answers there score >= 0.90 of the best, fillers <= 0.78.
FALLBACK_RATIO = 0.85


@dataclass
class Candidate:
    passage_index: int
    article_id: str
    text: str
    start: int
    end: int
    #: The share of the question's weighted terms the sentence has.
    coverage: float
    passage_score: float
    type_score: float
    date_score: float = 0.0
    recent_score: float = 0.0
    entity_score: float = 0.0
    vector: np.ndarray | None = None
    dense: float = 0.0
    score: float = 0.0

    @property
    def strength(self) -> float:
        """How strongly the sentence matches the question, blending meaning and rare-term
        coverage: what confidence starts from and what the threshold is compared with."""
        return C_DENSE * self.dense + C_LEX * self.coverage


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
        verb = _verb_asked(question)
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
                        type_score=type_match(kind.kind, text) + _speaker_quoted(kind, text),
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
        if _unmatched_year(kind, best, passages, self._near(best, passages)):
            value *= YEAR_MISSING_FACTOR
        return value

    def _near(self, c: Candidate, passages: list[Passage]) -> str:
        """The sentences just before a candidate, which its evidence is read with."""
        chunk = passages[c.passage_index].chunk
        return evidence(chunk, c.start, c.end, self.article_texts([c.article_id]).get(c.article_id, "")).near

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
        head, nearest, unfound = _covering(parse(question), kind, head, passages, self.article_texts)
        if not head:
            return self._near_miss(question, kind, nearest, passages)
        best = head[0]
        if not holds_answer(kind, question, best.text):
            # A close runner-up that holds the kind of answer asked for is the better answer; one
            # from the best match's own article first (the same event, not another one's place).
            swaps = [
                c for c in head[1:5]
                if c.score >= best.score - (SAME_ARTICLE_SWAP_MARGIN if c.article_id == best.article_id else TYPE_SWAP_MARGIN)
                and _answers(kind, question, c.text)
            ]
            best = next((c for c in swaps if c.article_id == best.article_id), swaps[0] if swaps else best)
            head.remove(best)
            head.insert(0, best)
        if _bare_attribution(best, kind) and not _quote_before(best, cands):
            # Who spoke, without what they said, answers nothing: the next sentence that says something.
            best = next((c for c in head[1:] if not _ATTRIBUTION_ONLY.match(c.text)), best)
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
                (c for c in head[1:8] if c.article_id == best_article and _answers(kind, question, c.text)
                 and c.strength >= self.threshold),
                None,
            )
            if extra is not None:
                chosen.append(extra)
        if kind.kind == "quote":
            # "In his message, Putin said ..." is often followed by the quote itself: “...,” he said.
            follow = _next_sentence(best, cands)
            if follow is not None and follow.text.lstrip().startswith(("“", '"')):
                if follow in head:  # ... unless it is someone else's, or about another event
                    chosen.append(follow)
            elif not quoted_spans(best.text) and not best.text.lstrip().startswith(("“", '"')):
                # ... or preceded by it, the attribution on a line of its own: "X told CBS News."
                chosen.extend(_quote_before(best, cands)[: self.max_sentences - 1])
        elif _bare_attribution(best, kind):
            # "X, a scholar at Y, told CBS News." says nothing alone: what X told them comes first.
            chosen.extend(_quote_before(best, cands)[: self.max_sentences - 1])
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
            if _bare_attribution(c, kind):
                continue  # who said it, without what was said
            if kind.years and article != best_article and _unmatched_year(kind, c, passages[c.passage_index : c.passage_index + 1]):
                continue  # "in 2020": not another article's sentence from another year
            if not kind.multi and article != best_article and c.score < best.score - 0.03:
                continue
            chosen.append(c)
        # Keep sentences of one article in reading order; articles in order of relevance.
        article_rank: dict[str, int] = {}
        for c in chosen:
            article_rank.setdefault(passages[c.passage_index].chunk.article_id, len(article_rank))
        chosen.sort(key=lambda c: (article_rank[passages[c.passage_index].chunk.article_id], c.start))
        # A quotation is given whole, with its closing mark and its speaker: never “... alone.
        units: list[Candidate] = []
        for c in chosen:
            whole = _whole_quotation(c, cands, passages)
            if not any(u.article_id == whole.article_id and u.start <= whole.start and whole.end <= u.end for u in units):
                units = [u for u in units if not (u.article_id == whole.article_id and whole.start <= u.start and u.end <= whole.end)]
                units.append(whole)
        sentences: list[DraftSentence] = []
        for i, c in enumerate(units):
            spoken = i + 1 < len(units) and _ATTRIBUTION_ONLY.match(units[i + 1].text) and _next_sentence(c, cands) is units[i + 1]
            rendered = kind.kind == "quote" or c.text not in {x.text for x in chosen}  # a quotation widened to be whole
            # The speaker is named in front of the quotation, unless the line naming them follows it.
            text = _render(c, kind, cands) if rendered and not spoken else c.text
            sentences.append(DraftSentence(text=text, passage_index=c.passage_index, start=c.start, end=c.end, source_text=c.text))
        notice = f"This answers only part of the question: the articles found have {unfound}." if unfound else None
        return Draft(refused=False, text="", sentences=sentences, confidence=confidence, kind=kind.kind, notice=notice)


def _covering(
    ask: Ask, kind: QuestionKind, head: list[Candidate], passages: list[Passage], article_texts
) -> tuple[list[Candidate], tuple[Candidate, Coverage] | None, str | None]:
    """The best-scored sentences whose evidence has every constraint of the question, and the
    best one that misses some, with what it misses (None when the best sentence covers all).

    A question in several parts ("while The Verge reports ..., does The Age ...") takes each
    part from another article: its sentences must only contradict none of who did what, and
    what none of the retrieved passages has is said (third item: "no mention of X"), the
    question refused only where they have none of it.
    """
    if not ask.constraints and not ask.agencies:
        return head, None, None
    outlets = {x for p in passages for x in (p.chunk.meta.outlet, p.chunk.meta.agency) if x}
    own, sources = sources_named(ask, outlets)
    several = has_several_parts(ask.question, len(sources))
    window = head[:COVERAGE_WINDOW]
    texts = article_texts(list({p.chunk.article_id for p in passages}))
    if several:
        whole = [passage_evidence(p, texts.get(p.chunk.article_id, "")) for p in passages]
        missing = set.intersection(*(set(check(replace(own, agencies=()), ev).missing) for ev in whole)) if whole else set()
        checked = [(c, check(replace(own, constraints=()), evidence(passages[c.passage_index].chunk, c.start, c.end, texts.get(c.article_id, "")))) for c in window]
        if missing and len(missing) == len(own.constraints):
            return [], (window[0], Coverage(tuple(c for c in own.constraints if c in missing))), None
        unfound = Coverage(tuple(c for c in own.constraints if c in missing)).reason() or None
    else:
        unfound = None
        checked = [(c, check(ask, evidence(passages[c.passage_index].chunk, c.start, c.end, texts.get(c.article_id, "")))) for c in window]
    ok = [c for c, coverage in checked if coverage.ok]
    best, top = checked[0]
    if ok and not top.ok and ok[0].score < FALLBACK_RATIO * best.score and not _states_when(top, ok[0]) and not _only_silent(top):
        ok = []  # far below a sentence about another event
    if ok and not top.ok and not _states_when(top, ok[0]) and _untold(_verb_asked(ask.question), ok[0].text, best.text):
        ok = []  # "It went back on display at the museum" for what was stolen, below the theft's report
    if ok:
        close = [(c, coverage) for c, coverage in checked if c.score >= FALLBACK_RATIO * ok[0].score]
        if _off_topic([c for c, coverage in close if coverage.ok], [c for c, coverage in close if coverage.reversed_by], topic_terms(ask)):
            ok = []
    nearest = next(((c, cov) for c, cov in checked if not cov.ok), None) if not ok or checked[0][0] is not ok[0] else None
    return ok, nearest, unfound


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
        if published and published.year in kind.years and c.article_id not in ledes and not _ATTRIBUTION_ONLY.match(c.text):
            ledes[c.article_id] = c
    if not ledes:
        return None
    chosen = sorted(ledes.values(), key=lambda c: passages[c.passage_index].chunk.meta.published)[:limit]
    sentences = [DraftSentence(text=c.text, passage_index=c.passage_index, start=c.start, end=c.end, source_text=c.text) for c in chosen]
    return Draft(refused=False, text="", sentences=sentences, confidence=max(c.score for c in chosen), kind="overview")


def _off_topic(meeting: list[Candidate], refuted: list[Candidate], topic: frozenset[str]) -> bool:
    """Whether the sentences that meet the question's constraints share nothing of what it
    asks about, where one as close in score, refuted for having another doer, shares most of it:
    Castell's words on pay for "according to Castell, why can the port not stand still", when
    it is Rao who says the port cannot stand still. The corpus reports the thing asked, but not
    of the one the question names."""
    if not topic or any(topic & set(terms(c.text)) for c in meeting):
        return False
    return any(len(topic & set(terms(c.text))) >= max(2, len(topic) / 2) for c in refuted)


def _verb_asked(question: str) -> str | None:
    """The term of the verb a question asks about: "steal" in "What was stolen ...?", "offer"
    in "What did Trump offer Putin?" (not a verb of saying)."""
    return asked_verb(question) or next((a.verb for a in parse(question).agencies if a.verb != "say"), None)


def _untold(verb: str | None, sentence: str, refuted: str) -> bool:
    """Whether a sentence leaves untold the verb asked about that a better-scored sentence,
    refuted for another event, tells: it is that topic's filler, not the thing asked."""
    def told(text: str) -> bool:
        return any(verb_term(w) == verb for w in WORD.findall(text))

    return verb is not None and told(refuted) and not told(sentence)


def _only_silent(top: Coverage) -> bool:
    """Whether a better-scored sentence misses only that the person asked about says something
    there: it tells of them, not of another event, and is no reason to refuse one that quotes them."""
    return top.reversed_by is None and bool(top.missing) and all(m.kind == "speaker" for m in top.missing)


def _states_when(top: Coverage, c: Candidate) -> bool:
    """Whether a sentence states itself the time a better-scored one misses, where that is all it
    misses: "In 2022 the title went to ..." for "who won in 2022?", below the report of this
    year's winner."""
    if top.reversed_by or not top.missing or any(m.kind not in ("year", "month", "date") for m in top.missing):
        return False
    return check(Ask(top.missing), Evidence(c.text)).ok


def _answers(kind: QuestionKind, question: str, sentence: str) -> bool:
    """Whether a sentence brought in for the best match holds the kind of answer asked for,
    and, for "Who is the governor of ...?", names a holder of that role: a runner-up naming
    another party's leader is no swap for "the central bank's governor said ...". (The best
    match itself is judged by the kind of answer alone: "X was founded by Y" names a founder
    without the word.)"""
    return holds_answer(kind, question, sentence) and holder_named(question, sentence)


def _stems(text: str) -> list[tuple[str, str]]:
    """Each content word of the text with its term (its stem): ("quoted", "quot")."""
    ws = [w for w in words(text) if w not in STOPWORDS]
    return list(zip(ws, terms(" ".join(ws))))


def _unmatched_year(kind: QuestionKind, best: Candidate, passages: list[Passage], near: str = "") -> bool:
    """The question names a year that neither the evidence's dates nor its text (the sentence,
    and those just before it: "In April 2017 the estate lost ... It then spent ...") mention."""
    if not kind.years:
        return False
    published = {p.chunk.meta.published.year for p in passages if p.chunk.meta.published}
    return not any(y in published or str(y) in best.text or str(y) in near for y in kind.years)


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


def _speaker_quoted(kind: QuestionKind, text: str) -> float:
    """For "what did X say": a sentence that quotes and names X is worth more than either alone."""
    if kind.kind != "quote" or not kind.speaker or not quoted_spans(text):
        return 0.0
    outside = re.sub(r"[“\"][^”\"]*[”\"]", " ", text)
    return QUOTE_SPEAKER_BONUS if kind.speaker.split()[-1].lower() in outside.lower() else 0.0


def _quote_balance(text: str) -> int:
    """1 where a sentence opens a quotation it does not close, -1 where it closes one it did not
    open (“... / ...,” he said), 0 otherwise."""
    curly = text.count("“") - text.count("”")
    if curly:
        return 1 if curly > 0 else -1
    if text.count('"') % 2 == 0:
        return 0
    return 1 if re.search(r'(?:^|\s)"\S', text) and not re.search(r'\S"(?:\s|$|[,.;:])', text.rstrip()[:-1] + " ") else -1


def _whole_quotation(c: Candidate, cands: list[Candidate], passages: list[Passage]) -> Candidate:
    """The candidate widened to the whole quotation it is part of (up to three more sentences of
    its passage), or itself when its quotation marks balance or the quotation runs outside."""
    balance = _quote_balance(c.text)
    if not balance:
        return c
    chunk = passages[c.passage_index].chunk
    same = sorted((x for x in cands if x.article_id == c.article_id and chunk.start <= x.start and x.end <= chunk.end), key=lambda x: x.start)
    at = next((i for i, x in enumerate(same) if x.start == c.start), None)
    if at is None:
        return c
    steps = same[at + 1 : at + 4] if balance > 0 else same[max(0, at - 3) : at][::-1]
    end = next((x for x in steps if _quote_balance(x.text) == -balance), None)
    if end is None:
        return c
    first, last = (c, end) if balance > 0 else (end, c)
    text = chunk.text[first.start - chunk.start : last.end - chunk.start]
    return replace(c, text=text, start=first.start, end=last.end)


def _next_sentence(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    after = [x for x in cands if x.article_id == c.article_id and x.start >= c.end]
    return min(after, key=lambda x: x.start) if after else None


def _quote_before(c: Candidate, cands: list[Candidate]) -> list[Candidate]:
    """The quotation that an attribution line closes (up to three sentences), else none."""
    lines: list[Candidate] = []
    for prev in _previous_sentences(c, cands)[:3]:
        if not prev.text.rstrip().endswith(("”", '"')) and not lines:
            return []
        lines.append(prev)
        if prev.text.lstrip().startswith(("“", '"')):
            return lines
    return []


# A sentence that only says who spoke: a name, perhaps who they are, and the verb:
# "Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told CBS News."
_ATTRIBUTION_ONLY = re.compile(
    r"^(?:The |A )?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?:,[^,“”\"]{1,80},)?\s+(told [^.“”\"]{1,40}|said|says|added|wrote)\.$"
)


def _bare_attribution(c: Candidate, kind: QuestionKind) -> bool:
    """A line that only says who spoke, where the question asks for more than who (or a quote)."""
    return kind.kind not in ("who", "quote") and bool(_ATTRIBUTION_ONLY.match(c.text))


def _previous_sentences(c: Candidate, cands: list[Candidate]) -> list[Candidate]:
    before = [x for x in cands if x.article_id == c.article_id and x.end <= c.start]
    return sorted(before, key=lambda x: -x.start)


_NAME_WORDS = r"(?:the\s+)?[A-Z][\w’'-]*(?:\.[A-Z][\w’'-]*)*\.?(?:\s+[A-Z][\w’'-]*(?:\.[A-Z][\w’'-]*)*\.?)*"
# "told Reuters" names who was spoken to, not who spoke: "told" only counts before the verb.
_SPEAKER_AFTER = re.compile(rf"\b(said|says|wrote|writes|added|adds|stressed|continued|noted|insisted)\s+({_NAME_WORDS})")
_SPEAKER_BEFORE = re.compile(rf"({_NAME_WORDS})\s+(said|says|wrote|writes|told|tells|added|adds|stressed|reported|noted|insisted)\b")
_PRONOUN = re.compile(r"\b(he|she|they)\s+(said|says|wrote|told|added|stressed|noted)\b")
_NAME = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\s+(?:said|says|wrote|told|stressed|added)\b")
_VERB = {"told": "said", "tells": "says"}


def _clean_name(name: str) -> str | None:
    """A speaker's name without trailing punctuation; None for dates, weekdays and the like."""
    name = name.strip().rstrip(".,;:")
    words = [w for w in name.split() if w.lower() != "the"]
    return name if words and all(is_name_word(w) for w in words) else None


def _speaker(c: Candidate, cands: list[Candidate]) -> tuple[str, str] | None:
    """Who is quoted and the verb the article uses, from the sentence or the one before it.

    None when the article does not say it plainly: the sentence then stays verbatim.
    """
    outside = re.sub(r"[“\"][^”\"]*[”\"]", " ", c.text)
    for pattern, name_group, verb_group in ((_SPEAKER_AFTER, 2, 1), (_SPEAKER_BEFORE, 1, 2)):
        m = pattern.search(outside)
        name = _clean_name(m.group(name_group)) if m else None
        if name:
            return name, _VERB.get(m.group(verb_group), m.group(verb_group))
    follow = _next_sentence(c, cands)
    if follow is not None and not outside.strip(" .,;:…") and _ATTRIBUTION_ONLY.match(follow.text):
        # “...” / Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told CBS News.
        m = _ATTRIBUTION_ONLY.match(follow.text)
        name = _clean_name(re.split(r",", follow.text, maxsplit=1)[0]) if "," in follow.text[: m.start(1)] else _clean_name(follow.text[: m.start(1)])
        if name:
            return name, m.group(1)
    m = _PRONOUN.search(outside)
    if m:
        for prev in _previous_sentences(c, cands)[:1]:
            named = _NAME.search(prev.text)
            name = _clean_name(named.group(1)) if named else None
            if name:
                return name, _VERB.get(m.group(2), m.group(2))
    return None


def _render(c: Candidate, kind: QuestionKind, cands: list[Candidate]) -> str:
    """A quote as "Speaker wrote: “words”", the words exactly as the article has them.

    Sentences without a whole quotation, or whose speaker cannot be told, stay verbatim.
    """
    spans = quoted_spans(c.text)
    found = _speaker(c, cands) if spans else None
    if not found:
        return c.text
    name, verb = found
    name = name[0].upper() + name[1:]
    quote = " … ".join(q.rstrip(",;: ") for q in spans)
    return f"{name} {verb}: “{quote}”"
