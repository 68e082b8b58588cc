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
country aliases, verbs of saying, roles ("Mayor", "coach", "runner-up", and the "deputy" below
one), verbs that take a side ("voted for" / "against"), verbs of passing ("sold", "signed"),
verbs of opposite sense ("kept" / "lost") and the names of a contest's stages (final,
semi-final, runoff), all in `data/names.toml`.

The parts it reads with live beside it, over the records in `constraint_records`: the
evidence a citation is read with (`evidence`), the vocabulary loaded once and word shapes
(`vocabulary`), dates (`dates`), numbers and what they count (`quantity`), names (`names`),
roles (`roles`), stages, sides, ways, senses and what is done or still to come (`stages`),
who does a verb in a sentence (`doers`) and who does what the question asks (`agency`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from assistant.answer.agency import published_by, question_agencies, reversed_agency, says, verb_of
from assistant.answer.constraint_records import Ask, Constraint, Coverage, Evidence
from assistant.answer.dates import BACKGROUND_TIME, COMPARISON, DAY_MONTH, ISO_DATE, MONTHS, MONTH_DAY, MONTH_ONLY, QUARTER, QUARTER_NUMBER, date_found, dates_in, month_number, months_in, own_dates, quarters_in, relative_year, verb_times
from assistant.answer.doers import by_agent, described_speaker, speaker, subject, without_appositions
from assistant.answer.names import in_text, name_found, question_names, referred_to, rival, short_form
from assistant.answer.quantity import FIGURATIVE, counted, measure_units, other_dimension, quantity, word_before
from assistant.answer.question import classify
from assistant.answer.roles import described_roles, only_past, only_standing_in, permanent_asked, phrase_roles, rivals, role_of, role_vocab, roles_at, roles_become, roles_given
from assistant.answer.stages import PASSED, compass, opposite_told, other_way, passed_side, past_asked, senses, stage_found, stages_in, stances, still_to_come
from assistant.answer.support import fold, measured, numbers
from assistant.answer.vocabulary import CAPS, question_data, HYPHEN_OR_SPACE, RELATIVE, UPPER, WORD, YEAR, in_past, is_title, main_clause, name_key, same_name_word, verb_term, vocabulary_data
from assistant.text import NOT_NAMES, STOPWORDS, alternation, stem, terms

_EVENT_YEAR = re.compile(r"\b(?i:in|during|on)\s+(?:(?:early|late|mid|the)[\s-]+)?(?:[A-Z][a-z]+\s+(?:\d{1,2},?\s+)?)?" + YEAR.pattern)
# "LONDON, Sept 30 (City Desk Wire) -", "BRACKWATER, Aug. 6 —": a report's dateline.
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,40},\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2}\b")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:s|['’]s)?\b")
_ON_WEEKDAY = re.compile(r"\b(?i:on)\s+(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)", re.IGNORECASE)
# "... sell him to?", "To whom did ...": the way a question leaves blank.
_BLANK_WAY = re.compile(r"\b(to|from)\s*\?\s*$|^\s*(?i:(to|from))\s+(?:which|whom|what|where)\b")
# A quoted phrase: in double quotes only ('The Verge' in single quotes is a name or a title).
_QUOTED = re.compile(r"[\"“]([^\"”]{3,}?)[\"”](?!\w)")


# The question ---------------------------------------------------------------------------------


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
    for word, role in permanent_asked(question):  # "the permanent chief financial officer", not the interim one
        found.append(Constraint("permanent", word, (role,)))
    for quoted in _QUOTED.findall(question):
        if len(terms(quoted)) >= 2:
            found.append(Constraint("quote", quoted.strip()))
    agencies = question_agencies(question, own)
    # What the question tells (its own words, not its names, nor those that ask when): a time
    # it gives is theirs ("vote ... in April"), not another time the evidence gives them.
    timed = _told_words(question)
    dates = sorted(dates_in(question))
    for day, month in dates:
        if 1 <= day <= 31:
            found.append(Constraint("date", f"{day} {MONTHS[month - 1].title()}"))
    if not dates:
        for m in dict.fromkeys(month_number(m) for m in MONTH_ONLY.findall(question)):
            if m in months_in(question):  # "in May", not Theresa May
                found.append(Constraint("month", MONTHS[m - 1].title(), timed))
    for day in dict.fromkeys(_WEEKDAY.findall(question)):  # "voted on Thursday"
        found.append(Constraint("weekday", day))
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
    if wanted == "size" and noun not in FIGURATIVE:  # "What is the height of the viaduct?": not its length
        found.append(Constraint("dimension", noun, (noun,)))
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


def _told_words(question: str) -> tuple[str, ...]:
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


def _same_owner(said: list[str], asked: list[str]) -> bool:
    """Whether a possessor in a sentence is the question's: the same first word ("Brantwell's",
    "Brantwell Data Ltd's" for Brantwell Data's), or one word standing for a person's surname
    ("Bell's" for Tom Bell's); "Alden Council's" is not Orme Council's."""
    return same_name_word(said[0], asked[0]) or (len(said) == 1 and same_name_word(said[0], asked[-1]))


def ordinals(text: str) -> list[tuple[str, frozenset[str]]]:
    """The places from first to tenth a text gives ("finished third", "3rd"), each as a word
    with the terms of the words either side of it ("finish"); not a day's ("May 2nd"), a
    fraction's ("a fifth of"), a quarter's ("the second quarter") nor a compound's ("second-largest")."""
    found = []
    for m in _ORDINAL.finditer(text):
        before, after = text[: m.start()].split()[-1:], text[m.end() :].split()[:1]
        if any(MONTH_ONLY.fullmatch(w.strip(",.")) for w in before + after) or after[:1] == ["of"]:
            continue
        beside = {verb_term(w.strip(",.;:?!").lower()) for w in before + after if w.strip(",.;:?!").lower() not in STOPWORDS}
        found.append((_ORDINALS.get(m.group(1).lower(), m.group(1).lower()), frozenset(beside)))
    return found


def _other_place(asked: str, beside: frozenset[str], sentence: str) -> str | None:
    """Another place the sentence gives beside the same word as the question's ("finished
    second" for "finish third"), where it does not give the asked one; None otherwise."""
    places = ordinals(sentence)
    if any(o == asked for o, _ in places):
        return None
    return next((o for o, near in places if near & beside), None)


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


def check(ask: Ask, ev: Evidence) -> Coverage:
    """Which of the question's constraints the evidence misses (none: it may answer)."""
    text = ev.text
    caps, words = _caps_and_words(text)
    missing: list[Constraint] = []
    for c in ask.constraints:
        if c.kind == "name":
            ok = any(name_found(n, words, caps, text) or referred_to(n, text, ev.article) or short_form(n, text, ev.article) for n in c.alternatives)
            if ok and ask.question and not any(in_text(n, ev.sentences) for n in c.alternatives):
                # Found only around the sentence, which names someone else in its place ("the
                # Obama administration" for "the Trump administration"): not this one's evidence.
                ok = not any(rival(n, ask, ev.sentences, text) for n in c.alternatives)
        elif c.kind == "year":
            # The publication year stands for a sentence that dates no event of its own to
            # another year ("promised in 2021"; "its first title since 1988" dates nothing).
            # "Last year" in a 2025 report is 2024, and not 2025.
            shift = relative_year(ev.sentences)
            dated = _EVENT_YEAR.search(RELATIVE.sub(" ", ev.sentences))
            ok = c.text in text or (
                ev.published is not None and str(ev.published.year + (shift or 0)) == c.text and (shift is not None or not dated)
            )
            # Found around a sentence that dates what it tells to another year ("was fined £3.2
            # million in 2021"), or tells news of its report's week ("LONDON, Sept 30 - ...",
            # "said on Tuesday") published two years or more after it: not this sentence's year.
            current = _WEEKDAY.search(ev.sentences) or _DATELINE.match(ev.sentences)
            stale = current is not None and ev.published is not None and abs(ev.published.year - int(c.text)) >= 2
            ok = ok and (c.text in ev.sentences or not (dated or stale))
            # ... nor a sentence that gives the verb asked another year ("set the record in 2019").
            told = verb_times(frozenset(c.alternatives), ev.sentences)[1] if c.alternatives else set()
            ok = ok and (not told or int(c.text) in told)
        elif c.kind == "date":
            # The sentence's own day, where it states one: "on Sunday, November 2" is no
            # November 1 event, whatever November 1 its context names.
            own = own_dates(BACKGROUND_TIME.sub(" ", COMPARISON.sub(" ", _DATELINE.sub(" ", ev.sentences))))
            day, month = c.text.split()
            ok = date_found(c.text, text, ev.published, ev.sentences) and (not own or (int(day), month_number(month)) in own)
        elif c.kind == "month":
            # The sentence's own month, where it names one (not a comparison's): "a cyber attack
            # in June had shut its plant" is no July closure, whatever July its context names.
            own_months = months_in(BACKGROUND_TIME.sub(" ", COMPARISON.sub(" ", RELATIVE.sub(" ", _DATELINE.sub(" ", ev.sentences)))))
            ok = month_number(c.text) in (own_months or months_in(text)) or (
                ev.published is not None and MONTHS[ev.published.month - 1].title() == c.text and not MONTH_ONLY.search(ev.sentences)
            )
            # ... nor one that gives the verb asked another month ("voted on January 20" for a vote in April).
            told = verb_times(frozenset(c.alternatives), ev.sentences)[0] if c.alternatives else set()
            ok = ok and (not told or month_number(c.text) in told)
        elif c.kind == "weekday":
            # Another day where the evidence names days at all: "voted on Tuesday" is no vote
            # on Thursday; evidence that names none cannot say.
            # The day its main clause puts it on first: "On Saturday evening, Ferraro won" is no
            # Sunday win, whatever Sunday its report's lede names ("..., a day after taking pole
            # on Saturday" dates nothing of its own).
            days = set(_ON_WEEKDAY.findall(main_clause(ev.sentences))) or set(_WEEKDAY.findall(text))
            ok = not days or c.text in days or c.text in _WEEKDAY.findall(ev.sentences)
        elif c.kind == "quarter":
            # Not the other figure of a comparison: "a net loss of $96 million, compared with a
            # profit of $41 million in the second quarter" is no second-quarter loss.
            # The sentence's own quarter, else its context's, else a comparison's ("fell to $3.0
            # billion from $3.4 billion in the third quarter" dates both figures).
            main = quarters_in(COMPARISON.sub(" ", ev.sentences))
            ok = int(c.text[1]) in (main or quarters_in(COMPARISON.sub(" ", f"{ev.source}\n{ev.context}")) or quarters_in(text))
        elif c.kind == "number":
            value, unit = float(c.alternatives[0]), c.alternatives[1]
            units, counts = measure_units(), [u for u in unit.split("|") if u]
            near, sentences, stated = (measured(t, units) for t in (ev.near, ev.sentences, ev.text))
            # In the evidence, and not contradicted by the cited sentence, or those it goes on
            # from, counting the same thing otherwise ("3 degrees" asked, "2.1 degrees" cited).
            counting = set().union(*(counted(f"{near}\n{sentences}").get(u, set()) for u in counts))
            # ... and counting that thing where the question says ("three years" is no "3 degrees").
            said = counted(stated)
            ok = value in set().union(said.get("", set()), *(said.get(u, set()) for u in counts)) if counts else value in numbers(stated)
            ok = ok and (not counting or value in counting)
            # ... and not the number of another thing the question asks about: "save $210 million
            # a year" is no "cuts that cost $210 million".
            bound = c.alternatives[2] if len(c.alternatives) > 2 else ""
            if ok and bound:
                shown = numbers(sentences).get(value)  # how the sentence writes it
                said_with = {word_before(sentences, shown)} - {""} if shown else set()
                ok = not said_with or bound in said_with or not (said_with & set(terms(ask.question)))
                # ... nor found only around a sentence that gives that word another number:
                # "ordered it to pay her £240,000" is no "ordered to pay £1.1 million".
                ok = ok and (shown is not None or all(word_before(sentences, other) != bound for other in numbers(sentences).values()))
                # ... nor given it by a sentence that says the word with another number of the
                # same thing, and this one with none: "sales rose 3.1 percent, ahead of the 2.5
                # percent growth forecast" is no rise of 2.5 percent.
                if ok and shown is not None and not said_with:
                    same = set().union(*(counted(sentences).get(u, set()) for u in counts)) if counts else None
                    ok = not any(v != value and word_before(sentences, other) == bound and (same is None or v in same) for v, other in numbers(sentences).items())
        elif c.kind == "role":
            asked = set(c.alternatives[1:])
            given = roles_given(c.alternatives[0], ev)
            ok = bool(given & asked) or not any(given & rivals(r) for r in asked)
        elif c.kind == "whose":
            # The thing asked with its owner ("Oakenshaw's barrister") is not another's: a
            # sentence that gives it only as another name's ("Scanlon's barrister") is not about it.
            owner, *nouns = c.alternatives
            things = "|".join(map(re.escape, nouns))
            owners = [w.group(1).split() for w in re.finditer(rf"\b((?:[{UPPER}][\w’'-]*\s+)*[{UPPER}][\w’'-]*?)(?:['’]s|(?<=s)['’])\s+(?:[a-z][\w-]*\s+)?(?:{things})s?\b", ev.sentences)]
            # Not a day's ("Friday's opening night"); the thing given as the owner's in other
            # words ("the barrister for Ada Orr", "Putin's call with Biden") is the owner's too.
            owners = [o for o in owners if not (MONTH_ONLY.fullmatch(o[-1]) or _WEEKDAY.fullmatch(o[-1]) or o[-1] in ("Today", "Yesterday", "Tomorrow"))]
            given = re.search(rf"\b(?:{things})s?\s+(?:for|of|with|against|between|to)\s+(?:the\s+)?(?:[\w’'-]+\s+){{0,3}}?{re.escape(owner.split()[-1])}\b", ev.sentences)
            ok = not owners or given is not None or any(_same_owner(o, owner.split()) for o in owners)
        elif c.kind == "ordinal":
            # Refuted only by another place the sentence gives beside the same word: a place
            # is said in too many ways ("runner-up", "re-elected", "Game 4") to ask for the word.
            ok = _other_place(c.text, frozenset(c.alternatives[1:]), ev.sentences) is None
        elif c.kind == "dimension":
            ok = not other_dimension(c.text, ev.sentences)
        elif c.kind == "current":
            ok = not only_past(c.alternatives[0], ev.sentences)
        elif c.kind == "permanent":
            ok = not only_standing_in(c.alternatives[0], ev.sentences)
        elif c.kind in ("speaker role", "doer role"):
            # The one saying the cited words (or the one they are about) holds the role the
            # question gives them, not a rival one ("its deputy chair, Colin Dunleavy" for
            # "according to the board's chair"; "The council's leader, Pat Ever, kept her seat"
            # for the deputy leader's seat).
            # (A sentence of no saying speaks of its subject: "Nathan Ellacott, the deputy chief
            # executive, gave the committee an account".)
            if len(c.alternatives) > 1:  # done in the passive: by whom the sentence says
                who, described = None, by_agent(ev.sentences, c.alternatives[1])
            else:
                who = (speaker(ev) or subject(ev)) if c.kind == "speaker role" else subject(ev)
                described = described_speaker(ev) if c.kind == "speaker role" and not who else None
            given = roles_given(who, replace(ev, context=f"{ev.context}\n{ev.article}")) if who else set()
            if described:  # "The deputy director of midwifery told ...": no name, a role
                given = phrase_roles(described)
            # ... a deputy of a rival role is a rival too: the deputy director is no chief executive.
            ok = c.alternatives[0] in given or not (given | {r.split()[-1] for r in given}) & rivals(c.alternatives[0])
        elif c.kind == "direction":
            name, way, verb, *asked = c.alternatives
            own = RELATIVE.sub(" ", ev.sentences)  # "the market, which moved from Eastgate in 1998,"
            # "to Ashdale", "from the Danish operator Kattegat"; not across another way ("to Lisbury Town from Pell")
            ways = {("to" if w.lower() == "into" else w.lower()) for w in re.findall(rf"\b(from|to|into)\s+(?:(?!(?:from|to|into)\b)[\w’'.-]+\s+){{0,3}}?{re.escape(name)}(?!\w)", own, re.IGNORECASE)}
            # ... and, where the name has no way at all, the asked verb's own way must not go to
            # another name ("bought by Gannet Line from Kattegat" is not "bought from Gannet
            # Line"; "Marlow hired Pike from Halden" not "hired from Marlow"), unless the sentence
            # has the name as a place the other may hold ("moved to Nevada ..., settling in Las Vegas").
            inside = re.search(rf"\b(?:in|at|near|within|inside|outside)\s+(?:the\s+)?(?:[\w’'.-]+\s+){{0,2}}?{re.escape(name)}(?!\w)", own)
            ok = way in ways if ways else bool(inside) or not other_way(own, verb, way, name, *asked)
        elif c.kind == "compass":
            points = compass(ev.sentences)
            ok = not points or c.text in points
        elif c.kind == "stage":
            ok = stage_found(int(c.alternatives[0]), {int(g) for g in c.alternatives}, ev)
        elif c.kind == "done":  # not "will be chosen by a public vote"
            to_come = still_to_come(frozenset(c.alternatives), ev.sentences)
            c, ok = Constraint("done", to_come or ""), to_come is None
        elif c.kind == "sense":
            at = c.alternatives.index("|")
            opposite = opposite_told(frozenset(c.alternatives[:at]), frozenset(c.alternatives[at + 1 :]), ev.sentences, *_about(ask.question))
            c, ok = Constraint("sense", f"{c.text}” (“{opposite}"), opposite is None
        elif c.kind == "stance":
            verb, side = c.alternatives
            sides = {s for v, s in stances(ev.sentences) if stem(v) == verb}
            ok = not sides or side in sides
        else:  # quote
            ok = fold(c.text) in fold(text) or _mostly(c.text, text)
        if not ok:
            missing.append(c)
    for agency in ask.agencies:
        if agency.spoken and not published_by(agency, ev) and not says(ev.sentences):
            # "What did Merrow say ...?" against "..., whose superintendent, Rosa Merrow, is
            # overseeing a trial", or a sentence of the article's own telling: no one says
            # anything there (where the outlet is the one asked, the whole article is its word).
            missing.append(Constraint("speaker", agency.agent))
            continue
        reversed_by = reversed_agency(agency, ev)
        if reversed_by and agency.spoken and any(o.spoken and o is not agency and in_text(o.agent, reversed_by) for o in ask.agencies):
            continue  # "According to the Kremlin, what did Putin say?": Putin speaking, the Kremlin reporting
        if reversed_by:
            return Coverage(tuple(missing), reversed_by, agency)
    return Coverage(tuple(missing))


@lru_cache(maxsize=256)
def _about(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a question is about, for choosing a contrast's clause: its terms, and those of its
    names (not of a month or weekday), which count again."""
    names = frozenset(t for w in question.split()[1:] if w[:1].isupper() and not (MONTH_ONLY.search(w) or _WEEKDAY.search(w)) for t in terms(w))
    return frozenset(terms(question)), names


def _caps_and_words(text: str) -> tuple[list[re.Match], set[str]]:
    """The runs of capitalised words of a text and their words as name keys, line by line (a
    run is on one line): the headline's and lede's lines, in every candidate's evidence, are
    read once."""
    lines = [_line_caps(line) for line in text.split("\n")]
    return [m for caps, _ in lines for m in caps], set().union(*(words for _, words in lines))


@lru_cache(maxsize=4096)
def _line_caps(line: str) -> tuple[tuple[re.Match, ...], frozenset[str]]:
    caps = tuple(CAPS.finditer(line))
    return caps, frozenset(name_key(w) for m in caps for w in HYPHEN_OR_SPACE.split(m.group(0)))


# "Who is the governor of ...?", "Who will be the first director of ...?": the role held.
_HELD_FOR = ("acting", "interim", "deputy", "vice", "assistant")
_HOLDER_Q = re.compile(
    r"^\s*(?:[^?]*,\s*)?(?i:who)\s+(?:is|was|are|were|will\s+be|would\s+be|has\s+been|had\s+been|became|becomes|will\s+become|remains)\s+"
    rf"(?:now\s+|currently\s+)?(?:(?:the|a|an)\s+|(?=(?:{'|'.join(_HELD_FOR)})\s))(?:[\w.-]+\s+){{0,3}}?([a-z][\w-]*)\s+(?:of|at|for|in|on|to)\b"
)


def holder_named(question: str, sentence: str) -> bool:
    """Whether the sentence can say who holds the role a "Who is the governor of ...?" question
    asks about: it gives that role (or one the same, "CEO" for "chief executive") and a name the
    question does not. "The central bank's governor said ..." names no one; a sentence naming
    another party's leader is not about the governor. True for questions that ask no role."""
    m = _HOLDER_Q.match(question)
    role = role_of(m.group(1)) if m else None
    if role is None:
        return True
    same = role_vocab()[1]
    # The role as a word of the sentence, plural or abbreviated ("governors", "Gov.").
    if not any(role in (role_of(w.lower()), role_of(w.lower().rstrip("s")), same.get(name_key(w))) for w in WORD.findall(sentence)):
        return False
    # ... with the word that makes it a stand-in's or a deputy's where the question has one:
    # "who became acting leader" is not met by "was removed as leader".
    held = re.search(rf"\b({'|'.join(_HELD_FOR)})\s+(?:[\w.-]+\s+){{0,2}}?{re.escape(m.group(1))}\b", m.group(0), re.IGNORECASE)
    if held:
        # A stand-in's word is any stand-in's ("caretaker manager", "will stand in as leader").
        standing = vocabulary_data()["roles"]["standing_in"] + ["stand in", "stands in", "standing in"]
        words = standing if held.group(1).lower() in standing else [held.group(1)]
        if not re.search(rf"\b(?:{'|'.join(map(re.escape, words))})\b", sentence, re.IGNORECASE):
            return False
    asked = {name_key(w) for n in question_names(question) for w in HYPHEN_OR_SPACE.split(n)}
    for run in CAPS.finditer(sentence):
        words = [w for w in run.group(0).split() if not is_title(w) and not NOT_NAMES.match(w)]
        if run.start() == 0 and len(run.group(0).split()) == 1:
            continue  # a sentence's opening word
        if any(name_key(w) not in asked for w in words):
            return True
    return False


def _mostly(phrase: str, text: str) -> bool:
    want = set(terms(phrase))
    return bool(want) and len(want & set(terms(text))) / len(want) >= 0.8
