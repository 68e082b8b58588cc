"""What a question pins down, and whether the evidence an answer cites has it.

A question's constraints are the people, organisations, places, dates, years, quarters,
numbers and quoted phrases it names, and who does what to whom where it says so ("What did
Trump offer Putin?" asks about Trump's offer, not Putin's). Evidence is the cited sentence
read with its article's headline, outlet, byline, wire agency, date and lede, the sentences
just before it and the rest of its paragraph, so "he said" after "Peskov" counts. Evidence
that misses a constraint is about another event: "What did Obama order the Pentagon to
present within 30 days?" is not answered by a sentence about Trump's order, however well it
matches the rest.

One mechanism over the question and the evidence; its only vocabularies are the titles,
country aliases, verbs of saying, roles ("Mayor", "coach", "runner-up"), verbs that take a side
("voted for" / "against") and the names of a contest's stages (final, semi-final, runoff), all
in `data/names.toml`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import NamedTuple
from pathlib import Path

from assistant.answer.entities import ENTITIES
from assistant.answer.question import MONTH, YEAR, measure_units
from assistant.answer.support import fold, measured, numbers
from assistant.chunk import paragraph_bounds, split_sentences
from assistant.records import ArticleMeta, Chunk, Passage
from assistant.text import IRREGULAR_PAST, NOT_NAMES, STOPWORDS, alternation, stem, terms

#: Sentences before the cited one that count as its context (pronouns, "he said").
CONTEXT_SENTENCES = 3
#: An article's lede, its first sentences, says what event it reports: it is context too.
LEDE_SENTENCES, LEDE_CHARS = 3, 1000

_MONTHS = ("january february march april may june july august september october november december").split()
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b\.?")
_MONTH_DAY = re.compile(rf"\b{MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_MONTH_ONLY = re.compile(rf"\b{MONTH}\b")
_HYPHEN_OR_SPACE = re.compile(r"\s+|(?<=[a-z])-(?=[A-Z])")
_EVENT_YEAR = re.compile(r"\b(?i:in|during|on)\s+(?:(?:early|late|mid|the)[\s-]+)?(?:[A-Z][a-z]+\s+(?:\d{1,2},?\s+)?)?" + YEAR.pattern)
# ", which was first held in 1994": a clause that tells the background, not the sentence's event.
# "LONDON, Sept 30 (City Desk Wire) -", "BRACKWATER, Aug. 6 —": a report's dateline.
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,40},\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2}\b")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:s|['’]s)?\b")
_RELATIVE = re.compile(r",\s*(?:which|who|whose|where)\b[^,;]*")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)", re.IGNORECASE)
_QUARTER = re.compile(r"\b(?:Q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter)\b", re.IGNORECASE)
_QUARTER_NUMBER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
# A quoted phrase: in double quotes only ('The Verge' in single quotes is a name or a title).
_QUOTED = re.compile(r"[\"“]([^\"”]{3,}?)[\"”](?!\w)")
# A run of capitalised words, with inner periods and hyphens ("U.S.", "Biden-Putin", "Al-Nusra"),
# on one line (a headline above a sentence is not part of its names).
_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_CAPS = re.compile(rf"(?<![\w’'])[{_UPPER}][\w’'.-]*(?:[ \t]+(?:&[ \t]+)?[{_UPPER}][\w’'.-]*)*")  # "Kettle & Vine" is one
_WORD = re.compile(r"…|[A-Za-z0-9][\w’'.-]*")
_WH = {"what", "who", "whom", "whose", "which", "when", "where", "why", "how", "did", "does", "do", "is", "are", "was",
       "were", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "in", "on", "at", "according"}
# "did Trump offer", "has the Kremlin said": the one who does what the question asks about.
_NAME_RUN = rf"([{_UPPER}][\w’'.-]*(?:\s+(?:&\s+)?[{_UPPER}][\w’'.-]*)*)"
_AGENT_Q = re.compile(rf"\b(?i:did|does|do|has|have|had|will|would|could|can)\s+(?:the\s+)?{_NAME_RUN}\s+([a-z]+)\b")
_SPEAKER_Q = re.compile(r"\b(?i:did|does|do|has|have|had|will|would)\s+(.*)")
# "Who beat Renn ...?", "Which company fined Brackwater Transit ...?": the one it is done to.
_DONE_TO_Q = re.compile(
    rf"^\s*(?i:who|which\s+[a-z]+(?:\s+[a-z]+)?)\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\s+(?:the\s+)?{_NAME_RUN}"
)
# "did Trump and Boris Johnson suggest", "did Obama write": the question's subject ...
_SUBJECT_Q = re.compile(rf"\b(?i:did|does|do|has|have|had|will|would)\s+(?:the\s+)?{_NAME_RUN}(?:\s+and\s+(?:the\s+)?{_NAME_RUN})?\s+[a-z]+\b")
# ... which a pronoun takes up in a clause of its own: "the telegrams they sent Putin".
_PRONOUN_CLAUSE = re.compile(rf"\b(?:[a-z]+)\s+(?:they|he|she)\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\s+(?:to\s+)?[{_UPPER}]")
# "the call that Putin initiated": a relative clause says who did it too.
_AGENT_CLAUSE = re.compile(rf"\b(?:that|which|whom|when|after|before)\s+(?:the\s+)?{_NAME_RUN}\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\b")
# "According to the Kremlin, ...": the Kremlin is who says it, unless it is the outlet.
_ACCORDING_Q = re.compile(rf"\b(?i:according to)\s+(?:the\s+)?(?:[a-z][\w-]*\s+){{0,3}}?{_NAME_RUN}(?=\s*(?:[,?.;]|$))")


@dataclass(frozen=True)
class Constraint:
    """One thing the question names: its kind, its words as the question writes them, and
    what in the evidence states it (alternatives: "Obama or Trump" is met by either)."""

    kind: str  # name, role, direction, compass, year, date, month, quarter, number, quote, stage, stance, speaker, weekday
    text: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agency:
    """"did Trump offer Putin": who does (agent), the verb's term, and the others named.
    "According to X" is X saying it (unless X is the article's outlet, `_reversed`)."""

    agent: str
    verb: str
    others: tuple[str, ...]
    #: The question's other content words: what the verb is about ("offer ... help fight the
    #: virus"), so that another doer of the same thing, named beside the agent, reverses it.
    topic: frozenset[str] = frozenset()
    #: "Which company fined Brackwater Transit?": the name is the one the verb is done to.
    done_to: bool = False
    #: "What did X say / tell / warn ...?", "according to X": words of X's own are asked for,
    #: not a fact X reported ("What revenue did X report?").
    spoken: bool = False

    def told_in(self, text: str) -> bool:
        """Whether a text uses the verb asked about (and so claims who did it)."""
        return any(self.verb in _verb_forms(w) for w in _WORD.findall(text) if not w[:1].isupper())


@dataclass(frozen=True)
class Ask:
    """Everything a question pins down."""

    constraints: tuple[Constraint, ...] = ()
    agencies: tuple[Agency, ...] = ()
    question: str = ""


@dataclass(frozen=True)
class Evidence:
    """What an answer's citation puts before a reader: the cited sentences and their context."""

    sentences: str
    context: str = ""
    published: date | None = None
    #: The article's whole text: what "the summit" in the evidence refers to.
    article: str = ""
    #: The article's outlet and byline: who an "according to ..." may name.
    source: str = ""
    #: The sentences just before the cited one (part of `context`): what it goes on from.
    near: str = ""

    @property
    def text(self) -> str:
        return f"{self.source}\n{self.context}\n{self.sentences}"


@dataclass(frozen=True)
class Coverage:
    """Which of a question's constraints the evidence misses, and whether it reverses who did what."""

    missing: tuple[Constraint, ...] = ()
    reversed_by: str | None = None  # the evidence's agent, where it is another of the question's names
    agency: Agency | None = field(default=None, compare=False)  # the one reversed

    @property
    def ok(self) -> bool:
        return not self.missing and self.reversed_by is None

    def reason(self) -> str:
        """What the evidence lacks, for a writer: "no mention of Biden; not 2021"."""
        parts = [_MISSING_PHRASE[c.kind].format(c.text) for c in self.missing]
        if self.reversed_by and self.agency and self.agency.done_to:
            parts.append(f"there it is {self.reversed_by}, not {self.agency.agent}, that it is done to")
        elif self.reversed_by and self.agency:
            parts.append(f"there it is {self.reversed_by}, not {self.agency.agent}, who does what the question asks")
        return "; ".join(parts)


_MISSING_PHRASE = {
    "name": "no mention of {}",
    "year": "nothing from {}",
    "date": "nothing dated {}",
    "month": "nothing from {}",
    "quarter": "not {}",
    "number": "no {}",
    "quote": "not the words “{}”",
    "stage": "not the {}",
    "role": "not {}",
    "direction": "not {}",
    "compass": "not {}",
    "stance": "not {}",
    "speaker": "{} says nothing there",
    "weekday": "not on {}",
}


# Vocabularies ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((Path(__file__).parent / "data" / "names.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _vocab() -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    data = _data()
    titles = frozenset(t.lower() for t in data["titles"])
    aliases: dict[str, frozenset[str]] = {}
    for group in data["aliases"]:
        forms = frozenset(_key(g) for g in group)
        for form in forms:
            aliases[form] = aliases.get(form, frozenset()) | forms
    return titles, aliases, frozenset(stem(IRREGULAR_PAST.get(v, v)) for v in data["reporting_verbs"])


@lru_cache(maxsize=65536)
def _key(word: str) -> str:
    """A name word as compared: lower case, no possessive, no periods, no accents, one kind of
    apostrophe ("U.S." is "us", "O’Brien" is "o'brien", "José" is "jose")."""
    word = unicodedata.normalize("NFKD", word.replace("’", "'"))
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    return re.sub(r"'s$", "", word.strip(".,;:!?'\"“”()")).replace(".", "").lower()


def _is_title(word: str) -> bool:
    return _key(word) in _vocab()[0]


_PLACE_ENDS = ("", "a", "e", "y", "ia")
_DEMONYM_ENDS = ("ians", "ans", "ns", "ian", "an", "n", "ese", "ish", "is", "i")


@lru_cache(maxsize=65536)
def _same_name_word(a: str, b: str) -> bool:
    """One name word for another: the same, an alias ("US", "American"), or one the other's
    demonym by shape ("Russia"/"Russian", "China"/"Chinese", "Ukraine"/"Ukrainian")."""
    a, b = _key(a), _key(b)
    if a == b:
        return True
    if b in _vocab()[1].get(a, ()):
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


# The question ---------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _names(question: str) -> tuple[str, ...]:
    """The names a question gives, titles and sentence openers left out: "President Trump" is
    "Trump", "Biden-Putin" is "Biden" and "Putin", "What" and "In" are none."""
    out: list[str] = []
    for m in _CAPS.finditer(question):
        words = m.group(0).split()
        if m.start() == len(question) - len(question.lstrip()):
            while words and words[0].lower() in _WH | STOPWORDS:
                words = words[1:]  # "In which city", "Did Putin"
            if len(words) == 1 and m.group(0) == words[0] and not words[0].isupper():
                words = []  # "Since what year", "Ahead of": one capitalised opener is no name
        parts: list[str] = []
        for w in words:
            if re.search(r"-[a-z]", w):
                parts.append("")  # "USB-C-to-USB-C", "AI-powered": a compound word, not a name
                continue
            # "Biden-Putin" stays one name, met part by part (`_name_found`).
            piece = re.sub(r"['’]s$", "", w.strip(".,;:!?'’\"“”")) if not re.fullmatch(r"(?:[A-Z]\.)+", w) else w
            if not piece or NOT_NAMES.match(piece) or _MONTH_ONLY.fullmatch(piece) or _QUARTER.fullmatch(piece):
                parts.append("")  # a break: "Putin Thursday" is not one name
            elif _is_title(piece) or piece.isdigit():
                parts.append("")
            else:
                parts.append(piece)
                if re.search(r"['’]s$", w.rstrip(".,;:!?")):
                    parts.append("")  # "Putin's World War Two telegrams": two names
        if len(parts) == 1 and _MODIFIER.match(question[m.end() :]) and re.search(r"(?:ian|ean|can|ese|ish|ern)$", parts[0]):
            continue  # "Western commemoration", "Russian leader": a kind, not a name
        name: list[str] = []
        for piece in parts + [""]:
            if piece:
                name.append(piece)
            elif name:
                out.append(" ".join(name))
                name = []
    return tuple(dict.fromkeys(out))


# "what did the White House propose? (Putin, Obama, Independence Day)": a follow-up with the
# words it carries over from the question before (assistant/followup.py).
_CARRIED = re.compile(r"\?\s*\(([^()]*)\)\s*$")
@lru_cache(maxsize=1024)
def parse(question: str) -> Ask:
    """The constraints of a question, and who does what where it says so. A follow-up stays
    with the event of the question it follows: the names it carries over are constraints too,
    but not who does what in it."""
    carried = _CARRIED.search(question)
    question = _CARRIED.sub("?", question)
    found: list[Constraint] = []
    own = names = _names(question)
    if carried:  # each part as a name in running text, not a sentence's opening word
        kept = [n for part in carried.group(1).split(",") for n in _names(f"of {part.strip()}")]
        names = own + tuple(n for n in kept if n not in own)
    # "Obama or Trump": either is the question's; the evidence needs one of them.
    alternative_groups: list[tuple[str, ...]] = []
    for a, b in re.findall(r"([A-Z][\w’'.-]*)\s+or\s+([A-Z][\w’'.-]*)", question):
        group = tuple(n for n in names if n.split()[-1] in (a, b))
        if len(group) > 1:
            alternative_groups.append(group)
    grouped = {n for g in alternative_groups for n in g}
    found += [Constraint("name", " or ".join(g), g) for g in alternative_groups]
    found += [Constraint("name", n, (n,)) for n in names if n not in grouped]
    moving = _movement_verbs()
    for n in own:  # "move from Eastgate to Lakeview": which way, where a verb of going says it
        way = re.search(rf"\b(?:{moving})\b(?:\s+(?!(?:{moving})\b)[\w’'-]+){{0,4}}?\s+(from|to|into)\s+(?:the\s+)?{re.escape(n)}(?!\w)", question, re.IGNORECASE)
        if way:
            found.append(Constraint("direction", f"{way.group(1)} {n}", (n, "to" if way.group(1) == "into" else way.group(1))))
    for point in dict.fromkeys(_compass(question)):  # "35 km east of Pinecrest"
        found.append(Constraint("compass", point, (point,)))
    for n in own:  # "Mayor Okafor": the question says what this person is
        at = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", question)
        asked = _roles_at(question, at.start(), at.end()) if at else {}
        if asked:
            found.append(Constraint("role", f"{' '.join(asked.values())} {n}", (n, *sorted(asked))))
    for quoted in _QUOTED.findall(question):
        if len(terms(quoted)) >= 2:
            found.append(Constraint("quote", quoted.strip()))
    dates = sorted(_dates_in(question))
    for day, month in dates:
        if 1 <= day <= 31:
            found.append(Constraint("date", f"{day} {_MONTHS[month - 1].title()}"))
    if not dates:
        for m in _MONTH_ONLY.findall(question):
            if m != "May" or re.search(r"\b(?:in|of|since|until|by|early|late|mid-?)\s+May\b", question):
                found.append(Constraint("month", _MONTHS[_month(m) - 1].title()))
    for day in dict.fromkeys(_WEEKDAY.findall(question)):  # "voted on Thursday"
        found.append(Constraint("weekday", day))
    for q, word in _QUARTER.findall(question):
        found.append(Constraint("quarter", f"Q{q or _QUARTER_NUMBER[word.lower()]}"))
    years = {int(y) for y in YEAR.findall(question)}
    found += [Constraint("year", str(y)) for y in sorted(years)]
    stages = [s for s in _stages_in(question) if not s.aside]
    for stage in stages:  # stages asked together are checked together ("first leg of the semi-final")
        found.append(Constraint("stage", stage.text, (str(stage.group), *(str(s.group) for s in stages))))
    for verb, side in _stances(question):
        found.append(Constraint("stance", f"{verb} {side}", (stem(verb), side)))
    uncounted = _QUARTER.sub(" ", _DAY_MONTH.sub(" ", _MONTH_DAY.sub(" ", _ISO_DATE.sub(" ", _TIME.sub(" ", question)))))
    # "a 15-milligram dose", "a two-hour call": a number and what it measures.
    uncounted = measured(uncounted, measure_units())
    # "8-ball", "2,000-plus", "G-20", "1990s" name no count.
    uncounted = " ".join(t for t in uncounted.split() if not (any(ch.isdigit() for ch in t) and (re.search(r"-[A-Za-z]|[A-Za-z]-", t) or re.fullmatch(r"\d{4}s\W*", t))))
    for value, shown in numbers(uncounted).items():
        if value not in years and not _QUOTED.search(shown):
            # The word it counts ("3 degrees", "410 jobs"), when there is one.
            unit = re.search(rf"{re.escape(shown)}\s+([a-z]{{3,}})", uncounted)
            bound = _word_before(uncounted, shown)  # "cuts that cost $210 million": what it is the number of
            # As the question writes it: "two-hour", not the "2 hour" read from it.
            written = re.search(rf"\b[\w,.]+[- ]{unit.group(1)}\b", question) if unit else None
            if not (written and numbers(measured(written.group(0), measure_units())).get(value)):
                written = None
            text = written.group(0) if written else shown
            found.append(Constraint("number", text, (str(value), stem(unit.group(1)) if unit and unit.group(1) not in STOPWORDS else "", bound)))
    return Ask(tuple(found), _agencies(question, own), question)


_YEAR_SHIFT = {"last year": -1, "next year": 1, "this year": 0}
# "up from $378.5 million a year earlier", "than last year": a comparison dates the other figure.
_COMPARED = re.compile(r"\b(?:from|than|compared (?:with|to)|versus|against)\b[^,;]*?(?=[,;]|\.(?:\s|$)|$)", re.IGNORECASE)
_YEAR_SHIFTS = re.compile(r"\b(" + "|".join(_YEAR_SHIFT) + r")(?:['’]s)?\b", re.IGNORECASE)


def _relative_year(sentence: str) -> int | None:
    """How many years from its report a sentence dates what it tells ("last year": -1), where
    it says so in words; None where it does not, or says two ways."""
    shifts = {_YEAR_SHIFT[m.group(1).lower()] for m in _YEAR_SHIFTS.finditer(_COMPARED.sub(" ", sentence))}
    return shifts.pop() if len(shifts) == 1 else None


def _month(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, start=1) if m.startswith(name.lower()[:3]))


@lru_cache(maxsize=65536)
def _verb(word: str) -> str:
    """A verb's term, stopwords included ("wrote" is "write"); every verb of saying is "say",
    and one of a group in `verb_groups` is its group's first ("edged" is "beat")."""
    term = stem(IRREGULAR_PAST.get(word.lower(), word.lower()))
    return "say" if term in _vocab()[2] else _same_verb().get(term, term)


@lru_cache(maxsize=1)
def _movement_verbs() -> str:
    """The verbs of going, as one regex alternation."""
    return alternation(_data()["movement_verbs"])


@lru_cache(maxsize=1)
def _same_verb() -> dict[str, str]:
    return {stem(IRREGULAR_PAST.get(w, w)): stem(group[0]) for group in _data()["verb_groups"] for w in group}


@lru_cache(maxsize=4096)
def _units(text: str) -> dict[str, set[float]]:
    """The numbers a text states by the word each counts ("2.1 degrees": "degre"; "" where
    none follows): {"degre": {2.1, 3.0}, "": {11.0}}."""
    found: dict[str, set[float]] = {}
    # "close 14 of its 52 stores": 14 counts stores too.
    text = _PART_OF.sub(lambda m: f"{m.group(1)} {m.group(3)} {m.group(0)}", text)
    for value, shown in numbers(text).items():
        # "eight Green members" counts members.
        for m in re.finditer(rf"(?<![\w.]){re.escape(shown)}(?:\s+(?:(?:[A-Z][\w’'-]*\s+){{1,2}}([a-z]{{3,}})|([A-Za-z]{{3,}})))?", text):
            word = (m.group(1) or m.group(2) or "").lower()
            found.setdefault(stem(word) if word and word not in STOPWORDS else "", set()).add(value)
    return found


_PART_OF = re.compile(r"(?<![\w.,])(\d[\d,.]*|[a-z]+)\s+of\s+(?:its|the|their|his|her|our|all)\s+(\d[\d,.]*|[a-z]+)\s+([a-z]{3,})\b")
# Words that hedge a number without changing what it is the number of ("cost about $140
# million"). Not "under" / "over": "the richest person in the world under 30" ties 30 to no word.
_HEDGE = r"(?:(?:about|around|nearly|almost|roughly|some|only|just|more than|less than|up to|an estimated|a|an)\s+)?"


def _word_before(text: str, shown: str) -> str:
    """The term of the content word just before a number ("cost about $140 million": "cost";
    past an object, "pay her £240,000": "pay"), or "" where a stopword or nothing stands there."""
    m = re.search(rf"\b([A-Za-z]{{3,}})\s+(?:(?:her|him|them|it|us|me)\s+)?{_HEDGE}[$£€¥]?{re.escape(shown)}(?![\w.])", text)
    return stem(m.group(1).lower()) if m and m.group(1).lower() not in STOPWORDS else ""


def _verb_forms(word: str) -> set[str]:
    """The terms a verb form may have: "sued" and "suing" are "sue" as well as what the
    stemmer makes of them."""
    w = word.lower().rstrip(".,;:!?")  # "Rao said."
    forms = {_verb(w)}
    if w.endswith("d"):
        forms.add(_verb(w[:-1]))  # sued -> sue, agreed -> agree
    if w.endswith("ing"):
        forms |= {_verb(w[:-3]), _verb(w[:-3] + "e")}  # suing -> sue
    return forms


def _agencies(question: str, names: tuple[str, ...]) -> tuple[Agency, ...]:
    """Who does what the question asks about: "did Trump offer", "the call that Obama
    initiated"; and who says it: "according to the Kremlin"."""
    found: list[Agency] = []
    if sum(_verb(w) == "say" for w in _WORD.findall(question)) <= 1:  # "did the White House say Obama stressed"
        for m in (_AGENT_Q.search(question), _AGENT_CLAUSE.search(question)):
            if not m:
                continue
            agent = _named(m.group(1), names)
            verb = m.group(2)
            after = re.match(r"\s*([\w’'-]+)", question[m.end() :])
            if agent is None or _is_title(verb) or _role(verb) or (verb in STOPWORDS and _verb(verb) != "say"):
                # "did the Russian president say", "did Obama and Putin agree": no one name does
                # it; "did Orbanet founder Edith Morven say": a role, not the verb.
                continue
            if m.re is _AGENT_Q and after and after.group(1).islower() and after.group(1) not in STOPWORDS:
                continue  # "does the Geneva summit matter": the word read as the verb is a noun
            if m.re is _AGENT_Q and m.group(0).split()[0].lower() not in ("has", "have", "had") and re.search(r"[^s]s$", verb):
                continue  # "do Brannock shareholders get": after "do" a verb has no -s; this is a noun
            found.append(Agency(agent, _verb(verb), tuple(n for n in names if n != agent), _topic(question, names, verb), spoken=_spoken(verb)))
            break
        else:
            # "What did Lanternfish composer Leo Gault say ...?": the speaker is the last name
            # before the verb of saying, past the words that say who they are.
            m = _SPEAKER_Q.search(question)
            words = m.group(1).split()[:8] if m else []
            at = next((i for i, w in enumerate(words) if w.islower() and _verb(w) == "say"), None)
            subject = " ".join(words[:at]) if at else ""
            agent = next((n for n in reversed(names) if n in subject), None)
            if agent:
                found.append(Agency(agent, "say", tuple(n for n in names if n != agent), _topic(question, names, words[at]), spoken=_spoken(words[at])))
    # "What did Trump and Boris Johnson suggest in the telegrams they sent Putin?": "they" are
    # the question's subject, who do what the clause says.
    clause = _PRONOUN_CLAUSE.search(question)
    subject = _SUBJECT_Q.search(question) if clause else None
    doers = [n for n in (_named(subject.group(1), names), _named(subject.group(2) or "", names)) if n] if subject else []
    if doers and _verb(clause.group(1)) != "say":
        found.append(Agency(doers[0], _verb(clause.group(1)), tuple(n for n in names if n not in doers)))
    m = _DONE_TO_Q.search(question)
    done_to = _named(m.group(2), names) if m and _verb(m.group(1)) != "say" else None
    if done_to and not found:
        found.append(Agency(done_to, _verb(m.group(1)), tuple(n for n in names if n != done_to), done_to=True))
    m = _ACCORDING_Q.search(question)
    agent = _named(m.group(1), names) if m else None
    if agent and any(agent in o.group(0) for o in ENTITIES["outlet"].names.finditer(question)):
        agent = None  # "according to The Verge" asks which article reports it, not who says it
    if agent:
        found.append(Agency(agent, "say", tuple(n for n in names if n != agent), spoken=True))
    return tuple(found)


def _topic(question: str, names: tuple[str, ...], verb: str) -> frozenset[str]:
    """The question's content terms that are not its names nor its verb."""
    named = {t for n in names for t in terms(n)}
    return frozenset(terms(question)) - named - {stem(verb), _verb(verb)}


def topic_terms(ask: Ask) -> frozenset[str]:
    """What the question asks about, beyond who: its content terms that are none of its names
    nor a verb of saying ("stand", "still" in "According to Castell, why can the port not stand
    still?")."""
    named = {t for c in ask.constraints if c.kind == "name" for n in c.alternatives for t in terms(n)}
    # Not who says it: "According to union leader Gemma Castell," / ", the museum's director,".
    asked = _without_appositions(re.sub(r"^\s*according to [^,?]*,", " ", ask.question, flags=re.IGNORECASE))
    return frozenset(t for t in terms(asked) if t not in named and _verb(t) != "say" and not _role(t))  # "director": who, not what


def _named(run: str, names: tuple[str, ...]) -> str | None:
    """The question's name that a run of capitalised words holds ("President Trump": "Trump")."""
    return next((n for n in names if n.split()[-1] in run.split()), None)


# "while X reports ...", "compared with ...": a question whose parts each an article of its own
# may answer, so that its constraints are met by the answer as a whole; "both Obama's call and
# Trump's call" too ("between", or "both" alone, are not such marks: "the call between Obama
# and Putin" is one event).
_REPORT = re.compile(r"\b(?:articles?|reports?|stor(?:y|ies)|pieces?|coverage)\b", re.IGNORECASE)
_SECOND_QUESTION = re.compile(r"\b(?:and|or|but)\s+(?:did|does|do|has|have|is|was|were|are)\b|\bbefore or after\b", re.IGNORECASE)
_SEVERAL_PARTS = re.compile(
    r"\b(while|whereas|compared?|comparison|(?:in)?consisten(?:t|cy)|differ\w*|in contrast|unlike)\b|\bboth\s+(?:[^\s,?]+\s+){1,6}?and\b",
    re.IGNORECASE,
)


def sources_named(ask: Ask, outlets: set[str]) -> tuple[Ask, tuple[Constraint, ...]]:
    """The question without the names that are outlets (or wire services) of the articles at
    hand, and those names: "according to The Verge" asks which article, not what happened."""
    words = {_key(w) for o in outlets for w in o.split()}
    named = tuple(c for c in ask.constraints if c.kind == "name" and any(all(_key(p) in words for p in n.split()) for n in c.alternatives))
    return replace(ask, constraints=tuple(c for c in ask.constraints if c not in named)), named


def has_several_parts(question: str, sources: int) -> bool:
    """A comparison, a question about two reports or more ("between the report of 20 October
    and the subsequent report ...", "did X ..., and did Y ..."), or one naming two outlets or
    more: its answer may take each part from another article."""
    reports = len(_REPORT.findall(question))
    return sources > 1 or reports > 1 or bool(_SEVERAL_PARTS.search(question) or _SECOND_QUESTION.search(question))


# The evidence ---------------------------------------------------------------------------------


def evidence(chunk: Chunk, start: int, end: int, article_text: str = "") -> Evidence:
    """The cited sentence [start, end) of a chunk (article offsets), with its context: the
    article's headline, outlet, byline, date and lede, the sentences just before it, the rest
    of its paragraph, and the next paragraph where that is the line naming who said a quotation
    that this one ends."""
    text, s, e = chunk.text, start - chunk.start, end - chunk.start
    before = split_sentences(text[: max(s, 0)])[-CONTEXT_SENTENCES:]
    p_start, p_end = (x - chunk.start for x in paragraph_bounds(text, chunk.start, start, end))
    rest = [text[e:p_end]]
    following = split_sentences(text[p_end:].lstrip("\n").split("\n", 1)[0])
    if text[p_start:p_end].rstrip().endswith(("”", '"')) and len(following) == 1:
        rest.append(following[0].text)  # “...” / Tatyana Stanovaya, a scholar at ..., told CBS News.
    headline, source = _about(chunk.meta, article_text)
    near = "\n".join(x.text for x in before)
    context = "\n".join([headline, near] + rest)
    return Evidence(text[s:e], context, chunk.meta.published, article_text, source, near)


def passage_evidence(p: Passage, article_text: str = "") -> Evidence:
    """A whole retrieved passage as evidence, with its article's headline, lede and source."""
    headline, source = _about(p.chunk.meta, article_text)
    return Evidence(p.chunk.text, headline, p.chunk.meta.published, article_text, source)


def _about(m: ArticleMeta, article_text: str) -> tuple[str, str]:
    """What says which event an article reports (its headline and lede), and who reports it
    (outlet, byline, wire agency)."""
    return "\n".join([m.title or "", _lede(article_text[:LEDE_CHARS])]), source_of(m)


def source_of(m: ArticleMeta) -> str:
    """Who reports an article (outlet, byline, wire agency): whom an "according to ..." may name."""
    return "\n".join(x for x in (m.outlet, m.author, m.agency) if x)


@lru_cache(maxsize=1024)
def _lede(head: str) -> str:
    """An article's first sentences, from its first characters (each article's once)."""
    return "\n".join(x.text for x in split_sentences(head)[:LEDE_SENTENCES])


def check(ask: Ask, ev: Evidence) -> Coverage:
    """Which of the question's constraints the evidence misses (none: it may answer)."""
    text = ev.text
    caps = [m for m in _CAPS.finditer(text)]
    words = {_key(w) for m in caps for w in _HYPHEN_OR_SPACE.split(m.group(0))}
    missing: list[Constraint] = []
    for c in ask.constraints:
        if c.kind == "name":
            ok = any(_name_found(n, words, caps, text) or _referred_to(n, text, ev.article) for n in c.alternatives)
            if ok and ask.question and not any(_in_text(n, ev.sentences) for n in c.alternatives):
                # Found only around the sentence, which names someone else in its place ("the
                # Obama administration" for "the Trump administration"): not this one's evidence.
                ok = not any(_rival(n, ask, ev.sentences, text) for n in c.alternatives)
        elif c.kind == "year":
            # The publication year stands for a sentence that dates no event of its own to
            # another year ("promised in 2021"; "its first title since 1988" dates nothing).
            # "Last year" in a 2025 report is 2024, and not 2025.
            shift = _relative_year(ev.sentences)
            dated = _EVENT_YEAR.search(_RELATIVE.sub(" ", ev.sentences))
            ok = c.text in text or (
                ev.published is not None and str(ev.published.year + (shift or 0)) == c.text and (shift is not None or not dated)
            )
            # Found around a sentence that dates what it tells to another year ("was fined £3.2
            # million in 2021"), or tells news of its report's week ("LONDON, Sept 30 - ...",
            # "said on Tuesday") published two years or more after it: not this sentence's year.
            current = _WEEKDAY.search(ev.sentences) or _DATELINE.match(ev.sentences)
            stale = current is not None and ev.published is not None and abs(ev.published.year - int(c.text)) >= 2
            ok = ok and (c.text in ev.sentences or not (dated or stale))
        elif c.kind == "date":
            ok = _date_found(c.text, text, ev.published, ev.sentences)
        elif c.kind == "month":
            stated = {_month(m) for m in _MONTH_ONLY.findall(text) if m != "May" or re.search(r"\bMay\s+\d", text)}
            ok = _month(c.text) in stated or (
                ev.published is not None and _MONTHS[ev.published.month - 1].title() == c.text and not _MONTH_ONLY.search(ev.sentences)
            )
        elif c.kind == "weekday":
            # Another day where the evidence names days at all: "voted on Tuesday" is no vote
            # on Thursday; evidence that names none cannot say.
            days = set(_WEEKDAY.findall(text))
            ok = not days or c.text in days
        elif c.kind == "quarter":
            n = int(c.text[1])
            ok = any(int(q or _QUARTER_NUMBER[w.lower()]) == n for q, w in _QUARTER.findall(text))
        elif c.kind == "number":
            value, unit = float(c.alternatives[0]), c.alternatives[1]
            units = measure_units()
            near, sentences, stated = (measured(t, units) for t in (ev.near, ev.sentences, ev.text))
            # In the evidence, and not contradicted by the cited sentence, or those it goes on
            # from, counting the same thing otherwise ("3 degrees" asked, "2.1 degrees" cited).
            counted = _units(f"{near}\n{sentences}").get(unit, set()) if unit else set()
            # ... and counting that thing where the question says ("three years" is no "3 degrees").
            said = _units(stated)
            ok = value in said.get(unit, set()) | said.get("", set()) if unit else value in numbers(stated)
            ok = ok and (not counted or value in counted)
            # ... and not the number of another thing the question asks about: "save $210 million
            # a year" is no "cuts that cost $210 million".
            bound = c.alternatives[2] if len(c.alternatives) > 2 else ""
            if ok and bound:
                shown = numbers(sentences).get(value)  # how the sentence writes it
                said_with = {_word_before(sentences, shown)} - {""} if shown else set()
                ok = not said_with or bound in said_with or not (said_with & set(terms(ask.question)))
                # ... nor found only around a sentence that gives that word another number:
                # "ordered it to pay her £240,000" is no "ordered to pay £1.1 million".
                ok = ok and (shown is not None or all(_word_before(sentences, other) != bound for other in numbers(sentences).values()))
        elif c.kind == "role":
            asked = set(c.alternatives[1:])
            given = _roles_given(c.alternatives[0], ev)
            ok = bool(given & asked) or not any(given & _rivals(r) for r in asked)
        elif c.kind == "direction":
            name, way = c.alternatives
            own = _RELATIVE.sub(" ", ev.sentences)  # "the market, which moved from Eastgate in 1998,"
            # "to Ashdale", "from the Danish operator Kattegat"
            ways = {("to" if w.lower() == "into" else w.lower()) for w in re.findall(rf"\b(from|to|into)\s+(?:[\w’'-]+\s+){{0,3}}?{re.escape(name)}(?!\w)", own, re.IGNORECASE)}
            ok = not ways or way in ways
        elif c.kind == "compass":
            points = _compass(ev.sentences)
            ok = not points or c.text in points
        elif c.kind == "stage":
            ok = _stage_found(int(c.alternatives[0]), {int(g) for g in c.alternatives}, ev)
        elif c.kind == "stance":
            verb, side = c.alternatives
            sides = {s for v, s in _stances(ev.sentences) if stem(v) == verb}
            ok = not sides or side in sides
        else:  # quote
            ok = fold(c.text) in fold(text) or _mostly(c.text, text)
        if not ok:
            missing.append(c)
    for agency in ask.agencies:
        if agency.spoken and not _published_by(agency, ev) and not _says(ev.sentences):
            # "What did Merrow say ...?" against "..., whose superintendent, Rosa Merrow, is
            # overseeing a trial", or a sentence of the article's own telling: no one says
            # anything there (where the outlet is the one asked, the whole article is its word).
            missing.append(Constraint("speaker", agency.agent))
            continue
        reversed_by = _reversed(agency, ev)
        if reversed_by:
            return Coverage(tuple(missing), reversed_by, agency)
    return Coverage(tuple(missing))


# "Who is the governor of ...?", "Who will be the first director of ...?": the role held.
_HOLDER_Q = re.compile(
    r"^\s*(?i:who)\s+(?:is|was|are|were|will\s+be|would\s+be|has\s+been|had\s+been|became|becomes|remains)\s+"
    r"(?:now\s+|currently\s+)?(?:the|a|an)\s+(?:[\w.-]+\s+){0,3}?([a-z][\w-]*)\s+(?:of|at|for|in|on|to)\b"
)


def holder_named(question: str, sentence: str) -> bool:
    """Whether the sentence can say who holds the role a "Who is the governor of ...?" question
    asks about: it gives that role (or one the same, "CEO" for "chief executive") and a name the
    question does not. "The central bank's governor said ..." names no one; a sentence naming
    another party's leader is not about the governor. True for questions that ask no role."""
    m = _HOLDER_Q.match(question)
    role = _role(m.group(1)) if m else None
    if role is None:
        return True
    same = _role_vocab()[1]
    said = {w for w in _WORD.findall(sentence.lower()) if _role(w.rstrip("s")) == role or _role(w) == role}
    if not said and not any(same.get(_key(w)) == role for w in _WORD.findall(sentence)):
        return False
    asked = {_key(w) for n in _names(question) for w in _HYPHEN_OR_SPACE.split(n)}
    for run in _CAPS.finditer(sentence):
        words = [w for w in run.group(0).split() if not _is_title(w) and not NOT_NAMES.match(w)]
        if run.start() == 0 and len(run.group(0).split()) == 1:
            continue  # a sentence's opening word
        if any(_key(w) not in asked for w in words):
            return True
    return False


@lru_cache(maxsize=1)
def _role_vocab() -> tuple[frozenset[str], dict[str, str]]:
    """The words that say what a person is, and each one's role ("ceo" is "executive")."""
    data = _data()["roles"]
    words = (frozenset(data["words"]) | _vocab()[0]) - frozenset(data["not_roles"])
    return words, {w: group[0] for group in data["same"] for w in group}


@lru_cache(maxsize=256)
def _rivals(role: str) -> frozenset[str]:
    """The roles that exclude `role` (one of its families, itself left out)."""
    same = _role_vocab()[1]
    families = [{same.get(w, w) for w in f} for f in _data()["roles"]["families"]]
    return frozenset(r for f in families if role in f for r in f) - {role}


@lru_cache(maxsize=1)
def _role_skips() -> tuple[frozenset[str], frozenset[str]]:
    """Words before a role that make it a past one ("former"), and words that are no role
    ("Mr", "Foreign")."""
    data = _data()["roles"]
    return frozenset(data["past_roles"]), frozenset(data["not_roles"])


def _role(word: str) -> str | None:
    words, same = _role_vocab()
    k = _key(word)
    return same.get(k, k) if k in words else None


_BREAK = re.compile(r"[,;:()“”\"\n]|\.(?:\s|$)")
_TOKEN = re.compile(r"[\w’'.-]+|[,;:()“”\"\n]")
_DETERMINER = r"(?:the|a|an|its|his|her|their|[A-Z][\w’'.-]*(?:’s|'s))"
_APPOSITION_AFTER = re.compile(rf"\s*,\s*(?:\d+\s*,\s*)?({_DETERMINER}\s[^,.;:()“”\"]{{1,60}}?)\s*[,.;]")
# "... clear of the runner-up, Hanne Lindqvist": the last noun phrase before the comma.
_APPOSITION_BEFORE = re.compile(rf"(?<!\w)({_DETERMINER}\s(?:(?!(?<!\w){_DETERMINER}\s)[^,.;:()“”\"]){{1,60}}?),\s*$")


def _roles_at(text: str, start: int, end: int) -> dict[str, str]:
    """What a text says the person named at [start, end) is, role by word as written: the
    titles and role words just before the name ("Kessington coach Dana Lutz"), and an
    apposition on either side ("Anika Pell, the city's planning director,", "the runner-up,
    Hanne Lindqvist")."""
    found: dict[str, str] = {}
    past, not_roles = _role_skips()
    held: dict[str, str] = {}
    for i, tok in enumerate(reversed(_TOKEN.findall(text[max(0, start - 80) : start]))):
        if i >= 5 or _BREAK.fullmatch(tok) or (tok.endswith(".") and not _is_title(tok)):
            break
        role = _role(tok)
        if role:
            held.setdefault(role, tok.strip("."))
        elif _key(tok).rstrip("-") in past:
            held = {}  # "former President Hale": no longer
        elif not (tok[:1].isupper() or _key(tok) in ("the", "a", "an") or _key(tok) in not_roles):
            break  # "told Mayor Okafor": "told" ends what is said of her
    found.update(held)
    before = _APPOSITION_BEFORE.search(text[max(0, start - 80) : start])
    if before and re.match(r"\s*[,.;:)]|\s*$", text[end:]):  # not "a new coach, Okafor told reporters"
        found.update({r: w for r, w in _apposition_roles(before.group(1)).items() if r not in found})
    after = _APPOSITION_AFTER.match(text, end)
    if after:
        found.update({r: w for r, w in _apposition_roles(after.group(1)).items() if r not in found})
    return found


_APPOSITION_END = re.compile(r"\b(?:of|who|whom|whose|which|that|at|for|with|from|in|on|representing|working|running|since)\b")


def _apposition_roles(phrase: str) -> dict[str, str]:
    """The roles an apposition gives: its head noun phrase's ("the city's planning director"),
    not a possessor's ("the mayor's spokesman"), a past one ("a former teacher") or one after
    "of" / "who" ("the daughter of a judge")."""
    head = _APPOSITION_END.split(phrase, maxsplit=1)[0]
    past = _role_skips()[0]
    found: dict[str, str] = {}
    for tok in _TOKEN.findall(head):
        if _key(tok).rstrip("-") in past or tok.lower().startswith("ex-"):
            return {}
        if tok.endswith(("'s", "’s")):
            continue
        role = _role(tok)
        if role:
            found.setdefault(role, tok)
    return found


def _roles_given(name: str, ev: Evidence) -> set[str]:
    """The roles the evidence gives the person `name`: where the cited sentence names them, the
    sentence's; otherwise its context's."""
    parts = name.split()
    last = re.escape(parts[-1])
    for text in (ev.sentences, f"{ev.near}\n{ev.context}"):
        roles: set[str] = set()
        mentioned = False
        for m in re.finditer(rf"(?<![\w-]){last}(?![\w-])", text):
            start, steps = m.start(), 0
            while (steps := steps + 1) <= 3 and (prev := re.search(r"([A-Z][\w’'.-]*)\s+$", text[max(0, start - 60) : start])) and not _role(prev.group(1)) and not _is_title(prev.group(1)):
                start = max(0, start - 60) + prev.start(1)  # "Anika Pell": the name begins at her first name
            first = text[start : m.start()].split()
            if len(parts) > 1 and first and not _same_name_word(first[-1], parts[-2]):
                continue  # "her brother, striker Tom Lutz": another Lutz
            mentioned = True
            roles |= set(_roles_at(text, start, m.end()))
        if mentioned:
            return roles
    return set()


_COMPASS = re.compile(r"\b(north|south|east|west)(?:-?(east|west))?(?:wards?|erly|ern)?\b")


def _compass(text: str) -> list[str]:
    """The points of the compass a text gives in lower case ("to the west", "north-east of",
    "eastern"; not "East Timor")."""
    return [a + b for a, b in _COMPASS.findall(text)]


class _Stage(NamedTuple):
    group: int  # which list of `[stages]` in data/names.toml
    text: str
    aside: bool  # "before the runoff": looked to, not where the sentence's facts are from


@lru_cache(maxsize=1)
def _stage_patterns() -> tuple[tuple[re.Pattern[str], int, bool], ...]:
    """Each stage name as a pattern (hyphen or space between its words, a plural "s"), longest
    first so that "semi-final" is never read as "final"."""
    data = _data()["stages"]
    names = [(name, group) for group, names in enumerate(data["groups"]) for name in names]
    return tuple(
        (re.compile(r"(?<![\w-])" + r"[\s-]?".join(map(re.escape, name.split())) + r"s?(?![\w-])", re.IGNORECASE), group, name in data["noun_only"])
        for name, group in sorted(names, key=lambda x: -len(x[0]))
    )


@lru_cache(maxsize=4096)
def _stages_in(text: str) -> tuple[_Stage, ...]:
    """The contest stages a text names: "the 2019 final", "in the first round", "the runoff"."""
    aside = frozenset(_data()["stages"]["aside"])
    followers = frozenset(_data()["stages"]["noun_followers"])
    taken: list[tuple[int, int]] = []
    found: list[_Stage] = []
    for pattern, group, noun_only in _stage_patterns():
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            after = re.match(r"\s*([a-z]+|\d+)\b", text[m.end() :])
            if noun_only and after and after.group(1) not in STOPWORDS | followers and not after.group(1).endswith("ly"):
                continue  # "the final report", "the final 10 minutes", "the last four years"
            if noun_only and m.group(0)[:1].isupper() and re.search(r"[A-Z][\w’'-]*\s+$", text[: m.start()]):
                continue  # "Eastgate Primary School": a name
            taken.append(m.span())
            before = [w.lower() for w in _WORD.findall(text[max(0, m.start() - 80) : m.start()])[-6:]]
            found.append(_Stage(group, m.group(0), any(w in aside for w in before)))
    return tuple(found)


def _stage_found(group: int, asked: set[int], ev: Evidence) -> bool:
    """The asked stage is not contradicted by the cited sentence: a sentence that names another
    stage as the one its facts are from, and not the asked one, is about another stage
    ("Hallan, who won 12.4 percent in the first round" is no share of the runoff vote; a goal
    scored "in the quarter-final" is no goal in the final). Stages named together with the
    asked one ("won the first leg" of "the semi-final") do not. Only the sentence refutes: its
    context (the sentences before, the headline) often names the stage before or after, and
    refuting from there refused answerable questions on text the check was not written for."""
    # A past-perfect relative clause is background ("Lund, who had knocked out Ortiz in the semi-finals,").
    sentence = _RELATIVE.sub(lambda m: " " if re.search(r"\bhad\b", m.group(0)) else m.group(0), ev.sentences)
    named = {s.group for s in _stages_in(sentence) if not s.aside}
    return group in named or not (named - asked)


# "voted 4-3 for", "voted unanimously against"; "voted for the third time against" and "spoke for
# ten minutes against" take the side after the time.
_STANCE = re.compile(
    r"(?<!\d )\b([a-z]+)\s+(?:\w+ly\s+)?(?:\d+[-–]\d+\s+)?"
    r"(?:for\s+(?:the\s+)?(?:(?:first|second|third|fourth|fifth|last|\d+|a|an|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|several|many|nearly|almost|more\s+than)\s+)*(?:times?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b(?:\s+\w+ly)?\s*,?\s*)?"
    r"(for|against|in favou?r of)\b(?!\s+(?:the\s+)?(?:times?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _stance_verbs() -> frozenset[str]:
    return frozenset(_data()["stance_verbs"])


def _stances(text: str) -> list[tuple[str, str]]:
    """The sides a text takes ("voted against", "argued in favour of": "for")."""
    verbs = _stance_verbs()
    return [(v.lower(), "against" if side.lower() == "against" else "for") for v, side in _STANCE.findall(text) if v.lower() in verbs]


def _name_found(name: str, words: set[str], caps: list[re.Match], text: str) -> bool:
    """A name is in the evidence as a whole ("Independence Day", "Ferris Street bridge"), by an
    alias ("U.S." for "United States"), word by word where it is one word or hyphenated
    ("Biden-Putin": both), or by its last word (a surname) where no other name there takes
    that last word: "Vladimir Putin" is met by "President Putin"; "Victory Day" is not met by
    "Independence Day", nor "Anika Verhoeven" by "Lars Verhoeven", nor "Kessington Marathon" by
    a runner from Kessington in the Port Esk Marathon."""
    if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
        return True
    forms = _vocab()[1].get(_key(name), ())
    if any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text, re.IGNORECASE) or f in words for f in forms):
        return True
    parts = name.split()
    if len(parts) == 1:
        return all(_key(p) in words or any(_same_name_word(p, w) for w in words) for p in _HYPHEN_OR_SPACE.split(name))
    last = parts[-1]
    if re.search(rf"\b{re.escape(last.lower())}\b", text):
        return False  # a common word ("day" for "Independence Day"): only the whole name will do
    found = False
    for m in caps:
        run = [w for w in m.group(0).split() if not _is_title(w)]
        for i, w in enumerate(run):
            if _same_name_word(w, last):
                # Word by word backwards while both have words: "Pinehurst High School" is not
                # "Pinecrest High School", nor "Lars Verhoeven" "Anika Verhoeven".
                for k in range(1, min(i, len(parts) - 1) + 1):
                    before = run[i - k]
                    if NOT_NAMES.match(before):
                        break
                    if not _same_name_word(before, parts[-1 - k]):
                        return False  # another first name: another person
                found = True
    return found


def _in_text(name: str, text: str) -> bool:
    caps = list(_CAPS.finditer(text))
    words = {_key(w) for m in caps for w in _HYPHEN_OR_SPACE.split(m.group(0))}
    return _name_found(name, words, caps, text)


def _rival(name: str, ask: Ask, sentence: str, text: str) -> str | None:
    """A name in the sentence that stands where the question has `name`: beside the same
    word ("the Obama administration" / "the Trump administration", "President Trump" /
    "President Putin", "Trump offered" / "Putin offer", "in Leeds" / "in York"), or another
    person where `name` is a person ("Putin and Trump say ..." for "did Putin and Boris
    Johnson say"). Another of the question's names is a rival only where it stands beside a
    word the question puts beside `name` alone ("Brightwater shareholders" asked, "Kettle &
    Vine shareholders" cited). `text` is all the evidence: who is a person is read there."""
    asked_beside = _neighbours(ask.question)
    want = asked_beside.get(_key(name.split()[-1]), frozenset())
    asked = _names(ask.question)
    persons = _persons(ask.question) | _persons(text)
    person = _key(name.split()[-1]) in persons
    beside = _neighbours(sentence)
    for m in _CAPS.finditer(sentence):
        for w in m.group(0).split():
            if _is_title(w) or NOT_NAMES.match(_key(w).title()) or _key(w) in STOPWORDS:
                continue
            if any(_same_name_word(w, p) for p in _HYPHEN_OR_SPACE.split(name)):
                continue
            if any(_same_name_word(w, p) for n in asked for p in _HYPHEN_OR_SPACE.split(n)):
                if want and beside.get(_key(w), frozenset()) & (want - asked_beside.get(_key(w), frozenset())):
                    return w
                continue
            if (want and beside.get(_key(w), frozenset()) & want) or (person and _key(w) in persons):
                return w
    return None


@lru_cache(maxsize=4096)
def _persons(text: str) -> frozenset[str]:
    """The names a text gives people: those after a title ("Prime Minister Boris Johnson",
    "Mr Putin"), by their last word."""
    found: set[str] = set()
    for m in _CAPS.finditer(text):
        words = m.group(0).split()
        for i, w in enumerate(words[:-1]):
            if _is_title(w) and not _is_title(words[i + 1]):
                rest = [x for x in words[i + 1 :] if not _is_title(x)]
                if rest:
                    found.add(_key(rest[-1] if len(rest) <= 3 else rest[0]))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _neighbours(text: str) -> dict[str, frozenset[str]]:
    """For each capitalised word of a text, the words either side of it, as terms marked with
    their side ("<in", ">administr"): content words, titles, verbs of saying, and "in" / "at"
    before a place."""
    tokens = _WORD.findall(text)
    out: dict[str, set[str]] = {}
    for i, tok in enumerate(tokens):
        if not tok[:1].isupper():
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(tokens):
                continue
            w = tokens[j]
            if _is_title(w) or (not w[:1].isupper() and (w.lower() not in STOPWORDS | _WH or _verb(w) == "say" or (j < i and w.lower() in ("in", "at")))):
                # On its side: "the Sarn River treaty" and "the treaty, Marovia" share no place.
                out.setdefault(_key(tok), set()).add(("<" if j < i else ">") + _verb(w))
            if j == i - 1 and j > 0 and w.islower() and w not in STOPWORDS and tokens[j - 1].lower() in ("in", "at"):
                out.setdefault(_key(tok), set()).add("<" + tokens[j - 1].lower())  # "in neighbouring Ashwood"
    return {k: frozenset(v) for k, v in out.items()}


def _referred_to(name: str, text: str, article: str) -> bool:
    """The evidence speaks of "the summit" (or "a historic summit"), and its article of "the
    summit in Geneva" or "the Geneva summit": the name is the evidence's by that reference. Only
    a thing anchored to a place or an event this way, never a person doing something."""
    if not article:
        return False
    n = re.escape(name)
    nouns = re.findall(rf"\bthe\s+([a-z]{{4,}})\s+(?:in|at|near|outside)\s+(?:the\s+)?{n}\b", article)
    nouns += re.findall(rf"\bthe\s+{n}\s+([a-z]{{4,}})\b", article)
    return any(
        re.search(rf"\b(?:the|this|that|its|their|a|an)\s+(?:[a-z]+\s+)?{noun}\b", text, re.IGNORECASE) for noun in set(nouns) - STOPWORDS
    )


def _date_found(day_month: str, text: str, published: date | None, sentences: str) -> bool:
    """"18 April" in any spelling in the text ("April 18", "2016-04-18"), or, where the cited
    sentences state no date of their own, an article published up to three days after it
    (news reports yesterday's call)."""
    day, month_name = day_month.split()
    want = (int(day), _MONTHS.index(month_name.lower()) + 1)
    if want in _dates_in(text):
        return True
    if published is None or _dates_in(sentences):
        return False
    try:
        asked = date(published.year, want[1], want[0])
    except ValueError:
        return False
    return 0 <= (published - asked).days <= 3


def _dates_in(text: str) -> set[tuple[int, int]]:
    """Every (day, month) a text states, in any of its spellings."""
    found = {(int(d), _month(m)) for d, m in _DAY_MONTH.findall(text)} | {(int(d), _month(m)) for m, d in _MONTH_DAY.findall(text)}
    return found | {(int(d), int(m)) for _, m, d in _ISO_DATE.findall(text) if 1 <= int(m) <= 12}


def _mostly(phrase: str, text: str) -> bool:
    want = set(terms(phrase))
    return bool(want) and len(want & set(terms(text))) / len(want) >= 0.8


_MODIFIER = re.compile(r"\s+[a-z]{3,}")  # the lower-case word a capitalised adjective qualifies
# A participle right after a preposition's object ("sent telegrams to Trump and Boris Johnson
# suggesting ..."): its doer is the clause's subject, not the name before it.
_AFTER_OBJECT = re.compile(r"\b(?:to|for|from|of|by|at|on|in|into|about|with)\s+(?:(?:the|and)\s+|[A-Z][\w.'’-]*\s+)*$")
# What stands between a verb and the one it is done to: a particle, an apposition before the name.
_DONE_TO = re.compile(r"^\s+(?:(?:out|off|past|back|down)\s+)?(?:the\s+[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){0,2},\s+)?")
_PASSIVE = frozenset("was were is are be been being get gets got".split())
_AUXILIARIES = frozenset("has have had was were is are will would also then later not never did does could can may might must should".split())
_APPOSITION = re.compile(r",\s*(?:a|an|the|his|her|their|its|who|whose|which|whom|where|[A-Z][\w’'.-]*['’]s)\s[^,“”\"]{1,80},")
# A quotation: whole, or a part of one that runs over several sentences (“... at the start of a
# text with no closing mark, or ...” at its end with no opening one).
_QUOTATION = re.compile(r"[“\"][^”\"]*[”\"]|^\s*[“\"][^”\"]*$|^[^“\"]*”")


def _published_by(agency: Agency, ev: Evidence) -> bool:
    """Whether the one the question has say it is the article's outlet or author."""
    return any(_same_name_word(p, w) for p in agency.agent.split() for w in ev.source.split())


def _reversed(agency: Agency, ev: Evidence) -> str | None:
    """Who else the evidence has doing the question's verb, where it never has the question's
    agent do it: "What did Obama write to Putin?" against "..., wrote Putin"; "according to the
    White House" against "the Kremlin said". The cited sentences judge; where they name no doer
    ("... continued the statement"), their context does."""
    if agency.done_to:
        # Where the cited sentences do not tell it at all, the article does.
        return _done_to_other(agency, ev.sentences if agency.told_in(ev.sentences) else ev.article)
    if _published_by(agency, ev):
        return None  # "according to RT", "when RT reported", and RT published it
    # Any other doer refutes the evidence where the sentence does not name the agent at all;
    # where it does, only another of the question's names does ("Dorsch won" beside "Hallan"),
    # except that in the sentence itself a verb of saying has one doer: "Lanternfish argued
    # that its composer, Leo Gault, wrote ..." is Lanternfish saying it, not Gault.
    named = _in_text(agency.agent, ev.sentences)
    for text in (ev.sentences, ev.context):
        strict = not named or (agency.verb == "say" and text is ev.sentences)
        by_agent, by_other = _doers(agency, text, strict, topical=text is ev.sentences, article=ev.article)
        if by_agent:
            return None
        if by_other:
            return by_other
    return None


def _spoken(verb: str) -> bool:
    """Whether a question's verb asks for someone's words (`speech_verbs`: "say", "warn")."""
    return _verb(verb) == "say" and stem(IRREGULAR_PAST.get(verb.lower(), verb.lower())) in _speech_verbs()


@lru_cache(maxsize=1)
def _speech_verbs() -> frozenset[str]:
    return frozenset(stem(IRREGULAR_PAST.get(v, v)) for v in _data()["speech_verbs"])


def _without_appositions(text: str) -> str:
    """The text without its appositions (", a scholar at the Carnegie Moscow Center,"), but not
    a clause between commas that says something (", the Kremlin said Johnson had called,")."""
    return _APPOSITION.sub(lambda m: m.group(0) if any(_verb(w) == "say" for w in _WORD.findall(m.group(0)) if w.islower()) else " ", text)


def _says(text: str) -> bool:
    """Whether anyone says anything in the text: a quotation, a verb of saying, "according to";
    not in a relative clause ("Reade, whose novel had been the favourite since the shortlist was
    announced, did not attend")."""
    return bool(_QUOTATION.search(text)) or re.search(r"\baccording to\b", text, re.IGNORECASE) is not None or any(
        _verb(w) == "say" for w in _WORD.findall(_RELATIVE.sub(" ", text)) if not w[:1].isupper()
    )


def _doers(agency: Agency, text: str, strict: bool, topical: bool = False, article: str = "") -> tuple[bool, str | None]:
    """Whether the text has the question's agent doing its verb, and who else does (any name
    where `strict`, else only another of the question's names, or, where `topical`, anyone
    doing it about what the question asks). Inside a quotation only the agent counts: "The
    Kremlin reported: “Mr Putin stressed ...”" has Putin say it."""
    for quoted in _QUOTATION.findall(text):
        if _doers(agency, quoted.strip("“”\""), strict)[0]:
            return True, None
    by_agent, by_other = False, None
    for sentence in split_sentences(_QUOTATION.sub(" … ", text)):
        by_other = by_other or _done_to_agent(agency, sentence.text)
        # "Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told ...": past the apposition.
        plain = _without_appositions(sentence.text)
        spans = list(_WORD.finditer(plain))
        tokens = [m.group(0) for m in spans]
        for i, tok in enumerate(tokens):
            if tok[:1].isupper() or agency.verb not in _verb_forms(tok):
                continue
            before = plain[: spans[i].start()]
            if tok.endswith("ing") and _AFTER_OBJECT.search(before):
                continue  # "telegrams to Trump and Boris Johnson suggesting ...": the clause's subject suggests
            doer = _subject(tokens[:i]) if tok.endswith("ing") and before.rstrip().endswith(",") else _doer(tokens, i)
            if not doer:
                continue
            # "Morven said", where the article has both Saskia and Edith Morven: the one named last.
            doer = _full_name(doer, sentence.text, article) if len(doer) == 1 and article else doer
            if _same_doer(doer, agency.agent):
                by_agent = True
            elif strict or any(_same_doer(doer, o) for o in agency.others) or (topical and _on_topic(plain[spans[i].end() :], agency.topic)):
                # Anyone, where the sentence does not name the agent; where it does, another of
                # the question's names, or anyone doing it about what the question asks ("Trump
                # offered ... to help fight the virus" for "what did Putin offer to help fight it").
                by_other = by_other or " ".join(doer)
    return by_agent, by_other


def _full_name(run: list[str], sentence: str, article: str) -> list[str]:
    """A surname alone as the person the article last named in full with it before the
    sentence, where the article names two people of that surname ("Saskia Morven", "Edith
    Morven"); the run as it is otherwise."""
    surname = run[0]
    given = [m for m in re.finditer(rf"\b([{_UPPER}][\w’'-]+)\s+{re.escape(surname)}\b", article) if not _is_title(m.group(1)) and not NOT_NAMES.match(m.group(1))]
    if len({m.group(1) for m in given}) < 2:
        return run
    at = article.find(sentence[:60])
    before = [m for m in given if at < 0 or m.start() < at]
    return [before[-1].group(1), surname] if before else run


def _done_to_agent(agency: Agency, sentence: str) -> str | None:
    """Who does the question's verb to its agent, where the sentence has that and never the agent
    doing it: "he edged out Tobias Renn" for "did Renn beat Brandt"; "the qualifier who had
    knocked out the top seed, Mei Tanaka" for "did Tanaka knock out Brandt". Not for verbs of
    saying, which invert ("..., said Irena Vasko")."""
    if agency.verb == "say":
        return None
    sentence = _RELATIVE.sub(" ", sentence)  # "Brandt, who beat Renn last year, lost to Renn"
    spans = list(_WORD.finditer(sentence))
    tokens = [m.group(0) for m in spans]
    other = None
    for i, tok in enumerate(tokens):
        if tok[:1].isupper() or agency.verb not in _verb_forms(tok):
            continue
        if i and re.search(r"['’]s$", tokens[i - 1]) and i + 1 < len(tokens) and tokens[i + 1] in ("to", "by", "of"):
            # A noun: "Renn's defeat to Brandt" (Brandt does it to Renn), "Kessler's purchase of Marlow".
            owner = [re.sub(r"['’]s$", "", w) for w in _name_run(tokens[max(0, i - 3) : i])[-2:]]
            named = [w for w in _name_run(tokens[i + 2 : i + 7]) if not _is_title(w)]
            doer, done_to = (owner, named) if tokens[i + 1] == "of" else (named, owner)
            if doer and _same_doer(doer, agency.agent):
                return None
            if done_to and _same_doer(done_to, agency.agent):
                other = other or " ".join(doer) or "someone else"
            continue
        doer = _doer(tokens, i)
        if doer and _same_doer(doer, agency.agent):
            return None
        after = _DONE_TO.sub("", sentence[spans[i].end() :], count=1)
        done_to = [w for w in _name_run(_WORD.findall(after[:80])[:5]) if not _is_title(w)]
        if done_to and _same_doer(done_to, agency.agent):
            other = other or (" ".join(doer) if doer else next((o for o in agency.others if _in_text(o, sentence)), "someone else"))
    return other


def _done_to_other(agency: Agency, text: str) -> str | None:
    """Whom the cited sentences have the verb done to, where never to the question's name:
    "The authority fined its main contractor, Sunnmark Rail" for "Which company fined
    Brackwater Transit?"; "Sunnmark Rail was fined by the authority" too."""
    other = None
    for sentence in split_sentences(_QUOTATION.sub(" … ", text)):
        plain = _RELATIVE.sub(" ", sentence.text)
        spans = list(_WORD.finditer(plain))
        tokens = [m.group(0) for m in spans]
        for i, tok in enumerate(tokens):
            if tok[:1].isupper() or agency.verb not in _verb_forms(tok):
                continue
            if i and tokens[i - 1].lower() in _PASSIVE:
                j = i - 1
                while j > 0 and tokens[j - 1].lower() in _AUXILIARIES | _PASSIVE:
                    j -= 1
                k = j
                while k > 0 and tokens[k - 1][:1].isupper():
                    k -= 1
                done_to = [w for w in tokens[k:j] if not _is_title(w) and not NOT_NAMES.match(w)]
            else:
                after = _DONE_TO.sub("", plain[spans[i].end() :], count=1)
                after = re.sub(r"^\s*(?:its|their|his|her)\s+(?:[a-z]+\s+){0,2}?[a-z]+,\s*", " ", after)  # "its main contractor, Sunnmark Rail"
                done_to = [w for w in _name_run(_WORD.findall(after[:80])[:5]) if not _is_title(w)]
            if not done_to:
                continue
            if _same_doer(done_to, agency.agent):
                return None
            other = other or " ".join(done_to)
    return other


def _on_topic(rest: str, topic: frozenset[str]) -> bool:
    """Whether what follows a verb, to the end of its clause, shares a content word with the
    question: "won the runoff" is not about "what share"."""
    clause = re.split(r"[,;:]", rest, maxsplit=1)[0]
    return bool(topic & set(terms(clause)))


def _same_doer(run: list[str], name: str) -> bool:
    """A doer's words are the name: "Brightwater Foods Inc." is "Brightwater Foods", "Mr Putin"
    is "Vladimir Putin", but "Lars Verhoeven" is not "Anika Verhoeven"."""
    if "and" in run:  # "Dana Whitcombe and Frank Osei": either of them
        at = run.index("and")
        return _same_doer(run[:at], name) or _same_doer(run[at + 1 :], name)
    have = [_key(p) for w in run if not _is_title(w) for p in _HYPHEN_OR_SPACE.split(w)]
    want = [_key(w) for w in _HYPHEN_OR_SPACE.split(name) if not _is_title(w) and re.search(r"\w", w)]  # "Kettle & Vine"
    if not have or not want:
        return False
    if _same_name_word(have[-1], want[-1]):
        return len(have) < 2 or len(want) < 2 or _same_name_word(have[-2], want[-2])
    return set(want) <= set(have) or set(have) <= set(want)


def _name_run(tokens: list[str]) -> list[str]:
    """The capitalised words that open `tokens` ("the" skipped), titles included."""
    run: list[str] = []
    for w in tokens:
        if w.lower() == "the" and not run:
            continue
        if not w[:1].isupper() or (NOT_NAMES.match(w) and not _is_title(w) and not run):
            break
        run.append(w)
    return [w for w in run if _is_title(w) or not NOT_NAMES.match(w)]


def _subject(tokens: list[str]) -> list[str]:
    """The sentence's subject: the names just before its first verb in the past ("Brayford Town
    reached the final ..., beating Kessington" is Brayford's beating)."""
    for k, w in enumerate(tokens):
        if k and w.islower() and (w.endswith("ed") or w in IRREGULAR_PAST or _verb(w) == "say") and tokens[k - 1][:1].isupper():
            j = k
            while j > 0 and tokens[j - 1][:1].isupper():
                j -= 1
            return [x for x in tokens[j:k] if not NOT_NAMES.match(x) and not x.isupper() or len(x) <= 3 and x.isupper()]
    return []


def _doer(tokens: list[str], i: int) -> list[str]:
    """Who does the verb at tokens[i]: the name after "by" ("initiated by President Obama"),
    the name just after it where the clause inverts ("…, wrote Putin"), else the name just
    before it, with at most auxiliaries between ("Trump has issued", "Mr Putin stressed"; "a
    message sent to Russian diplomats proposed" names no doer)."""
    if i and re.search(r"['’]s$", tokens[i - 1]):
        return []  # "Renn's defeat to Brandt": a noun, whose doer this does not read
    if i + 1 < len(tokens) and tokens[i + 1] == "by":
        run = [w for w in _name_run(tokens[i + 2 : i + 8]) if not _is_title(w)]
        if run:
            return run
    if i and tokens[i - 1].lower() in _PASSIVE and (re.search(r"(?:ed|en)$", tokens[i]) or tokens[i].lower() in IRREGULAR_PAST):
        # "Brandt was defeated in straight sets by Renn": the doer follows "by"; none without it.
        by = next((j for j in range(i + 1, min(i + 9, len(tokens))) if tokens[j] == "by"), None)
        return [w for w in _name_run(tokens[by + 1 : by + 7]) if not _is_title(w)] if by is not None else []
    if i == 0 or tokens[i - 1] == "…":
        run = [w for w in _name_run(tokens[i + 1 : i + 6]) if not _is_title(w)]
        if run:
            return run
    j = i
    while j > 0 and (tokens[j - 1].lower() in _AUXILIARIES or tokens[j - 1].isdigit()):
        j -= 1  # "has issued"; "Nwosu, 41, wrote": past an age
    k = j
    while k > 0 and tokens[k - 1][:1].isupper() and tokens[k - 1].lower() not in STOPWORDS:
        k -= 1
        if k > 1 and tokens[k - 1] == "and" and tokens[k - 2][:1].isupper():
            k -= 1  # "Dana Whitcombe and Frank Osei voted": both do it
    run = [w for w in tokens[k:j] if w == "and" or not NOT_NAMES.match(_key(w).title())]
    return [w for w in run if not _is_title(w)] if any(not _is_title(w) for w in run) else []
