"""The names a question gives and where a text names them: a name found by its words, its
aliases or a title's surname, a rival named in its place, the persons a text names."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.constraint_records import Ask
from assistant.answer.dates import MONTH_ONLY, QUARTER
from assistant.answer.doers import without_appositions
from assistant.answer.entities import COMPANY_HEADS, ENTITIES, FIRM_NOUNS, KNOWN_OUTLET
from assistant.answer.vocabulary import CAPS, HYPHEN_OR_SPACE, UPPER, WORD, in_past, is_title, name_key, place_nouns, question_data, same_name_word, verb_term, vocab
from assistant.text import DEMONYM_ENDS, NOT_NAMES, STOPWORDS

_WH = {"what", "who", "whom", "whose", "which", "when", "where", "why", "how", "did", "does", "do", "is", "are", "was",
       "were", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "in", "on", "at", "according"}


@lru_cache(maxsize=1024)
def question_names(question: str) -> tuple[str, ...]:
    """The names a question gives, titles and sentence openers left out: "President Trump" is
    "Trump", "Biden-Putin" is "Biden" and "Putin", "What" and "In" are none."""
    out: list[str] = []
    for m in CAPS.finditer(question):
        words = m.group(0).split()
        if m.start() == len(question) - len(question.lstrip()):
            while words and words[0].lower() in _WH | STOPWORDS:
                words = words[1:]  # "In which city", "Did Putin"
            if len(words) == 1 and m.group(0) == words[0] and not words[0].isupper():
                words = []  # "Since what year", "Ahead of": one capitalised opener is no name
        outlet = KNOWN_OUTLET.match(" ".join(words))
        if outlet and outlet.end() < len(" ".join(words)) and outlet.group(0).split()[-1] in ("News", "TV", "Television", "Radio"):
            # "did Stanovaya tell CBS News Moscow hoped": a known outlet's full name ends its name
            # ("BBC Sound" may be an outlet of its own).
            at = len(outlet.group(0).split())
            words = words[:at] + ["|"] + words[at:]
        parts: list[str] = []
        for i, w in enumerate(words):
            if w == "|":
                parts.append("")
                continue
            if re.search(r"-[a-z]", w):
                parts.append("")  # "USB-C-to-USB-C", "AI-powered": a compound word, not a name
                continue
            # "Biden-Putin" stays one name, met part by part (`name_found`).
            piece = re.sub(r"['’]s$", "", w.strip(".,;:!?'’\"“”")) if not re.fullmatch(r"(?:[A-Z]\.)+", w) else w
            if not piece or NOT_NAMES.match(piece) or MONTH_ONLY.fullmatch(piece) or QUARTER.fullmatch(piece):
                parts.append("")  # a break: "Putin Thursday" is not one name
            elif (is_title(piece) and not (parts and parts[-1] and _names_a_place(words[i + 1 : i + 2]))) or piece.isdigit():
                parts.append("")  # "General" is a title, but not inside "Cardenby General Hospital"
            elif (piece.endswith(DEMONYM_ENDS) or name_key(piece) in vocab()[1]) and not (parts and parts[-1]) and i + 1 < len(words) and is_title(words[i + 1]) and not _named_thing(" ".join(words)):
                # "Russian Foreign Minister Sergei Lavrov": whose minister, not a name ("the
                # Indian Premier League" is one, a competition's).
                parts.append("")
            else:
                parts.append(piece)
                if re.search(r"['’]s$", w.rstrip(".,;:!?")):
                    parts.append("")  # "Putin's World War Two telegrams": two names
        if len(parts) == 1 and _MODIFIER.match(question[m.end() :]) and parts[0].endswith(DEMONYM_ENDS):
            continue  # "Western commemoration", "Russian leader": a kind, not a name
        name: list[str] = []
        for piece in parts + [""]:
            if piece:
                name.append(piece)
            elif name:
                if len(" ".join(name)) > 1 or not _QUOTE_BEFORE.search(question[: m.start()]):  # "the letter 'S'" names nothing ("X" does)
                    out.append(" ".join(name))
                name = []
    return tuple(dict.fromkeys(out))


_QUOTE_BEFORE = re.compile(r"['‘\"“]$")


def _names_a_place(following: list[str]) -> bool:
    """Whether the word after a title is a common noun for a place or a body ("Hospital",
    "Hall"): inside a longer name, the title word is then part of that place's name, not a
    person's title ("Senator Hill" is a senator's name; "King Street" is read as ever)."""
    return bool(following) and following[0].strip(".,;:!?'’").lower() in place_nouns()


def _named_thing(run: str) -> bool:
    """Whether a run of capitalised words is the name of an organisation, an event or a
    competition by its head word ("Indian Premier League", "Carnegie Moscow Center")."""
    return any(kind.names.fullmatch(run) for kind in ENTITIES.values())


def name_found(name: str, words: set[str], caps: list[re.Match], text: str, around: str = "") -> bool:
    """A name is in the evidence as a whole ("Independence Day", "Ferris Street bridge"), by an
    alias ("U.S." for "United States"), word by word where it is one word or hyphenated
    ("Biden-Putin": both), or by its last word (a surname) where no other name there takes
    that last word: "Vladimir Putin" is met by "President Putin"; "Victory Day" is not met by
    "Independence Day", nor "Anika Verhoeven" by "Lars Verhoeven", nor "Kessington Marathon" by
    a runner from Kessington in the Port Esk Marathon."""
    if re.search(_whole(name), text, re.IGNORECASE):
        return True
    forms = vocab()[1].get(name_key(name), ())
    if any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text, re.IGNORECASE) or f in words for f in forms):
        return True
    parts = name.split()
    if len(parts) == 1:
        return all(name_key(p) in words or any(same_name_word(p, w) for w in words) for p in HYPHEN_OR_SPACE.split(name))
    last = parts[-1]
    if re.search(rf"\b{re.escape(last.lower())}\b", text):
        return False  # a common word ("day" for "Independence Day"): only the whole name will do
    found = False
    for m in caps:
        run = [w for w in m.group(0).split() if not is_title(w)]
        for i, w in enumerate(run):
            if same_name_word(w, last) and not _firm_at(run, i, f"{text}\n{around}"):
                # Word by word backwards while both have words: "Pinehurst High School" is not
                # "Pinecrest High School", nor "Lars Verhoeven" "Anika Verhoeven".
                for k in range(1, min(i, len(parts) - 1) + 1):
                    before = run[i - k]
                    if NOT_NAMES.match(before):
                        break
                    if not same_name_word(before, parts[-1 - k]):
                        return False  # another first name: another person
                found = True
    return found


# "Parfitt Holdings", and "Brennand & Hogg" where the text calls it a firm ("the knitwear group
# Brennand & Hogg"): a firm named after someone is not that person ("Okafor & Lutz won the
# doubles" are two players).
_FIRM_HEAD = re.compile("|".join(map(re.escape, COMPANY_HEADS)))
_FIRM_NOUN = rf"\b(?:{'|'.join(map(re.escape, FIRM_NOUNS))})\s+"
# "Ruth Okafor's company": the question asks of her firm.
_OWN_FIRM = re.compile(r"['’]s?\s+(?:company|firm|business|group)\b", re.IGNORECASE)


def _firm_at(run: list[str], i: int, text: str) -> bool:
    """Whether the name word at run[i] begins a firm's name there ("Brennand & Hogg")."""
    if i + 1 >= len(run):
        return False
    if _FIRM_HEAD.fullmatch(run[-1]):
        return True
    return run[i + 1] == "&" and re.search(_FIRM_NOUN + re.escape(" ".join(run[i:])), text, re.IGNORECASE) is not None


@lru_cache(maxsize=4096)
def in_text(name: str, text: str, around: str = "") -> bool:
    """Whether the text names `name` (a firm named after them is not them, where the text or
    the evidence `around` it calls it a firm)."""
    caps = list(CAPS.finditer(text))
    words = {name_key(w) for m in caps for w in HYPHEN_OR_SPACE.split(m.group(0))}
    return name_found(name, words, caps, text, around)


def rival(name: str, ask: Ask, sentence: str, text: str) -> str | None:
    """A name in the sentence that stands where the question has `name`: beside the same
    word ("the Obama administration" / "the Trump administration", "President Trump" /
    "President Putin", "Trump offered" / "Putin offer", "in Leeds" / "in York"), or another
    person where `name` is a person ("Putin and Trump say ..." for "did Putin and Boris
    Johnson say"). Another of the question's names is a rival only where it stands beside a
    word the question puts beside `name` alone ("Brightwater shareholders" asked, "Kettle &
    Vine shareholders" cited). `text` is all the evidence: who is a person is read there."""
    asked_beside = _neighbours(ask.question)
    want = asked_beside.get(name_key(name.split()[-1]), frozenset())
    asked = question_names(ask.question)
    persons = _persons(ask.question) | _persons(text)
    person = name_key(name.split()[-1]) in persons
    sentence = without_appositions(sentence)  # "Halcyra, which is based in Cambridge, Massachusetts, bought": Halcyra buys
    beside = _neighbours(sentence)
    head = _place_head(name)
    for m in CAPS.finditer(sentence):
        run = [w for w in m.group(0).split() if not is_title(w)]
        if head and len(run) > 1 and name_key(run[-1]) == head and not any(same_name_word(w, p) for w in run[:-1] for p in name.split()[:-1]):
            return " ".join(run)  # "Market Street" where "High Street" is asked: another street
        if len(name.split()) > 1 and not any(same_name_word(w, name.split()[0]) for w in run) and not _OWN_FIRM.search(ask.question) and any(
            same_name_word(w, name.split()[-1]) and _firm_at(run, i, text) for i, w in enumerate(run)
        ):
            return " ".join(run)  # "Brennand & Hogg" where Fiona Brennand is asked: a firm, not her
        for w in m.group(0).split():
            if is_title(w) or NOT_NAMES.match(name_key(w).title()) or name_key(w) in STOPWORDS:
                continue
            if any(same_name_word(w, p) for p in HYPHEN_OR_SPACE.split(name)):
                continue
            if any(same_name_word(w, p) for n in asked for p in HYPHEN_OR_SPACE.split(n)):
                if want and beside.get(name_key(w), frozenset()) & (want - asked_beside.get(name_key(w), frozenset())):
                    return w
                continue
            if (want and beside.get(name_key(w), frozenset()) & want) or (person and name_key(w) in persons):
                return w
    return None


def _place_head(name: str) -> str | None:
    """The common noun a place's name ends with ("street" of "High Street", "weir" of
    "Millbeck Weir"), where it is one of the place nouns."""
    parts = name.split()
    last = name_key(parts[-1])
    return last if len(parts) > 1 and last in place_nouns() else None


@lru_cache(maxsize=4096)
def _persons(text: str) -> frozenset[str]:
    """The names a text gives people: those after a title ("Prime Minister Boris Johnson",
    "Mr Putin"), by their last word."""
    if "\n" in text:  # a run of capitalised words is on one line: each line's, read once (the lede's)
        return frozenset().union(*map(_persons, text.split("\n")))
    found: set[str] = set()
    for m in CAPS.finditer(text):
        words = m.group(0).split()
        for i, w in enumerate(words[:-1]):
            if is_title(w) and not is_title(words[i + 1]):
                rest = [x for x in words[i + 1 :] if not is_title(x)]
                if rest:
                    found.add(name_key(rest[-1] if len(rest) <= 3 else rest[0]))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _neighbours(text: str) -> dict[str, frozenset[str]]:
    """For each capitalised word of a text, the words either side of it, as terms marked with
    their side ("<in", ">administr"): content words, titles, verbs of saying, and "in" / "at"
    before a place."""
    tokens = WORD.findall(text)
    out: dict[str, set[str]] = {}
    for i, tok in enumerate(tokens):
        if not tok[:1].isupper():
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(tokens):
                continue
            w = tokens[j]
            if is_title(w) or (not w[:1].isupper() and (w.lower() not in STOPWORDS | _WH or verb_term(w) == "say" or (j < i and w.lower() in ("in", "at")))):
                # On its side: "the Sarn River treaty" and "the treaty, Marovia" share no place.
                out.setdefault(name_key(tok), set()).add(("<" if j < i else ">") + verb_term(w))
            if j == i - 1 and j > 0 and w.islower() and w not in STOPWORDS and tokens[j - 1].lower() in ("in", "at"):
                out.setdefault(name_key(tok), set()).add("<" + tokens[j - 1].lower())  # "in neighbouring Ashwood"
        k = i - 1
        while k >= 0 and tokens[k][:1].isupper():
            k -= 1
        if 0 <= k < i - 1 and tokens[k].lower() in ("in", "at"):
            out.setdefault(name_key(tok), set()).add("<" + tokens[k].lower())  # "at Huysman's Ebbsford works"
    return {k: frozenset(v) for k, v in out.items()}


def short_form(name: str, text: str, article: str) -> bool:
    """The evidence names an organisation by its first word standing alone ("Halcyra, which
    ...", "Halcyra bought", "Halcyra's"; not "Millbeck weir"), where its article gives the whole
    name ("Halcyra Therapeutics") and no other of that first word."""
    parts = name.split()
    if len(parts) < 2 or not article or is_title(parts[0]) or NOT_NAMES.match(parts[0]):
        return False
    first = re.escape(parts[0])
    # What follows it: nothing, a mark (",", "’s"), or a verb of saying or in the past.
    # (Only where the word is there at all: the pattern, compiled for this name, costs more than the search.)
    following = [m.group(1).strip() for m in re.finditer(rf"(?<![\w’'-]){first}(?![\w-])((?:[’',;:.]|\s+[a-z]+)?)", text)] if parts[0] in text else []
    alone = any(not after or after[0] in ",;:.’'" or verb_term(after) == "say" or in_past(after) for after in following)
    if not alone or not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", article):
        return False
    if re.search(rf"\b[A-Z][\w’'-]+\s+{first}\b", article):
        return False  # a surname there too ("Ruth Morgan" beside "Morgan Stanley"): "Morgan said" may be hers
    return {m.group(0) for m in re.finditer(rf"(?<![\w’'-]){first}(?:\s+[A-Z][\w’'.-]*)+", article)} <= {name}


def referred_to(name: str, text: str, article: str) -> bool:
    """The evidence speaks of "the summit" (or "a historic summit"), and its article of "the
    summit in Geneva" or "the Geneva summit": the name is the evidence's by that reference. Only
    a thing anchored to a place or an event this way, never a person doing something."""
    if not article:
        return False
    bodies = question_data()["body_nouns"]
    return any(
        re.search(rf"\bthe\s+{noun}\b" if noun in bodies else rf"\b(?:the|this|that|its|their|a|an)\s+(?:[a-z]+\s+)?{noun}\b", text, re.IGNORECASE)
        for noun in _references(name, article)
    )


@lru_cache(maxsize=1024)
def _whole(name: str) -> str:
    """A name as a pattern of its words, a plural's with or without its possessive mark:
    "Residents Association" (a question's name, the mark dropped) is the article's "Residents'
    Association" (but "Marlow Cup" is not "Marlow's cup")."""
    return r"(?<!\w)" + r"\s+".join(re.escape(w) + (r"['’]?" if w.endswith("s") else "") for w in name.split()) + r"(?!\w)"


@lru_cache(maxsize=1024)
def _references(name: str, article: str) -> frozenset[str]:
    """The nouns an article refers to a name by ("summit" of "the summit in Geneva"; "the
    association" of the one "Residents' Association" it names): read once per article, not once
    per sentence of it checked."""
    if not re.search(_whole(name), article):  # each pattern has the name as it is: none is compiled for nothing
        return frozenset()
    head = name.split()[-1]
    owned = {m.group(0) for m in re.finditer(rf"(?:[{UPPER}][\w’'-]*\s+)+{re.escape(head)}\b", article)} if len(name.split()) > 1 else set()
    if head.islower() or not head.isalpha() or len(owned) != 1 or head.lower() in STOPWORDS or re.search(rf"\b(?:the|a|an|its|their)\s+[a-z]+\s+{head.lower()}\b", article):
        owned = set()  # "the council" where the article names two councils (or "the county council") is neither
    n = re.escape(name)
    nouns = re.findall(rf"\bthe\s+([a-z]{{4,}})\s+(?:in|at|near|outside)\s+(?:the\s+)?{n}\b", article)
    nouns += re.findall(rf"\bthe\s+{n}\s+([a-z]{{4,}})\b", article)
    # "the family of Captain Hugh Pendarves" is "the Pendarves family".
    nouns += re.findall(rf"\bthe\s+([a-z]{{4,}})\s+of\s+(?:[A-Z][\w’'.-]*\s+){{0,3}}{n}\b", article)
    if owned and head.lower() in question_data()["body_nouns"]:
        nouns.append(head.lower())
    return frozenset(set(nouns) - STOPWORDS)


_MODIFIER = re.compile(r"\s+[a-z]{3,}")  # the lower-case word a capitalised adjective qualifies
