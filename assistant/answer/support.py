"""Checks of a model's sentence against the passages it cites, beyond its support score.

A sentence can share its words and topic with a passage and still say something else: a
quotation reworded, a number changed, a "not" added or dropped. Each check here names what
it found, so the flag a writer sees says why the sentence is not supported.
"""

from __future__ import annotations

import re

from assistant.text import terms

_QUOTE = re.compile(r'"([^"]+)"|(?<!\w)‘([^‘’]+)’(?!\w)|«([^»]+)»')
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
_WORD_VALUE = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_WORD_VALUE |= {w: i + 1 for i, w in enumerate(_ORDINALS)} | {"twentieth": 20, "thirtieth": 30, "fiftieth": 50, "hundredth": 100}
_SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:st|nd|rd|th)?(?:\s*(hundred|thousand|million|billion|trillion)\b)?"
    rf"|\b({'|'.join(_WORD_VALUE)})(?:[- ]({'|'.join(_UNITS[1:10] + _ORDINALS[:9])}))?(?:\s+(hundred|thousand|million|billion|trillion))?\b",
    re.IGNORECASE,
)
# "one" and "first" are as often words as numbers ("one of the", "at first"): not checked.
_TOO_COMMON = {1}
_NEGATION = re.compile(r"\b(not|no|never|neither|nor|none|nobody|nothing|without)\b|n['’]t\b", re.IGNORECASE)


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

    Digits and words count alike ("30" and "thirty", "2.4 billion" and "2,400,000,000"), so
    a sentence that rewrites a passage's number in words is not flagged.
    """
    found: dict[float, str] = {}
    for m in _NUMBER.finditer(text):
        digits, digit_scale, word, unit, word_scale = m.groups()
        if digits:
            value = float(digits.replace(",", "")) * _SCALE.get((digit_scale or "").lower(), 1)
        else:
            value = float(_WORD_VALUE[word.lower()] + (_WORD_VALUE[unit.lower()] if unit else 0))
            value *= _SCALE.get((word_scale or "").lower(), 1)
        found.setdefault(value, m.group(0))
    return found


def unsourced_numbers(statement: str, sources: list[str]) -> list[str]:
    """The statement's numbers that none of its sources states, as the statement writes them."""
    stated: set[float] = set()
    for src in sources:
        stated |= numbers(src).keys()
    return [shown for value, shown in numbers(statement).items() if value not in stated and value not in _TOO_COMMON]


def negation_flipped(statement: str, sentence: str) -> bool:
    """The statement says what its closest source sentence says, with a "not" added or dropped.

    Only counted when the two share most of their words: a statement that merely rewords
    ("expect no breakthroughs" as "expect little progress") shares too few to be judged.
    """
    own, theirs = set(terms(statement)), set(terms(sentence))
    if not own or len(own & theirs) / len(own) < 0.6:
        return False
    return len(_NEGATION.findall(statement)) % 2 != len(_NEGATION.findall(sentence)) % 2


def _in_order(pieces: list[str], source: str) -> bool:
    at = 0
    for piece in pieces:
        at = source.find(piece, at)
        if at < 0:
            return False
        at += len(piece)
    return True
