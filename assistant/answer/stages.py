"""A contest's stages (final, semi-final, runoff), the sides a verb takes ("voted for" /
"against"), the way it goes ("bought from"), whether it is done or still to come, and the
points of the compass, as a question asks them and a text gives them."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from assistant.answer.constraint_records import Evidence
from assistant.answer.vocabulary import HYPHEN_OR_SPACE, MODALS, RELATIVE, WORD, in_past, main_clause, name_key, verb_forms, verb_term, vocabulary_data
from assistant.text import SAME_PAST, STOPWORDS, is_name_word, terms


_COMPASS = re.compile(r"\b(north|south|east|west)(?:-?(east|west))?(?:wards?|erly|ern)?\b")


def compass(text: str) -> list[str]:
    """The points of the compass a text gives in lower case ("to the west", "north-east of",
    "eastern"; not "East Timor")."""
    return [a + b for a, b in _COMPASS.findall(text)]


class _Stage(NamedTuple):
    group: int  # which list of `[stages]` in data/names.toml
    text: str
    aside: bool  # "before the runoff": looked to, not where the sentence's facts are from
    reached: bool = False  # "reached the final by beating ...": the way there, a stage before it


@lru_cache(maxsize=1)
def _stage_patterns() -> tuple[tuple[re.Pattern[str], int, bool], ...]:
    """Each stage name as a pattern (hyphen or space between its words, a plural "s"), longest
    first so that "semi-final" is never read as "final"."""
    data = vocabulary_data()["stages"]
    names = [(name, group) for group, names in enumerate(data["groups"]) for name in names]
    return tuple(
        (re.compile(r"(?<![\w-])" + r"[\s-]?".join(map(re.escape, name.split())) + r"s?(?![\w-])", re.IGNORECASE), group, name in data["noun_only"])
        for name, group in sorted(names, key=lambda x: -len(x[0]))
    )


@lru_cache(maxsize=4096)
def stages_in(text: str) -> tuple[_Stage, ...]:
    """The contest stages a text names: "the 2019 final", "in the first round", "the runoff"."""
    aside = frozenset(vocabulary_data()["stages"]["aside"])
    reach = frozenset(vocabulary_data()["stages"]["reach"])
    followers = frozenset(vocabulary_data()["stages"]["noun_followers"])
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
            before = WORD.findall(text[max(0, m.start() - 80) : m.start()])[-6:]
            # A word that looks ahead or back, as a verb or a preposition: "will meet them in the
            # final", "before the runoff"; not a noun's modifier ("a meet record in the heats").
            looking = [
                w.lower() for k, w in enumerate(before)
                if w.lower() in aside and (k + 1 == len(before) or before[k + 1].lower() in STOPWORDS or before[k + 1][:1].isupper())
            ]
            found.append(_Stage(group, m.group(0), bool(looking), any(w in reach for w in looking)))
    return tuple(found)


def _reached_only(group: int, sentence: str) -> bool:
    """Whether the sentence's own clauses name the stage only as the one reached, with no verb
    in the past after it: "beat Pell to reach the final"; not "reached the final by beating
    Roe, and then beat Lutz", nor ", who advanced to the final, ..." (a relative clause)."""
    own = RELATIVE.sub(" ", sentence)
    for stage in stages_in(own):
        if stage.group == group and stage.reached:
            after = WORD.findall(own[own.find(stage.text) + len(stage.text) :])
            return not any(w[:1].islower() and in_past(w) for w in after)
    return False


def stage_found(group: int, asked: set[int], ev: Evidence) -> bool:
    """The asked stage is not contradicted by the cited sentence: a sentence that names another
    stage as the one its facts are from, and not the asked one, is about another stage
    ("Hallan, who won 12.4 percent in the first round" is no share of the runoff vote; a goal
    scored "in the quarter-final" is no goal in the final). Stages named together with the
    asked one ("won the first leg" of "the semi-final") do not. Only the sentence refutes: its
    context (the sentences before, the headline) often names the stage before or after, and
    refuting from there refused answerable questions on text the check was not written for; only
    the sentence just before, in the same paragraph, speaks for a sentence that names no stage."""
    # A past-perfect relative clause is background ("Lund, who had knocked out Ortiz in the semi-finals,").
    named = _stages_told(ev.sentences)
    if not named and _reached_only(group, ev.sentences):
        return False  # "Kettlebury reached the final by beating Dunstreath": a win before the final
    # A sentence that names no stage goes on with the one its paragraph's sentence before set:
    # "Both finalists had come through long semi-finals. Varga beat Marchetti 6-4, 7-5."
    # ... not one that looks ahead ("The semi-final draw takes place on Sunday").
    ahead = _STILL_TO_COME.search(ev.lead_in) or re.search(r"\b(?:draw|takes? place|will)\b", ev.lead_in, re.IGNORECASE)
    named = named or (set() if ahead else _stages_told(ev.lead_in))
    return group in named or not (named - asked)


def _stages_told(sentence: str) -> set[int]:
    """The stages a sentence tells its facts of (a past-perfect relative clause is background:
    "Lund, who had knocked out Ortiz in the semi-finals,")."""
    sentence = RELATIVE.sub(lambda m: " " if re.search(r"\bhad\b", m.group(0)) else m.group(0), sentence)
    return {s.group for s in stages_in(sentence) if not s.aside}


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
    return frozenset(vocabulary_data()["stance_verbs"])


def stances(text: str) -> list[tuple[str, str]]:
    """The sides a text takes ("voted against", "argued in favour of": "for")."""
    verbs = _stance_verbs()
    return [(v.lower(), "against" if side.lower() == "against" else "for") for v, side in _STANCE.findall(text) if v.lower() in verbs]


# Words that put a verb still to come: "will be chosen", "is expected to announce", "yet to sign".
_STILL_TO_COME = re.compile(
    r"\b(?:will|shall|would(?!\s+have\b)|(?:is|are|was|were)\s+(?:still\s+|yet\s+)?(?:due\s+|set\s+|expected\s+|scheduled\s+|likely\s+|about\s+)?to"
    r"|yet\s+to|plans?\s+to|planned\s+to|intends?\s+to)\s+(?:not\s+)?(?:be\s+|have\s+)?(?:[a-z]+ly\s+)?([a-z]+)\b",
    re.IGNORECASE,
)


# A question about what is planned asks of the future: "for the planned meeting".
_PLANNED = re.compile(r"\b(?:planned|proposed|upcoming|scheduled|expected|intended|still|yet)\b", re.IGNORECASE)


def past_asked(question: str, verb: str | None) -> frozenset[str]:
    """The term of the question's verb when it asks what was done ("Which company did Halden
    acquire?"): empty where it asks of the future itself ("What will ...", "say he would ...",
    "the planned merger") or names no verb of its own."""
    if verb is None or not re.search(r"\b(?:did|was|were|had|has|have)\b", question, re.IGNORECASE) or _STILL_TO_COME.search(question) or _PLANNED.search(question):
        return frozenset()
    return frozenset({verb})


def still_to_come(asked: frozenset[str], sentence: str) -> str | None:
    """The words that put one of the asked verbs still to come in the sentence ("will be
    chosen by a public vote"), where the sentence nowhere tells it done."""
    future = [m for m in _STILL_TO_COME.finditer(sentence) if verb_term(m.group(1)) in asked]
    if not future:
        return None
    verbs, starts = {verb_term(m.group(1)) for m in future}, {m.start(1) for m in future}
    done = any(verb_term(w.group(0)) in verbs and w.start() not in starts for w in WORD.finditer(sentence))
    return None if done else future[0].group(0)


#: The verb of a "direction" constraint that any verb of passing or going tells (`passing`).
PASSED = "passed"


def other_way(text: str, verb: str, way: str, name: str, asked_verb: str | None = None) -> bool:
    """Whether the text has the verb going `way` ("from", "to") a name that is not `name`,
    within a few words of it: "bought by Gannet Line from the Danish operator Kattegat".
    `PASSED` stands for any verb that passes a thing or goes ("signed him from Odra Leszno"),
    the question's own (`asked_verb`) where the text tells it ("joined Harwick from Lisbury in
    2019 and was sold to Pell": the sale's way)."""
    asked = {name_key(w) for w in HYPHEN_OR_SPACE.split(name)}
    slot = _way_slot(way)
    verbs = _passing_way(way) if verb == PASSED else {verb}
    if verb == PASSED and asked_verb and any(verb_term(w) == asked_verb for w in WORD.findall(text) if w[:1].islower()):
        verbs = {asked_verb} & _passing_way(way)  # "bought the rights to X" names no taker
    for said in WORD.finditer(text):
        m = not said.group(0)[:1].isupper() and verb_term(said.group(0)) in verbs and slot.match(text, said.end())
        if m and not re.search(r"\b(?:from|to|into)\b", m.group(1), re.IGNORECASE):
            found = _slot_name(m.group(2).split())
            return bool(found) and not any(name_key(w) in asked for w in found)
    return False


@lru_cache(maxsize=4)
def _way_slot(way: str) -> re.Pattern[str]:
    """Up to six words after a verb, then its way ("from", "to" or "into") and what follows."""
    return re.compile(rf"((?:\s+[\w’'-]+){{0,6}}?)\s+{'(?:to|into)' if way == 'to' else way}\s+([^,;:()]*)", re.IGNORECASE)


def _slot_name(words: list[str]) -> list[str]:
    """The name that a way's words open with, within five words, its titles too: "Kourou" in
    "Kourou in French Guiana", "Kattegat Øfart" in "the Danish operator Kattegat Øfart", "U.S.
    President Donald Trump"; not an adjective ("his American counterpart")."""
    for i, word in enumerate(words[:6]):
        following = words[i + 1] if i + 1 < len(words) else ""
        if is_name_word(word) and not (following.islower() and following not in STOPWORDS):
            run = [word]
            for w in words[i + 1 :]:
                if not w[:1].isupper() or run[-1].endswith((".", "!", "?")) and not re.fullmatch(r"(?:[A-Z]\.)+", run[-1]):
                    break
                run.append(w)
            return [w.strip(".,;:!?") for w in run]
    return []


def same_event(verb: str) -> frozenset[str]:
    """The verbs that tell the event a verb tells: for a verb of passing, every such verb
    ("sold" and "signed ... from" tell one transfer); for others, the verb alone."""
    give, take, _ = _passing()
    return give | take if verb in give | take else frozenset({verb})


def passed_side(verb: str) -> str | None:
    """Which side the subject of a verb of passing is: "from" for the giver ("sell", "loan"),
    "to" for the taker ("buy", "sign", "hire"); None for other verbs."""
    give, take, _ = _passing()
    return "from" if verb in give else "to" if verb in take else None


@lru_cache(maxsize=2)
def _passing_way(way: str) -> frozenset[str]:
    """The verbs of passing whose `way` says where a thing went: "sold ... to", "signed ... from",
    and the verbs of going either way ("bought the rights to X" names no taker)."""
    give, take, every = _passing()
    return every - (take if way == "to" else give)


@lru_cache(maxsize=1)
def _passing() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The terms of the verbs that give, that take, and of all that pass or go."""
    data = vocabulary_data()
    give, take = (frozenset(verb_term(w) for w in data[key]) for key in ("give_verbs", "take_verbs"))
    return give, take, give | take | {verb_term(w) for w in data["movement_verbs"]}


def senses(question: str) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """The question's own verb where it is one side of a pair of opposites ("keep" in "did the
    leader keep his seat"), as (word, its side's terms, the other side's
    terms). Not a noun ("the cuts", "the ban"), not a yes/no question ("Did Labour keep ...?":
    "no" is its answer), and none where the question names both sides."""
    if _YES_NO.match(question):
        return []
    word = _question_verb(question)
    if word is None:
        return []
    told = [w for w in WORD.findall(question) if w[:1].islower()]
    found = []
    for pair in _opposites():
        for one, other in (pair, pair[::-1]):
            if verb_forms(word) & one and not any(verb_forms(w) & other for w in told):
                found.append((word, one, other))
    return found


# "Did Labour keep ...?", "Was Reyes convicted?": answered yes or no.
_YES_NO = re.compile(r"^\s*(?:did|does|do|was|were|is|are|has|have|had|will|would|can|could)\b", re.IGNORECASE)
_WHO_VERB = re.compile(r"^\s*(?i:who|which\s+[a-z]+)\s+(?:(?:was|were|has\s+been|have\s+been|will|would)\s+)?([a-z]+)\b")
_AUXILIARY = re.compile(r"\b(?i:did|does|do|will|would|has|have|had|can|could|was|were|is|are)\s+(.*)")
# ("of" goes on with the subject: "did sales of Halberd's electric bikes fall".)
_ENDS_SUBJECT = frozenset("about for on in at to with from by".split())
_DETERMINERS = frozenset("the a an its their his her this that these those".split())


def _question_verb(question: str) -> str | None:
    """The question's verb where it is one of the opposites: the first such word after an
    auxiliary and its subject ("did the deputy leader keep"), before anything the subject says
    or a preposition ("What did the leader say about the cuts?" has none). Not a "Who won ...?"
    verb: its blank may be the other side's ("Labour lost Hexmoor to the Greens")."""
    every = frozenset().union(*(side for pair in _opposites() for side in pair))
    if _WHO_VERB.match(question):
        return None  # "Which party gained the seat?" is answered by "Labour lost it to the Greens"
    aux = _AUXILIARY.search(question)
    words = WORD.findall(aux.group(1))[:8] if aux else []
    for i, w in enumerate(words):
        if w.lower() in _ENDS_SUBJECT or verb_term(w) == "say":
            return None
        # (Not a noun after its determiner: "think of the fall".)
        if w[:1].islower() and verb_forms(w) & every and not (i and words[i - 1].lower() in _DETERMINERS):
            return w
    return None


def opposite_told(one: frozenset[str], other: frozenset[str], sentence: str, about: frozenset[str] = frozenset(), names: frozenset[str] = frozenset()) -> str | None:
    """The verb of the other side a sentence's main clause tells, in the past or after an
    auxiliary, where the sentence tells none of the asked side: "lost" in "Their deputy leader
    lost his seat by 14 votes" for "keep"; not "block" in "backed the block of flats", nor
    "fell" in "... lifted its rate, as inflation fell"."""
    # ... the asked side told of another, in a contrast ("Telvane's shares fell 4.6 percent,
    # while those of its rival rose 1.3 percent"), is not told of this one.
    # The clause of the contrast that tells most of what the question is about (`about`, its
    # terms) is the sentence's own: "Prices fell, while wages rose" tells a rise of wages.
    clauses = _CONTRAST.split(sentence, maxsplit=1)
    scores = [len(about & set(terms(c))) + len(names & set(terms(c))) for c in clauses]  # names count twice
    own = clauses[scores.index(max(scores))] if scores.count(max(scores)) == 1 else sentence  # a tie: the whole
    words = [w.rstrip(".") for w in WORD.findall(own) if w[:1].islower()]
    if any(verb_forms(w) & one for w in words):
        return None
    sentence = own
    tokens = WORD.findall(main_clause(sentence))
    for i, w in enumerate(tokens):
        past = in_past(w) or w in SAME_PAST
        after_auxiliary = i and tokens[i - 1].lower() in _MODALS
        if w[:1].islower() and verb_forms(w) & other and (past or after_auxiliary):
            return w
    return None


# ... or an "and" that opens a clause with its own subject ("sales were down 9 percent and their
# average price rose 2 percent").
_CONTRAST = re.compile(r",?\s+(?:while|whereas)\s+|,?\s+and\s+(?=(?:the|its|their|his|her)\s)")
_MODALS = MODALS | {"to"}


@lru_cache(maxsize=1)
def opposite_words(one: str, other: str) -> bool:
    """Whether two words are of opposite sense ("rise" and "fall", "increase" and "cut")."""
    a, b = verb_term(one), verb_term(other)
    return any((a in x and b in y) or (a in y and b in x) for x, y in _opposites())


def _opposites() -> list[tuple[frozenset[str], frozenset[str]]]:
    return [tuple(frozenset(verb_term(w) for w in side) for side in pair) for pair in vocabulary_data()["opposites"]]
