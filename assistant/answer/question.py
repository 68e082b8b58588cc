"""What kind of answer a question asks for, and what in a sentence looks like that answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from assistant.answer.entities import (
    ENTITIES,
    asked_entity,
    asked_role,
    asks_for_person,
    name_words,
    names_entity,
    wants_full_name,
    without_other_kinds,
)
from assistant.answer.quantity import CLOCK, DURATION, HOW_LONG, MONEY, SHARE, SIZE_Q, measure_units, quantity, quantity_patterns, sized
from assistant.answer.vocabulary import MONTH, YEAR, YEAR_TEXT, question_data
from assistant.text import DEMONYM_ENDS, IRREGULAR_PAST, STOPWORDS, is_name_word, terms, words
from assistant.text import alternation as _alternation

_DATE_LIKE = re.compile(
    rf"\b{MONTH}\b|\b(19|20)\d{{2}}\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|"
    r"\b\d{1,2}(st|nd|rd|th)\b|\b(yesterday|today|last (week|month|year)|next (week|month|year)|this year|"
    r"in the past|since|years?|months?|weeks?|days?)\b",
)
# "two" and "both" are left out: "the two countries" is how news refers to a pair, not a count.
_CALENDAR_DATE = re.compile(
    rf"\b{MONTH}\.? \d{{1,2}}\b|\b\d{{1,2}}(st|nd|rd|th)? {MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
)
_NUMBER_LIKE = re.compile(
    r"\b\d[\d,.]*(st|nd|rd|th|%)?\b|\b(three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|dozens?|first|second|third|fourth|fifth|half|an hour|a day|a week|a month|a year)\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
#: A year a question or sentence names: 1950-2099.


_CUES = question_data()
# ... not a month or weekday ("in February" is no place).
_PLACE_LIKE = re.compile(
    rf"\b({_alternation(_CUES['place_prepositions'])})\s+(the\s+)?(?!{MONTH}\b|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][a-z]+"
)
_REASON_LIKE = re.compile(
    rf"\b({_alternation(_CUES['reason_cues'])}|to ({_alternation(_CUES['purpose_verbs'])}))\b", re.IGNORECASE
)
_PERSON_LIKE = re.compile(rf"\b[A-Z][a-z]+ [A-Z][a-z]+\b|\b({_alternation(_CUES['person_cues'])})\b")
_SAY_Q = re.compile(
    rf"\b(what did|what does|what has|how did)\b.*\b({_alternation(_CUES['say_verbs'])})\b|\bquote\b|\bin (his|her|their) (words|message)\b",
    re.IGNORECASE,
)
_RECENT_Q = re.compile(rf"\b({_alternation(_CUES['recent_cues'])})\b", re.IGNORECASE)
_MULTI_Q = re.compile(
    rf"\b({_alternation(_CUES['multi_cues'])}|which (\w+ )?({_alternation(_CUES['multi_plurals'])}))\b", re.IGNORECASE
)


_WHAT_TIME = re.compile(r"\b(?:what|which) time\b(?!\s+(?:period|frame|limit|of (?:the )?(?:year|day|month|season))\b)", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionKind:
    kind: str  # who, when, where, how_many, why, quote, what
    multi: bool
    subject_terms: tuple[str, ...]
    speaker: str | None
    years: tuple[int, ...] = ()
    recent: bool = False  # "latest", "most recent", "now": the newest evidence is wanted
    entity: str | None = None  # "which think tank": the kind of named thing asked for (ENTITIES)
    entity_noun: str | None = None  # ... and the noun it is asked with: "think tank"


_LEADING_PHRASE = re.compile(r"^[^,?]{1,80},\s*(?=(?:when|where|why|who|whom|whose|how|what|which|in what|in which|on what)\b)")


@lru_cache(maxsize=1024)
def classify(question: str) -> QuestionKind:
    q = question.strip()
    # "According to Voss, when do the bills arrive?": the question word after a leading phrase.
    low = _LEADING_PHRASE.sub("", q.lower())
    multi = bool(_MULTI_Q.search(q))
    speaker = None
    entity, entity_noun = asked_entity(q) or (None, None)
    if _SAY_Q.search(q):
        kind = "quote"
        m = re.search(r"\b(?:did|does|has)\s+(?:the\s+)?([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)", q)
        if m:
            speaker = m.group(1)
    elif re.match(r"^(when|what (day|date|year|month|time)|on what (day|date)|in what year|how long ago)\b", low) or re.search(r"\b(what|which) (day|date|year|month)\b", low) or _WHAT_TIME.search(low):
        kind = "when"
    elif HOW_LONG.search(low) or SIZE_Q.search(low) or re.search(r"\bhow (many|much)\b|\bwhich anniversary\b|\bwhat (number|percentage|share|amount)\b", low) or quantity_patterns()[0].search(q):
        kind = "how_many"
    elif re.match(r"^(where|in what (city|country|place)|in which (city|country|place))\b", low) or re.search(r"\bwhich (city|country|place|border)\b(?!['’]s)", low):
        kind = "where"
    elif re.match(r"^(why|for what reason|what (was|is) the (reason|purpose|aim|goal))\b", low) or re.search(r"\b(why|reason|purpose|aim|goal)\b", low):
        kind = "why"
    elif (
        re.match(r"^(who|whom|whose)\b", low)
        or re.search(r"\bname of\b", low)
        or asks_for_person(q)
        or (entity and entity != "event")
    ):
        kind = "who"
    else:
        kind = "what"
    subject = tuple(w for w in words(q) if w not in STOPWORDS and len(w) > 2)
    years = tuple(int(y) for y in YEAR.findall(q))
    return QuestionKind(kind, multi, subject, speaker, years, bool(_RECENT_Q.search(q)) and not years, entity, entity_noun)


_FROM_YEAR = re.compile(rf"\b(since|after|from)\s+(?:the\s+|early\s+|late\s+|mid-?)?(?:\w+\s+)?{YEAR_TEXT}\b", re.IGNORECASE)
_TO_YEAR = re.compile(rf"\b(until|till|through|up to|before|by)\s+(?:the\s+|early\s+|late\s+|mid-?)?(?:\w+\s+)?{YEAR_TEXT}\b", re.IGNORECASE)


def year_bounds(question: str) -> tuple[date | None, date | None]:
    """The publication dates a question's years ask for: "in 2016" is all of 2016, "since the
    2016 referendum" from 2016 on, "before 2020" up to the end of 2019. (None, None): no year."""
    years = [int(y) for y in YEAR.findall(question)]
    if not years:
        return None, None
    low, high = _FROM_YEAR.search(question), _TO_YEAR.search(question)
    if not low and not high:
        return date(min(years), 1, 1), date(max(years), 12, 31)
    since = date(int(low.group(2)) + (low.group(1).lower() == "after"), 1, 1) if low else None
    until = date(int(high.group(2)) - (high.group(1).lower() == "before"), 12, 31) if high else None
    return since, until


# A capitalised word, not opening the sentence, and a small number that is not a score or a
# decimal: "Line 4", "Terminal 2" (a stopword before the number is no name: "About 900").
_NAMED_NUMBER = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]+)\s+\d{1,3}\b(?![-–/.,:]\d)")


# "at the old town hall", "in a car park": a place by what it is.
_COMMON_PLACE = re.compile(
    rf"\b(?:{_alternation(_CUES['place_prepositions'])})\s+(?:the|a|an|its|their|his|her)\s+(?:[\w’'-]+\s+){{0,2}}?(?i:{_alternation(_CUES['place_nouns'])})\b"
)


def type_match(kind: str, sentence: str) -> float:
    """How much the sentence holds the kind of thing asked for (0..1)."""
    if kind == "when":
        return 1.0 if _DATE_LIKE.search(sentence) else 0.0
    if kind == "how_many":
        # Years and calendar dates are not counts: "in 2000", "on May 9".
        undated = re.sub(rf"\b(19|20)\d{{2}}\b|\b{MONTH}\.? \d{{1,2}}\b|\b\d{{1,2}}(st|nd|rd|th)? {MONTH}\b", " ", sentence)
        # Nor numbers that name something: "the Line 4 extension", "Terminal 2".
        undated = _NAMED_NUMBER.sub(lambda m: m.group(0) if m.group(1).lower() in STOPWORDS else m.group(1), undated)
        return 1.0 if _NUMBER_LIKE.search(undated) else 0.0
    if kind == "where":
        return 1.0 if _PLACE_LIKE.search(sentence) or _COMMON_PLACE.search(sentence) else 0.0
    if kind == "why":
        return 1.0 if _REASON_LIKE.search(sentence) else 0.0
    if kind == "who":
        return 1.0 if _PERSON_LIKE.search(sentence) else 0.0
    if kind == "quote":
        return 1.0 if _QUOTE.search(sentence) or sentence.lstrip().startswith(("“", '"')) else 0.0
    return 0.0


_AUXILIARY = r"(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should|may|might|must)\b"
# Words in -ed that are mostly adjectives before a noun: "which armed group", "which United Nations".
_ED_ADJECTIVES = rf"(?:{_alternation(_CUES['ed_adjectives'])})\b"
_ASKED_VERB = re.compile(
    # "Who built ...": the word after "who";
    rf"^\s*who\s+(?!{_AUXILIARY})([a-z]+)\b|"
    # "What caused ...", "Which company signed ...": the first word after "what" / "which" that
    # reads as a verb in the past, and is not itself a subject ("which groups did").
    rf"^\s*(?:what|which)\s+(?:[\w’'-]+\s+){{0,3}}?(?!{_AUXILIARY}|{_ED_ADJECTIVES})"
    rf"((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\b(?!\s+{_AUXILIARY})|"
    # "When will Ruth Adebayo be sworn in?", "Where did the Pilots train?": the word after the
    # named subject (and a passive's "be").
    rf"^\s*(?:when|where|how)\s+{_AUXILIARY}\s+(?:the\s+)?(?:(?-i:[A-Z])[\w’'.-]*\s+)+(?:be\s+|been\s+)?((?-i:[a-z]+))\b",
    re.IGNORECASE,
)


def asked_verb(question: str) -> str | None:
    """The term of the verb a question asks about: "build" in "Who built the bridge?", "sign"
    in "Which company signed ...?"; None when an auxiliary comes first ("Who did ...")."""
    m = _ASKED_VERB.match(question)
    found = terms(m.group(1) or m.group(2) or m.group(3)) if m else []
    return found[0] if found else None


# "the name of the contractor": the noun whose name is asked.
_NAME_OF_Q = re.compile(r"\bname of (?:the|a|an|his|her|its|their)\s+(?:[a-z][\w-]*\s+){0,2}?([a-z][\w-]*)\b(?!\s+[a-z][\w-]*\s+(?:of|who|that|which)\b)", re.IGNORECASE)
_UNNAMED_BEFORE = frozenset("a an one another her his their its some several".split())


def _blank_noun(question: str) -> str:
    """The noun a "which ...?" question asks the name of: "business" in "Which car-wash business
    in Dunford moved ...?"; "" where it asks with none ("What did X say?")."""
    m = _NAME_OF_Q.search(question)
    if m:
        return m.group(1).lower()
    m = re.search(r"\b(?i:which|what)\s+((?:[a-z][\w-]*\s*)+)", question)
    head = ""
    for w in (m.group(1).split() if m else [])[:3]:
        if w in STOPWORDS or (head and w.endswith("ed")):
            break
        head = w
    return head


def _apposed_name(tokens: list[str]) -> bool:
    """Whether the tokens open with a name that stands alone ("Brayford Town." / "Brayford Town,"),
    not the subject of what follows (", Tallis said")."""
    run = 0
    while run < len(tokens) and tokens[run][:1].isupper():
        run += 1
    return run > 0 and (run == len(tokens) or not tokens[run][:1].islower())


def unnamed_blank(question: str, sentence: str) -> bool:
    """Whether the sentence has the thing a "which ...?" question asks the name of only as an
    unnamed one: "a car-wash business in Dunford moved £4 million" for "Which car-wash business
    ...?", "not just nurseries" for "At which nursery ...?". A sentence without the noun, or
    with "the ..." (named, perhaps, before), is not judged."""
    head = _blank_noun(question)
    if head not in _CUES["named_kinds"]:
        return False
    forms = {head, head + "s", head + "es", head[:-1] + "ies" if head.endswith("y") else head}
    tokens = re.findall(r"[\w’'-]+|[,;:.()“”\"]", sentence)
    seen = False
    for i, tok in enumerate(tokens):
        if tok not in forms:
            continue
        seen = True
        j = i - 1
        while j >= 0 and (tokens[j].islower() or "-" in tokens[j]) and tokens[j] not in _UNNAMED_BEFORE | {"the", "this", "that"}:
            j -= 1  # past its modifiers: "a car-wash business", "her younger grandson"
        det = tokens[j].lower() if j >= 0 else ""
        if j >= 2 and tokens[j - 1] == "," and tokens[j - 2][:1].isupper():
            return False  # "Tatyana Stanovaya, a scholar at ...": named before it
        after = tokens[i + 1 : i + 8]
        clause = after[: next((k for k, t in enumerate(after) if t in (".", ";")), len(after))]
        # Named where a name follows it, or stands after a comma in its clause ("a club in the
        # third tier, Brayford Town"), or it is "named" / "called" something.
        named = bool(clause) and (clause[0][:1].isupper() or clause[0] in ("named", "called") or any(
            t == "," and _apposed_name(clause[k + 1 :]) for k, t in enumerate(clause)))
        plural = tok != head
        if named or not (det in _UNNAMED_BEFORE or (plural and det not in ("the", "this", "that"))):
            return False  # named there, or "the contractor" (perhaps named before)
    return seen


# "Which outlet reported ...?": the dateline's outlet may be the answer.
_REPORTING = re.compile(r"\b(?:report(?:ed|s)?|broke the news|first published|published)\b", re.IGNORECASE)
# "MARLOW, Sep 18 (Trade Journal) - ": a dateline's place, date and outlet, up to its dash.
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,40},\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2}\b\s*(?:\([^()]{1,60}\)\s*)?[-—–]\s+")


def holds_answer(kind: QuestionKind, question: str, sentence: str) -> bool:
    """Whether the sentence holds something of the kind asked for that the question lacks.

    Used for refusals: "which spokesman ...?" is not answered by a sentence whose only names
    are the question's own, nor "how many ...?" by one with no number in it.
    """
    if kind.kind in ("who", "what") and unnamed_blank(question, sentence):
        return False
    if (kind.entity or kind.kind == "who") and kind.entity != "outlet" and not _REPORTING.search(question):
        # A dateline's outlet and place name no one asked for: "MARLINGHAM, Sep 18 (Midlands
        # Business Journal) - ..." holds no company that sold anything (where the question asks
        # who reported it, it may).
        sentence = _DATELINE.sub("", sentence)
    if kind.entity:
        if names_entity(kind.entity, question, sentence) is not None:
            return True
        if ENTITIES[kind.entity].strict:
            return False
        # "Which company ...?" may be answered by a name of no known form ("Gazprom"), but not by
        # a name known to be of another kind: "the White House" is no company.
        sentence = without_other_kinds(kind.entity, sentence)
        kind = replace(kind, kind="who", entity=None)
    role = asked_role(question) if kind.kind == "who" else None
    if role and not role.search(sentence.lower()):
        return False  # "which spokesman": someone the sentence calls a spokesman (or press secretary)
    if kind.kind == "who" and (role or wants_full_name(question)):
        return _new_name(question, sentence, _FULL_NAME, at_least=2)
    if kind.kind == "who":
        return _new_name(question, sentence, _ANY_NAME, at_least=1)
    if kind.kind == "when" and re.search(r"\bwhat date\b|\bwhich date\b|\bon what date\b", question, re.IGNORECASE):
        # A date, not just a weekday or "soon".
        return bool(_CALENDAR_DATE.search(sentence))
    if kind.kind == "when" and _WHAT_TIME.search(question):
        return bool(CLOCK.search(sentence))  # a time of day, not "on Wednesday"
    if kind.kind == "how_many":
        # A number the question does not already give: "held 2.1 degrees above" answers no "how many".
        for n in sorted(set(re.findall(r"\d[\d,.]*\d|\d", question)), key=len, reverse=True):
            sentence = re.sub(rf"(?<![\d.,]){re.escape(n)}(?![\d,]|\.\d)", " ", sentence)
        wanted, noun = quantity(question)
        if wanted == "money":
            return bool(MONEY.search(sentence))  # "revenue rose 9 percent" states no revenue
        if wanted == "share":
            return bool(SHARE.search(sentence))
        if wanted == "duration":
            return bool(DURATION.search(sentence))  # "over 25 years", not "by six metres"
        if wanted == "size":
            return sized(noun or "", sentence)
        if noun and noun not in measure_units():
            # "How many colonies": "for six weeks" counts time, not colonies.
            sentence = quantity_patterns()[2].sub(" ", sentence)
        return type_match(kind.kind, sentence) > 0
    if kind.kind == "where":
        # A place the question does not already give, not a people's adjective ("to Russian diplomats").
        # "Where in Spain ...?" is answered within Spain: "in Spain's eastern Valencia region".
        asked = set() if re.search(r"\bwhere in\b", question, re.IGNORECASE) else name_words(question)

        def place(m: re.Match) -> bool:
            following = re.match(r"\s+([a-z]+)", sentence[m.end() :])
            adjective = m.group(0).endswith(DEMONYM_ENDS) and following and following.group(1) not in STOPWORDS
            return not adjective and not (name_words(m.group(0).split()[-1]) & asked)

        return any(place(m) for m in _PLACE_LIKE.finditer(sentence)) or bool(_COMMON_PLACE.search(sentence))
    if kind.kind == "when":
        return type_match(kind.kind, sentence) > 0
    return True


_FULL_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")  # "Michael McFaul", "Dmitry Peskov"
_ANY_NAME = re.compile(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*")


def _new_name(question: str, sentence: str, pattern: re.Pattern, at_least: int) -> bool:
    """Whether the sentence has a name (of at least `at_least` name words) that shares no word
    with the question: "Biden-Putin" in the question names both Biden and Putin."""
    q_words = name_words(question)
    for m in pattern.finditer(sentence):
        parts = [p for p in m.group(0).split() if is_name_word(p)]
        if len(parts) >= at_least and not any(name_words(p) & q_words for p in parts):
            return True
    return False


def quoted_spans(sentence: str) -> list[str]:
    """The words inside quotation marks, verbatim."""
    return [m.group(1).strip() for m in _QUOTE.finditer(sentence)]
