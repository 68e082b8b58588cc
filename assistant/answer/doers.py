"""Who does a verb in a sentence: the name just before it (past its auxiliaries and an
apposition), after "by", after an inverted verb of saying; the sentence's subject and its
speaker; and whether a doer's words are a name ("Mr Putin" is "Vladimir Putin")."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.constraint_records import Evidence
from assistant.answer.vocabulary import HYPHEN_OR_SPACE, UPPER, WORD, in_past, is_title, name_key, same_name_word, verb_term, vocabulary_data
from assistant.text import IRREGULAR_PAST, NOT_NAMES, STOPWORDS


PASSIVE = frozenset("was were is are be been being get gets got".split())


AUXILIARIES = frozenset("has have had was were is are will would also then later not never did does could can may might must should".split())


# ... after a relative clause's place, its region (", which is based in Cambridge,
# Massachusetts,"); two in a row are one (", the deputy chief executive, who runs IT,").
_APPOSITION = re.compile(
    r"(?:,\s*(?:(?:a|an|the|his|her|their|its|whose|whom|[A-Z][\w’'.-]*['’]s)\s[^,“”\"]{1,80}"
    r"|(?:who|which|where)\s[^,“”\"]{1,80}?(?:\b(?:in|at|near)\s+[A-Z][\w’'.-]*,\s*[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)?)?))+,"
)


# A quotation: whole, or a part of one that runs over several sentences (“... at the start of a
# text with no closing mark, or ...” at its end with no opening one).
QUOTATION = re.compile(r"[“\"][^”\"]*[”\"]|^\s*[“\"][^”\"]*$|^[^“\"]*”")


def speaker(ev: Evidence) -> str | None:
    """Who says the cited sentence: the name doing its verb of saying ("Dunleavy said",
    "..., said Irena Vasko"), or where a pronoun does ("“...,” he said"), the one saying the
    sentence before it in its paragraph; and a quotation going on from the sentence before
    ("“But our members have worked every rest day ...”" after "..., said Declan Moynihan") is
    that one's speaker's. None where no one can be read."""
    for text in (ev.sentences, ev.lead_in):
        plain = without_appositions(QUOTATION.sub(" … ", text))
        tokens = [w.rstrip(".") for w in WORD.findall(plain)]
        said = next((i for i, tok in enumerate(tokens) if tok[:1].islower() and verb_term(tok) == "say"), None)
        if said is None:
            if text is ev.sentences and _WHOLE_QUOTE.match(text):
                continue  # the quotation goes on: its speaker is the sentence before's
            return None
        # A participle ("..., stressing that ...") is its clause's subject's saying.
        doer = clause_subject(tokens[:said]) if tokens[said].endswith("ing") else doer_at(tokens, said)
        # (Not one said before the verb: "Tom said the museum's director, Ines Marlow, had left".)
        described = _SAID_DESCRIBED.search(QUOTATION.sub(" … ", text)) if not doer or doer[-1].endswith(("'s", "’s")) else None
        if described:  # "..., said the museum's director, Ines Marlow": the name after the description
            doer = described.group(1).split()
        elif not doer and said + 1 < len(tokens) and tokens[said + 1][:1].isupper():
            doer = named_at(tokens[said + 1 : said + 6])  # "Forty beds will close, said Tom Ross"
        if doer:
            return " ".join(full_name(doer, text, ev.article) if len(doer) == 1 and ev.article else doer)
        if not (said and tokens[said - 1].lower() in ("he", "she")):
            return None
    return None


# "…, said the museum's director, Ines Marlow", "…, said Halberd's chair, Anthony Wickstead":
# the verb inverted after what is said (not "The party said its treasurer, Tom Bell, had ...").
_SAID_DESCRIBED = re.compile(r"(?:[,…]\s*)said\s+(?:the|an?|its|his|her|their|[A-Z][\w’'-]*['’]s)\s+[^,.;…]{1,60}?,\s+((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'-]*)(?=\s*[,.;]|\s*$)")


def described_speaker(ev: Evidence) -> str | None:
    """Who says the cited sentence where it describes rather than names them: "The deputy
    director of midwifery also told the board ..." -> "The deputy director of midwifery"."""
    plain = QUOTATION.sub(" … ", ev.sentences)
    for m in WORD.finditer(plain):
        word = m.group(0).rstrip(".")
        if word[:1].islower() and verb_term(word) == "say":
            clause = re.split(r"[,;:…()]", plain[: m.start()])[-1].split()
            while clause and clause[-1] in AUXILIARIES:
                clause.pop()  # "also told", "had said"
            # A determiner and lower-case words only: "the trust's chief executive", not a name.
            if clause and _DESCRIBER.match(clause[0]) and all(w[:1].islower() for w in clause[1:]):
                return " ".join(clause)
            return None
    return None


def by_agent(sentence: str, verb: str) -> str | None:
    """Who a passive verb says did it: "a housing order announced on Thursday by the chief
    veterinary officer" -> "the chief veterinary officer" (for the verb term "announc")."""
    for m in WORD.finditer(sentence):
        if verb_term(m.group(0).rstrip(".")) == verb:
            by = _BY_AGENT.match(sentence[m.end() :])
            if by:
                return by.group(1).strip()
    return None


_BY_AGENT = re.compile(r"(?:\s+(?!by\b)[\w’'-]+){0,4}?\s+by\s+([^,;.“”\"()]+)")


_DESCRIBER = re.compile(r"^(?:[Tt]he|[Ii]ts|[Tt]heir|[Hh]is|[Hh]er|[A-Z][\w-]*['’]s)$")


# A sentence that is a quotation and nothing else (its closing mark may come later).
_WHOLE_QUOTE = re.compile(r"^\s*[“\"][^“”\"]*(?:[”\"]\s*)?$")


def subject(ev: Evidence) -> str | None:
    """Who the cited sentence is about: the name just before its first verb in the past ("The
    council's leader, Patricia Everingham, kept her seat"; past its appositions: "Nathan
    Ellacott, the deputy chief executive, who is in charge of IT, gave ...")."""
    run = clause_subject([w.rstrip(".") for w in WORD.findall(without_appositions(QUOTATION.sub(" … ", ev.sentences)))])
    if not run:
        return None
    return " ".join(full_name(run, ev.sentences, ev.article) if len(run) == 1 and ev.article else run)


@lru_cache(maxsize=4096)
def without_appositions(text: str) -> str:
    """The text without its appositions (", a scholar at the Carnegie Moscow Center,"), but not
    a clause between commas that says something (", the Kremlin said Johnson had called,")."""
    return _APPOSITION.sub(lambda m: m.group(0) if any(verb_term(w) == "say" for w in WORD.findall(m.group(0)) if w.islower()) else " ", text)


def full_name(run: list[str], sentence: str, article: str) -> list[str]:
    """A surname alone as the person the article last named in full with it before the
    sentence, where the article names two people of that surname ("Saskia Morven", "Edith
    Morven"); the run as it is otherwise."""
    surname = run[0]
    given = [m for m in re.finditer(rf"\b([{UPPER}][\w’'-]+)\s+{re.escape(surname)}\b", article) if not is_title(m.group(1)) and not NOT_NAMES.match(m.group(1))]
    if len({m.group(1) for m in given}) < 2:
        return run
    at = article.find(sentence[:60])
    # (Not one introduced as the other's relation: after "Stainthorpe's younger brother, Philip
    # Stainthorpe," the surname alone is still the story's Stainthorpe.)
    related = re.compile(rf"{re.escape(surname)}['’]s\s+(?:[a-z-]+\s+){{0,3}}[a-z-]+,\s*$")
    before = [m for m in given if (at < 0 or m.start() < at) and not related.search(article, 0, m.start())]
    return [before[-1].group(1), surname] if before else run


def same_doer(run: list[str], name: str) -> bool:
    """A doer's words are the name: "Brightwater Foods Inc." is "Brightwater Foods", "Mr Putin"
    is "Vladimir Putin", but "Lars Verhoeven" is not "Anika Verhoeven"."""
    if "and" in run:  # "Dana Whitcombe and Frank Osei": either of them
        at = run.index("and")
        return same_doer(run[:at], name) or same_doer(run[at + 1 :], name)
    have = [name_key(p) for w in run if not is_title(w) for p in HYPHEN_OR_SPACE.split(w)]
    want = [name_key(w) for w in HYPHEN_OR_SPACE.split(name) if not is_title(w) and re.search(r"\w", w)]  # "Kettle & Vine"
    if not have or not want:
        return False
    if same_name_word(have[-1], want[-1]):
        return len(have) < 2 or len(want) < 2 or same_name_word(have[-2], want[-2])
    return set(want) <= set(have) or set(have) <= set(want)


def name_run(tokens: list[str]) -> list[str]:
    """The capitalised words that open `tokens` ("the" skipped), titles included."""
    run: list[str] = []
    for w in tokens:
        if w.lower() == "the" and not run:
            continue
        if not w[:1].isupper() or (NOT_NAMES.match(w) and not is_title(w) and not run):
            break
        run.append(w)
    return [w for w in run if is_title(w) or not NOT_NAMES.match(w)]


def named_at(tokens: list[str]) -> list[str]:
    """The name that opens `tokens`, without its titles ("President Obama": "Obama")."""
    return [w for w in name_run(tokens) if not is_title(w)]


def clause_subject(tokens: list[str]) -> list[str]:
    """The sentence's subject: the names just before its first verb in the past ("Brayford Town
    reached the final ..., beating Kessington" is Brayford's beating)."""
    for k, w in enumerate(tokens):
        if k and w.islower() and (in_past(w) or verb_term(w) == "say") and tokens[k - 1][:1].isupper():
            j = k
            while j > 0 and tokens[j - 1][:1].isupper():
                j -= 1
            return [x for x in tokens[j:k] if not NOT_NAMES.match(x) and not x.isupper() or len(x) <= 3 and x.isupper()]
    return []


@lru_cache(maxsize=1)
def _collective_heads() -> frozenset[str]:
    return frozenset(vocabulary_data()["collective_heads"])


def doer_at(tokens: list[str], i: int) -> list[str]:
    """Who does the verb at tokens[i]: the name after "by" ("initiated by President Obama"),
    the name just after it where the clause inverts ("…, wrote Putin"), else the name just
    before it, with at most auxiliaries between ("Trump has issued", "Mr Putin stressed"; "a
    message sent to Russian diplomats proposed" names no doer)."""
    if i and re.search(r"['’]s$", tokens[i - 1]):
        return []  # "Renn's defeat to Brandt": a noun, whose doer this does not read
    if i + 1 < len(tokens) and tokens[i + 1] == "by":
        run = named_at(tokens[i + 2 : i + 8])
        if run:
            return run
    if i and tokens[i - 1].lower() in PASSIVE and (re.search(r"(?:ed|en)$", tokens[i]) or tokens[i].lower() in IRREGULAR_PAST):
        # "Brandt was defeated in straight sets by Renn": the doer follows "by"; none without it.
        by = next((j for j in range(i + 1, min(i + 9, len(tokens))) if tokens[j] == "by"), None)
        return named_at(tokens[by + 1 : by + 7]) if by is not None else []
    if i == 0 or tokens[i - 1] == "…":
        run = named_at(tokens[i + 1 : i + 6])
        if run:
            return run
    j = i
    while j > 0 and (tokens[j - 1].lower() in AUXILIARIES or tokens[j - 1].isdigit()):
        j -= 1  # "has issued"; "Nwosu, 41, wrote": past an age
    if j > 1 and tokens[j - 1].lower() == "who" and tokens[j - 2][:1].isupper():
        j -= 1  # "Councillor Neil Prentice, who proposed": the one the clause is of
    if j > 1 and tokens[j - 1].lower() in _collective_heads() and tokens[j - 2][:1].isupper():
        j -= 1  # "Obama administration had imposed": the body is its name's
    k = j
    while k > 0 and tokens[k - 1][:1].isupper() and tokens[k - 1].lower() not in STOPWORDS:
        k -= 1
        if k > 1 and tokens[k - 1] == "and" and tokens[k - 2][:1].isupper():
            k -= 1  # "Dana Whitcombe and Frank Osei voted": both do it
    run = [w for w in tokens[k:j] if w == "and" or not NOT_NAMES.match(name_key(w).title())]
    return [w for w in run if not is_title(w)] if any(not is_title(w) for w in run) else []
