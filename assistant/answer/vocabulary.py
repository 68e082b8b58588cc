"""The vocabulary of the constraint check, loaded once from `data/names.toml`, and the word
shapes every part of it reads: a name word's key, titles, aliases and demonyms, verb terms and
their forms, runs of capitalised words."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from assistant.text import IRREGULAR_PAST, PAST_SHAPES, stem

HYPHEN_OR_SPACE = re.compile(r"\s+|(?<=[a-z])-(?=[A-Z])")
# ", which was first held in 1994": a clause that tells the background, not the sentence's event.
RELATIVE = re.compile(r",\s*(?:which|who|whose|where)\b[^,;]*")
# A run of capitalised words, with inner periods and hyphens ("U.S.", "Biden-Putin", "Al-Nusra"),
# on one line (a headline above a sentence is not part of its names).
UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
# (After an opening quote too, "articles from 'Sporting News'", not inside a word: "O'Brien" is one.)
CAPS = re.compile(rf"(?<!\w)(?<!\w['’])[{UPPER}][\w’'.-]*(?:[ \t]+(?:&[ \t]+)?[{UPPER}][\w’'.-]*)*")  # "Kettle & Vine" is one
WORD = re.compile(r"…|[A-Za-z0-9][\w’'.-]*")
#: A month's name, whole or shortened: one capture group.
MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|dozen"
YEAR_TEXT = r"(19[5-9]\d|20\d\d)"
YEAR = re.compile(rf"\b{YEAR_TEXT}\b")
#: The words after which a verb's form is a verb ("will open", "had signed").
MODALS = frozenset("will would shall should can could may might must has have had did does do".split())


# "TARNBURY, May 3 (Hexmoor Evening Post) - ": a report's dateline, before its main clause ...
_DATELINE_HEAD = re.compile(r"^\s*[A-Z][A-Z .'-]{2,40},\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2}\b[^-—–]{0,60}[-—–]\s*")
# ... and where the clause ends: what follows is another event ("while Labour lost 40").
_CLAUSE_END = re.compile(r"[,;:]|\s(?:while|whereas|as|after|before|but|because|although|though|when|since|and then)\s")


def main_clause(sentence: str) -> str:
    """A sentence's first clause, past its dateline: "Their deputy leader lost his seat" of
    "..., while Labour lost 40"; "On Saturday evening" of "On Saturday evening, Ferraro won"."""
    return _CLAUSE_END.split(_DATELINE_HEAD.sub("", sentence), maxsplit=1)[0]


# Vocabularies ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def vocabulary_data() -> dict:
    return tomllib.loads((Path(__file__).parent / "data" / "names.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def question_data() -> dict:
    """The question reader's vocabularies (`data/question.toml`)."""
    return tomllib.loads((Path(__file__).parent / "data" / "question.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def place_nouns() -> frozenset[str]:
    """Common nouns of places ("street", "bridge", "hospital": `place_nouns` in question.toml)."""
    return frozenset(question_data()["place_nouns"])


@lru_cache(maxsize=1)
def vocab() -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    data = vocabulary_data()
    titles = frozenset(t.lower() for t in data["titles"])
    aliases: dict[str, frozenset[str]] = {}
    for group in data["aliases"]:
        forms = frozenset(name_key(g) for g in group)
        for form in forms:
            aliases[form] = aliases.get(form, frozenset()) | forms
    return titles, aliases, frozenset(stem(IRREGULAR_PAST.get(v, v)) for v in data["reporting_verbs"])


@lru_cache(maxsize=65536)
def name_key(word: str) -> str:
    """A name word as compared: lower case, no possessive, no periods, no accents, one kind of
    apostrophe ("U.S." is "us", "O’Brien" is "o'brien", "José" is "jose")."""
    word = unicodedata.normalize("NFKD", word.replace("’", "'"))
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    return re.sub(r"'s$", "", word.strip(".,;:!?'\"“”()")).replace(".", "").lower()


def is_title(word: str) -> bool:
    return name_key(word) in vocab()[0]


_PLACE_ENDS = ("", "a", "e", "y", "ia")
_DEMONYM_ENDS = ("ians", "ans", "ns", "ian", "an", "n", "ese", "ish", "is", "i")


@lru_cache(maxsize=65536)
def same_name_word(a: str, b: str) -> bool:
    """One name word for another: the same, an alias ("US", "American"), or one the other's
    demonym by shape ("Russia"/"Russian", "China"/"Chinese", "Ukraine"/"Ukrainian")."""
    a, b = name_key(a), name_key(b)
    if a == b:
        return True
    if b in vocab()[1].get(a, ()):
        return True
    # A place and its people: one stem, a place's ending on one ("", -a, -e, -y, -ia) and a
    # demonym's on the other (-n, -an, -ian, -ese, -ish, -i, plurals). "Paula" is not "Paul".
    for x, y in ((a, b), (b, a)):
        for end in _DEMONYM_ENDS:
            if y.endswith(end) and len(y) - len(end) >= 3:
                stem = y[: len(y) - len(end)]
                if x.startswith(stem) and x[len(stem) :] in _PLACE_ENDS:
                    return True
    return False


@lru_cache(maxsize=65536)
def in_past(word: str) -> bool:
    """Whether a lower-case word has the shape of a verb in the past: "-ed", or an irregular
    past form ("lost", "beaten", "rose")."""
    return word.endswith("ed") or word in IRREGULAR_PAST or word in PAST_SHAPES


def verb_term(word: str) -> str:
    """A verb's term, stopwords included ("wrote" is "write"); every verb of saying is "say",
    and one of a group in `verb_groups` is its group's first ("edged" is "beat")."""
    term = stem(IRREGULAR_PAST.get(word.lower(), word.lower()))
    return "say" if term in vocab()[2] else _same_verb().get(term, term)


@lru_cache(maxsize=1)
def _same_verb() -> dict[str, str]:
    return {stem(IRREGULAR_PAST.get(w, w)): stem(group[0]) for group in vocabulary_data()["verb_groups"] for w in group}


@lru_cache(maxsize=16384)
def verb_forms(word: str) -> frozenset[str]:
    """The terms a verb form may have: "sued" and "suing" are "sue" as well as what the
    stemmer makes of them. (Cached: the constraint check asks it of every word it reads.)"""
    w = word.lower().rstrip(".,;:!?")  # "Rao said."
    forms = {verb_term(w)} | ({verb_term(PAST_SHAPES[w])} if w in PAST_SHAPES else set())  # "rose": "rise" too
    if w.endswith("d"):
        forms.add(verb_term(w[:-1]))  # sued -> sue, agreed -> agree
    if w.endswith("ing"):
        forms |= {verb_term(w[:-3]), verb_term(w[:-3] + "e")}  # suing -> sue
    return frozenset(forms)
