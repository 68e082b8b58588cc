"""Named things and roles a question asks for ("which think tank ...?", "which spokesman ...?").

A "which ..." question often asks for a name of one kind: a think tank, a news outlet, an
agency, an alliance, a militant group, a summit. Such a question is answered by a sentence
that names a thing of that kind the question does not name itself; a sentence that only
matches the question's other words is not an answer. Roles work alike: "which spokesman"
needs someone the sentence calls a spokesman (or a press secretary), and an analyst may be a
scholar, an expert or a think tank's director.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.text import IRREGULAR_PAST, STOPWORDS, alternation, is_name_word

#: The vocabularies: roles and the kinds of named things, each list with its source.
_DATA = tomllib.loads((Path(__file__).parent / "data" / "entities.toml").read_text(encoding="utf-8"))
#: The words a company's name ends with ("Group", "Holdings", "Ltd"), and the nouns that call a
#: name a firm ("the knitwear group ...").
COMPANY_HEADS = tuple(_DATA["kinds"]["company"]["heads"] + _DATA["kinds"]["company"]["suffixes"])
FIRM_NOUNS = tuple(_DATA["kinds"]["company"]["called"])


# What follows the noun a question asks with, when it is the head of its phrase: punctuation,
# a function word or a verb ("which think tank employs", "which summit did"), not another
# noun ("what official statement", "what summit outcomes" ask for no name or role).
_HEAD_END = (
    r"(?=\s*(?:[?.,;:!]|$)|\s+(?:in|at|on|of|from|to|for|with|by|about|over|against|during|after|before|that|which|who|"
    r"whose|whom|did|does|do|was|were|is|are|has|have|had|will|would|can|could|should|may|might|must|not|also|first|"
    rf"later|then|now|still|recently|reportedly|said|told|{alternation(IRREGULAR_PAST)})\b|\s+(?-i:[a-z]+(?:ed|s))\b)"
)
# Up to three words between "which" and that noun: "which American broadcaster", "which
# Kremlin spokesman". Never a stopword or a lower-case -ed/-ing word: "what happened at the
# summit" does not ask for a summit, nor "which leader did the summit host invite".
_STOP = alternation(STOPWORDS)
_MODIFIERS = rf"(?:(?!(?:{_STOP})\b)(?!(?-i:[a-z])[\w’'-]*(?:ed|ing)\b)[\w’'-]+\s+){{0,3}}?"


def _asked(nouns: str, question: str) -> str | None:
    """The noun (of the regex `nouns`) that a "which ..." / "what ..." question asks with."""
    m = _asked_pattern(nouns).search(question)
    return m.group(1) if m else None


@lru_cache(maxsize=64)
def _asked_pattern(nouns: str) -> re.Pattern[str]:
    """`_asked`'s pattern, compiled once per kind: a few milliseconds each, which `re`'s own
    cache, crowded by the patterns of each question's names, keeps too briefly."""
    return re.compile(rf"\b(?:which|what)\s+{_MODIFIERS}({nouns})\b{_HEAD_END}", re.IGNORECASE)


# Roles --------------------------------------------------------------------------------------

#: For each role a question may ask for, the words a sentence may give its holder.
ROLES: dict[str, str] = {
    role: alternation([w for group in groups for w in _DATA["role_words"][group]]) for role, groups in _DATA["role_asked"].items()
}
_ROLE_NOUNS = "|".join(rf"{r}s?" for r in ROLES)
# A question that names one of these wants a person's full name ("which minister ...?").
_FULL_NAME_Q = re.compile(rf"\b({alternation(_DATA['people']['full_name'])})\b", re.IGNORECASE)
# "the analyst quoted", "the scholar interviewed": the attribution line that says who spoke.
_SPOKE_Q = frozenset(_DATA["people"]["spoke_asked"])
_SPOKE = alternation(_DATA["people"]["spoke"])


def asked_role(question: str) -> re.Pattern | None:
    """The words for the role a "which ..." question asks for ("which aide": aide, official,
    adviser, minister, ...), as a pattern over a lower-cased sentence; None when it asks for none."""
    noun = _asked(_ROLE_NOUNS, question)
    return _role_pattern(noun) if noun else None


def _role_pattern(noun: str) -> re.Pattern:
    """The words a sentence may give the holder of the role `noun` ("analysts": scholar, ...)."""
    return re.compile(rf"\b(?:{ROLES[noun.lower().rstrip('s')]})\b")


def stand_ins(question: str) -> dict[str, re.Pattern]:
    """Words of the question that a sentence says otherwise, each with what stands in for it:
    the role asked for ("analyst": "a scholar at ...") and "quoted" / "interviewed" ("told")."""
    out = {w.lower(): re.compile(rf"\b(?:{_SPOKE})\b") for w in re.findall(r"[A-Za-z]+", question) if w.lower() in _SPOKE_Q}
    noun = _asked(_ROLE_NOUNS, question)
    if noun:
        out[noun.lower()] = _role_pattern(noun)
    return out


def asks_for_person(question: str) -> bool:
    """ "Which person / leader / Kremlin spokesman ...?" """
    return _asked(rf"persons?|people|presidents?|leaders?|{_ROLE_NOUNS}", question) is not None


def wants_full_name(question: str) -> bool:
    """Whether the question names a role whose holder it asks for by full name ("which minister")."""
    return bool(_FULL_NAME_Q.search(question))


# Named things -----------------------------------------------------------------------------

_CAP = r"[A-Z][\w’'&-]{0,40}"  # one capitalised word; names are words joined by single spaces
def _named(heads: str, alone: str = "") -> re.Pattern:
    """Names of up to four capitalised words ending in one of `heads`, a regex alternation
    ("Carnegie Moscow Center"), "Council on Foreign Relations"-style names, and names that
    stand alone ("Pentagon", "NATO")."""
    parts = [rf"\b((?:{_CAP} ){{1,4}}(?:{heads}))\b", rf"\b((?:{heads}) (?:of|for|on) (?:the )?{_CAP}(?: {_CAP}){{0,2}})\b"]
    if alone:
        parts.append(rf"\b({alone})\b")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class EntityKind:
    """A kind of named thing a "which ..." question asks for."""

    nouns: str  # the nouns the question asks with (a regex): "think[- ]tanks?|institutes?"
    names: re.Pattern  # the names that fill the blank: "the Carnegie Moscow Center"
    # Strict: names of this kind are told by their form or a closed list, so a sentence without
    # one does not answer. Otherwise ("which company": "Gazprom") any new name may.
    strict: bool = False
    includes: frozenset[str] = frozenset()  # other kinds whose names are also of this kind


def _names_of(spec: dict, kinds: dict) -> re.Pattern:
    """The pattern of a kind's names, from its heads and lone names and those of the kinds it
    takes as its own; an outlet's names are a known one (with "News", "TV" ...) or a name ending
    in an outlet's head ("The Moscow Times")."""
    if "alone_suffixes" in spec:
        return re.compile(
            rf"\b((?:{alternation(spec['alone'])})(?: (?:{alternation(spec['alone_suffixes'])}))?)\b|"
            rf"\b((?:The )?(?:{_CAP} ){{1,3}}(?:{alternation(spec['heads'])}))\b"
        )
    heads = list(spec.get("heads", [])) + [h for k in spec.get("of", []) for h in kinds[k]["heads"]]
    alone = [alternation(spec.get("alone", []))] + [alternation(kinds[k].get("alone", [])) for k in spec.get("of", [])]
    alone += spec.get("alone_patterns", [])
    if spec.get("lower_heads"):  # "the Geneva summit": a place's meeting, its kind in lower case
        alone.append(rf"(?:{_CAP} ){{1,3}}(?:{alternation(spec['lower_heads'])})")
    return _named(alternation(heads), alone="|".join(a for a in alone if a))


#: A known outlet's name, with "News", "TV" ... after it ("CBS News").
KNOWN_OUTLET = re.compile(
    rf"\b(?:{alternation(_DATA['kinds']['outlet']['alone'])})(?: (?:{alternation(_DATA['kinds']['outlet']['alone_suffixes'])}))?\b"
)

#: What a "which ..." question asks for, by the noun it asks with, in the order tried.
ENTITIES: dict[str, EntityKind] = {
    kind: EntityKind(spec["nouns"], _names_of(spec, _DATA["kinds"]), spec.get("strict", False), frozenset(spec.get("includes", ())))
    for kind, spec in _DATA["kinds"].items()
}


def asked_entity(question: str) -> tuple[str, str] | None:
    """The kind of named thing a "which ..." question asks for, and the noun it asks with:
    ("outlet", "broadcaster") for "Which American broadcaster interviewed ...?"."""
    for kind, entity in ENTITIES.items():
        noun = _asked(entity.nouns, question)
        if noun:
            return kind, noun
    return None


def name_words(text: str) -> set[str]:
    """Lower-cased words of a text, hyphenated ones split and possessives dropped."""
    return {re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w’']+", text.lower())}


def names_entity(kind: str, question: str, sentence: str) -> str | None:
    """The first name in the sentence of the kind asked for ("Carnegie Moscow Center" for a think
    tank, "CBS News" for a broadcaster) that the question does not itself name; else None."""
    q_words = name_words(question)
    for m in ENTITIES[kind].names.finditer(sentence):
        name = next(g for g in m.groups() if g)
        name = " ".join(itertools.dropwhile(lambda w: not is_name_word(w), name.split()))  # "A Brookings", "This summit"
        capitalised = name_words(" ".join(w for w in name.split() if w[:1].isupper()))
        # "The summit" names nothing; "the Geneva summit" is the question's own when it says "Geneva".
        if capitalised and not capitalised <= q_words:
            return name
    return None


def without_other_kinds(kind: str, sentence: str) -> str:
    """The sentence with the names of every other kind blanked out: for "which company", the
    White House and CBS News are not candidates, while "Gazprom" (of no known form) stays."""
    own = ENTITIES[kind]
    for other in set(ENTITIES) - {kind, "organization"} - own.includes:
        sentence = ENTITIES[other].names.sub(lambda m: m.group(0) if own.names.search(m.group(0)) else " ", sentence)
    return sentence
