"""The shared word helpers: which capitalised words may be names, and word lists as regexes."""

from __future__ import annotations

import re

import pytest

from assistant.text import alternation, is_name_word


@pytest.mark.parametrize("word", ["Okonkwo", "Lakeview", "Brandt's", "Okafor’s", "NATO", "Okafor,"])
def test_names(word):
    assert is_name_word(word)


# Weekdays and months (possessive or with a full stop), sentence openers, pronouns, titles,
# and any word in lower case.
@pytest.mark.parametrize("word", ["Thursday's", "March.", "The", "However", "They", "President", "ferry", ""])
def test_not_names(word):
    assert not is_name_word(word)


def test_alternation_tries_the_longest_word_first_and_escapes_each():
    pattern = re.compile(rf"\b(?:{alternation(['secretary', 'secretary of state', 'U.S.'])})")
    assert pattern.search("the secretary of state flew in").group(0) == "secretary of state"
    assert pattern.search("a U.S. envoy").group(0) == "U.S."
    assert not pattern.search("the US envoy")
