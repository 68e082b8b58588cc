"""What kind of answer a question asks for, and what in a sentence looks like that answer."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date

from assistant.text import STOPWORDS, words

_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
_DATE_LIKE = re.compile(
    rf"\b{_MONTH}\b|\b(19|20)\d{{2}}\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|"
    r"\b\d{1,2}(st|nd|rd|th)\b|\b(yesterday|today|last (week|month|year)|next (week|month|year)|this year|"
    r"in the past|since|years?|months?|weeks?|days?)\b",
)
# "two" and "both" are left out: "the two countries" is how news refers to a pair, not a count.
_CALENDAR_DATE = re.compile(
    rf"\b{_MONTH}\.? \d{{1,2}}\b|\b\d{{1,2}}(st|nd|rd|th)? {_MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
)
_NUMBER_LIKE = re.compile(
    r"\b\d[\d,.]*(st|nd|rd|th|%)?\b|\b(three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|dozens?|first|second|third|fourth|fifth|half|an hour|a day|a week|a month|a year)\b",
    re.IGNORECASE,
)
_PERSON_ROLES = (
    r"spokesman|spokeswoman|spokesperson|minister|scholar|analyst|expert|official|ambassador|diplomat|journalist|"
    r"reporter|adviser|advisor|aide|envoy|general|senator|lawmaker|secretary|correspondent|commentator"
)
# A question that names one of these wants a person's full name ("which minister ...?").
_PERSON_ROLE_Q = re.compile(
    r"\b(spokesman|spokeswoman|spokesperson|minister|scholar|analyst|official|ambassador|diplomat|name of|journalist|reporter)\b",
    re.IGNORECASE,
)
#: Words news uses for one kind of role, or for speaking: "the analyst quoted" is the scholar who
#: "told CBS News".
ROLE_FAMILIES = (
    frozenset("quoted interviewed commented remarked said says told tells spoke stated wrote added".split()),
    frozenset("analyst analysts expert experts scholar scholars researcher researchers fellow professor academic specialist observer commentator".split()),
    frozenset("spokesman spokeswoman spokesperson spokesmen spokeswomen spokespeople".split()),
    frozenset("diplomat diplomats ambassador ambassadors envoy envoys consul".split()),
    frozenset("journalist journalists reporter reporters correspondent correspondents editor columnist".split()),
    frozenset("official officials aide aides adviser advisers advisor advisors".split()),
)


def role_family(word: str) -> frozenset[str]:
    """The words that mean the same role or act as `word` ("analyst": scholar, expert, ...;
    "quoted": told, said, ...); empty if none."""
    return next((f for f in ROLE_FAMILIES if word.lower() in f), frozenset())
# Up to three words between "which" and the noun it asks with: "which American broadcaster",
# "which Kremlin spokesman". Never a stopword or a lower-case -ed/-ing word: "what happened at
# the summit" does not ask for a summit, nor "which leader did the summit host invite".
_STOP = "|".join(sorted(STOPWORDS, key=len, reverse=True))
_MODIFIERS = rf"(?:(?!(?:{_STOP})\b)(?!(?-i:[a-z])[\w’'-]*(?:ed|ing)\b)[\w’'-]+\s+){{0,3}}?"
_CAP = r"[A-Z][\w’'&-]*"  # one capitalised word; names are words joined by single spaces
_OUTLETS = (
    # Single words that are also common words ("Time", "Vice", "Fortune") are left out.
    r"Reuters|Associated Press|AP|AFP|Agence France-Presse|BBC|CNN|CBS|NBC|ABC|Fox News|MSNBC|NPR|PBS|RT|TASS|"
    r"RIA Novosti|RIA|Interfax|Sputnik|Bloomberg|Al Jazeera|Xinhua|Politico|Axios|Kommersant|Izvestia|Vedomosti|"
    r"The Guardian|Guardian|Financial Times|Deutsche Welle|Euronews|Meduza|Novaya Gazeta|Spiegel|Der Spiegel|Le Monde|"
    r"Newsweek|The Economist|Economist|The Atlantic|Sky News|Yonhap|Kyodo|Nikkei|Haaretz|ANI|PTI|IANS|UPI|Voice of America|"
    r"VOA|Radio Free Europe|RFE/RL|Channel One|Rossiya|NTV|Anadolu|TechCrunch|The Verge|Wired|Engadget|Forbes|"
    r"CNBC|ESPN|Vox|BuzzFeed|HuffPost|Mashable|Gizmodo|Ars Technica|ZDNet|Polygon|Kotaku|IGN|"
    r"Rolling Stone|TMZ|Time magazine|USA Today|The Hill|Daily Mail|The Sun|The Independent|"
    r"The Age|Al-Monitor|France 24|Kyiv Independent|Ukrainska Pravda|Lenta\.ru|Gazeta\.ru|RBC"
)


def _named(*heads: str, alone: str = "") -> re.Pattern:
    """Names of up to four capitalised words ending in one of `heads` ("Carnegie Moscow Center"),
    "Ministry of Defence"-style names, and names that stand alone ("Pentagon", "NATO")."""
    ends = "|".join(heads)
    parts = [rf"\b((?:{_CAP} ){{1,4}}(?:{ends}))\b", rf"\b((?:{ends}) (?:of|for) (?:the )?{_CAP}(?: {_CAP}){{0,2}})\b"]
    if alone:
        parts.append(rf"\b({alone})\b")
    return re.compile("|".join(parts))


_RESEARCH = ("Center", "Centre", "Institute", "Institution", "Foundation", "Endowment", "Council", "University",
             "College", "School", "Society")
_GOVERNMENT = ("Ministry", "Department", "Agency", "Office", "Service", "Committee", "Commission", "Administration")
_GOVERNMENT_ALONE = (r"Pentagon|Kremlin|White House|Downing Street|Foreign Office|State Department|Congress|Senate|"
                     r"Duma|FBI|CIA|NSA|KGB|FSB|GRU|SVR|MI5|MI6|Mossad|Elysee|Élysée")
_ALLIANCE = ("Alliance", "Union", "Organization", "Organisation", "Bloc", "Pact")
_ALLIANCE_ALONE = r"NATO|EU|UN|OPEC|IMF|WHO|OSCE|G7|G8|G20|BRICS|CSTO"
_COMPANY = ("Company", "Corporation", "Corp", "Inc", "Group", "Bank", "Airlines", "Holdings")

@dataclass(frozen=True)
class EntityKind:
    """A kind of named thing a "which ..." question asks for."""

    nouns: str  # the nouns the question asks with (a regex): "think tanks?|institutes?"
    names: re.Pattern  # the names that fill the blank: "the Carnegie Moscow Center"
    # Strict: names of this kind are told by their form or a closed list, so a sentence without
    # one does not answer. Otherwise ("which company": "Gazprom") any new name may.
    strict: bool = False


#: What a "which ..." question asks for, by the noun it asks with.
ENTITIES: dict[str, EntityKind] = {
    "outlet": EntityKind(
        r"broadcasters?|(?:tv |television |radio |news )?networks?|(?:tv |television )?channels?|newspapers?|"
        r"news ?papers?|(?:news |media )?outlets?|news agenc(?:y|ies)|wire services?|publications?|magazines?|tv stations?",
        # a known wire or network ("CBS News"), or a name ending "Times", "Post", "News", ...
        re.compile(
            rf"\b((?:{_OUTLETS})(?: (?:News|TV|Television|Radio))?)\b|"
            rf"\b((?:The )?(?:{_CAP} ){{1,3}}(?:News|Times|Post|Journal|Herald|Tribune|Gazette|Telegraph|Radio|"
            r"Television|TV|Broadcasting|Network|Press|Gazeta|Pravda))\b"
        ),
        strict=True,
    ),
    "research": EntityKind(
        r"think[- ]tanks?|institutes?|research (?:center|centre|group|body)s?|universit(?:y|ies)|foundations?",
        _named(*_RESEARCH),
        strict=True,
    ),
    "government": EntityKind(
        r"ministr(?:y|ies)|departments?|(?:government |state |federal |intelligence |spy )?agenc(?:y|ies)|headquarters|"
        r"government bod(?:y|ies)|bod(?:y|ies)",
        _named(*_GOVERNMENT, alone=_GOVERNMENT_ALONE),
    ),
    "armed_group": EntityKind(
        r"(?:jihadist|militant|terrorist|rebel|extremist|armed|insurgent|islamist|paramilitary) "
        r"(?:groups?|organi[sz]ations?|movements?|factions?)|militias?",
        _named("Front", "Brigade", "Brigades", "Movement", "Militia", "Army",
               alone=r"Islamic State|ISIS|ISIL|IS|Daesh|Al-Nusra|al-Nusra|Nusra Front|Jabhat al-Nusra|al-Qaeda|Al-Qaeda|"
               r"al-Qaida|Taliban|Hezbollah|Hamas|Boko Haram|al-Shabaab|Wagner|Hayat Tahrir al-Sham|HTS"),
    ),
    "alliance": EntityKind(
        r"alliances?|blocs?|international (?:organi[sz]ations?|bod(?:y|ies))", _named(*_ALLIANCE, alone=_ALLIANCE_ALONE), strict=True
    ),
    "company": EntityKind(r"companies|company|firms?|corporations?|banks?", _named(*_COMPANY)),
    "organization": EntityKind(
        r"organi[sz]ations?|institutions?",
        _named(*_RESEARCH, *_GOVERNMENT, *_ALLIANCE, *_COMPANY, alone=f"{_GOVERNMENT_ALONE}|{_ALLIANCE_ALONE}"),
    ),
    # "the Nuclear Security Summit", "the Munich Security Conference".
    "event": EntityKind(
        r"gatherings?|summits?|conferences?|forums?|conventions?|congress(?:es)?|assembl(?:y|ies)|"
        r"festivals?|games|ceremon(?:y|ies)",
        _named("Summit", "Conference", "Forum", "Congress", "Convention", "Assembly", "Games", "Olympics",
               "Festival", "Ceremony", "Parade", "Talks", "Meeting", "Dialogue", "Cup", "Bowl", "Prix", "Open",
               "Championships?", "Series", "Awards", "Expo", "Week", "Marathon", "Tournament", "Election", "Fair",
               alone=r"Olympics|Paralympics|Davos|Eurovision|Oscars|Grammys|Emmys|Wimbledon|Brexit|"
               # "the Geneva summit": a place's meeting, its kind in lower case
               rf"(?:{_CAP} ){{1,3}}(?:summit|conference|talks|meeting|forum|gathering)"),
        strict=True,
    ),
}
#: The kinds an "organization" is made of: none of them is another kind than it.
_PARTS = {"organization": {"research", "government", "alliance", "company"}}
_NOT_NAMES = re.compile(
    r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|The|A|An|In|On|At|But|And|For|However|Also|Both|President|Presidents)$"
)
_PLACE_LIKE = re.compile(r"\b(in|at|from|to|near|inside|outside)\s+(the\s+)?[A-Z][a-z]+")
_REASON_LIKE = re.compile(
    r"\b(because|due to|as a result|in order to|so that|since|after|amid|over|to (solve|counter|ensure|help|improve|combat|fight|restore|establish|rebuild|foster|move|mend|finish)|urging|aims?|hopes?|wants?|for the benefit)\b",
    re.IGNORECASE,
)
_PERSON_LIKE = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b|\b(President|Minister|Prime|scholar|spokesman|official|leader)\b")
_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
_SAY_Q = re.compile(
    r"\b(what did|what does|what has|how did)\b.*\b(say|said|write|wrote|tell|told|stress|stressed|report|reported|state|stated|describe|call|urge|claim|add|note)\b|\bquote\b|\bin (his|her|their) (words|message)\b",
    re.IGNORECASE,
)
#: A year a question or sentence names: 1950-2099.
_YEAR = r"(19[5-9]\d|20\d\d)"
YEAR = re.compile(rf"\b{_YEAR}\b")
_RECENT_Q = re.compile(
    r"\b(latest|most recent(ly)?|newest|recently|lately|current(ly)?|right now|these days|nowadays|as of now)\b", re.IGNORECASE
)
_MULTI_Q = re.compile(r"\b(both|each|all|which (\w+ )?(presidents|leaders|countries|outlets|articles)|compare|differ|in common|across)\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionKind:
    kind: str  # who, when, where, how_many, why, quote, what
    multi: bool
    subject_terms: tuple[str, ...]
    speaker: str | None
    years: tuple[int, ...] = ()
    recent: bool = False  # "latest", "most recent", "now": the newest evidence is wanted
    entity: str | None = None  # "which think tank": the kind of named thing asked for (ENTITIES)


def classify(question: str) -> QuestionKind:
    q = question.strip()
    low = q.lower()
    multi = bool(_MULTI_Q.search(q))
    speaker = None
    asked = asked_entity(q)
    entity = asked[0] if asked else None
    if _SAY_Q.search(q):
        kind = "quote"
        m = re.search(r"\b(?:did|does|has)\s+(?:the\s+)?([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)", q)
        if m:
            speaker = m.group(1)
    elif re.match(r"^(when|what (day|date|year|month|time)|on what (day|date)|in what year|how long ago)\b", low) or re.search(r"\b(what|which) (day|date|year|month)\b", low):
        kind = "when"
    elif re.match(r"^(how many|how much|what (number|percentage|share|amount)|how long)\b", low) or re.search(r"\bhow many\b|\bwhich anniversary\b", low):
        kind = "how_many"
    elif re.match(r"^(where|in what (city|country|place)|in which (city|country|place))\b", low) or re.search(r"\bwhich (city|country|place|border)\b", low):
        kind = "where"
    elif re.match(r"^(why|for what reason|what (was|is) the (reason|purpose|aim|goal))\b", low) or re.search(r"\b(why|reason|purpose|aim|goal)\b", low):
        kind = "why"
    elif (
        re.match(r"^(who|whom|whose)\b", low)
        or re.search(r"\bname of\b", low)
        or re.search(rf"\b(which|what) {_MODIFIERS}(person|president|leader|{_PERSON_ROLES})\b", q, re.IGNORECASE)
        or (entity and entity != "event")
    ):
        kind = "who"
    else:
        kind = "what"
    subject = tuple(w for w in words(q) if w not in STOPWORDS and len(w) > 2)
    years = tuple(int(y) for y in YEAR.findall(q))
    return QuestionKind(kind, multi, subject, speaker, years, bool(_RECENT_Q.search(q)) and not years, entity)


def asked_entity(question: str) -> tuple[str, str] | None:
    """The kind of named thing a "which ..." question asks for, and the noun it asks with:
    ("outlet", "broadcaster") for "Which American broadcaster interviewed ...?"."""
    for kind, entity in ENTITIES.items():
        m = re.search(rf"\b(?:which|what)\s+{_MODIFIERS}({entity.nouns})\b", question, re.IGNORECASE)
        if m:
            return kind, m.group(1)
    return None


def names_entity(kind: str, question: str, sentence: str) -> str | None:
    """The first name in the sentence of the kind asked for ("Carnegie Moscow Center" for a think
    tank, "CBS News" for a broadcaster) that the question does not itself name; else None."""
    q = question.lower()
    q_words = set(re.findall(r"[\w’'-]+", q))
    for m in ENTITIES[kind].names.finditer(sentence):
        name = next(g for g in m.groups() if g)
        name = " ".join(itertools.dropwhile(_NOT_NAMES.match, name.split()))  # "A Brookings ...", "The Post"
        capitalised = [w.lower() for w in name.split() if w[:1].isupper()]
        # "The summit" names nothing; "the Geneva summit" is the question's own when it says "Geneva".
        if capitalised and name.lower() not in q and not set(capitalised) <= q_words:
            return name
    return None


_FROM_YEAR = re.compile(rf"\b(since|after|from)\s+(?:the\s+|early\s+|late\s+|mid-?)?(?:\w+\s+)?{_YEAR}\b", re.IGNORECASE)
_TO_YEAR = re.compile(rf"\b(until|till|through|up to|before|by)\s+(?:the\s+|early\s+|late\s+|mid-?)?(?:\w+\s+)?{_YEAR}\b", re.IGNORECASE)


def year_bounds(question: str) -> tuple[date | None, date | None]:
    """The publication dates a question's years ask for: "in 2016" is all of 2016, "since the
    2016 referendum" from 2016 on, "before 2020" up to the end of 2019. (None, None): no year."""
    years = [int(y) for y in YEAR.findall(question)]
    if not years:
        return None, None
    low, high = _FROM_YEAR.search(question), _TO_YEAR.search(question)
    if not low and not high:
        return date(min(years), 1, 1), date(max(years), 12, 31)
    since = date(int(low.group(2)) + (low.group(1).lower() == "after"), 1, 1) if low else None
    until = date(int(high.group(2)) - (high.group(1).lower() == "before"), 12, 31) if high else None
    return since, until


def type_match(kind: str, sentence: str) -> float:
    """How much the sentence holds the kind of thing asked for (0..1)."""
    if kind == "when":
        return 1.0 if _DATE_LIKE.search(sentence) else 0.0
    if kind == "how_many":
        # Years and calendar dates are not counts: "in 2000", "on May 9".
        undated = re.sub(rf"\b(19|20)\d{{2}}\b|\b{_MONTH}\.? \d{{1,2}}\b|\b\d{{1,2}}(st|nd|rd|th)? {_MONTH}\b", " ", sentence)
        return 1.0 if _NUMBER_LIKE.search(undated) else 0.0
    if kind == "where":
        return 1.0 if _PLACE_LIKE.search(sentence) else 0.0
    if kind == "why":
        return 1.0 if _REASON_LIKE.search(sentence) else 0.0
    if kind == "who":
        return 1.0 if _PERSON_LIKE.search(sentence) else 0.0
    if kind == "quote":
        return 1.0 if _QUOTE.search(sentence) or sentence.lstrip().startswith(("“", '"')) else 0.0
    return 0.0


def holds_answer(kind: QuestionKind, question: str, sentence: str) -> bool:
    """Whether the sentence holds something of the kind asked for that the question lacks.

    Used for refusals: "which spokesman ...?" is not answered by a sentence whose only names
    are the question's own, nor "how many ...?" by one with no number in it.
    """
    if kind.entity:
        if names_entity(kind.entity, question, sentence) is not None:
            return True
        if ENTITIES[kind.entity].strict:
            return False
        # "Which company ...?" may be answered by a name of no known form ("Gazprom"), but not by
        # a name known to be of another kind: "the White House" is no company.
        for other in set(ENTITIES) - {kind.entity, "organization"} - _PARTS.get(kind.entity, set()):
            sentence = ENTITIES[other].names.sub(" ", sentence)
        kind = replace(kind, kind="who", entity=None)
    asked = re.search(rf"\b(?:which|what)\s+{_MODIFIERS}({_PERSON_ROLES})\b", question, re.IGNORECASE)
    roles = role_family(asked.group(1)) if asked and kind.kind == "who" else frozenset()
    if roles and not roles & {w.lower() for w in re.findall(r"[\w’'-]+", sentence)}:
        return False  # "which spokesman": someone the sentence calls a spokesman (or spokeswoman)
    if kind.kind == "who" and (roles or _PERSON_ROLE_Q.search(question)):
        q_words = {w.lower().strip(".,’'") for w in re.findall(r"[\w.'’-]+", question)}
        q_words |= {part for w in q_words for part in w.split("-")}  # "Biden-Putin" names both
        for m in re.finditer(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)\b", sentence):
            parts = [p for p in m.group(1).split() if not _NOT_NAMES.match(p)]
            if len(parts) >= 2 and not any(p.lower() in q_words for p in parts):
                return True
        return False
    if kind.kind == "who":
        q_words = {w.lower().strip(".,") for w in re.findall(r"[\w.'’-]+", question)}
        for m in re.finditer(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*", sentence):
            parts = [p for p in m.group(0).split() if not _NOT_NAMES.match(p)]
            if parts and not any(p.lower().strip(".,’'s") in q_words or p.lower().strip(".,") in q_words for p in parts):
                return True
        return False
    if kind.kind == "when" and re.search(r"\bwhat date\b|\bwhich date\b|\bon what date\b", question, re.IGNORECASE):
        # A date, not just a weekday or "soon".
        return bool(_CALENDAR_DATE.search(sentence))
    if kind.kind in ("when", "how_many", "where"):
        return type_match(kind.kind, sentence) > 0
    return True


def quoted_spans(sentence: str) -> list[str]:
    """The words inside quotation marks, verbatim."""
    return [m.group(1).strip() for m in _QUOTE.finditer(sentence)]
