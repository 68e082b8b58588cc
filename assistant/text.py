"""Word-level text helpers shared by BM25, the offline answerer and the support checks, and
the one test of whether a capitalised word may be part of a name."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

#: The word lists, with their sources: data/words.toml.
_WORDS = tomllib.loads((Path(__file__).parent / "data" / "words.toml").read_text(encoding="utf-8"))
STOPWORDS = frozenset(_WORDS["stopwords"])

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, possessives dropped ("Putin's" -> "putin")."""
    return [w[:-2] if w.endswith(("'s", "’s")) else w for w in map(str.lower, _TOKEN.findall(text))]


#: Irregular past forms and their verb ("spoke": "speak"), which a stemmer leaves apart.
IRREGULAR_PAST = {form: verb for verb, forms in _WORDS["irregular_past"].items() for form in forms}
#: Past forms left out of IRREGULAR_PAST (also words of another meaning), read as past verbs
#: by the answerer's checks but not by the index's terms: {"rose": "rise"}.
PAST_SHAPES = {form: verb for verb, forms in _WORDS["past_shapes"].items() for form in forms}
#: Verbs whose past is the verb itself ("cut", "set").
SAME_PAST = frozenset(_WORDS["same_past"]["verbs"])


def terms(text: str) -> list[str]:
    """Stemmed content terms: the unit of BM25 and of lexical overlap. Irregular past forms
    count as their verb ("spoke" is "speak")."""
    ws = [IRREGULAR_PAST.get(w, w) for w in words(text) if w not in STOPWORDS]
    return _stemmer().stemWords(ws) if ws else []


def stem(word: str) -> str:
    """One word's stem, as `terms` stems it."""
    return _stemmer().stemWord(word)


def alternation(words: Iterable[str]) -> str:
    """The words as one regex alternation, each escaped, longest first: where one word begins
    another ("secretary", "secretary of state"), the longer is tried first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


#: Capitalised words that are not names (data/words.toml): weekdays, months, sentence openers,
#: pronouns, titles. A pattern that matches such a word whole.
NOT_NAMES = re.compile(rf"^({alternation(_WORDS['not_names'])})$")


#: The endings of a people's adjective ("Russian", "Chinese", "Western"): before a noun it is a
#: kind ("Russian diplomats"), not a name or a place.
DEMONYM_ENDS = ("ian", "ean", "can", "ese", "ish", "ern")


def is_name_word(word: str) -> bool:
    """A capitalised word that may be part of a name: not "The", "Thursday's" or "March."."""
    return word[:1].isupper() and not NOT_NAMES.match(re.sub(r"['’]s$", "", word.strip(".,;:!?")))


def normalize(text: str) -> str:
    """Lower case, typographic quotes and dashes folded, punctuation dropped, spaces collapsed."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
