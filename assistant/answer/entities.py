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
from dataclasses import dataclass

from assistant.text import IRREGULAR_PAST, STOPWORDS

#: Capitalised words that are not names: weekdays, months, sentence openers, pronouns, titles.
NOT_NAMES = re.compile(
    r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|The|A|An|In|On|At|But|And|For|However|Also|Both|President|Presidents|"
    r"This|That|These|Those|Such|Its|Their|His|Her|Our|Last|Next|They|He|She|It|We|I)$"
)


def is_name_word(word: str) -> bool:
    """A capitalised word that may be part of a name: not "The", "Thursday's" or "March."."""
    return word[:1].isupper() and not NOT_NAMES.match(re.sub(r"['’]s$", "", word.strip(".,;:!?")))


# What follows the noun a question asks with, when it is the head of its phrase: punctuation,
# a function word or a verb ("which think tank employs", "which summit did"), not another
# noun ("what official statement", "what summit outcomes" ask for no name or role).
_HEAD_END = (
    r"(?=\s*(?:[?.,;:!]|$)|\s+(?:in|at|on|of|from|to|for|with|by|about|over|against|during|after|before|that|which|who|"
    r"whose|whom|did|does|do|was|were|is|are|has|have|had|will|would|can|could|should|may|might|must|not|also|first|"
    rf"later|then|now|still|recently|reportedly|said|told|{'|'.join(IRREGULAR_PAST)})\b|\s+(?-i:[a-z]+(?:ed|s))\b)"
)
# Up to three words between "which" and that noun: "which American broadcaster", "which
# Kremlin spokesman". Never a stopword or a lower-case -ed/-ing word: "what happened at the
# summit" does not ask for a summit, nor "which leader did the summit host invite".
_STOP = "|".join(re.escape(w) for w in sorted(STOPWORDS, key=len, reverse=True))
_MODIFIERS = rf"(?:(?!(?:{_STOP})\b)(?!(?-i:[a-z])[\w’'-]*(?:ed|ing)\b)[\w’'-]+\s+){{0,3}}?"


def _asked(nouns: str, question: str) -> str | None:
    """The noun (of the regex `nouns`) that a "which ..." / "what ..." question asks with."""
    m = re.search(rf"\b(?:which|what)\s+{_MODIFIERS}({nouns})\b{_HEAD_END}", question, re.IGNORECASE)
    return m.group(1) if m else None


# Roles --------------------------------------------------------------------------------------

_SPOKES = r"spokes(?:man|woman|person|men|women|people)|press secretar(?:y|ies)"
_EXPERTS = (r"analysts?|experts?|scholars?|researchers?|fellows?|professors?|academics?|specialists?|commentators?|"
            r"directors?|economists?|historians?|(?:political )?scientists?")
_DIPLOMATS = r"diplomats?|ambassadors?|envoys?|consuls?|secretary of state|(?:foreign )?ministers?"
_JOURNALISTS = r"journalists?|reporters?|correspondents?|editors?|columnists?"
_AIDES = rf"aides?|advis[eo]rs?|assistants?|officials?|{_SPOKES}|chiefs? of staff"
# An official is anyone holding an office below the head of state or government.
_OFFICIALS = (rf"officials?|aides?|advis[eo]rs?|ministers?|secretar(?:y|ies)|{_SPOKES}|{_DIPLOMATS}|directors?|chiefs?|"
              r"heads?|officers?|deput(?:y|ies)|governors?|mayors?|commissioners?")
_LAWMAKERS = r"lawmakers?|senators?|congress(?:wo)?m[ae]n|legislators?|mps?|deput(?:y|ies)|representatives?"
#: For each role a question may ask for, the words a sentence may give its holder.
ROLES: dict[str, str] = {
    **dict.fromkeys(["spokesman", "spokeswoman", "spokesperson"], _SPOKES),
    **dict.fromkeys(["analyst", "expert", "scholar", "commentator"], _EXPERTS),
    **dict.fromkeys(["diplomat", "ambassador", "envoy"], _DIPLOMATS),
    **dict.fromkeys(["journalist", "reporter", "correspondent"], _JOURNALISTS),
    "official": _OFFICIALS,
    **dict.fromkeys(["aide", "adviser", "advisor"], _AIDES),
    **dict.fromkeys(["lawmaker", "senator"], _LAWMAKERS),
    "minister": r"(?:prime |foreign |defen[cs]e )?ministers?",
    "secretary": r"secretar(?:y|ies)",
    "general": r"generals?|commanders?|chief of staff",
}
_ROLE_NOUNS = "|".join(rf"{r}s?" for r in ROLES)
# A question that names one of these wants a person's full name ("which minister ...?").
_FULL_NAME_Q = re.compile(
    r"\b(spokesman|spokeswoman|spokesperson|minister|scholar|analyst|official|ambassador|diplomat|name of|journalist|reporter)\b",
    re.IGNORECASE,
)
# "the analyst quoted", "the scholar interviewed": the attribution line that says who spoke.
_SPOKE_Q = {"quoted", "interviewed", "commented", "remarked"}
_SPOKE = r"said|says|told|tells|stated|added|commented|remarked|quoted"


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
_OUTLETS = (
    # Single words that are also common words or other names ("Time", "Vice", "Economist",
    # "Guardian Council", "Nikkei" the index) are left out, or only taken in a longer form.
    r"Reuters|Associated Press|AP|AFP|Agence France-Presse|BBC|CNN|CBS|NBC|ABC|Fox News|MSNBC|NPR|PBS|RT|Russia Today|"
    r"TASS|RIA Novosti|RIA|Interfax|Sputnik News|Bloomberg News|Bloomberg|Al Jazeera|Xinhua|CCTV|NHK|Politico|Axios|"
    r"Kommersant|Izvestia|Vedomosti|Echo of Moscow|The Guardian|Financial Times|Deutsche Welle|Euronews|Meduza|"
    r"Novaya Gazeta|Der Spiegel|Spiegel|Le Monde|Newsweek|The Economist|The Atlantic|Sky News|Yonhap|Kyodo|Nikkei Asia|"
    r"Haaretz|ANI|PTI|IANS|UPI|Voice of America|VOA|Radio Free Europe|RFE/RL|Channel One|NTV|Anadolu|TechCrunch|"
    r"The Verge|Wired|Engadget|Forbes|CNBC|ESPN|Vox|BuzzFeed|HuffPost|Mashable|Gizmodo|Ars Technica|ZDNet|Polygon|"
    r"Kotaku|IGN|Rolling Stone|TMZ|Time magazine|USA Today|The Hill|Daily Mail|The Sun|The Independent|The Age|"
    r"Al-Monitor|France 24|Kyiv Independent|Ukrainska Pravda|Lenta\.ru|Gazeta\.ru|RBC"
)


def _named(*heads: str, alone: str = "") -> re.Pattern:
    """Names of up to four capitalised words ending in one of `heads` ("Carnegie Moscow Center"),
    "Council on Foreign Relations"-style names, and names that stand alone ("Pentagon", "NATO")."""
    ends = "|".join(heads)
    parts = [rf"\b((?:{_CAP} ){{1,4}}(?:{ends}))\b", rf"\b((?:{ends}) (?:of|for|on) (?:the )?{_CAP}(?: {_CAP}){{0,2}})\b"]
    if alone:
        parts.append(rf"\b({alone})\b")
    return re.compile("|".join(parts))


_RESEARCH = ("Center", "Centre", "Institute", "Institution", "Foundation", "Endowment", "Council", "University",
             "College", "School", "Society")
_RESEARCH_ALONE = r"Chatham House|RAND Corporation|RAND|Brookings|Carnegie Endowment|Valdai Club"
_GOVERNMENT = ("Ministry", "Department", "Agency", "Office", "Service", "Committee", "Commission", "Administration")
_GOVERNMENT_ALONE = (r"Pentagon|Kremlin|White House|Downing Street|Foreign Office|State Department|Congress|Senate|"
                     r"Duma|Security Council|FBI|CIA|NSA|KGB|FSB|GRU|SVR|MI5|MI6|Mossad|Elysee|Élysée")
_ALLIANCE = ("Alliance", "Union", "Organization", "Organisation", "Bloc", "Pact")
_ALLIANCE_ALONE = r"NATO|EU|UN|OPEC|IMF|WHO|OSCE|G7|G8|G20|BRICS|CSTO"
_COMPANY = ("Company", "Corporation", "Corp", "Inc", "Group", "Bank", "Airlines", "Holdings")


@dataclass(frozen=True)
class EntityKind:
    """A kind of named thing a "which ..." question asks for."""

    nouns: str  # the nouns the question asks with (a regex): "think[- ]tanks?|institutes?"
    names: re.Pattern  # the names that fill the blank: "the Carnegie Moscow Center"
    # Strict: names of this kind are told by their form or a closed list, so a sentence without
    # one does not answer. Otherwise ("which company": "Gazprom") any new name may.
    strict: bool = False
    includes: frozenset[str] = frozenset()  # other kinds whose names are also of this kind


#: What a "which ..." question asks for, by the noun it asks with. The first kind whose noun
#: the question asks with wins, so the narrower nouns come first ("international body" is an
#: alliance before "body" is a government's).
ENTITIES: dict[str, EntityKind] = {
    "outlet": EntityKind(
        r"broadcasters?|(?:tv|television|radio|news|broadcast|cable) (?:networks?|channels?|stations?)|newspapers?|"
        r"news ?papers?|(?:news |media )?outlets?|news agenc(?:y|ies)|wire services?|magazines?",
        # a known wire or network ("CBS News"), or a name ending "Times", "Post", "News", ...
        re.compile(
            rf"\b((?:{_OUTLETS})(?: (?:News|TV|Television|Radio))?)\b|"
            rf"\b((?:The )?(?:{_CAP} ){{1,3}}(?:News|Times|Post|Journal|Herald|Tribune|Gazette|Telegraph|Radio|"
            r"Television|TV|Broadcasting|Network|Gazeta|Pravda))\b"
        ),
        strict=True,
    ),
    "research": EntityKind(
        r"think[- ]tanks?|institutes?|research (?:centers?|centres?|groups?|bod(?:y|ies)|institutes?)|universit(?:y|ies)",
        _named(*_RESEARCH, alone=_RESEARCH_ALONE),
        strict=True,
    ),
    "alliance": EntityKind(
        r"alliances?|blocs?|international (?:organi[sz]ations?|bod(?:y|ies))", _named(*_ALLIANCE, alone=_ALLIANCE_ALONE), strict=True
    ),
    "government": EntityKind(
        r"ministr(?:y|ies)|departments?|(?:government |state |federal |intelligence |spy |security |UN )?agenc(?:y|ies)|"
        r"headquarters|(?:government|state|federal|UN|official|regulatory) bod(?:y|ies)",
        _named(*_GOVERNMENT, alone=_GOVERNMENT_ALONE),
        includes=frozenset({"alliance"}),
    ),
    "armed_group": EntityKind(
        r"(?:jihadist|militant|terrorist|rebel|extremist|armed|insurgent|islamist|paramilitary) "
        r"(?:groups?|organi[sz]ations?|movements?|factions?)|militias?",
        _named("Front", "Brigade", "Brigades", "Movement", "Militia", "Army",
               alone=r"Islamic State|ISIS|ISIL|IS|Daesh|Al-Nusra|al-Nusra|Nusra Front|Jabhat al-Nusra|al-Qaeda|Al-Qaeda|"
               r"al-Qaida|Taliban|Hezbollah|Hamas|Boko Haram|al-Shabaab|Wagner|Hayat Tahrir al-Sham|HTS"),
    ),
    "company": EntityKind(r"companies|company|firms?|corporations?|banks?", _named(*_COMPANY)),
    "organization": EntityKind(
        r"organi[sz]ations?|institutions?",
        _named(*_RESEARCH, *_GOVERNMENT, *_ALLIANCE, *_COMPANY,
               alone=f"{_RESEARCH_ALONE}|{_GOVERNMENT_ALONE}|{_ALLIANCE_ALONE}"),
        includes=frozenset({"research", "government", "alliance", "company"}),
    ),
    # "the Nuclear Security Summit", "the Munich Security Conference", "the Geneva summit".
    # Singular nouns only: "what gatherings were banned" asks for no name.
    "event": EntityKind(
        r"gathering|summit|conference|forum|congress|assembly|festival|ceremony",
        _named("Summit", "Conference", "Forum", "Congress", "Convention", "Conventions", "Assembly", "Games",
               "Olympics", "Festival", "Ceremony", "Parade", "Talks", "Meeting", "Dialogue", "Cup", "Bowl", "Prix",
               "Open", "Championships?", "Series", "Awards", "Expo", "Week", "Marathon", "Tournament", "Election", "Fair",
               alone=r"Olympics|Paralympics|Davos|Eurovision|Oscars|Grammys|Emmys|Wimbledon|Brexit|COP\d+|"
               # "the Geneva summit": a place's meeting, its kind in lower case
               rf"(?:{_CAP} ){{1,3}}(?:summit|conference|talks|meeting|forum|gathering|festival)"),
        strict=True,
    ),
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
