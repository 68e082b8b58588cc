"""How citations read: the reference line, Markdown footnotes, a journalist's attribution."""

from __future__ import annotations

import re

from assistant.cite import attribution, reference, render_markdown
from assistant.records import Answer, Citation


def _citation(**kw) -> Citation:
    base = dict(
        key=1, article_id="000", title="‘Partnership of equals’: Putin sends Independence Day telegram to Obama",
        source="RT", author=None, published="2016-07-04", url=None,
        passage="Russian President Vladimir Putin sent out a personal commemorative message.", start=0, end=75,
        sentence="Russian President Vladimir Putin sent out a personal commemorative message.", sentence_start=0, sentence_end=75,
    )
    base.update(kw)
    return Citation(**base)


def test_reference_line_names_outlet_headline_and_date():
    assert reference(_citation()) == 'RT, "‘Partnership of equals’: Putin sends Independence Day telegram to Obama", 4 Jul 2016'
    with_byline = reference(_citation(author="Jane Doe", url="https://example.org/a"))
    assert with_byline.endswith('by Jane Doe, 4 Jul 2016, https://example.org/a')


def test_attribution_reads_like_a_journalist_wrote_it():
    assert attribution(_citation()).startswith("according to a 4 July 2016 RT report")
    assert attribution(_citation(published="2020-05-08", source="Devdiscourse")).startswith("according to an 8 May 2020 Devdiscourse report")
    assert "Putin sent out a personal commemorative message" in attribution(_citation())


def test_markdown_uses_footnotes():
    answer = Answer(question="Q?", text="Putin sent a message. [1]", citations=[_citation()], refused=False, backend="offline")
    md = render_markdown(answer)
    assert "Putin sent a message. [^1]" in md
    assert '[^1]: RT, "‘Partnership of equals’' in md and "4 Jul 2016" in md
    assert "*Evidence dated 4 July 2016.*" in md


def test_markdown_escapes_what_articles_say_and_links_only_http():
    hostile = _citation(
        source="<script>alert(1)</script>", title="[click](javascript:alert(1)) *now*", author="<img src=x onerror=alert(1)>",
        url="javascript:alert(1)", passage="A <b>bold</b> claim [x](javascript:y).",
    )
    answer = Answer(question="<i>Q</i>?", text="A bold claim. [1]", citations=[hostile], refused=False, backend="offline")
    md = render_markdown(answer)
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "<img" not in md and "<b>" not in md and "<i>" not in md
    # The link syntax in the title is shown as text, and the javascript: URL is not written.
    assert not re.search(r"(?<!\\)\]\(javascript", md) and "\\[click\\]" in md and "\\*now\\*" in md
    assert "<javascript" not in md and md.count("javascript:") == 2  # the escaped title and passage only
    assert "A bold claim. [^1]" in md
    safe = render_markdown(Answer(question="Q?", text="x [1]", citations=[_citation(url="https://example.org/a b")], refused=False, backend="offline"))
    assert "<https://example.org/a%20b>" in safe


def test_attribution_is_copy_ready_house_style():
    quote = _citation(sentence='“The President said the \"positive experience\" would help,” continued the statement.')
    assert attribution(quote) == (
        "according to a 4 July 2016 RT report, "
        "“‘The President said the ‘positive experience’ would help,’ continued the statement.”"
    )
    assert attribution(_citation(source="The Age", author="Jane Doe")).startswith(
        "according to a 4 July 2016 report by Jane Doe in The Age, “Russian President")
    assert attribution(_citation(source="NBC")).startswith("according to a 4 July 2016 NBC report")
    assert attribution(_citation(published="2016-04-19", published_inferred="reports the call")).startswith(
        "according to an RT report (publication date inferred: 19 April 2016), “")
    no_outlet = attribution(_citation(source=None, author="Jereco Paloma"))
    assert no_outlet.startswith("according to a 4 July 2016 report by Jereco Paloma headlined “‘Partnership of equals’")
    assert "Unknown" not in no_outlet and "news report" not in no_outlet


def test_no_unknown_outlet_and_inferred_dates_marked_in_references_and_footnotes():
    c = _citation(source=None, published_inferred="reports the call of 18 April")
    assert reference(c) == '"‘Partnership of equals’: Putin sends Independence Day telegram to Obama", 4 Jul 2016 (date inferred)'
    md = render_markdown(Answer(question="Q?", text="x [1]", citations=[c], refused=False, backend="offline"))
    assert "Unknown outlet" not in md and "4 Jul 2016 (date inferred)" in md
    assert "*Evidence dated 4 July 2016 (date inferred).*" in md


def test_markdown_asks_the_searched_question():
    answer = Answer(question="and what did the Kremlin say?", text="x [1]", citations=[_citation()], refused=False,
                    backend="offline", rewritten_question="what did the Kremlin say? (Obama, Putin)")
    head = render_markdown(answer).split("\n\n")[0]
    assert head == "**Q:** what did the Kremlin say? (Obama, Putin)\\\n*Asked as a follow-up: and what did the Kremlin say?*"
