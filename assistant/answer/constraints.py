"""Whether the evidence an answer cites has what a question pins down (`asked.parse`).

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
who does a verb in a sentence (`doers`), who does what the question asks (`agency`) and the
question's constraints themselves (`asked`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from assistant.answer.agency import published_by, reversed_agency, says
from assistant.answer.asked import ordinals
from assistant.answer.constraint_records import Ask, Constraint, Coverage, Evidence
from assistant.answer.dates import BACKGROUND_TIME, COMPARISON, dated_otherwise, MONTH_ONLY, MONTHS, ON_WEEKDAY, WEEKDAY, date_found, month_number, months_in, other_time, own_dates, quarters_in, relative_year
from assistant.answer.doers import by_agent, described_speaker, speaker, subject
from assistant.answer.names import in_text, name_found, question_names, referred_to, rival, short_form
from assistant.answer.quantity import HEDGE, counted, measure_units, other_dimension, other_rate, other_thing_priced, word_before
from assistant.answer.roles import held_by_another, only_past, only_standing_in, people, phrase_roles, rivals, role_of, role_vocab, roles_given
from assistant.answer.stages import compass, opposite_told, opposite_words, other_way, stage_found, stances, still_to_come
from assistant.answer.support import fold, measured, numbers
from assistant.answer.vocabulary import CAPS, HYPHEN_OR_SPACE, RELATIVE, UPPER, WORD, YEAR, in_past, is_title, main_clause, name_key, same_name_word, vocabulary_data
from assistant.text import NOT_NAMES, stem, terms

_EVENT_YEAR = re.compile(r"\b(?i:in|during|on)\s+(?:(?:early|late|mid|the)[\s-]+)?(?:[A-Z][a-z]+\s+(?:\d{1,2},?\s+)?)?" + YEAR.pattern)
# "LONDON, Sept 30 (City Desk Wire) -", "BRACKWATER, Aug. 6 —": a report's dateline.
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,40},\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2}\b")


def _same_owner(said: list[str], asked: list[str]) -> bool:
    """Whether a possessor in a sentence is the question's: the same first word ("Brantwell's",
    "Brantwell Data Ltd's" for Brantwell Data's), or one word standing for a person's surname
    ("Bell's" for Tom Bell's); "Alden Council's" is not Orme Council's."""
    return same_name_word(said[0], asked[0]) or (len(said) == 1 and same_name_word(said[0], asked[-1]))


def _other_place(asked: str, beside: frozenset[str], sentence: str) -> str | None:
    """Another place the sentence gives beside the same word as the question's ("finished
    second" for "finish third"), where it does not give the asked one; None otherwise."""
    places = ordinals(sentence)
    if any(o == asked for o, _ in places) or _ORDER_GOES_ON.search(sentence):
        return None  # (nor one that goes on with the order: "first to declare, followed by Kell")
    return next((o for o, near in places if near & beside), None)


_ORDER_GOES_ON = re.compile(r"\b(?:followed by|and then|ahead of|behind)\b", re.IGNORECASE)


def _after_of(shown: str) -> str:
    """A figure as written, after "of" ("a grant of about £1.2 million")."""
    return rf"\bof\s+{HEDGE}[$£€¥]?{re.escape(shown)}(?![\w.])"


def check(ask: Ask, ev: Evidence) -> Coverage:
    """Which of the question's constraints the evidence misses (none: it may answer)."""
    text = ev.text
    caps, words = _caps_and_words(text)
    missing: list[Constraint] = []
    for c in ask.constraints:
        if c.kind == "name":
            ok = any(name_found(n, words, caps, text) or referred_to(n, text, ev.article) or short_form(n, text, ev.article) for n in c.alternatives)
            if ok and ask.question and not any(in_text(n, ev.sentences, text) for n in c.alternatives):
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
            current = WEEKDAY.search(ev.sentences) or _DATELINE.match(ev.sentences)
            stale = current is not None and ev.published is not None and abs(ev.published.year - int(c.text)) >= 2
            ok = ok and (c.text in ev.sentences or not (dated or stale))
            # ... nor a sentence that gives the verb asked another year ("set the record in 2019").
            # (A comparison's year is the sentence's too: "built 310 in 2023, up from 240 in 2022".)
            ok = ok and not other_time(frozenset(c.alternatives), ev.sentences, year=int(c.text))
            # ... nor one that gives the thing the question dates another year: "Last year's
            # budget, for 2025," is no 2026 budget.
            ok = ok and not dated_otherwise(ask.question, c.text, ev.sentences)
        elif c.kind == "date":
            # The sentence's own day, where it states one: "on Sunday, November 2" is no
            # November 1 event, whatever November 1 its context names.
            own = own_dates(BACKGROUND_TIME.sub(" ", COMPARISON.sub(" ", _DATELINE.sub(" ", ev.sentences))))
            day, month = c.text.split()
            ok = date_found(c.text, text, ev.published, ev.sentences) and (not own or (int(day), month_number(month)) in own)
            # ... nor one that gives the verb asked another day ("suspended since January 13").
            ok = ok and not other_time(frozenset(c.alternatives), ev.sentences, day=(int(day), month_number(month)))
        elif c.kind == "month":
            # The sentence's own month, where it names one (not a comparison's): "a cyber attack
            # in June had shut its plant" is no July closure, whatever July its context names.
            own_months = months_in(BACKGROUND_TIME.sub(" ", COMPARISON.sub(" ", RELATIVE.sub(" ", _DATELINE.sub(" ", ev.sentences)))))
            ok = month_number(c.text) in (own_months or months_in(text)) or (
                ev.published is not None and MONTHS[ev.published.month - 1].title() == c.text and not MONTH_ONLY.search(ev.sentences)
            )
            # ... nor one that gives the verb asked another month ("voted on January 20" for a vote in April).
            ok = ok and not other_time(frozenset(c.alternatives), ev.sentences, month=month_number(c.text))
        elif c.kind == "weekday":
            # Another day where the evidence names days at all: "voted on Tuesday" is no vote
            # on Thursday; evidence that names none cannot say.
            # The day its main clause puts it on first: "On Saturday evening, Ferraro won" is no
            # Sunday win, whatever Sunday its report's lede names ("..., a day after taking pole
            # on Saturday" dates nothing of its own).
            days = set(ON_WEEKDAY.findall(main_clause(ev.sentences))) or set(WEEKDAY.findall(text))
            ok = not days or c.text in days or c.text in WEEKDAY.findall(ev.sentences)
            # ... nor one that gives the verb asked another day ("decided on Monday that music
            # must stop at 10pm on Friday" for when it must stop on Monday).
            ok = ok and not other_time(frozenset(c.alternatives), ev.sentences, weekday=c.text)
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
            # ... and a sum the question gives a thing ("the £11.5 million contract") is not the
            # price the sentence pays for another, naming no such thing: "bought the depot for
            # £11.5 million" is no contract. ("£16,400 charged" gives no thing.)
            sum_of = re.search(rf"[$£€¥]\s?{re.escape(c.text.split()[0])}\s+(?:(?:million|billion|m|bn)\s+)?([a-z]+)", ask.question)
            price = re.search(rf"\bfor\s+{HEDGE}[$£€¥]\s?{re.escape(c.text.split()[0])}(?![\d])", ev.sentences)
            if ok and counts and sum_of and price and not in_past(sum_of.group(1)) and not sum_of.group(1).endswith("ing"):
                ok = any(u in terms(ev.sentences) or u in counted(sentences) for u in counts) or not other_thing_priced(ev.sentences[: price.start()], ask.question)
            # ... and not the number of another thing the question asks about: "save $210 million
            # a year" is no "cuts that cost $210 million".
            bound = c.alternatives[2] if len(c.alternatives) > 2 else ""
            if ok and bound:
                shown = numbers(sentences).get(value)  # how the sentence writes it
                said_with = {word_before(sentences, shown)} - {""} if shown else set()
                asked_of = re.search(_after_of(c.text), ask.question)  # "a grant of £1.2 million"
                said_of = shown is not None and re.search(_after_of(shown), sentences)
                if said_with and asked_of and not said_of:
                    said_with = set()  # "receives £1.2 million" for "a grant of £1.2 million": no other noun's figure
                ok = not said_with or bound in said_with or not (said_with & set(terms(ask.question)))
                # ... nor, where both give it after "of", the opposite's: "a fall of 4 percent" is
                # no rise of 4 percent ("growth of 4 percent" is one).
                ok = ok and not (asked_of and said_of and any(opposite_words(w, bound) for w in said_with))
                # ... nor found only around a sentence that gives that word another number:
                # "ordered it to pay her £240,000" is no "ordered to pay £1.1 million".
                ok = ok and (shown is not None or all(word_before(sentences, other) != bound for other in numbers(sentences).values()))
                # ... nor given it by a sentence that says the word with another number of the
                # same thing, and this one with none: "sales rose 3.1 percent, ahead of the 2.5
                # percent growth forecast" is no rise of 2.5 percent.
                # (Only where the sentence gives it as a noun's, "the 2.5 percent growth": "rose
                # by 2.5 percent" and "a rise of 2.5 percent" are the word's; and only of a thing
                # the question counts, so a sum of money is not refuted by a percentage.)
                if ok and shown is not None and not said_with and counts and re.search(rf"\b(?:the|a|an|its|their|his|her)\s+{HEDGE}[$£€¥]?{re.escape(shown)}(?![\w.])", sentences):
                    same = set().union(*(counted(sentences).get(u, set()) for u in counts))
                    ok = not any(v != value and word_before(sentences, other) == bound and v in same for v, other in numbers(sentences).items())
            # ... nor, where the question gives it by a period ("£450,000 a year"), one the
            # sentence gives by none, or by another: "will cost about £450,000" once.
            ok = ok and not other_rate(ask.question, c.text, ev.sentences)
        elif c.kind == "role":
            asked = set(c.alternatives[1:])
            given = roles_given(c.alternatives[0], ev)
            ok = bool(given & asked) or not any(given & rivals(r) for r in asked)
            # ... nor evidence from an article that gives the role to someone else ("Canon Ann
            # Bell, who has been the cathedral's treasurer since 2019,") and never to them.
            if ok and not given & asked and held_by_another(c.alternatives[0], frozenset(asked), f"{ev.sentences}\n{ev.article}", frozenset(question_names(ask.question))):
                ok = bool(roles_given(c.alternatives[0], replace(ev, sentences=ev.article, context="")) & asked)
        elif c.kind == "whose":
            # The thing asked with its owner ("Oakenshaw's barrister") is not another's: a
            # sentence that gives it only as another name's ("Scanlon's barrister") is not about it.
            owner, *nouns = c.alternatives
            things = "|".join(map(re.escape, nouns))
            owners = [w.group(1).split() for w in re.finditer(rf"\b((?:[{UPPER}][\w’'-]*\s+)*[{UPPER}][\w’'-]*?)(?:['’]s|(?<=s)['’])\s+(?:[a-z][\w-]*\s+)?(?:{things})s?\b", ev.sentences)]
            # Not a day's ("Friday's opening night"); the thing given as the owner's in other
            # words ("the barrister for Ada Orr", "Putin's call with Biden") is the owner's too.
            owners = [o for o in owners if not (MONTH_ONLY.fullmatch(o[-1]) or WEEKDAY.fullmatch(o[-1]) or o[-1] in ("Today", "Yesterday", "Tomorrow"))]
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
                described = by_agent(ev.sentences, c.alternatives[1])
                given = phrase_roles(described) if described else set()
            else:
                given = _speaker_roles(ev) if c.kind == "speaker role" else _roles_of(subject(ev), ev)
            if c.kind == "speaker role" and not given and not says(ev.sentences):
                # Where no one speaks, the sentence's people ("under Detective Chief Inspector
                # Priya Vaswani" for the chief constable's word): a rival there is not them.
                given = {r for _, _, held in people(ev.sentences) for r in held}
            # ... a deputy of a rival role is a rival too: the deputy director is no chief executive.
            ok = c.alternatives[0] in given or not (given | {r.split()[-1] for r in given}) & rivals(c.alternatives[0])
        elif c.kind == "former speaker":
            # The one saying the cited words is given the role now, not as a past one: "said
            # Halberd's chair, Anthony Wickstead" is no former chair's word.
            ok = c.alternatives[0] not in _speaker_roles(ev)
        elif c.kind == "direction":
            name, way, verb, *asked = c.alternatives
            own = RELATIVE.sub(" ", ev.sentences)  # "the market, which moved from Eastgate in 1998,"
            # "to Ashdale", "from the Danish operator Kattegat", "to the ground station in Tarnby"
            # (where its "from" is not asked), "to a new plant in Hull"; not across another way
            # ("to Lisbury Town from Pell")
            ways = {("to" if w.lower() == "into" else w.lower()) for w in re.findall(rf"\b(from|to|into)\s+(?:(?!(?:from|to|into)\b)[\w’'.-]+\s+){{0,4}}?{re.escape(name)}(?!\w)", own, re.IGNORECASE)}
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


def _speaker_roles(ev: Evidence) -> set[str]:
    """The roles the evidence gives the one saying the cited words: the speaker it names (or,
    where none says them, its subject), else the one it describes ("The deputy director of
    midwifery told ...": no name, a role)."""
    if who := speaker(ev) or subject(ev):
        return _roles_of(who, ev)
    described = described_speaker(ev)
    return phrase_roles(described) if described else set()


def _roles_of(who: str | None, ev: Evidence) -> set[str]:
    """The roles the evidence, read with its whole article, gives a name (none for no one)."""
    return roles_given(who, replace(ev, context=f"{ev.context}\n{ev.article}")) if who else set()


@lru_cache(maxsize=256)
def _about(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a question is about, for choosing a contrast's clause: its terms, and those of its
    names (not of a month or weekday), which count again."""
    names = frozenset(t for w in question.split()[1:] if w[:1].isupper() and not (MONTH_ONLY.search(w) or WEEKDAY.search(w)) for t in terms(w))
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
