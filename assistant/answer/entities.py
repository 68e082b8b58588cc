"""Named things a question asks for ("which think tank ...?") and the sentences that name them.

A "which ..." question often asks for a name of one kind: a think tank, a news outlet, an
agency, an alliance, a militant group, a summit. Such a question is answered by a sentence
that names a thing of that kind the question does not name itself; a sentence that only
matches the question's other words is not an answer. Roles work alike: "which spokesman"
needs someone the sentence calls a spokesman, and an analyst is also a scholar or an expert.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from assistant.text import STOPWORDS

#: Capitalised words that are not names: weekdays, months, sentence openers, titles.
NOT_NAMES = re.compile(
    r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|The|A|An|In|On|At|But|And|For|However|Also|Both|President|Presidents)$"
)
_PERSON_ROLES = (
    r"spokesman|spokeswoman|spokesperson|minister|scholar|analyst|expert|official|ambassador|diplomat|journalist|"
    r"reporter|adviser|advisor|aide|envoy|general|senator|lawmaker|secretary|correspondent|commentator"
)
# A question that names one of these wants a person's full name ("which minister ...?").
_FULL_NAME_Q = re.compile(
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
        name = " ".join(itertools.dropwhile(NOT_NAMES.match, name.split()))  # "A Brookings ...", "The Post"
        capitalised = [w.lower() for w in name.split() if w[:1].isupper()]
        # "The summit" names nothing; "the Geneva summit" is the question's own when it says "Geneva".
        if capitalised and name.lower() not in q and not set(capitalised) <= q_words:
            return name
    return None


def asks_for_person(question: str) -> bool:
    """ "Which person / leader / Kremlin spokesman ...?" """
    return bool(re.search(rf"\b(which|what) {_MODIFIERS}(person|president|leader|{_PERSON_ROLES})\b", question, re.IGNORECASE))


def wants_full_name(question: str) -> bool:
    """Whether the question names a role whose holder it asks for by full name ("which minister")."""
    return bool(_FULL_NAME_Q.search(question))


def asked_role(question: str) -> frozenset[str]:
    """The words for the role a "which ..." question asks for ("which aide": aide, official,
    adviser, ...); empty when it asks for none."""
    asked = re.search(rf"\b(?:which|what)\s+{_MODIFIERS}({_PERSON_ROLES})\b", question, re.IGNORECASE)
    return role_family(asked.group(1)) if asked else frozenset()


def without_other_kinds(kind: str, sentence: str) -> str:
    """The sentence with the names of every other kind blanked out: for "which company", the
    White House and CBS News are not candidates, while "Gazprom" (of no known form) stays."""
    for other in set(ENTITIES) - {kind, "organization"} - _PARTS.get(kind, set()):
        sentence = ENTITIES[other].names.sub(" ", sentence)
    return sentence
