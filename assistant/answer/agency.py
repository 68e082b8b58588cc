"""Who does what to whom: the agencies a question asks about ("What did Trump offer Putin?")
and whether the evidence has that doer, or another one ("it is Putin who offers").
And whether a text has anyone saying anything (a quotation, a verb of saying)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.constraint_records import Agency, Evidence
from assistant.answer.doers import AUXILIARIES, PASSIVE, QUOTATION, clause_subject, doer_at, full_name, name_run, named_at, same_doer, speaker, without_appositions
from assistant.answer.entities import ENTITIES
from assistant.answer.names import in_text
from assistant.answer.question import asked_verb
from assistant.answer.roles import role_of
from assistant.answer.vocabulary import RELATIVE, UPPER, WORD, is_title, same_name_word, verb_forms, verb_term, vocabulary_data
from assistant.chunk import split_sentences
from assistant.text import IRREGULAR_PAST, NOT_NAMES, STOPWORDS, stem, terms

# "did Trump offer", "has the Kremlin said": the one who does what the question asks about.
_NAME_RUN = rf"([{UPPER}][\w’'.-]*(?:\s+(?:&\s+)?[{UPPER}][\w’'.-]*)*)"
_AGENT_Q = re.compile(rf"\b(?i:did|does|do|has|have|had|will|would|could|can)\s+(?:the\s+)?{_NAME_RUN}\s+([a-z]+)\b")
_SPEAKER_Q = re.compile(r"\b(?i:did|does|do|has|have|had|will|would)\s+(.*)")
# "Who beat Renn ...?", "Which company fined Brackwater Transit ...?": the one it is done to.
_DONE_TO_Q = re.compile(
    rf"^\s*(?i:who|which\s+[a-z]+(?:\s+[a-z]+)?)\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\s+(?:the\s+)?{_NAME_RUN}"
)
# "did Trump and Boris Johnson suggest", "did Obama write": the question's subject ...
_SUBJECT_Q = re.compile(rf"\b(?i:did|does|do|has|have|had|will|would)\s+(?:the\s+)?{_NAME_RUN}(?:\s+and\s+(?:the\s+)?{_NAME_RUN})?\s+[a-z]+\b")
# ... which a pronoun takes up in a clause of its own: "the telegrams they sent Putin".
_PRONOUN_CLAUSE = re.compile(rf"\b(?:[a-z]+)\s+(?:they|he|she)\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\s+(?:to\s+)?[{UPPER}]")
# "the call that Putin initiated": a relative clause says who did it too.
_AGENT_CLAUSE = re.compile(rf"\b(?:that|which|whom|when|after|before)\s+(?:the\s+)?{_NAME_RUN}\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\b")
# "Of what was Colin Stavely convicted?", "Why was Ada Pike sacked?": the name it is done to.
_PASSIVE_Q = re.compile(
    rf"\b(?i:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+(?:the\s+)?{_NAME_RUN}\s+((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})\b(?!\s+by\b)"
)
# "Which club was beaten by Kettlebury ...?", "Which firm was bought out of administration by
# Hogg?": the one after "by" does it.
_BY_Q = re.compile(
    rf"^\s*(?i:who|what|which\s+[a-z]+(?:\s+[a-z]+)?)\s+(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+"
    rf"((?-i:[a-z]+ed)|{'|'.join(IRREGULAR_PAST)})(?:\s+(?!(?:and|or|but)\b)(?-i:[a-z]+)(?<!ed)){{0,3}}?\s+by\s+(?:the\s+)?{_NAME_RUN}"
)
# "According to the Kremlin, ...": the Kremlin is who says it, unless it is the outlet.
_ACCORDING_Q = re.compile(rf"\b(?i:according to)\s+(?:the\s+)?(?:[a-z][\w-]*\s+){{0,3}}?{_NAME_RUN}(?=\s*(?:[,?.;]|$))")


def question_agencies(question: str, names: tuple[str, ...]) -> tuple[Agency, ...]:
    """Who does what the question asks about: "did Trump offer", "the call that Obama
    initiated"; and who says it: "according to the Kremlin"."""
    found: list[Agency] = []
    if sum(verb_term(w) == "say" for w in WORD.findall(question) if not w[:1].isupper()) <= 1:  # "did the White House say Obama stressed"; "United States" says nothing
        for m in (_AGENT_Q.search(question), _AGENT_CLAUSE.search(question)):
            if not m:
                continue
            agent = _named(m.group(1), names)
            verb = m.group(2)
            after = re.match(r"\s*([\w’'-]+)", question[m.end() :])
            if agent is None or is_title(verb) or role_of(verb) or (verb in STOPWORDS and verb_term(verb) != "say"):
                # "did the Russian president say", "did Obama and Putin agree": no one name does
                # it; "did Orbanet founder Edith Morven say": a role, not the verb.
                continue
            if m.re is _AGENT_Q and after and after.group(1).islower() and after.group(1) not in STOPWORDS:
                continue  # "does the Geneva summit matter": the word read as the verb is a noun
            if m.re is _AGENT_Q and m.group(0).split()[0].lower() not in ("has", "have", "had") and re.search(r"[^s]s$", verb):
                continue  # "do Brannock shareholders get": after "do" a verb has no -s; this is a noun
            found.append(Agency(agent, verb_term(verb), tuple(n for n in names if n != agent), _topic(question, names, verb), spoken=_spoken(verb)))
            break
        else:
            # "What did Lanternfish composer Leo Gault say ...?": the speaker is the last name
            # before the verb of saying, past the words that say who they are.
            m = _SPEAKER_Q.search(question)
            words = m.group(1).split()[:8] if m else []
            at = next((i for i, w in enumerate(words) if w.islower() and verb_term(w) == "say"), None)
            subject = " ".join(words[:at]) if at else ""
            # ... not one named as whose they are: "did Ellerburn's chairman say", "did Harton
            # council's chief executive tell" are the chairman, the chief executive.
            # Nor one a role follows: "did the Labour leader say" is the leader.
            agent = next((n for n in reversed(names) if n in subject and re.search(rf"{re.escape(n)}(?!(?:\s+[a-z]+)?['’]s\b)", subject) and not _role_after(n, subject)), None)
            if agent:
                found.append(Agency(agent, "say", tuple(n for n in names if n != agent), _topic(question, names, words[at]), spoken=_spoken(words[at])))
    # "What did Trump and Boris Johnson suggest in the telegrams they sent Putin?": "they" are
    # the question's subject, who do what the clause says.
    clause = _PRONOUN_CLAUSE.search(question)
    subject = _SUBJECT_Q.search(question) if clause else None
    doers = [n for n in (_named(subject.group(1), names), _named(subject.group(2) or "", names)) if n] if subject else []
    if doers and verb_term(clause.group(1)) != "say":
        found.append(Agency(doers[0], verb_term(clause.group(1)), tuple(n for n in names if n not in doers)))
    m = _DONE_TO_Q.search(question)
    verb, run = (m.group(1), m.group(2)) if m else (None, None)
    if not m and (p := _PASSIVE_Q.search(question)):  # "Of what was Colin Stavely convicted?"
        verb, run = p.group(2), p.group(1)
    done_to = _named(run, names) if verb and verb_term(verb) != "say" else None
    if done_to and not found:
        found.append(Agency(done_to, verb_term(verb), tuple(n for n in names if n != done_to), done_to=True))
    # "Which club was beaten by Kettlebury?": Kettlebury does it.
    m = _BY_Q.search(question)
    by = _named(m.group(2), names) if m and verb_term(m.group(1)) != "say" else None
    if by and not found:
        found.append(Agency(by, verb_term(m.group(1)), tuple(n for n in names if n != by), _topic(question, names, m.group(1))))
    m = _ACCORDING_Q.search(question)
    agent = _named(m.group(1), names) if m else None
    if agent and re.search(r"\bof\s+(?:the\s+)?$", question[m.start() : m.start(1)]):
        agent = None  # "according to the chair of the Mill Trust": the chair says it, not the trust
    if agent and any(agent in o.group(0) for o in ENTITIES["outlet"].names.finditer(question)):
        agent = None  # "according to The Verge" asks which article reports it, not who says it
    if agent:
        found.append(Agency(agent, "say", tuple(n for n in names if n != agent), spoken=True))
    return tuple(found)


def _role_after(name: str, subject: str) -> bool:
    """Whether a role word follows the name in the question's subject ("Labour leader")."""
    rest = subject[subject.find(name) + len(name) :]
    return any(role_of(w) for w in rest.split() if w.islower())


def _topic(question: str, names: tuple[str, ...], verb: str) -> frozenset[str]:
    """The question's content terms that are not its names nor its verb."""
    named = {t for n in names for t in terms(n)}
    return frozenset(terms(question)) - named - {stem(verb), verb_term(verb)}


def _named(run: str, names: tuple[str, ...]) -> str | None:
    """The question's name that a run of capitalised words holds ("President Trump": "Trump")."""
    return next((n for n in names if n.split()[-1] in run.split()), None)
# A participle right after a preposition's object ("sent telegrams to Trump and Boris Johnson
# suggesting ..."): its doer is the clause's subject, not the name before it.
_AFTER_OBJECT = re.compile(r"\b(?:to|for|from|of|by|at|on|in|into|about|with)\s+(?:(?:the|and)\s+|[A-Z][\w.'’-]*\s+)*$")
# What stands between a verb and the one it is done to: a particle, an apposition before the name.
_DONE_TO = re.compile(r"^\s+(?:(?:out|off|past|back|down)\s+)?(?:the\s+[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){0,2},\s+)?")


_DONE_TO_IN_CLAUSE = re.compile(rf"{_NAME_RUN},\s+(?:which|who)\s+(?:was|were|had been|has been|is|are)\s+([a-z]+)\s+by\s+(?:the\s+)?{_NAME_RUN}")


def published_by(agency: Agency, ev: Evidence) -> bool:
    """Whether the one the question has say it is the article's outlet or author."""
    return any(same_name_word(p, w) for p in agency.agent.split() for w in ev.source.split())


def reversed_agency(agency: Agency, ev: Evidence) -> str | None:
    """Who else the evidence has doing the question's verb, where it never has the question's
    agent do it: "What did Obama write to Putin?" against "..., wrote Putin"; "according to the
    White House" against "the Kremlin said". The cited sentences judge; where they name no doer
    ("... continued the statement"), their context does."""
    if agency.done_to:
        # Where the cited sentences do not tell it at all, the article does.
        return _done_to_other(agency, ev.sentences if agency.told_in(ev.sentences) else ev.article)
    if published_by(agency, ev):
        return None  # "according to RT", "when RT reported", and RT published it
    if agency.spoken and not in_text(agency.agent, ev.sentences):
        # "“... rest day since March ...,” he said", where the sentence before names the union's
        # leader saying it: another speaker's words.
        who = speaker(ev)
        if who and not same_doer(who.split(), agency.agent):
            return who
    # Any other doer refutes the evidence where the sentence does not name the agent at all;
    # where it does, only another of the question's names does ("Dorsch won" beside "Hallan"),
    # except that in the sentence itself a verb of saying has one doer: "Lanternfish argued
    # that its composer, Leo Gault, wrote ..." is Lanternfish saying it, not Gault.
    named = in_text(agency.agent, ev.sentences)
    for text in (ev.sentences, ev.context):
        strict = not named or (agency.verb == "say" and text is ev.sentences)
        by_agent, by_other = _doers(agency, text, strict, topical=text is ev.sentences, article=ev.article)
        if by_agent:
            return None
        if by_other:
            return by_other
        referred = _referred_doer(agency, text) if text is ev.sentences and agency.verb != "say" else None
        if referred is not None:
            # "the company sold its timber yard": the sentence says who, by reference; "the
            # society had raised £23,000", where the article's society is another's, says another.
            return _named_by_noun(referred, agency.agent, ev.article, f"{ev.near}\n{ev.lead_in}")
    return None


def _referred_doer(agency: Agency, text: str) -> str | None:
    """The word by which the text refers back to the one doing the verb: a pronoun, or the
    noun after "the" (or "its") just before it ("the company sold": "company"; "it bought":
    "it"); None where it does not."""
    tokens = WORD.findall(QUOTATION.sub(" … ", text))
    for i, tok in enumerate(tokens):
        if i and tok[:1].islower() and agency.verb in verb_forms(tok):
            j = i
            while j > 0 and tokens[j - 1].lower() in AUXILIARIES:
                j -= 1
            before = [w.lower() for w in tokens[max(0, j - 2) : j]]
            if before[-1:] and before[-1] in ("it", "they", "he", "she", "we") or (len(before) == 2 and before[0] in ("the", "its", "their") and before[1].isalpha()):
                return before[-1]
    return None


def _named_by_noun(noun: str, agent: str, article: str, before: str) -> str | None:
    """The name the sentences just before give with the noun as its last word ("The Colbrook
    Beacon Preservation Society ..." before "the society had raised"), where it is the only such
    name there and the article never gives the agent that noun ("Sunvale, the developer";
    "Halvern Foods is a family-owned company"): the one "the society" refers to. None otherwise."""
    head = noun.title()
    last = re.escape(agent.split()[-1])
    if not article or agent.split()[-1].lower() == noun or re.search(
            rf"{last}\W+(?:(?:is|was|has been)\s+)?(?:the|a|an)\s+(?:[\w-]+\s+){{0,3}}{noun}\b|\b{noun}\s+(?:[A-Z][\w’'-]*\s+)*{last}\b", article):
        return None
    others = {m.group(0) for m in re.finditer(rf"\b(?:(?!The\b)[A-Z][\w’'-]*\s+)+{head}\b", before) if not any(same_name_word(w, p) for w in m.group(0).split() for p in agent.split())}
    return min(others, key=len) if len(others) == 1 else None


def _spoken(verb: str) -> bool:
    """Whether a question's verb asks for someone's words (`speech_verbs`: "say", "warn")."""
    return verb_term(verb) == "say" and stem(IRREGULAR_PAST.get(verb.lower(), verb.lower())) in _speech_verbs()


@lru_cache(maxsize=1)
def _speech_verbs() -> frozenset[str]:
    return frozenset(stem(IRREGULAR_PAST.get(v, v)) for v in vocabulary_data()["speech_verbs"])


def says(text: str) -> bool:
    """Whether anyone says anything in the text: a quotation, a verb of saying, "according to";
    not in a relative clause ("Reade, whose novel had been the favourite since the shortlist was
    announced, did not attend")."""
    return bool(QUOTATION.search(text)) or re.search(r"\baccording to\b", text, re.IGNORECASE) is not None or any(
        verb_term(w) == "say" for w in WORD.findall(RELATIVE.sub(" ", text)) if not w[:1].isupper()
    ) or any(verb_term(m.group(1)) == "say" for m in _NAMED_SAYING.finditer(text))


# "..., which Fairholme said the cost of the clean-up made impossible": a relative clause that is
# someone's saying.
_NAMED_SAYING = re.compile(r"\b(?:which|that)\s+(?:[A-Z][\w’'-]*\s+){1,4}([a-z]+)\b(?=[^,;]*[.!?]?[\"”’']?\s*$)")


def _doers(agency: Agency, text: str, strict: bool, topical: bool = False, article: str = "") -> tuple[bool, str | None]:
    """Whether the text has the question's agent doing its verb, and who else does (any name
    where `strict`, else only another of the question's names, or, where `topical`, anyone
    doing it about what the question asks). Inside a quotation only the agent counts: "The
    Kremlin reported: “Mr Putin stressed ...”" has Putin say it."""
    for quoted in QUOTATION.findall(text):
        if _doers(agency, quoted.strip("“”\""), strict)[0]:
            return True, None
    by_agent, by_other = False, None
    for sentence in split_sentences(QUOTATION.sub(" … ", text)):
        by_other = by_other or _done_to_agent(agency, sentence.text)
        # "Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told ...": past the apposition.
        plain = without_appositions(sentence.text)
        spans = list(WORD.finditer(plain))
        tokens = [m.group(0) for m in spans]
        for i, tok in enumerate(tokens):
            if tok[:1].isupper() or agency.verb not in verb_forms(tok):
                continue
            before = plain[: spans[i].start()]
            if tok.endswith("ing") and _AFTER_OBJECT.search(before):
                continue  # "telegrams to Trump and Boris Johnson suggesting ...": the clause's subject suggests
            doer = clause_subject(tokens[:i]) if tok.endswith("ing") and before.rstrip().endswith(",") else doer_at(tokens, i)
            if not doer:
                continue
            # "Morven said", where the article has both Saskia and Edith Morven: the one named last.
            doer = full_name(doer, sentence.text, article) if len(doer) == 1 and article else doer
            if same_doer(doer, agency.agent):
                by_agent = True
            elif strict or any(same_doer(doer, o) for o in agency.others) or (topical and _on_topic(plain[spans[i].end() :], agency.topic)):
                # Anyone, where the sentence does not name the agent; where it does, another of
                # the question's names, or anyone doing it about what the question asks ("Trump
                # offered ... to help fight the virus" for "what did Putin offer to help fight it").
                by_other = by_other or " ".join(doer)
    return by_agent, by_other


@lru_cache(maxsize=4096)  # per sentence: the headline's and lede's are in every candidate's context
def _done_to_agent(agency: Agency, sentence: str) -> str | None:
    """Who does the question's verb to its agent, where the sentence has that and never the agent
    doing it: "he edged out Tobias Renn" for "did Renn beat Brandt"; "the qualifier who had
    knocked out the top seed, Mei Tanaka" for "did Tanaka knock out Brandt". Not for verbs of
    saying, which invert ("..., said Irena Vasko")."""
    if agency.verb == "say":
        return None
    # "Slotwise, which was bought by Ambervale Software in 2022, said ...": done to the agent.
    for m in _DONE_TO_IN_CLAUSE.finditer(sentence):
        if agency.verb in verb_forms(m.group(2)) and same_doer(m.group(1).split(), agency.agent):
            return m.group(3)
    sentence = RELATIVE.sub(" ", sentence)  # "Brandt, who beat Renn last year, lost to Renn"
    spans = list(WORD.finditer(sentence))
    tokens = [m.group(0) for m in spans]
    other = None
    for i, tok in enumerate(tokens):
        if tok[:1].isupper() or agency.verb not in verb_forms(tok):
            continue
        if i and re.search(r"['’]s$", tokens[i - 1]) and i + 1 < len(tokens) and tokens[i + 1] in ("to", "by", "of"):
            # A noun: "Renn's defeat to Brandt" (Brandt does it to Renn), "Kessler's purchase of Marlow".
            owner = [re.sub(r"['’]s$", "", w) for w in name_run(tokens[max(0, i - 3) : i])[-2:]]
            named = named_at(tokens[i + 2 : i + 7])
            doer, done_to = (owner, named) if tokens[i + 1] == "of" else (named, owner)
            if doer and same_doer(doer, agency.agent):
                return None
            if done_to and same_doer(done_to, agency.agent):
                other = other or " ".join(doer) or "someone else"
            continue
        doer = doer_at(tokens, i)
        if doer and same_doer(doer, agency.agent):
            return None
        # "Kettlebury were beaten 30-10 by Penhallow": in the passive, the subject is done to.
        if i and tokens[i - 1].lower() in PASSIVE:
            # "Its biggest purchase, a shopping centre in Saltbridge, was bought": past the apposition.
            before = WORD.findall(without_appositions(sentence[: spans[i].start()]))
            done_to = _passive_subject(before + [tok], len(before))
        else:
            done_to = _named_after(sentence[spans[i].end() :])
        if done_to and same_doer(done_to, agency.agent):
            other = other or (" ".join(doer) if doer else next((o for o in agency.others if in_text(o, sentence)), "someone else"))
    return other


def _passive_subject(tokens: list[str], i: int) -> list[str]:
    """The name before a passive verb's auxiliaries: "Kettlebury" in "Kettlebury were beaten";
    where a place follows the subject's noun, the name in that noun's phrase: "Haddowgate" in
    "The Haddowgate shopping centre in Marlingham has been sold"."""
    j = i - 1
    while j > 0 and tokens[j - 1].lower() in AUXILIARIES | PASSIVE:
        j -= 1
    k = j
    while k > 0 and tokens[k - 1][:1].isupper():
        k -= 1
    if k > 1 and tokens[k - 1] in _PLACE_OF:
        m = k - 1
        while m > 0 and tokens[m - 1].lower() not in ("the", "a", "an") and not (tokens[m - 1][:1].islower() and tokens[m - 1] in STOPWORDS):
            m -= 1
        named = [w for w in tokens[m : k - 1] if w[:1].isupper()]
        # ... only a phrase that opens the clause: not "A shop at the Haddon Mill outside
        # Marlow", "The stadium of Tarnby Rovers in Marlow" (the stadium sold, not the club).
        opens = m == 0 or (tokens[m - 1].lower() in ("the", "a", "an") and (m < 2 or tokens[m - 2].lower() not in _PREPOSITIONS))
        if named and opens:
            return [w for w in named if not is_title(w) and not NOT_NAMES.match(w)]
    return [w for w in tokens[k:j] if not is_title(w) and not NOT_NAMES.match(w)]


_PLACE_OF = frozenset({"in", "at", "near", "outside"})
_PREPOSITIONS = _PLACE_OF | frozenset({"of", "on", "from", "to", "by", "with", "for", "into", "inside"})


def _done_to_other(agency: Agency, text: str) -> str | None:
    """Whom the cited sentences have the verb done to, where never to the question's name:
    "The authority fined its main contractor, Sunnmark Rail" for "Which company fined
    Brackwater Transit?"; "Sunnmark Rail was fined by the authority" too."""
    other = None
    for sentence in split_sentences(QUOTATION.sub(" … ", text)):
        # (Past the subject's apposition: "Kerry Ashburn, a teaching assistant in Hexworth, was paid".)
        plain = without_appositions(RELATIVE.sub(" ", sentence.text))
        spans = list(WORD.finditer(plain))
        tokens = [m.group(0) for m in spans]
        for i, tok in enumerate(tokens):
            if tok[:1].isupper() or agency.verb not in verb_forms(tok):
                continue
            if i and tokens[i - 1].lower() in PASSIVE:
                done_to = _passive_subject(tokens, i)
            else:
                done_to = _named_after(plain[spans[i].end() :], past_possessive=True)
            if not done_to:
                continue
            if same_doer(done_to, agency.agent):
                return None
            other = other or " ".join(done_to)
    return other


def _on_topic(rest: str, topic: frozenset[str]) -> bool:
    """Whether what follows a verb, to the end of its clause, shares a content word with the
    question: "won the runoff" is not about "what share"."""
    clause = re.split(r"[,;:]", rest, maxsplit=1)[0]
    return bool(topic & set(terms(clause)))


# "fined its main contractor, Sunnmark Rail": a possessive apposition before the name.
_POSSESSIVE_BEFORE = re.compile(r"^\s*(?:its|their|his|her)\s+(?:[a-z]+\s+){0,2}?[a-z]+,\s*")


def _named_after(after: str, past_possessive: bool = False) -> list[str]:
    """The one a verb is done to: the name in the few words after it, past a particle and an
    apposition ("edged out Tobias Renn", "beat the defending champion, Anouk Reyes"), and where
    asked, past a possessive one ("its main contractor, Sunnmark Rail")."""
    after = _DONE_TO.sub("", after, count=1)
    if past_possessive:
        after = _POSSESSIVE_BEFORE.sub(" ", after)
    return named_at(WORD.findall(after[:80])[:5])


def verb_of(question: str, agencies: tuple[Agency, ...]) -> str | None:
    """The term of the verb the question asks about ("acquire" in "Which company did Halden
    acquire?", "steal" in "What was stolen ...?"), not a verb of saying, a purpose's ("to
    replace") nor a noun's."""
    return asked_verb(question) or next((a.verb for a in agencies if a.verb != "say"), None)
