"""Which candidate sentences cover the question's constraints, and when a covering sentence
answers below one about another event (the fallback), or is that topic's filler."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache

from assistant.answer.agency import verb_of
from assistant.answer.asked import has_several_parts, parse, sources_named, told_words, topic_terms
from assistant.answer.candidate import Candidate
from assistant.answer.constraint_records import Ask, Constraint, Coverage, Evidence
from assistant.answer.constraints import check, holder_named
from assistant.answer.dates import WEEKDAY, verb_terms, verb_times
from assistant.answer.evidence import evidence, passage_evidence
from assistant.answer.question import QuestionKind, holds_answer
from assistant.answer.roles import role_of
from assistant.answer.stages import same_event
from assistant.answer.vocabulary import WORD, question_data, verb_forms, verb_term
from assistant.records import Passage
from assistant.text import terms

#: Best-scored sentences whose evidence is checked against the question's constraints.
COVERAGE_WINDOW = 12
#: Where the best-matching sentence is about another event, a sentence that covers the
#: question answers it only if it matches nearly as well: a weaker one is the same topic's
#: filler ("Putin's overture was the latest in a series of contacts" for what Trump offered).
#: Tuned on the dev sets: covering answers there score >= 0.90 of the best, fillers <= 0.78.
FALLBACK_RATIO = 0.85
#: ... and one that states the time asked itself ("In 2022 the title went to ...") only if not
#: far below: a sentence that merely names that month or year is another topic's.
WHEN_RATIO = 0.7


def covering(
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
        # Each part's names and times, over whole passages (what is done is a sentence's telling).
        own = replace(own, constraints=tuple(c for c in own.constraints if c.kind not in _TOLD))
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
    if ok and not top.ok:
        below = f"{_lead_in(ok[0], passages, texts)}\n{ok[0].text}"  # the covering sentence, read with its lead-in
        if ok[0].score < FALLBACK_RATIO * best.score and not (_states_when(top, ok[0]) and ok[0].score >= WHEN_RATIO * best.score) and not _only_silent(top) and not (
            _other_speaker(top) and topic_terms(ask) & set(terms(best.text)) <= set(terms(below))
        ):
            ok = []  # far below a sentence about another event
        elif not _states_when(top, ok[0]) and (
            _untold(verb_asked(ask.question), ok[0].text, best.text) or (not _only_number(top) and _less_told(topic_terms(ask), below, best.text))
        ):
            ok = []  # "It went back on display at the museum" for what was stolen, below the theft's report
    if ok and (told_otherwise := _told_at_another_time(ask, checked)):
        ok = [c for c in ok if c.article_id not in told_otherwise or _tells_event(c.text, *told_otherwise[c.article_id])]
    if ok:
        close = [(c, coverage) for c, coverage in checked if c.score >= FALLBACK_RATIO * ok[0].score]
        meeting, topic = [c for c, coverage in close if coverage.ok], topic_terms(ask)
        # ... judged by all it asks about, and again by what is particular to it (not the words
        # the answer's article uses throughout), against sentences with someone else in them.
        if _off_topic(meeting, [c for c, coverage in close if coverage.reversed_by], topic) or _off_topic(
                meeting, [c for c, coverage in close if _other_who(coverage)], _foreground(topic, [texts.get(c.article_id, "") for c in meeting], ask.question)):
            ok = []
    nearest = next(((c, cov) for c, cov in checked if not cov.ok), None) if not ok or checked[0][0] is not ok[0] else None
    return ok, nearest, unfound


#: Constraints on the role of who says or does what is asked.
_ROLE_KINDS = frozenset({"speaker role", "doer role", "former speaker"})
#: Constraints on how a sentence tells what it tells (done or still to come, a verb's sense,
#: the role of who says or does it, the place it gives beside a word): a part's sentence has them, not a whole passage.
_TOLD = _ROLE_KINDS | {"done", "sense", "whose", "ordinal"}


def _off_topic(meeting: list[Candidate], refuted: list[Candidate], topic: frozenset[str]) -> bool:
    """Whether the sentences that meet the question's constraints share nothing of what it
    asks about, where one as close in score, refuted for having another doer, shares most of it:
    Castell's words on pay for "according to Castell, why can the port not stand still", when
    it is Rao who says the port cannot stand still. The corpus reports the thing asked, but not
    of the one the question names."""
    if not topic or any(topic & set(terms(c.text)) for c in meeting):
        return False
    return any(len(topic & set(terms(c.text))) >= max(2, len(topic) / 2) for c in refuted)


#: A question's word that many sentences of the article use is what the article is about, not
#: what the question asks of it: "university" in "what can the two universities afford?"
BACKGROUND_COUNT = 3


def _foreground(topic: frozenset[str], articles: list[str], question: str = "") -> frozenset[str]:
    """The question's topic words less those the articles of the answer use throughout, less
    the words that ask when or say that something happened, and less the word that makes a
    role of the question's ("medical" in "the trust's medical director": who, not what)."""
    words = question.split()
    roled = {t for w, after in zip(words, words[1:]) if role_of(after.strip(".,;:?!’'s")) for t in terms(w)}
    topic = topic - roled - {term for w in question_data()["not_topic"] for term in terms(w)}
    counted = [_term_counts(text) for text in set(articles)]
    return frozenset(t for t in topic if sum(c.get(t, 0) for c in counted) < BACKGROUND_COUNT)


@lru_cache(maxsize=64)
def _term_counts(article: str) -> Counter:
    """How often each term comes in an article (each article's once)."""
    return Counter(terms(article))


def _other_who(coverage: Coverage) -> bool:
    """Whether evidence is refuted only for who does or says it: another doer, or the person
    asked not there at all."""
    return coverage.reversed_by is not None or (bool(coverage.missing) and all(m.kind in _ROLE_KINDS | {"name", "speaker"} for m in coverage.missing))


def verb_asked(question: str) -> str | None:
    """The term of the verb a question asks about: "steal" in "What was stolen ...?", "offer"
    in "What did Trump offer Putin?" (not a verb of saying)."""
    return verb_of(question, parse(question).agencies)


def _untold(verb: str | None, sentence: str, refuted: str) -> bool:
    """Whether a sentence leaves untold the verb asked about that a better-scored sentence,
    refuted for another event, tells (in any verb telling that event: "signed" for "sell"): it
    is that topic's filler, not the thing asked."""
    verbs = same_event(verb) if verb else frozenset()
    # Told by the refuted sentence as a verb ("the Monday's call" is a noun), in any form here.
    return verb is not None and _tells(verbs, refuted, as_verb=True) and not _tells(verbs, sentence, as_verb=False)


def _tells(verbs: frozenset[str], text: str, as_verb: bool) -> bool:
    """Whether a text uses one of the verbs (as a verb: not after "the" or "Monday's")."""
    found = list(WORD.finditer(text))
    return any(
        verb_term(w.group(0)) in verbs and not (as_verb and i and _NOUN_BEFORE.search(found[i - 1].group(0)))
        for i, w in enumerate(found)
    )


#: The constraints that say when, and where `verb_times` gives each.
_TIMES = {"month": 0, "year": 1, "date": 2, "weekday": 3}


def _told_at_another_time(ask: Ask, checked: list[tuple[Candidate, Coverage]]) -> dict[str, tuple[frozenset[str], frozenset[Constraint]]]:
    """By article, the question's own verbs that a checked sentence, refuted only for its time,
    gives another time, and the times it misses: "A jury convicted both men ... on Tuesday,
    October 14" for what they were convicted of on Friday. That article says when the event
    asked about was, and it is not then: a sentence of it that does not tell that event ("Kyle
    Parfitt had no previous convictions", "were jailed on Friday": the article's other event,
    the one the question's day is taken from) answers nothing (`_tells_event`)."""
    told = frozenset(told_words(ask.question))
    found: dict[str, tuple[frozenset[str], frozenset[Constraint]]] = {}
    for c, cov in checked:
        if cov.ok or cov.reversed_by is not None:
            continue
        if all(m.kind == "number" for m in cov.missing):
            # ... or another figure, where the question gives its verb one too: "Like-for-like
            # sales at Greenacre rose 3.1 percent" for which chain's sales rose 2.5 percent.
            events = _verbs_of_numbers(ask.question) & _verbs_of_numbers(c.text) & verb_terms(c.text)
        elif all(m.kind in _TIMES for m in cov.missing):
            events = frozenset(w for w in told & verb_terms(c.text) if any(verb_times(frozenset({w}), c.text, far=True)[_TIMES[m.kind]] for m in cov.missing))
        else:
            continue
        if events:
            had, missed = found.get(c.article_id, (frozenset(), frozenset()))
            found[c.article_id] = (had | events, missed | frozenset(cov.missing))
    return found


def _tells_event(sentence: str, events: frozenset[str], missed: frozenset[Constraint]) -> bool:
    """Whether a sentence tells the event a sentence of its article gave another time or figure:
    with its verb ("On Friday the jury convicted them"), or, where it states the asked time or
    figure itself, in any form of the word ("Pike's conviction on Friday"; a figure: "sales
    were up 2.5 percent")."""
    events = frozenset().union(*(same_event(e) for e in events))  # "signed" for "recruit" too: one transfer
    if events & verb_terms(sentence):
        return True
    stated = all(m.text in WEEKDAY.findall(sentence) if m.kind == "weekday" else check(Ask((m,)), Evidence(sentence)).ok for m in missed)
    # (The asked figure itself tells it: "sales were up 2.5 percent"; a day or a year is the
    # article's other event's too, "were jailed on Friday".)
    return stated and (all(m.kind == "number" for m in missed) or _tells(events, sentence, as_verb=False))


def _verbs_of_numbers(text: str) -> frozenset[str]:
    """The terms of the words a text gives a figure just after ("rose 3.1 percent", "fell by
    £2 million", "sold about 40,000"): the verbs whose figure it tells."""
    return frozenset(t for m in _VERB_NUMBER.finditer(text) for t in verb_forms(m.group(1)))


_VERB_NUMBER = re.compile(r"\b([a-z]+)\s+(?:(?:by|to|about|nearly|almost|some|more than|less than)\s+)?[£$€]?\d")


def _lead_in(c: Candidate, passages: list[Passage], texts: dict[str, str]) -> str:
    """The sentence before a candidate in its paragraph, where the candidate goes back to it
    ("Engineers found cracks in its main span", "The firm said ..."); "" where it does not."""
    if not _GOES_BACK.search(c.text):
        return ""
    return evidence(passages[c.passage_index].chunk, c.start, c.end, texts.get(c.article_id, "")).lead_in


_GOES_BACK = re.compile(r"\b(?:it|its|they|their|them|he|his|she|her|there|this|these)\b|^\s*The\s+(?:firm|company|club|council|group|bank|trust|team|board|court|report|inquiry)\b", re.IGNORECASE)


def _less_told(topic: frozenset[str], sentence: str, refuted: str) -> bool:
    """Whether a sentence (read with the one before it in its paragraph, which its "it" goes
    back to) tells much less of what the question asks about than a better-scored one refuted
    for another event: two of its words or more ("a new furnace ... lit" at another
    plant, against the lede on this plant's closure), where that one tells at least half of
    what the question asks about. It is the topic's filler."""
    told, told_there = topic & set(terms(sentence)), topic & set(terms(refuted))
    # ... where the refuted one tells at least half of it: it is about the thing asked.
    return len(told_there - told) >= 2 and len(told) < len(told_there) and 2 * len(told_there) >= len(topic)


# A word after which the verb's form is a noun: "the call", "Monday's call", "its offer".
_NOUN_BEFORE = re.compile(r"^(?:the|a|an|this|that|these|those|his|her|its|their|our|my|your|every|each|no)$|['’]s$", re.IGNORECASE)


def _only_number(top: Coverage) -> bool:
    """Whether a better-scored sentence misses only a number: it gives a sibling figure of the
    same report (the 10-milligram dose's result for the 25-milligram one's), so that it shares
    the topic's words says nothing of a sentence below it."""
    return top.reversed_by is None and bool(top.missing) and all(m.kind == "number" for m in top.missing)


def _only_silent(top: Coverage) -> bool:
    """Whether a better-scored sentence misses only that the person asked about says something
    there: it tells of them, not of another event, and is no reason to refuse one that quotes them."""
    return top.reversed_by is None and bool(top.missing) and all(m.kind == "speaker" for m in top.missing)


def _other_speaker(top: Coverage) -> bool:
    """Whether a better-scored sentence is refuted only because another says it ("The festival's
    director, Rosalind Marbeck, said ... among them the poet Jonah Ferrity" for what Ferrity
    said): it tells of the asked one's words, not of another event, and is no reason to refuse
    their own quotation below it (where that tells the topic words it tells)."""
    return top.reversed_by is not None and top.agency is not None and top.agency.spoken and not top.missing


def _states_when(top: Coverage, c: Candidate) -> bool:
    """Whether a sentence states itself the time a better-scored one misses, where that (and who
    did it) is all it misses: "In 2022 the title went to ..." for "who won in 2022?", below the
    report of this year's winner."""
    if not top.missing or any(m.kind not in ("year", "month", "date") for m in top.missing):
        return False
    return check(Ask(top.missing), Evidence(c.text)).ok


def answers(kind: QuestionKind, question: str, sentence: str) -> bool:
    """Whether a sentence brought in for the best match holds the kind of answer asked for,
    and, for "Who is the governor of ...?", names a holder of that role: a runner-up naming
    another party's leader is no swap for "the central bank's governor said ...". (The best
    match itself is judged by the kind of answer alone: "X was founded by Y" names a founder
    without the word.)"""
    return holds_answer(kind, question, sentence) and holder_named(question, sentence)
