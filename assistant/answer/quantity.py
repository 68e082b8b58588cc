"""The numbers a question asks for ("how many colonies", "what revenue", "how tall") and what
in a sentence states one of that kind: a sum of money, a share, a length of time, a time of
day, a size of the asked dimension."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.doers import without_appositions
from assistant.answer.support import numbers
from assistant.answer.vocabulary import MONTH, NUMBER_WORDS, RELATIVE, in_past, question_data
from assistant.text import STOPWORDS, alternation, stem, terms


@lru_cache(maxsize=1)
def measure_units() -> frozenset[str]:
    """Words that measure time or extent rather than count things ("weeks", "milligram")."""
    return frozenset(question_data()["measure_units"])


@lru_cache(maxsize=1)
def quantity_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """From the vocabularies, compiled once: "what revenue did ...", "what minimum flow does
    ..." (an amount asked for by its noun, captured); "how much ... cost / pay"; and a number
    with a measure of time or extent ("six weeks", "2 km")."""
    vocab = question_data()
    nouns = [n for group in vocab["quantity_nouns"].values() for n in group]
    asked = re.compile(
        rf"\b(?:what|which)\s+(?:[a-z]+\s+)?({alternation(nouns)})\b(?!['’]s)"
        r"(?=\s+(?:of|did|does|do|was|were|is|are|has|have|had|will|would|could|can)\b|\s*[?,])",
        re.IGNORECASE,
    )
    # ... "how much" then the verb's auxiliary: "how much time did they give it" asks no money.
    money = re.compile(
        rf"\bhow much\s+(?:money\s+|cash\s+|in\s+[a-z]+\s+)?(?:did|does|do|will|would|has|have|had|is|was|are|were|could|can|should|must)\b.*"
        rf"\b(?:{alternation(vocab['money_verbs'])})\b",
        re.IGNORECASE,
    )
    measured = re.compile(rf"\b(?:\d[\d,.]*|{NUMBER_WORDS}|an?)\s+(?:{alternation(vocab['measure_units'])})\b", re.IGNORECASE)
    return asked, money, measured


MONEY = re.compile(
    r"[$£€¥]\s?\d|\b\d[\d,.]*\s*(?:million|billion|bn|m|thousand)?\s*(?:dollars|pounds|euros|yen|rubles|roubles|francs|rupees)\b|"
    r"\b(?:USD|EUR|GBP)\s?\d",
    re.IGNORECASE,
)
# A length of time: "25 years", "a two-hour call", "for a decade", "half an hour".
DURATION = re.compile(
    rf"\b(?:\d[\d,.]*|{NUMBER_WORDS}|(?<![\d%]\s)an?|half an?|several|a few|many)[\s-]+(?:(?!an?\b|per\b)[a-z]+[\s-]+)?"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b|"
    # "in the past year", "for years", "since 2019"
    r"\b(?:the\s+)?(?:past|last|next|previous|coming|following)\s+(?:[\w-]+\s+)?(?:days?|weeks?|months?|years?|decades?)\b|"
    rf"\bfor\s+(?:days|weeks|months|years|decades)\b|\bsince\s+(?:{MONTH}\s+)?(?:19|20)\d\d\b",
    re.IGNORECASE,
)
# A time of day: "02:14", "9.30am", "at noon", "nine o'clock".
CLOCK = re.compile(
    rf"\b\d{{1,2}}[:.]\d{{2}}\b|\b\d{{1,2}}\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\b(?:noon|midday|midnight|dawn|dusk)\b|"
    rf"\b(?:\d{{1,2}}|{NUMBER_WORDS}) o['’]clock\b|\b\d{{4}}\s*(?:GMT|UTC|BST|CET|EDT|EST|ET|PT|local time)\b",
    re.IGNORECASE,
)
HOW_LONG = re.compile(r"\bhow long\b(?!\s+ago)", re.IGNORECASE)
SIZE_Q = re.compile(
    r"\bhow (tall|wide|heavy|thick|high|deep)\b|\b(?:what|which) (height|width|length|weight|depth|thickness)\b(?! of)"
    # "What is the height of the viaduct?" (not "the length of the strike", "the weight of the
    # fine", "the depth of the cuts": said of time and of figures too)
    r"|\bwhat\s+(?:is|was|are|were|will\s+be|would\s+be)\s+(?:the|its|their|his|her|[\w’'-]+['’]s?)\s+(?:[a-z]+\s+)?(height|width|thickness)\b",
    re.IGNORECASE,
)
# Sizes also said of things that have none: "how wide was her margin", "how heavy were the losses".
FIGURATIVE = frozenset(question_data()["size"]["figurative"])


def literal_size(question: str, asked: str) -> str | None:
    """The dimension a size word figurative too asks, where it is asked of what a thing is now
    ("how heavy is each sail?": "weight"; "how high is inflation?" asks it too, and a sentence
    giving only another measure refutes neither); None where it is not ("how wide was her
    margin")."""
    if asked in FIGURATIVE and re.search(rf"\bhow {asked}\s+(?:is|are|will\s+be)\b", question, re.IGNORECASE):
        return question_data()["size"]["figurative"][asked]
    return None
SHARE = re.compile(r"\d\s*(?:%|percent\b|per cent\b|percentage points?\b)|\b(?:half|a third|two-thirds|a quarter|three-quarters)\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def quantity(question: str) -> tuple[str, str | None]:
    """What kind of number a "how many / how much / what revenue" question asks for: "money",
    "share", or "count" of the noun it names ("how many colonies": ("count", "colonies"))."""
    asked, money, _ = quantity_patterns()
    size = SIZE_Q.search(question)
    if size:
        return "size", next(g for g in size.groups() if g).lower()
    if HOW_LONG.search(question):
        # "How long is the tunnel?" asks a length; "How long did the strike last?" a time.
        return ("amount" if re.search(r"\bhow long (?:is|was|are|were)\b(?![^?]*\b(?:been|in office|in charge)\b)", question, re.IGNORECASE) else "duration"), None
    m = asked.search(question)
    if m:
        noun = m.group(1).lower()
        return next((k for k, v in question_data()["quantity_nouns"].items() if noun in v), "amount"), None
    if money.search(question):
        return "money", None
    counted = re.search(r"\b(?i:how many)\s+(?:[\w’'-]+\s+){0,2}?([a-z]+s)\b", question)
    return "count", counted.group(1) if counted else None



def sized(asked: str, sentence: str) -> bool:
    """Whether a sentence gives a size of the dimension asked ("tall"): a number with a unit of
    size, in a sentence that names no other dimension unless it names the asked one too. ("How
    wide" and "how heavy", said of margins and losses too, take any number where no unit of size
    is there; a sentence naming the asked dimension gives one in words.)"""
    units = _size_vocab()[0]
    told, wanted = _dimensions_told(_LOWER_WORD.findall(sentence.lower())), _dimension_of(asked)
    if not units.search(sentence):
        # "... is the height of a double-decker bus" gives one too, in words.
        return wanted in told or (asked in FIGURATIVE and bool(re.search(r"\d", sentence)))
    return not told or wanted in told


def other_dimension(asked: str, sentence: str) -> bool:
    """Whether a sentence gives sizes of other dimensions only: "a viaduct 210 metres long" for
    its height. Each size counts with the dimension word just after or before it ("210 metres
    long", "weighed 2.1 kilograms"); a size with none may be the one asked ("the 12 km tunnel"),
    and a dimension word said of no size ("High Street", "long-delayed") is no measure."""
    units, weights = _size_vocab()[0], _weights()
    wanted = _dimension_of(asked)
    sizes = list(units.finditer(sentence))
    if not sizes:
        return False
    for m in sizes:
        beside = _LOWER_WORD.findall(sentence[max(0, m.start() - 25) : m.start()].lower())[-2:] + _LOWER_WORD.findall(sentence[m.end() : m.end() + 25].lower())[:2]
        unit = _LOWER_WORD.findall(m.group(0).lower())[-1:]
        # "92,000 tonnes" is a weight, whatever stands beside it.
        told = _dimensions_told(beside + (["weight"] if unit and unit[0] in weights else []))
        if not told or wanted in told:
            return False
    return True


def _dimensions_told(words: list[str]) -> set[int]:
    """Which dimensions (their places in the vocabulary) the words name."""
    return {i for i, group in enumerate(_size_vocab()[1]) for w in words if w in group}


def _dimension_of(asked: str) -> int | None:
    """The dimension an asked word is of ("tall": height's), or None."""
    return next((i for i, group in enumerate(_size_vocab()[1]) if asked in group), None)


@lru_cache(maxsize=1)
def _weights() -> frozenset[str]:
    """The units of size that weigh ("tonnes")."""
    return frozenset(question_data()["size"]["weights"])


_LOWER_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _size_vocab() -> tuple[re.Pattern, list[frozenset[str]]]:
    data = question_data()["size"]
    units = re.compile(rf"\b\d[\d,.]*[\s-]*(?:{alternation(data['units'])})\b", re.IGNORECASE)  # "310-metre"
    return units, [frozenset(g) for g in data["dimensions"]]


@lru_cache(maxsize=4096)
def counted(text: str) -> dict[str, set[float]]:
    """The numbers a text states by the word each counts ("2.1 degrees": "degre"; "" where
    none follows): {"degre": {2.1, 3.0}, "": {11.0}}."""
    found: dict[str, set[float]] = {}
    # "close 14 of its 52 stores": 14 counts stores too.
    text = _PART_OF.sub(lambda m: f"{m.group(1)} {m.group(3)} {m.group(0)}", text)
    for value, shown in numbers(text).items():
        # "eight Green members" counts members.
        for m in re.finditer(rf"(?<![\w.]){re.escape(shown)}(?:\s+(?:(?:[A-Z][\w’'-]*\s+){{1,2}}([a-z]{{3,}})|([A-Za-z]{{3,}})))?", text):
            word = (m.group(1) or m.group(2) or "").lower()
            if not word or word in STOPWORDS:
                # "3,200 spectators on Saturday and 5,100 on Sunday": 5,100 counts spectators too.
                before = _SHARED_NOUN.search(text[max(0, m.start() - 80) : m.start()])
                word = before.group(1).lower() if before else word
            found.setdefault(stem(word) if word and word not in STOPWORDS else "", set()).add(value)
    return found


_SHARED_NOUN = re.compile(r"\d[\d,.]*\s+([a-z]{3,})\b[^.;:\d]{0,40}?(?:,\s*|\s+)and\s+(?:about\s+|some\s+|another\s+)?$")
_PART_OF = re.compile(r"(?<![\w.,])(\d[\d,.]*|[a-z]+)\s+of\s+(?:its|the|their|his|her|our|all)\s+(\d[\d,.]*|[a-z]+)\s+([a-z]{3,})\b")
# Words that hedge a number without changing what it is the number of ("cost about $140
# million"). Not "under" / "over": "the richest person in the world under 30" ties 30 to no word.
HEDGE = r"(?:(?:about|around|nearly|almost|roughly|some|only|just|more than|less than|up to|an estimated|a|an)\s+)?"


def word_before(text: str, shown: str) -> str:
    """The term of the content word just before a number ("cost about $140 million": "cost";
    past an object, "pay her £240,000": "pay"; past "of", "a grant of £640,000": "grant"), or
    "" where a stopword or nothing stands there."""
    m = re.search(rf"\b([A-Za-z]{{3,}})\s+(?:(?:her|him|them|it|us|me|of)\s+)?{HEDGE}[$£€¥]?{re.escape(shown)}(?![\w.])", text)
    return stem(m.group(1).lower()) if m and m.group(1).lower() not in STOPWORDS else ""


def other_thing_priced(before: str, question: str) -> bool:
    """Whether what the words before "for £N" have bought, sold or run ("bought the Copley Road
    depot from Shirebus") is something the question does not name: that sum is its price."""
    words = re.split(r"[,;]", without_appositions(RELATIVE.sub(" ", before)))[-1].split()  # past "Shirebus, the operator that ...,"
    last = max((i for i, w in enumerate(words) if in_past(w.lower()) or w.lower() in ("run", "buy", "sell", "pay")), default=-1)
    obj = []
    for w in words[last + 1 :]:
        if w.lower() in ("to", "from", "in", "at", "on", "with", "by"):
            break
        obj.append(w)
    said = set(terms(" ".join(obj)))
    return bool(said) and not said & set(terms(question))


def other_rate(question: str, shown: str, sentence: str) -> bool:
    """Whether the question gives its figure by a period ("£450,000 a year") and the sentence
    gives that figure by none or by another ("will cost about £450,000", "£450,000 a month")."""
    # (Not "a year ago", "a day after": a time, not a period.)
    m = re.search(rf"{re.escape(shown)}\s+(?:{_rate()})(?!\s+(?:ago|earlier|later|before|after|on)\b)", question, re.IGNORECASE)
    if not m:
        return False
    # The sentence's period after the figure ("£450,000-a-year", "per annum"), or before it ("an annual grant of £450,000").
    figures = list(re.finditer(rf"(?<![\d.,]){re.escape(shown)}(?![\d]|[.,]\d)", sentence))
    given = [re.match(rf"[\s-]+(?:{_rate()})", sentence[n.end() :], re.IGNORECASE) for n in figures]
    if re.search(r"\bper\s+annum\b", sentence, re.IGNORECASE) and _period(m) == "year":
        return False
    adjectives = question_data()["rates"]["adjectives"]
    before = {adjectives.get(w.lower()) for n in figures for w in sentence[: n.start()].split()[-4:]}
    if _period(m) in before:
        return False
    return bool(given) and not any(g and _period(g) == _period(m) for g in given)


@lru_cache(maxsize=1)
def _rate() -> str:
    """A period after a figure, "a year" ("per week") or "annually" (question.toml's `rates`)."""
    rates = question_data()["rates"]
    return rf"(?:a|an|per|each|every)[\s-]+({'|'.join(rates['periods'])})\b|({'|'.join(rates['words'])})\b"


def _period(rate: re.Match) -> str:
    """The period a rate gives: "a year" and "annually" alike."""
    return rate.group(1).lower() if rate.group(1) else question_data()["rates"]["words"][rate.group(2).lower()]
