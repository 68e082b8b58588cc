"""Checks of a model's sentence against the passages it cites, beyond its support score.

A sentence can share its words and topic with a passage and still say something else: a
quotation reworded, a number changed, a "not" added or dropped. Each check here names what
it found, so the flag a writer sees says why the sentence is not supported.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text import terms

_QUOTE = re.compile(r'"([^"]+)"|(?<!\w)‘([^‘’]+)’(?!\w)|«([^»]+)»')
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
_WORD_VALUE = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_WORD_VALUE |= {w: i + 1 for i, w in enumerate(_ORDINALS)} | {"twentieth": 20, "thirtieth": 30, "fiftieth": 50, "hundredth": 100}
_SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000,
          "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "tn": 1_000_000_000_000}
_SCALES = "hundred|thousand|million|billion|trillion"
_NUMBER = re.compile(
    # Digits, with thousands commas, an ordinal suffix or a scale: "1,200", "75th", "2.4 billion", "$3m", "2.4bn".
    rf"(?<![\w.])(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:st|nd|rd|th)?(?:\s*({_SCALES})\b|(k|m|mn|bn|tn)\b)?"
    # Words: a tens word may take a unit ("seventy-fifth"); any may take a scale ("two million").
    rf"|\b({'|'.join(_TENS)})(?:[- ]({'|'.join(_UNITS[1:10] + _ORDINALS[:9])}))?(?:\s+({_SCALES}))?\b"
    rf"|\b({'|'.join(w for w in _WORD_VALUE if w not in _TENS)})(?:\s+({_SCALES}))?\b",
    re.IGNORECASE,
)
# One and two as words are as often not counts as counts ("one of the", "at first", "the two
# leaders", "a second visit"): only their digits are checked.
_VAGUE_WORDS = {"zero", "one", "two", "first", "second"}
_NEGATION = re.compile(
    r"\bnot only\b|\bno\.?\s*\d|\b(neither\b.*?\bnor|not|no|never|neither|nor|none|nobody|nothing|without|cannot)\b|n['’]t\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Quotes, apostrophes, dashes and spaces folded, lower case: how quotations are compared."""
    return " ".join(text.translate(_FOLD).lower().split())


def quotations(text: str) -> list[str]:
    """The quoted passages of a statement: "...", “...”, ‘...’ and «...»."""
    straight = text.replace("“", '"').replace("”", '"').replace("„", '"')
    return [next(g for g in m.groups() if g is not None) for m in _QUOTE.finditer(straight)]


def quotes_found(statement: str, sources: list[str]) -> bool:
    """Every quotation of the statement appears verbatim (quotes and spacing folded) in a source.

    An ellipsis or an editor's [bracketed insertion] splits a quotation into pieces, each of
    which must appear, in order.
    """
    folded = [fold(src) for src in sources]
    for quote in quotations(statement):
        pieces = [fold(p).strip(" .,;:!?'\"") for p in re.split(r"\.\.\.|…|\[[^\]]*\]", quote)]
        pieces = [p for p in pieces if p]
        if pieces and not any(_in_order(pieces, src) for src in folded):
            return False
    return True


def numbers(text: str) -> dict[float, str]:
    """The numbers a text states, by value, each with the words that state it.

    Digits and words count alike ("30" and "thirty", "2.4 billion", "2.4bn" and
    "2,400,000,000"), so a sentence that rewrites a passage's number is not flagged.
    """
    found: dict[float, str] = {}
    for m in _NUMBER.finditer(text):
        digits, scale, short_scale, tens, unit, tens_scale, word, word_scale = m.groups()
        if digits:
            value = float(digits.replace(",", "")) * _SCALE.get((scale or short_scale or "").lower(), 1)
        elif tens:
            value = float(_WORD_VALUE[tens.lower()] + (_WORD_VALUE[unit.lower()] if unit else 0))
            value *= _SCALE.get((tens_scale or "").lower(), 1)
        else:
            if word.lower() in _VAGUE_WORDS and not word_scale:
                continue
            value = float(_WORD_VALUE[word.lower()]) * _SCALE.get((word_scale or "").lower(), 1)
        found.setdefault(value, m.group(0))
    return found


@lru_cache(maxsize=4096)
def measured(text: str, units: frozenset[str]) -> str:
    """The text with each number of a measure written apart and in digits: "a two-hour call" is
    "a 2 hour call", "lasted two hours" "lasted 2 hours", "a 15-milligram dose" "a 15 milligram
    dose". A count in words is a count there, where "two" alone is too often none to be checked
    ("the two leaders")."""
    if "\n" in text:  # a measure is on one line: each line's, read once (the lede's are in every candidate's evidence)
        return "\n".join(measured(line, units) for line in text.split("\n"))

    def apart(m: re.Match) -> str:
        word, unit = m.group(1), m.group(2)
        if unit.lower() not in units or word[0].isupper():  # "World War Two years": a name's
            return m.group(0)
        value = _WORD_VALUE.get(word.lower()) if not word[0].isdigit() else None
        return f"{word if value is None else value} {unit}"

    return _MEASURE.sub(apart, text)


_MEASURE = re.compile(rf"\b(\d[\d,.]*|{'|'.join(w for w in _WORD_VALUE if w not in _ORDINALS)})[- ]([A-Za-z]+)\b", re.IGNORECASE)


def unsourced_numbers(statement: str, sources: list[str]) -> list[str]:
    """The statement's numbers that none of its sources states, as the statement writes them."""
    stated: set[float] = set()
    for src in sources:
        stated |= numbers(src).keys()
    return [shown for value, shown in numbers(statement).items() if value not in stated]


def negation_flipped(statement: str, sentence: str, both_ways: bool = False) -> bool:
    """The statement says what the sentence says, with a "not" added or dropped.

    Judged only when the statement's content words are nearly all in the sentence (and, with
    `both_ways`, the sentence's in the statement): one that merely rewords ("expect no
    breakthroughs" as "expect little progress", "denied" as "did not comment") is not judged.
    "Neither ... nor" is one negation, "not only" none.
    """
    own, theirs = set(terms(statement)), set(terms(sentence))
    shared = len(own & theirs)
    if not own or not theirs or shared / len(own) < 0.8 or (both_ways and shared / len(theirs) < 0.8):
        return False
    return _negations(statement) % 2 != _negations(sentence) % 2


def _negations(text: str) -> int:
    return sum(1 for m in _NEGATION.finditer(text) if m.group(1) or m.group(0).lower().endswith(("n't", "n’t")))


def _in_order(pieces: list[str], source: str) -> bool:
    at = 0
    for piece in pieces:
        at = source.find(piece, at)
        if at < 0:
            return False
        at += len(piece)
    return True
