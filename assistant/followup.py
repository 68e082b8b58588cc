"""Follow-up questions made standalone before retrieval, with a small offline heuristic.

Retrieval sees one question at a time, so "and what did the Kremlin say?" after "What did
Obama and Putin discuss on their call?" would search for the Kremlin alone. A question that
looks like a follow-up (short, opening with "and" / "what about" / "how about", or leaning on
a pronoun with no name of its own) gets the names of the previous question appended (its
other key words only where it names no one): "what did the Kremlin say? (Obama, Putin)".
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from assistant.text import is_name_word

#: Most words a question can have and still count as "short", so a follow-up.
SHORT_WORDS = 3
#: Most words carried over from the previous question.
MAX_CARRIED = 5

_OPENERS = re.compile(r"^\s*(and|but|also|so)\b[\s,]*", re.IGNORECASE)
_FOLLOWUP_START = re.compile(r"^\s*(and|but|also|what about|how about)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w'’.-]*[A-Za-z0-9]|[A-Za-z0-9]")
_VOCAB = tomllib.loads((Path(__file__).parent / "data" / "followup.toml").read_text(encoding="utf-8"))
_PRONOUNS = frozenset(_VOCAB["pronouns"])
_STOP = frozenset(_VOCAB["topicless"]) | _PRONOUNS  # words that carry no topic


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_name(word: str) -> bool:
    """A word that may be part of a name and carries a topic ("Kremlin", not "What" or "Monday")."""
    return is_name_word(word) and word.lower() not in _STOP


def key_terms(question: str) -> list[str]:
    """The question's topic words: names (capitalized) first, then other content words."""
    words = _words(question)
    names = [w for w in words if _is_name(w)]
    others = [w for w in words if w not in names and w.lower() not in _STOP and len(w) > 2]
    seen: set[str] = set()
    out = []
    for w in names + others:
        if w.lower() not in seen:
            seen.add(w.lower())
            out.append(w)
    return out


def is_followup(question: str) -> bool:
    words = _words(question)
    if len(words) <= SHORT_WORDS or _FOLLOWUP_START.match(question):
        return True
    has_pronoun = any(w.lower() in _PRONOUNS for w in words)
    has_name = any(_is_name(w) for w in words)
    return has_pronoun and not has_name


def standalone(question: str, previous: list[str]) -> str:
    """The question as it should be searched, given the earlier user questions (oldest first).

    Unchanged when it does not look like a follow-up or there is nothing before it. The
    previous question is itself made standalone first, so a chain of follow-ups keeps its topic.
    """
    question = question.strip()
    if not previous or not is_followup(question):
        return question
    context = standalone(previous[-1], previous[:-1])
    own = {w.lower() for w in _words(question)}
    carried = [w for w in key_terms(context) if w.lower() not in own]
    # The people and places it refers back to, not the old topic's other words: "and what did
    # the White House propose?" after a question about a telegram is not about the telegram.
    names = [w for w in carried if _is_name(w)]
    carried = (names or carried)[:MAX_CARRIED]
    if not carried:
        return question
    core = _OPENERS.sub("", question) or question
    return f"{core} ({_grouped(carried, context)})"


def _grouped(carried: list[str], context: str) -> str:
    """The carried words, those that stand together in the question they come from kept
    together and the rest set apart by commas: "Putin, Obama, Independence Day", so that each
    name stays one."""
    groups: list[list[str]] = []
    for w in carried:
        if groups and re.search(rf"\b{re.escape(' '.join(groups[-1] + [w]))}\b", context):
            groups[-1].append(w)
        else:
            groups.append([w])
    return ", ".join(" ".join(g) for g in groups)
