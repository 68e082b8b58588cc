"""What a person is ("Mayor", "coach", "runner-up"): the role vocabulary, the roles a text
gives a name (a title before it, an apposition beside it) and the roles that exclude each other."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.constraint_records import Evidence
from assistant.answer.vocabulary import CAPS, HYPHEN_OR_SPACE, is_title, name_key, same_name_word, vocab, vocabulary_data
from assistant.text import NOT_NAMES, STOPWORDS


@lru_cache(maxsize=1)
def role_vocab() -> tuple[frozenset[str], dict[str, str]]:
    """The words that say what a person is, and each one's role ("ceo" is "executive")."""
    data = vocabulary_data()["roles"]
    words = (frozenset(data["words"]) | vocab()[0]) - frozenset(data["not_roles"])
    return words, {w: group[0] for group in data["same"] for w in group}


@lru_cache(maxsize=256)
def rivals(role: str) -> frozenset[str]:
    """The roles that exclude `role` (one of its families, itself left out)."""
    if role.startswith(DEPUTY):  # a deputy chair is not the chair, nor another role's deputy
        return frozenset({role[len(DEPUTY):]} | {DEPUTY + r for r in rivals(role[len(DEPUTY):]) if not r.startswith(DEPUTY)})
    same = role_vocab()[1]
    families = [{same.get(w, w) for w in f} for f in vocabulary_data()["roles"]["families"]]
    return frozenset(r for f in families if role in f for r in f) - {role} | {DEPUTY + role, DEPUTY.strip()}


#: The mark of a role below another ("deputy chair", "vice-president": `lesser` in the data).
DEPUTY = "deputy "


@lru_cache(maxsize=1)
def _lesser() -> frozenset[str]:
    return frozenset(vocabulary_data()["roles"]["lesser"])


def _below(role: str) -> str:
    """The role one below `role`: "chair" -> "deputy chair"."""
    return role if role.startswith(DEPUTY) else DEPUTY + role


def _lesser_before(tokens: list[str], i: int) -> int | None:
    """Where the word stands that makes the role at tokens[i] a deputy's: "deputy" (or "vice",
    ...) just before it, or before one or two words that say of what ("deputy council leader",
    "deputy medical director"); None where it is not a deputy's."""
    for k in range(i - 1, max(-1, i - 4), -1):
        word = name_key(tokens[k])
        if word in _lesser():
            return k
        if not re.fullmatch(r"[a-z][a-z-]*", word) or word in ("the", "a", "an", "its", "his", "her", "their") or role_of(word):
            return None
    return None


@lru_cache(maxsize=1)
def _role_skips() -> tuple[frozenset[str], frozenset[str]]:
    """Words before a role that make it a past one ("former"), and words that are no role
    ("Mr", "Foreign")."""
    data = vocabulary_data()["roles"]
    return frozenset(data["past_roles"]), frozenset(data["not_roles"])


def role_of(word: str) -> str | None:
    words, same = role_vocab()
    k = name_key(word)
    head, _, rest = k.partition("-")
    if rest and head in _lesser() and rest in words:  # "vice-president"
        return _below(same.get(rest, rest))
    return same.get(k, k) if k in words else None


_BREAK = re.compile(r"[,;:()“”\"\n]|\.(?:\s|$)")
_TOKEN = re.compile(r"[\w’'.-]+|[,;:()“”\"\n]")
_DETERMINER = r"(?:(?i:the|a|an|its|his|her|their)|[A-Z][\w’'.-]*(?:’s|'s))"
# (Or a relative clause that says what they are now: "Canon Ann Bell, who has been the
# cathedral's treasurer since 2019,"; not "who was", "who had been": a role held before.)
_APPOSITION_AFTER = re.compile(
    rf"\s*,\s*(?:\d+\s*,\s*)?(?:who\s+(?:is|has\s+been|serves\s+as)\s+)?({_DETERMINER}\s[^,.;:()“”\"]{{1,100}}?)\s*[,.;]"
)
# "... clear of the runner-up, Hanne Lindqvist": the last noun phrase before the comma.
_APPOSITION_BEFORE = re.compile(rf"(?<!\w)({_DETERMINER}\s(?:(?!(?<!\w){_DETERMINER}\s)[^,.;:()“”\"]){{1,60}}?),\s*$")


def roles_at(text: str, start: int, end: int) -> dict[str, str]:
    """What a text says the person named at [start, end) is, role by word as written: the
    titles and role words just before the name ("Kessington coach Dana Lutz"), and an
    apposition on either side ("Anika Pell, the city's planning director,", "the runner-up,
    Hanne Lindqvist")."""
    found: dict[str, str] = {}
    past, not_roles = _role_skips()
    held: dict[str, str] = {}
    before = list(reversed(_TOKEN.findall(text[max(0, start - 80) : start])))
    for i, tok in enumerate(before):
        if i >= 5 or _BREAK.fullmatch(tok) or (tok.endswith(".") and not is_title(tok)):
            break
        role = role_of(tok)
        if role:
            held.setdefault(role, tok.strip("."))
        elif name_key(tok) in _lesser():
            held = {_below(r): f"{tok} {w}" for r, w in held.items()}  # "Deputy Mayor Okafor"
        elif name_key(tok).rstrip("-") in past:
            held = {}  # "former President Hale": no longer
        elif not (tok[:1].isupper() or name_key(tok) in ("the", "a", "an") or name_key(tok) in not_roles):
            if held and i + 1 < len(before) and name_key(before[i + 1]).rstrip("-") in past:
                held = {}  # "Former trust chair Mary Okafor": what she chaired, then no longer
            break  # "told Mayor Okafor": "told" ends what is said of her
    lead = _TOKEN.findall(text[max(0, start - 80) : start])
    roles_here = [k for k, tok in enumerate(lead) if role_of(tok)]
    if held and roles_here and _lesser_before(lead, roles_here[-1]) is not None:
        held = {_below(r): w for r, w in held.items()}  # "deputy council leader Roger Haskett"
    found.update(held)
    head = text[max(0, start - 80) : start]
    while (title := re.search(r"([A-Z][\w.]*)\s+$", head)) and is_title(title.group(1)):
        head = head[: title.start()]  # "His deputy, Dr Rachel Venn": the apposition before her titles
    before = _APPOSITION_BEFORE.search(head)
    if before and re.match(r"\s*[,.;:)]|\s*$", text[end:]):  # not "a new coach, Okafor told reporters"
        found.update({r: w for r, w in _apposition_roles(before.group(1)).items() if r not in found})
    after = _APPOSITION_AFTER.match(text, end)
    if after:
        found.update({r: w for r, w in _apposition_roles(after.group(1)).items() if r not in found})
    held_as = _ROLE_VERB_AFTER.match(text, end)  # "Winston Grant, who has chaired the association since 2023"
    clause = re.split(r"[,.;:]", text[held_as.end() :], maxsplit=1)[0] if held_as else ""
    if held_as and not _HELD_UNTIL.search(clause) and (role := role_of(held_as.group(1)[:-2]) or role_of(held_as.group(1)[:-1])) and role not in found:
        found[role] = held_as.group(1)
    return found


# "..., who has chaired the association since 2023": the role by its verb, held now ("who
# chaired the meeting" chaired one meeting; "who had chaired" is before).
_ROLE_VERB_AFTER = re.compile(r"\s*,\s*(?:\d+\s*,\s*)?who\s+has\s+([a-z]+ed)\s+(?:the|its|their|his|her)\b")


_APPOSITION_END = re.compile(r"\b(?:of|who|whom|whose|which|that|at|for|with|from|in|on|representing|working|running|since)\b")


_HELD_UNTIL = re.compile(r"\b(?:until|till|to)\s+(?:(?:early|late|mid)[\s-]+)?(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b")


def _apposition_roles(phrase: str) -> dict[str, str]:
    """The roles an apposition gives: its head noun phrase's ("the city's planning director"),
    not a possessor's ("the mayor's spokesman"), a past one ("a former teacher") or one after
    "of" / "who" ("the daughter of a judge")."""
    if _HELD_UNTIL.search(phrase):
        return {}  # "the trust's chair from 2012 to 2019", "its governor until 2020": a past one
    head = _APPOSITION_END.split(phrase, maxsplit=1)[0]
    past = _role_skips()[0]
    found: dict[str, str] = {}
    tokens = _TOKEN.findall(head)
    for i, tok in enumerate(tokens):
        if name_key(tok).rstrip("-") in past or tok.lower().startswith("ex-"):
            return {}
        if tok.endswith(("'s", "’s")):
            continue
        role = role_of(tok)
        if role:
            found.setdefault(_below(role) if _lesser_before(tokens, i) is not None else role, tok)  # "its deputy chair"
    if not found and tokens and name_key(tokens[-1]) in _lesser():
        found[DEPUTY.strip()] = tokens[-1]  # "His deputy, Dr Rachel Venn": someone's deputy
    return found


@lru_cache(maxsize=1024)
def held_by_another(name: str, roles: frozenset[str], sentence: str, named: frozenset[str] = frozenset()) -> str | None:
    """Someone other than `name` to whom the text gives one of the roles, where one person
    holds it at a time ("Canon Ann Bell, who has been the cathedral's treasurer since 2019," for
    Tom Kell as its treasurer; not a teacher, one of many). None where the text tells of a
    succession ("took over", "predecessor"): the role has passed from one to the other; nor
    where the role is given with a name the question does not give (`named`): another body's
    ("The mayor of neighbouring Tarnby, Dev Patel,")."""
    data = vocabulary_data()["roles"]
    roles = roles & frozenset(data["one_holder"])
    if not roles or re.search(rf"\b(?:{'|'.join(map(re.escape, data['succession']))})", sentence, re.IGNORECASE):
        return None
    asked = {name_key(w) for w in HYPHEN_OR_SPACE.split(name)}
    for run, words, held in people(sentence):
        if len(words) < 2 or any(name_key(w) in asked for w in words):
            continue  # a full name, and not one of the asked person's ("Thursfield", "Dean Thursfield")
        if set(held) & roles and not _other_body(sentence, run, named):
            return " ".join(words)
    return None


def people(text: str) -> list[tuple[re.Match, list[str], dict[str, str]]]:
    """Each run of capitalised words of a text, with its name's words and the roles the text
    gives it, read from past its titles ("Detective Chief Inspector Priya Vaswani": an inspector)."""
    found = []
    for run in CAPS.finditer(text):
        tokens = run.group(0).split()
        lead = next((i for i, w in enumerate(tokens) if not is_title(w) and not role_of(w)), len(tokens))
        words = [w for w in tokens[lead:] if not is_title(w) and not role_of(w) and not NOT_NAMES.match(w)]
        start = run.start() + len(" ".join(tokens[:lead])) + (1 if lead else 0)
        found.append((run, words, roles_at(text, start, run.end())))
    return found


def _other_body(text: str, run: re.Match, named: frozenset[str]) -> bool:
    """Whether the clause giving the person at `run` their role names something the question
    does not ("The mayor of neighbouring Tarnby, Dev Patel,"): the role of another body."""
    before = re.split(r"[.;\n]", text[max(0, run.start() - 80) : run.start()])[-1]
    after = re.split(r"[.;\n]", text[run.end() : run.end() + 120])[0]
    keys = {name_key(w) for n in named for w in HYPHEN_OR_SPACE.split(n)}
    others = [m.group(0) for m in CAPS.finditer(f"{before} … {after}") if m.start() > 0]
    return any(name_key(w) not in keys and not is_title(w) and not role_of(w) and not NOT_NAMES.match(w) for o in others for w in HYPHEN_OR_SPACE.split(o.replace("’s", "").replace("'s", "")))


def roles_given(name: str, ev: Evidence) -> set[str]:
    """The roles the evidence gives the person `name`: where the cited sentence gives them one,
    the sentence's; otherwise its context's."""
    parts = name.split()
    last = re.escape(parts[-1])
    for text in (ev.sentences, f"{ev.near}\n{ev.context}"):
        roles: set[str] = set()
        for m in re.finditer(rf"(?<![\w-]){last}(?![\w-])", text):
            start, steps = m.start(), 0
            while (steps := steps + 1) <= 3 and (prev := re.search(r"([A-Z][\w’'.-]*)\s+$", text[max(0, start - 60) : start])) and not role_of(prev.group(1)) and not is_title(prev.group(1)):
                start = max(0, start - 60) + prev.start(1)  # "Anika Pell": the name begins at her first name
            first = text[start : m.start()].split()
            if len(parts) > 1 and first and not same_name_word(first[-1], parts[-2]):
                continue  # "her brother, striker Tom Lutz": another Lutz
            roles |= set(roles_at(text, start, m.end()))
        if roles:
            return roles  # where the sentence names them without a role, its context may give one
    return set()


def described_roles(question: str) -> list[tuple[str, str]]:
    """The roles a question gives someone it does not name ("what did Bellhaven's mayor say"),
    as (word, role), where it does not make them past ones ("the former mayor")."""
    found = []
    for tokens, i, role, mark in _unnamed_roles(question):
        if mark is None:
            tok, lesser = tokens[i], _lesser_before(tokens, i)
            if lesser is not None:  # "the board's deputy chair", "the deputy council leader"
                tok, role = " ".join(tokens[lesser : i + 1]), _below(role)
            found.append((tok, role))
    return found


def former_roles(question: str) -> list[tuple[str, str]]:
    """The roles a question gives as past ones to someone it does not name ("according to the
    trust's former chair"), as (words, role): "former chair", "chair"."""
    return [(" ".join(tokens[mark : i + 1]), role) for tokens, i, role, mark in _unnamed_roles(question) if mark is not None]


def _unnamed_roles(question: str) -> list[tuple[list[str], int, str, int | None]]:
    """Each role word of a question that no name follows, as (tokens, where, its role, where
    its past mark stands or None)."""
    tokens = _TOKEN.findall(question)
    found = []
    for i, tok in enumerate(tokens):
        role = role_of(tok) if tok.islower() else None
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if role and not following[:1].isupper():
            found.append((tokens, i, role, past_mark(tokens, i)))
    return found


def phrase_roles(phrase: str) -> set[str]:
    """The role a describing phrase gives its person: "The deputy director of midwifery": deputy
    director; "the mayor's deputy": deputy mayor (a role's deputy); "the council's chief
    executive": executive (the possessor is whose, not who)."""
    m = re.search(r"([a-z][\w-]*)['’]s\s+([a-z][\w-]*)\b", phrase)
    if m and name_key(m.group(2)) in _lesser() and role_of(m.group(1)):
        return {_below(role_of(m.group(1)))}
    if m:
        phrase = phrase[m.start(2) :]
    return {role for _, role in described_roles(phrase)}


def only_past(role: str, sentence: str) -> bool:
    """Whether a sentence gives the role only as a past one: "Former mayor Dilys Pendlebury told
    the meeting" has no mayor in it now."""
    past, _ = _role_skips()
    tokens = _TOKEN.findall(sentence)
    held = [i for i, tok in enumerate(tokens) if role_of(tok) == role or _past_form(tok, past) == role]
    if not held and _PREDECESSOR.match(sentence):
        return True  # "Stanbridge's predecessor, Harriet Coombe, warned ...": who held it before

    def marked(i: int) -> int | None:
        return past_mark(tokens, i) if _past_form(tokens[i], past) != role else i

    # Only where the former holder is who the sentence is about, its subject ("Former mayor
    # Dilys Pendlebury told ..."), not one named in passing ("replaced former mayor ...").
    # ... what stands before it being only its determiners and possessors ("The gallery's").
    first = marked(held[0]) if held else None
    if first is None or any(marked(i) is None for i in held):
        return False
    return first <= 1 or all(tok[:1].isupper() or name_key(tok) in ("the", "a", "an", "its", "their") or tok.endswith(("'s", "’s")) for tok in tokens[:first])


def past_mark(tokens: list[str], i: int) -> int | None:
    """Where the mark that the role word at i is a past one stands: "former mayor", and over
    the role's own words, "former chief executive"; None where there is none."""
    past, _ = _role_skips()
    j = i - 1
    # ... not past a possessor ("The former mining town's mayor" is the town's, not a former mayor).
    while j >= 0 and i - j <= _ROLE_WORDS and tokens[j].islower() and name_key(tokens[j]).rstrip("-") not in past and name_key(tokens[j]) not in STOPWORDS and not tokens[j].endswith(("'s", "’s")):
        j -= 1
    return j if j >= 0 and name_key(tokens[j]).rstrip("-") in past else None


_PREDECESSOR = re.compile(r"^\s*(?:(?:[A-Z][\w’'-]*(?:['’]s)?|[Hh]is|[Hh]er|[Tt]heir)\s+)+predecessor,\s+(?:[A-Z][\w’'.-]*\s+){1,3}?[A-Z][\w’'-]*,")
_ROLE_WORDS = 3  # "former [chief] executive", "ex-[managing] director": the role's words before its head


def _past_form(token: str, past: frozenset[str]) -> str | None:
    """The role of a hyphenated past one: "ex-mayor" is a mayor no longer."""
    head, _, rest = token.partition("-")
    return role_of(rest) if rest and name_key(head) in past else None


def permanent_asked(question: str) -> list[tuple[str, str]]:
    """The roles a question asks of their permanent holder ("Tillingham Bank's permanent chief
    financial officer"), as (words, role)."""
    found = []
    for m in re.finditer(r"\bpermanent\s+([a-z]+(?:\s+[a-z]+){0,2})", question):
        words = m.group(1).split()
        at = next((k for k, w in enumerate(words) if role_of(w)), None)
        if at is not None:
            found.append((f"permanent {' '.join(words[: at + 1])}", role_of(words[at])))
    return found


def only_standing_in(role: str, sentence: str) -> bool:
    """Whether a sentence gives the role only as one held for a while: "who has been interim
    chief financial officer since July"."""
    standing = frozenset(vocabulary_data()["roles"]["standing_in"])
    tokens = _TOKEN.findall(sentence)
    held = [i for i, tok in enumerate(tokens) if role_of(tok) == role]
    return bool(held) and all(any(name_key(t) in standing for t in tokens[max(0, i - 3) : i]) for i in held)


_BECOME = re.compile(r"^\s+(?:been|served\s+as)\s+(?:as\s+)?(.*)")


def roles_become(rest: str) -> dict[str, str]:
    """The role a question says a person has held, after the name: "Since when has Tom Kell been
    the Pavilion's artistic director?" (not a former one; not one they "become" or are "sworn in
    as": the evidence may give the role they held before)."""
    m = _BECOME.match(rest)
    if not m:
        return {}
    tokens = _TOKEN.findall(m.group(1))[:7]
    for i, tok in enumerate(tokens):
        if tok in ",;:?":
            break
        role = role_of(tok) if tok.islower() else None
        if role:
            if past_mark(tokens, i) is not None:
                return {}
            return {_below(role) if _lesser_before(tokens, i) is not None else role: tok}
    return {}
