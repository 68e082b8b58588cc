"""Months, days, ISO dates, quarters and years shifted by "last year": how a question and a
sentence give a date, and whether a sentence's date is the one asked about."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from assistant.answer.vocabulary import MODALS, MONTH, WORD, YEAR, YEAR_TEXT, in_past, verb_forms
from assistant.text import SAME_PAST, STOPWORDS

MONTHS = ("january february march april may june july august september october november december").split()
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b\.?")
MONTH_DAY = re.compile(rf"\b{MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
MONTH_ONLY = re.compile(rf"\b{MONTH}\b")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
QUARTER = re.compile(r"\b(?:Q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)[ -]quarter)\b", re.IGNORECASE)
# "on Tuesday", "Saturday's final": a day of the week (and the day a clause puts what it tells on).
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
WEEKDAY = re.compile(rf"\b({_DAYS})(?:s|['’]s)?\b")
ON_WEEKDAY = re.compile(rf"\b(?i:on)\s+({_DAYS})\b")
QUARTER_NUMBER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


# "compared with a profit of $41 million in the second quarter", "from $2.31 billion in the
# second quarter", "than in 2023" (not "more than"): the other figure of a comparison, and its time (narrower than
# _COMPARED: "from" only before a number, so "moved from Eastgate in 1998" keeps its year).
COMPARISON = re.compile(
    r"\b(?:compared (?:with|to)|versus|than(?=\s+(?:in|during|for|a year|the (?:same|previous|prior))\b)|from(?=\s+(?:an?\s+|about\s+|around\s+)?[$£€]?\d))\b[^,;]*?(?=[,;]|\.(?:\s|$)|$)", re.IGNORECASE
)


# "its first cut since March 2020", "as it did in March": a time the sentence looks back to.
BACKGROUND_TIME = re.compile(r"\b(?:since|until|till|after|before|as \w+ (?:did|had|was|were) in)\b[^,;]*", re.IGNORECASE)


_YEAR_SHIFT = {"last year": -1, "next year": 1, "this year": 0}
# "up from $378.5 million a year earlier", "than last year": a comparison dates the other figure.
_COMPARED = re.compile(r"\b(?:from|than|compared (?:with|to)|versus|against)\b[^,;]*?(?=[,;]|\.(?:\s|$)|$)", re.IGNORECASE)
_YEAR_SHIFTS = re.compile(r"\b(" + "|".join(_YEAR_SHIFT) + r")(?:['’]s)?\b", re.IGNORECASE)


def relative_year(sentence: str) -> int | None:
    """How many years from its report a sentence dates what it tells ("last year": -1), where
    it says so in words; None where it does not, or says two ways."""
    shifts = {_YEAR_SHIFT[m.group(1).lower()] for m in _YEAR_SHIFTS.finditer(_COMPARED.sub(" ", sentence))}
    return shifts.pop() if len(shifts) == 1 else None


def months_in(text: str) -> set[int]:
    """The months a text names (1-12); "May" only before a day ("May 9") or after a word of time
    ("in May", "since May"), not the verb nor Theresa May."""
    return {month_number(m) for m in MONTH_ONLY.findall(text) if m != "May" or _MAY.search(text)}


_MAY = re.compile(r"\bMay\s+\d|\b\d{1,2}(?:st|nd|rd|th)?\s+May\b|\b(?:in|of|since|until|by|from|early|late|mid-?|last|next|this|over|during)\s+May\b")


def quarters_in(text: str) -> set[int]:
    """The quarters a text names (1-4): "Q3", "the third quarter", "third-quarter"."""
    return {int(q or QUARTER_NUMBER[w.lower()]) for q, w in QUARTER.findall(text)}


def month_number(name: str) -> int:
    return next(i for i, m in enumerate(MONTHS, start=1) if m.startswith(name.lower()[:3]))


def date_found(day_month: str, text: str, published: date | None, sentences: str) -> bool:
    """"18 April" in any spelling in the text ("April 18", "2016-04-18"), or, where the cited
    sentences state no date of their own, an article published up to three days after it
    (news reports yesterday's call)."""
    day, month_name = day_month.split()
    want = (int(day), MONTHS.index(month_name.lower()) + 1)
    if want in dates_in(text):
        return True
    if published is None or dates_in(sentences):
        return False
    try:
        asked = date(published.year, want[1], want[0])
    except ValueError:
        return False
    return 0 <= (published - asked).days <= 3


def dates_in(text: str) -> set[tuple[int, int]]:
    """Every (day, month) a text states, in any of its spellings."""
    found = {(int(d), month_number(m)) for d, m in DAY_MONTH.findall(text)} | {(int(d), month_number(m)) for m, d in MONTH_DAY.findall(text)}
    return found | {(int(d), int(m)) for _, m, d in ISO_DATE.findall(text) if 1 <= int(m) <= 12}


def own_dates(sentence: str) -> set[tuple[int, int]]:
    """The days a sentence puts what it tells on ("found 340 dead birds on the morning of
    Tuesday, November 11"): "on" and a date, not one still to come ("would pay a dividend on
    December 12", "due to start on ..."), nor an aside's ("Kell, injured on November 2, ...")."""
    found: set[tuple[int, int]] = set()
    for m in _ON_DATE.finditer(sentence):
        clause = re.split(r"[,;:]", sentence[: m.start()])[-1]
        words = clause.split()
        if _TO_COME.search(clause) or (len(words) == 1 and words[0].endswith("ed")):
            continue
        found |= dates_in(m.group(1))
    return found


_ON_DATE = re.compile(
    rf"\bon\s+(?:the\s+(?:morning|afternoon|evening|night)\s+of\s+)?(?:[A-Z][a-z]+day,?\s+)?"
    rf"((?:the\s+)?(?:{DAY_MONTH.pattern}|{MONTH_DAY.pattern}))"
)
_TO_COME = re.compile(r"\b(?:to|will|would|shall|due|set|scheduled|expected|planned|plans?|until|by|from)\b", re.IGNORECASE)


def other_time(words: frozenset[str], sentence: str, *, month: int | None = None, year: int | None = None, day: tuple[int, int] | None = None, weekday: str | None = None) -> bool:
    """Whether a sentence gives the question's own words (`verb_times`) another month, year,
    (day, month) or weekday than the one asked, and the asked one not even as a comparison's
    ("built 310 in 2023, up from 240 in 2022" gives 2022 too)."""
    if not words:
        return False
    months, years, days, weekdays = verb_times(words, sentence)
    if month is not None:
        told, asked, read = months, month, months_in
    elif year is not None:
        told, asked, read = years, year, _years_in
    elif weekday is not None:
        told, asked, read = weekdays, weekday, lambda text: set(WEEKDAY.findall(text))
    else:
        told, asked, read = days, day, dates_in
    return bool(told) and asked not in told and not any(asked in read(m.group(0)) for m in COMPARISON.finditer(sentence))


def _years_in(text: str) -> set[int]:
    return {int(y) for y in re.findall(YEAR_TEXT, text)}


@lru_cache(maxsize=4096)
def verb_times(words: frozenset[str], sentence: str, far: bool = False) -> tuple[frozenset[int], frozenset[int], frozenset[tuple[int, int]], frozenset[str]]:
    """The months, years, days and weekdays a sentence gives the question's own words (their
    terms): in the few words after one ("voted on Tuesday, January 20, to introduce a charge
    that begins in April": January 20 for "vote"; "set the course record in 2019": 2019 for
    "set"; "suspended since Tuesday, January 13"), or opening its clause before it ("In 2023
    Castlegate gave ..."), as (months, years, (day, month) days, weekdays); empty where it
    gives them no time of their own. `far` reads up to fourteen words after the verb ("convicted
    both men of conspiracy to steal on Tuesday"), not four."""
    months: set[int] = set()
    years: set[int] = set()
    days: set[tuple[int, int]] = set()
    weekdays: set[str] = set()
    found = list(WORD.finditer(sentence))
    after, before = (_VERB_TIME_FAR, _TIME_BEFORE_VERB_FAR) if far else (_VERB_TIME, _TIME_BEFORE_VERB)
    for i, w in enumerate(found):
        if not _verb_at(found, i) or not words & verb_forms(w.group(0)):
            continue
        for m in (after.match(sentence, w.end()), before.search(sentence[: w.start()])):
            # ("since" a day starts what the verb tells, "suspended since January 13"; since a
            # year it looks back: "its first cup since 1988".)
            if m and not (m.groupdict().get("at") == "since" and not dates_in(m.group("time"))):
                told = m.group("time")
                months |= months_in(told)
                years |= _years_in(told)
                days |= dates_in(told)
                # (A weekday before a date is the time's too: "on Tuesday, January 20"; and
                # after the verb, each weekday up to another verb's clause: "must stop at 10pm
                # on Friday and Saturday, and at 9pm on Sunday", not "voted on Monday to strike
                # on Wednesday".)
                tail = m.string[m.start("at") :] if m.groupdict().get("at") else m.string[m.start() : m.end("time")]
                weekdays |= set(WEEKDAY.findall(_NEXT_CLAUSE.split(tail, maxsplit=1)[0]))
    return frozenset(months), frozenset(years), frozenset(days), frozenset(weekdays)


def verb_terms(sentence: str) -> frozenset[str]:
    """The terms of the words a sentence uses as verbs (as `verb_times` reads them): "convict"
    in "A jury convicted both men ...", "open" in "will open"."""
    found = list(WORD.finditer(sentence))
    return frozenset(t for i, w in enumerate(found) if _verb_at(found, i) for t in verb_forms(w.group(0)))


def _verb_at(found: list[re.Match], i: int) -> bool:
    """Whether a sentence's i-th word is a verb: in the past ("voted") or after an auxiliary
    ("will open"), not a name, and not a noun ("rejected the drug once in 2021" dates the rejection)."""
    word = found[i].group(0)
    if word[:1].isupper():
        return False
    # ... or one whose past is itself, where its agent follows, after a time or at once ("the
    # record set in 2019 by Stormpetrel"; not the noun of "the tax cut in March 2023 cost ...").
    same_past = word in SAME_PAST and _AGENT_AFTER.match(found[i].string, found[i].end()) is not None
    return in_past(word) or same_past or (i > 0 and found[i - 1].group(0).lower() in _AUXILIARIES)


# Where another verb's clause begins: an infinitive, a relative, a verb in the past (not
# "after" or "before": "an hour earlier than before").
_NEXT_CLAUSE = re.compile(r"\b(?:to\s+(?!(?:the|a|an|its|their|his|her|this|that)\b)[a-z]+|who|which|that|when|[a-z]+ed)\b")
_AGENT_AFTER = re.compile(r"\s+(?:(?:in|on|during)\s+[^,;.]{1,30}?\s+)?by\b")
# (Not "to", "be", "been": "return to council", "had been chairman" put a noun after them.)
_AUXILIARIES = MODALS | {"was", "were", "is", "are"}
_A_TIME = (
    rf"(?:(?:early|late|mid)[\s-]+)?(?:[A-Z][a-z]+day,?\s+)?(?:the\s+)?"
    rf"(?P<time>(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?)?{MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+{YEAR_TEXT})?|{YEAR_TEXT}|{_DAYS})\b"
)


def _verb_time(reach: int, skipped_breaks: str) -> re.Pattern:
    """After the verb, up to `reach` words with no break and no participle of their own, then
    "on" / "in" / "since" and a time."""
    return re.compile(rf"(?:\s+(?!(?:{skipped_breaks}which|who|that|and|but|while|before|after|until|since|from)\b|[\w’'-]+ed\b)[\w’'-]+){{0,{reach}}}?\s+(?P<at>on|in|during|since)\s+" + _A_TIME)


def _time_before_verb(reach: int) -> re.Pattern:
    """The time opening the verb's clause, up to `reach` words of its subject between."""
    return re.compile(
        r"(?:^|[;:]\s+|,\s+(?:and|but)\s+)(?:[Ii]n|[Oo]n|[Dd]uring)\s+" + _A_TIME + rf",?(?:\s+(?!(?:which|who|that|when|said|says)\b|[\w’'-]+(?:ed|ing)\b)[\w’'-]+){{0,{reach}}}\s*$"
    )


# After the verb, up to four words with no break ("set a course record") and no participle of
# their own ("closed the factory opened in 1998 in March 2020"), then "on" / "in" / "since" and
# a time: a day ("on Tuesday, January 20"), a month ("in April", "in early April 2024") or a year;
# or the time opening the verb's clause, its subject between ("In 2023 Castlegate gave").
# An infinitive's "to" is a break too: "voted to close the library on Friday" dates the closing.
_INFINITIVE = r"to(?=\s+(?!(?:the|a|an|its|their|his|her|this|that|these|those)\b)[a-z])"
_VERB_TIME, _TIME_BEFORE_VERB = _verb_time(4, f"on|in|during|{_INFINITIVE}|"), _time_before_verb(4)
# Far: up to fourteen words after, "in" and "on" among them ("scored a hat-trick in the
# semi-final second leg at the Brackfield Arena on Sunday"), or eight before.
_VERB_TIME_FAR, _TIME_BEFORE_VERB_FAR = _verb_time(14, ""), _time_before_verb(8)


_LIKE = re.compile(r"\b(?:unlike|like|than|as (?:in|at|with))\b[^,;.]*", re.IGNORECASE)


def dated_otherwise(question: str, year: str, sentence: str) -> bool:
    """Whether the sentence gives the thing the question dates by its year ("the 2026 budget")
    only other years: "the 2025 budget", "the budget for 2025"."""
    # (Not a comparison's thing: "up from £32 million in the budget for 2025", "unlike the 2021 census".)
    own = _LIKE.sub(" ", BACKGROUND_TIME.sub(" ", COMPARISON.sub(" ", sentence)))
    for noun in re.findall(rf"\b{year}\s+([a-z]{{4,}})", question):
        if noun in STOPWORDS:
            continue
        given = {y for m in re.finditer(rf"\b((?:19|20)\d\d)\s+{noun}s?\b|\b{noun}s?\W+(?:for|of)\s+((?:19|20)\d\d)\b", own) for y in m.groups() if y}
        given -= set(YEAR.findall(question)) - {year}  # "the 2026 plan ... for 2030": 2030 is asked too
        if given and year not in given:
            return True
    return False
