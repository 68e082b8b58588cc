"""Word-level text helpers shared by BM25, the offline answerer and the support checks."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    said says say tell told according did does get got make made many much one two new
    according whose""".split()
)

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, possessives dropped ("Putin's" -> "putin")."""
    return [re.sub(r"['’]s$", "", w.lower()) for w in _TOKEN.findall(text)]


# Irregular past forms, which a stemmer leaves apart from their verb: news is written in the
# past ("Putin spoke by phone"), questions often in the present ("when did Putin speak").
# Forms that are also common words of another meaning are left out: left, fed, lay, found, saw,
# shot (a booster shot), struck (strikes), woke, torn (war-torn), thought, given, spent, bit, sat,
# rose, hung, lent, rang (a spy ring), dealt, sang.
IRREGULAR_PAST = {
    form: verb
    for verb, forms in {
        "arise": "arose arisen", "beat": "beaten", "become": "became", "begin": "began begun", "blow": "blew blown",
        "break": "broke broken", "bring": "brought", "build": "built", "buy": "bought", "catch": "caught",
        "choose": "chose chosen", "come": "came", "dig": "dug", "draw": "drew drawn", "drive": "drove driven",
        "eat": "ate eaten", "fall": "fell fallen", "feel": "felt", "fight": "fought", "flee": "fled",
        "fly": "flew flown", "forbid": "forbade forbidden", "forget": "forgot forgotten", "forgive": "forgave forgiven",
        "freeze": "froze frozen", "give": "gave", "go": "went gone", "grow": "grew grown", "hear": "heard",
        "hide": "hid hidden", "hold": "held", "keep": "kept", "know": "knew known", "lead": "led", "lose": "lost",
        "mean": "meant", "meet": "met", "mistake": "mistook mistaken", "overthrow": "overthrew overthrown",
        "overtake": "overtook overtaken", "pay": "paid", "ride": "rode ridden", "rise": "risen", "run": "ran",
        "seek": "sought", "sell": "sold", "send": "sent", "shake": "shook shaken", "sink": "sank sunk",
        "sleep": "slept", "speak": "spoke spoken", "stand": "stood", "steal": "stole stolen", "swear": "swore sworn",
        "take": "took taken", "teach": "taught", "throw": "threw thrown", "understand": "understood",
        "undertake": "undertook undertaken", "uphold": "upheld", "wear": "wore worn", "win": "won",
        "withdraw": "withdrew withdrawn", "write": "wrote written",
    }.items()
    for form in forms.split()
}


def terms(text: str) -> list[str]:
    """Stemmed content terms: the unit of BM25 and of lexical overlap. Irregular past forms
    count as their verb ("spoke" is "speak")."""
    ws = [IRREGULAR_PAST.get(w, w) for w in words(text) if w not in STOPWORDS]
    return _stemmer().stemWords(ws) if ws else []


def stem(word: str) -> str:
    """One word's stem, as `terms` stems it."""
    return _stemmer().stemWord(word)


def normalize(text: str) -> str:
    """Lower case, typographic quotes and dashes folded, punctuation dropped, spaces collapsed."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
