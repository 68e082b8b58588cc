"""What a question pins down (`parse`): the people, organisations, places, dates, years,
quarters, numbers and quoted phrases it names, the roles, places and senses it gives them, and
who does what to whom where it says so ("What did Trump offer Putin?" asks about Trump's offer,
not Putin's). `constraints.check` reads each of them in the evidence an answer cites.

Also the question's own words that tell what it is about (`topic_terms`), the outlets it names
(`sources_named`) and whether it asks about several reports at once (`has_several_parts`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from assistant.answer.agency import question_agencies, verb_of
from assistant.answer.constraint_records import Ask, Constraint
from assistant.answer.dates import DAY_MONTH, ISO_DATE, MONTH_DAY, MONTH_ONLY, MONTHS, QUARTER, QUARTER_NUMBER, WEEKDAY, dates_in, month_number, months_in
from assistant.answer.doers import without_appositions
from assistant.answer.names import question_names
from assistant.answer.quantity import FIGURATIVE, literal_size, measure_units, quantity, word_before
from assistant.answer.question import classify
from assistant.answer.roles import described_roles, former_roles, permanent_asked, role_of, roles_at, roles_become
from assistant.answer.stages import PASSED, compass, passed_side, past_asked, senses, stages_in, stances
from assistant.answer.support import measured, numbers
from assistant.answer.vocabulary import MODALS, WORD, YEAR, in_past, is_title, name_key, question_data, verb_term, vocabulary_data
from assistant.text import STOPWORDS, alternation, stem, terms

_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)", re.IGNORECASE)
# "... sell him to?", "To whom did ...": the way a question leaves blank.
_BLANK_WAY = re.compile(r"\b(to|from)\s*\?\s*$|^\s*(?i:(to|from))\s+(?:which|whom|what|where)\b")
# A quoted phrase: in double quotes only ('The Verge' in single quotes is a name or a title).
_QUOTED = re.compile(r"[\"“]([^\"”]{3,}?)[\"”](?!\w)")

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
    own = names = question_names(question)
    if carried:  # each part as a name in running text, not a sentence's opening word
        kept = [n for part in carried.group(1).split(",") for n in question_names(f"of {part.strip()}")]
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
    # (A name's pattern takes milliseconds to compile: only where a verb of going is at all.)
    for n in own if _moving_verb().search(question) else ():  # "move from Eastgate to Lakeview": which way, where a verb of going says it
        way = re.search(rf"\b({moving})\b(?:\s+(?!(?:{moving})\b)[\w’'-]+){{0,4}}?\s+(from|to|into)\s+(?:the\s+)?{re.escape(n)}(?!\w)", question, re.IGNORECASE)
        if way and _as_noun(question, way.start(1), way.end(1)):
            # "bought the Copley Road bus depot from ...": "bus" names the depot; the verb is before it.
            verb = re.search(rf"\b({moving})\b(?:\s+[\w’'-]+){{0,5}}?\s+(from|to|into)\s+(?:the\s+)?{re.escape(n)}(?!\w)", question, re.IGNORECASE)
            way = verb if verb and not _as_noun(question, verb.start(1), verb.end(1)) else way
        if way:
            to = "to" if way.group(2).lower() == "into" else way.group(2).lower()
            found.append(Constraint("direction", f"{way.group(2)} {n}", (n, to, verb_term(way.group(1)))))
    for point in dict.fromkeys(compass(question)):  # "35 km east of Pinecrest"
        found.append(Constraint("compass", point, (point,)))
    for n in own:  # "Mayor Okafor": the question says what this person is
        at = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", question)
        asked = (roles_at(question, at.start(), at.end()) or roles_become(question[at.end() :])) if at else {}
        if asked:
            found.append(Constraint("role", f"{' '.join(asked.values())} {n}", (n, *sorted(asked))))
    for word, role in described_roles(question):  # "Bellhaven's mayor", not a former one
        found.append(Constraint("current", word, (role,)))
        if _says_as(question, word):  # "According to the board's chair, ...": the chair speaking
            found.append(Constraint("speaker role", word, (role,)))
        elif _does_as(question, word):  # "did the deputy council leader keep his seat": the deputy doing it
            found.append(Constraint("doer role", word, (role,)))
        elif done := _done_by(question, word):  # "the order announced by the deputy chief vet": the deputy did it
            found.append(Constraint("doer role", word, (role, done)))
    for words, role in former_roles(question):  # "according to the trust's former chair": not its chair now
        head = words.split()[-1]
        if _says_as(question, head):
            found.append(Constraint("former speaker", words, (role,)))
    for word, role in permanent_asked(question):  # "the permanent chief financial officer", not the interim one
        found.append(Constraint("permanent", word, (role,)))
    for quoted in _QUOTED.findall(question):
        if len(terms(quoted)) >= 2:
            found.append(Constraint("quote", quoted.strip()))
    agencies = question_agencies(question, own)
    # What the question tells (its own words, not its names, nor those that ask when): a time
    # it gives is theirs ("vote ... in April"), not another time the evidence gives them.
    timed = told_words(question)
    dates = sorted(dates_in(question))
    for day, month in dates:
        if 1 <= day <= 31:
            found.append(Constraint("date", f"{day} {MONTHS[month - 1].title()}", timed))
    if not dates:
        for m in dict.fromkeys(month_number(m) for m in MONTH_ONLY.findall(question)):
            if m in months_in(question):  # "in May", not Theresa May
                found.append(Constraint("month", MONTHS[m - 1].title(), timed))
    for day in dict.fromkeys(WEEKDAY.findall(question)):  # "voted on Thursday"
        found.append(Constraint("weekday", day, timed))
    for q, word in QUARTER.findall(question):
        found.append(Constraint("quarter", f"Q{q or QUARTER_NUMBER[word.lower()]}"))
    years = {int(y) for y in YEAR.findall(question)}
    found += [Constraint("year", str(y), timed) for y in sorted(years)]
    stages = [s for s in stages_in(question) if not s.aside]
    for stage in stages:  # stages asked together are checked together ("first leg of the semi-final")
        found.append(Constraint("stage", stage.text, (str(stage.group), *(str(s.group) for s in stages))))
    for verb, side in stances(question):
        found.append(Constraint("stance", f"{verb} {side}", (stem(verb), side)))
    for word, one, other in senses(question):  # "keep his seat", not "lost his seat"
        found.append(Constraint("sense", word, (*sorted(one), "|", *sorted(other))))
    # "Which club did Ellerburn sell Zielinski to?": the blank is where he went, so Ellerburn is
    # where he came from ("to" where the doer takes: "Which club did Ellerburn buy him from?").
    blank = _BLANK_WAY.search(question)
    for a in agencies if blank else ():
        side = passed_side(a.verb)
        if side and not a.done_to and side != (blank.group(1) or blank.group(2)).lower():
            found.append(Constraint("direction", f"{side} {a.agent}", (a.agent, side, PASSED, a.verb)))
    if classify(question).kind in ("what", "who", "how_many") and (done := past_asked(question, verb_of(question, agencies))):
        found.append(Constraint("done", "done", tuple(sorted(done))))  # "Which company did Halden acquire?"
    named_runs = {n for c in found if c.kind == "name" for n in c.alternatives}
    for m in _WHOSE.finditer(question):  # "Margaret Oakenshaw's barrister": not Scanlon's
        words = [w for w in m.group(2).split() if w not in STOPWORDS]  # "legal costs be": costs
        if m.group(1) in named_runs and words:
            found.append(Constraint("whose", f"{m.group(1)}’s {words[0]}", (m.group(1), *words)))
    for place, beside in ordinals(question):  # "finish third": not "finished second"
        if beside:
            found.append(Constraint("ordinal", place, (place, *sorted(beside))))
    wanted, noun = quantity(question)
    literal = literal_size(question, noun) if wanted == "size" else None  # "how heavy is each sail?": its weight
    if wanted == "size" and (noun not in FIGURATIVE or literal):  # "What is the height of the viaduct?": not its length
        found.append(Constraint("dimension", literal or noun, (noun,)))
    uncounted = QUARTER.sub(" ", DAY_MONTH.sub(" ", MONTH_DAY.sub(" ", ISO_DATE.sub(" ", _TIME.sub(" ", question)))))
    # "a 15-milligram dose", "a two-hour call": a number and what it measures.
    uncounted = measured(uncounted, measure_units())
    # "an 18-storey tower" counts storeys; "2,000-plus", "G-20", "1990s" name no count.
    uncounted = re.sub(r"\b(\d[\d,.]*)-(?!plus\b)([a-z]{3,})\b", r"\1 \2", uncounted)
    uncounted = " ".join(t for t in uncounted.split() if not (any(ch.isdigit() for ch in t) and (re.search(r"-[A-Za-z]|[A-Za-z]-", t) or re.fullmatch(r"\d{4}s\W*", t))))
    for value, shown in numbers(uncounted).items():
        if value not in years and not _QUOTED.search(shown) and not _ORDINAL.fullmatch(shown):  # places are ordinals
            # The word it counts ("3 degrees", "410 jobs"), when there is one.
            unit = re.search(rf"{re.escape(shown)}\s+([a-z]{{3,}})(?:\s+([a-z]{{3,}}))?", uncounted)
            bound = word_before(uncounted, shown)  # "cuts that cost $210 million": what it is the number of
            # As the question writes it: "two-hour", not the "2 hour" read from it.
            written = re.search(rf"\b[\w,.]+[- ]{unit.group(1)}\b", question) if unit else None
            if not (written and numbers(measured(written.group(0), measure_units())).get(value)):
                written = None
            text = written.group(0) if written else shown
            # ... or the noun after it where the first word may be its adjective ("35,000 algal
            # cells" counts cells): either word counts it.
            counts = [stem(w) for w in (unit.groups() if unit else ()) if w and w not in STOPWORDS]
            counts = counts if unit and unit.group(1) not in STOPWORDS else []
            found.append(Constraint("number", text, (str(value), "|".join(counts), bound)))
    staged = {w for c in found if c.kind == "stage" for w in c.text.lower().split()}  # "the third round": a stage's place
    return Ask(tuple(c for c in found if not (c.kind == "ordinal" and c.text in staged)), agencies, question)


def told_words(question: str) -> tuple[str, ...]:
    """The terms of the question's own words after its question word: what it tells
    ("chapter", "vote" in "What charge did the chapter vote for in April?"), not its names
    ("Corvester"), the words of its times, nor those that ask when ("date", "year")."""
    words = [w for w in WORD.findall(_QUESTION_WORD.sub(" ", question)) if w[:1].islower() and w.lower() not in STOPWORDS]
    return tuple(sorted({verb_term(w) for w in words} - _not_topic() - {"say"}))


_QUESTION_WORD = re.compile(r"^.*?\b(?:what|which|who|whom|whose|when|where|why|how(?:\s+(?:many|much|long|far|old))?)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _not_topic() -> frozenset[str]:
    return frozenset(verb_term(w) for w in question_data()["not_topic"])


def _says_as(question: str, word: str) -> bool:
    """Whether the question has the one it describes by `word` say what it asks: "according
    to the board's chair", "what did the museum's director tell ..."."""
    w = re.escape(word)
    if re.search(rf"\baccording to\b[^,?]*\b{w}\b", question, re.IGNORECASE):
        return True
    after = re.search(rf"\b{w}\s+([a-z]+)", question)
    return after is not None and verb_term(after.group(1)) == "say"


def _does_as(question: str, word: str) -> bool:
    """Whether the one the question describes by `word` is who does what it asks: "did
    Hexmoor's deputy council leader keep his seat"."""
    does = re.search(rf"\b(?i:did|does|do|has|have|had|will|would|can|could)\s+(?:[\w’'-]+\s+){{0,4}}?{re.escape(word)}\s+([a-z]+)", question)
    return does is not None and does.group(1) not in STOPWORDS


_WHOSE = re.compile(r"\b([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*?)(?:['’]s|s['’])\s+((?:[a-z][\w-]+\s+)?[a-z][\w-]{2,})\b")


def _as_noun(text: str, start: int, end: int) -> bool:
    """Whether a verb of going's base form stands as a noun there: in a noun phrase that a
    determiner opens, before another noun ("the Copley Road bus depot", "a ship owner"); not
    after its subject ("did Stourwell Inns hire away", "did Halden buy shares")."""
    word = text[start:end].lower()
    if in_past(word) or word.endswith("ing"):
        return False
    before, after = text[:start].split(), text[end:].split()[:1]
    named = False
    while before and before[-1][:1].isupper():
        before.pop()  # back over the names in the phrase: "the Copley Road bus"
        named = True
    if named and len(before) >= 2 and before[-2].lower() in MODALS | {"is", "was", "were", "are"}:
        return False  # "did the Orme Group move staff": the name is the verb's subject
    follows = bool(after) and re.fullmatch(r"[a-z][a-z-]+", after[0]) is not None and after[0] not in STOPWORDS
    return follows and bool(before) and before[-1].lower() in ("the", "a", "an", "its", "their", "his", "her")


def ordinals(text: str) -> list[tuple[str, frozenset[str]]]:
    """The places from first to tenth a text gives ("finished third", "3rd"), each as a word
    with the terms of the words either side of it ("finish"); not a day's ("May 2nd"), a
    fraction's ("a fifth of"), a quarter's ("the second quarter") nor a compound's ("second-largest")."""
    found = []
    for m in _ORDINAL.finditer(text):
        before, following = text[: m.start()].split()[-1:], text[m.end() :].split()[:3]
        # ... past a "to" ("was second to finish": "finish"), and a noun's "to" too ("the second
        # yacht to finish": "yacht", "finish").
        after = following[1:2] if following[:1] == ["to"] else following[:1] + (following[2:3] if following[1:2] == ["to"] else [])
        if any(MONTH_ONLY.fullmatch(w.strip(",.")) for w in before + after) or after[:1] == ["of"]:
            continue
        if m.group(1).lower() in ("first", "1st") and after and in_past(after[0].strip(",.;:").lower()):
            continue  # "first signed", "first run in 1907": when, not a place
        beside = {verb_term(w.strip(",.;:?!").lower()) for w in before + after if w.strip(",.;:?!").lower() not in STOPWORDS}
        found.append((_ORDINALS.get(m.group(1).lower(), m.group(1).lower()), frozenset(beside)))
    return found


_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth", "6th": "sixth", "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth"}
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|(?:[2-9]|10)(?:nd|rd|th))\b(?![-‑]|\s+quarter\b)", re.IGNORECASE)


def _done_by(question: str, word: str) -> str | None:
    """The term of the verb the question says the one it describes by `word` did, in the
    passive: "announced" in "the order announced by the deputy chief veterinary officer"."""
    m = re.search(rf"\b([a-z]+)\s+by\s+(?:the\s+|an?\s+|[A-Z][\w’'-]*['’]s\s+)?{re.escape(word)}\b", question)
    return verb_term(m.group(1)) if m and in_past(m.group(1)) else None


@lru_cache(maxsize=1)
def _movement_verbs() -> str:
    """The verbs of going, as one regex alternation."""
    return alternation(vocabulary_data()["movement_verbs"])


@lru_cache(maxsize=1)
def _moving_verb() -> re.Pattern[str]:
    """A verb of going anywhere in a text, as `parse`'s pattern of a way opens (compiled once)."""
    return re.compile(rf"\b({_movement_verbs()})\b", re.IGNORECASE)


def topic_terms(ask: Ask) -> frozenset[str]:
    """What the question asks about, beyond who: its content terms that are none of its names
    nor a verb of saying ("stand", "still" in "According to Castell, why can the port not stand
    still?")."""
    named = {t for c in ask.constraints if c.kind == "name" for n in c.alternatives for t in terms(n)}
    # Not who says it: "According to union leader Gemma Castell," / ", the museum's director,".
    asked = without_appositions(re.sub(r"^\s*according to [^,?]*,", " ", ask.question, flags=re.IGNORECASE))
    asked = " ".join(w for w in asked.split() if not is_title(w.strip(".,;:?!")))  # "Dr", "Mayor": who, not what
    return frozenset(t for t in terms(asked) if t not in named and verb_term(t) != "say" and not role_of(t))  # "director": who, not what


# "while X reports ...", "compared with ...": a question whose parts each an article of its own
# may answer, so that its constraints are met by the answer as a whole; "both Obama's call and
# Trump's call" too ("between", or "both" alone, are not such marks: "the call between Obama
# and Putin" is one event).
_REPORT = re.compile(r"\b(?:articles?|reports?|stor(?:y|ies)|pieces?|coverage)\b", re.IGNORECASE)
_SECOND_QUESTION = re.compile(r"\b(?:and|or|but)\s+(?:did|does|do|has|have|is|was|were|are)\b|\bbefore or after\b", re.IGNORECASE)
_SEVERAL_PARTS = re.compile(r"\b(while|whereas|compared?|comparison|(?:in)?consisten(?:t|cy)|differ\w*|in contrast|unlike)\b", re.IGNORECASE)
_BOTH = re.compile(r"\bboth\s+(?:[^\s,?]+\s+){1,6}?and\b", re.IGNORECASE)


def sources_named(ask: Ask, outlets: set[str]) -> tuple[Ask, tuple[Constraint, ...]]:
    """The question without the names that are outlets (or wire services) of the articles at
    hand, and those names: "according to The Verge" asks which article, not what happened."""
    words = {name_key(w) for o in outlets for w in o.split()}
    named = tuple(c for c in ask.constraints if c.kind == "name" and any(all(name_key(p) in words for p in n.split()) for n in c.alternatives))
    return replace(ask, constraints=tuple(c for c in ask.constraints if c not in named)), named


def has_several_parts(question: str, sources: int) -> bool:
    """A comparison, a question about two reports or more ("between the report of 20 October
    and the subsequent report ...", "did X ..., and did Y ..."), or one naming two outlets or
    more: its answer may take each part from another article."""
    reports = len(_REPORT.findall(question))
    # A comparison word is one only of reports, or of two sayings ("X says ..., while Y says"):
    # "a stark difference from the summits Putin had held" compares no articles.
    sayings = sum(verb_term(w) == "say" for w in WORD.findall(question) if w.islower())
    compared = bool(_SEVERAL_PARTS.search(question)) and (reports > 0 or sources > 0 or sayings > 1)
    return sources > 1 or reports > 1 or compared or bool(_BOTH.search(question) or _SECOND_QUESTION.search(question))

