"""How citations read: the reference line, Markdown footnotes, a journalist's attribution."""

from __future__ import annotations

import re
from datetime import date

from assistant.cite import attribution, reference, render_markdown
from assistant.records import Answer, Citation


def _citation(**kw) -> Citation:
    base = dict(
        key=1, article_id="000", title="‘Partnership of equals’: Putin sends Independence Day telegram to Obama",
        outlet="RT", author=None, published=date(2016, 7, 4), url=None,
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
    assert attribution(_citation(published=date(2020, 5, 8), outlet="Devdiscourse")).startswith("according to an 8 May 2020 Devdiscourse report")
    assert "Putin sent out a personal commemorative message" in attribution(_citation())


def test_markdown_uses_footnotes():
    answer = Answer(question="Q?", text="Putin sent a message. [1]", citations=[_citation()], refused=False, backend="offline")
    md = render_markdown(answer)
    assert "Putin sent a message. [^1]" in md
    assert '[^1]: RT, "‘Partnership of equals’' in md and "4 Jul 2016" in md
    assert "*Evidence dated 4 July 2016.*" in md


def test_markdown_escapes_what_articles_say_and_links_only_http():
    hostile = _citation(
        outlet="<script>alert(1)</script>", title="[click](javascript:alert(1)) *now*", author="<img src=x onerror=alert(1)>",
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
    said = '“The President said the \"positive experience\" would help,” continued the statement.'
    quote = _citation(passage=said, end=len(said), sentence=said, sentence_end=len(said))
    assert attribution(quote) == (
        "according to a 4 July 2016 RT report, "
        "“‘The President said the ‘positive experience’ would help,’ continued the statement.”"
    )
    assert attribution(_citation(outlet="The Age", author="Jane Doe")).startswith(
        "according to a 4 July 2016 report by Jane Doe in The Age, “Russian President")
    assert attribution(_citation(outlet="NBC")).startswith("according to a 4 July 2016 NBC report")
    assert attribution(_citation(published=date(2016, 4, 19), published_inferred="reports the call")).startswith(
        "according to an RT report (publication date inferred: 19 April 2016), “")
    no_outlet = attribution(_citation(outlet=None, author="Jereco Paloma"))
    assert no_outlet.startswith("according to a 4 July 2016 report by Jereco Paloma headlined “‘Partnership of equals’")
    assert "Unknown" not in no_outlet and "news report" not in no_outlet


def test_no_unknown_outlet_and_inferred_dates_marked_in_references_and_footnotes():
    c = _citation(outlet=None, published_inferred="reports the call of 18 April")
    assert reference(c) == '"‘Partnership of equals’: Putin sends Independence Day telegram to Obama", 4 Jul 2016 (date inferred)'
    md = render_markdown(Answer(question="Q?", text="x [1]", citations=[c], refused=False, backend="offline"))
    assert "Unknown outlet" not in md and "4 Jul 2016 (date inferred)" in md
    assert "*Evidence dated 4 July 2016 (date inferred).*" in md


def test_markdown_asks_the_searched_question():
    answer = Answer(question="and what did the Kremlin say?", text="x [1]", citations=[_citation()], refused=False,
                    backend="offline", rewritten_question="what did the Kremlin say? (Obama, Putin)")
    head = render_markdown(answer).split("\n\n")[0]
    assert head == "**Q:** what did the Kremlin say? (Obama, Putin)\\\n*Asked as a follow-up: and what did the Kremlin say?*"


# Several sentences of one passage (text written for this test, not from the corpus) ----------

HARBOUR = (
    "The ferry will run three nights a week from November, the council said. "
    "Islanders had asked for it for a decade. "
    "“It changes everything for the night shift,” said nurse Ada Voss."
)


def _harbour_answer(cited: list[int], texts: list[str] | None = None) -> Answer:
    """An answer citing these sentences (by index) of HARBOUR, one passage, in its own words or theirs."""
    from assistant.answer import Draft, DraftSentence
    from assistant.chunk import split_sentences
    from assistant.cite import build_answer
    from assistant.records import ArticleMeta, Chunk, Passage

    sentences = split_sentences(HARBOUR)
    meta = ArticleMeta(title="Night ferry approved", outlet="Quillmere Courier", published=None)
    chunk = Chunk(id="h-0", article_id="h", index=0, text=HARBOUR, start=0, end=len(HARBOUR), meta=meta)
    draft = Draft(refused=False, text="", sentences=[
        DraftSentence((texts or [])[n] if texts else sentences[i].text, 0, sentences[i].start, sentences[i].end)
        for n, i in enumerate(cited)
    ])
    return build_answer("When will the ferry run?", draft, [Passage(chunk, 1.0)], "offline")


def test_a_sentence_between_two_cited_ones_is_not_shown_as_cited():
    from assistant.ui_sources import sources_html

    answer = _harbour_answer([0, 2])
    (c,) = answer.citations
    first, third = HARBOUR.index("The ferry"), HARBOUR.index("“It changes")
    assert c.sentence_spans == ((first, HARBOUR.index(" Islanders")), (third, len(HARBOUR)))
    card = sources_html(answer)
    marks = re.findall(r"<mark>(.*?)</mark>", card)
    assert len(marks) == 2 and "Islanders" not in "".join(marks), marks
    assert "data-span='0,%d,%d,%d,%d,%d'" % (len(HARBOUR), first, HARBOUR.index(" Islanders"), third, len(HARBOUR)) in card
    # The attribution quotes the two cited sentences, an ellipsis for the words between them.
    assert attribution(c) == (
        "according to a Quillmere Courier report (undated), “The ferry will run three nights a week from November, "
        "the council said. … ‘It changes everything for the night shift,’ said nurse Ada Voss.”"
    )
    one = _harbour_answer([1]).citations[0]
    assert one.sentence_spans == () and re.findall(r"<mark>(.*?)</mark>", sources_html(_harbour_answer([1]))) == [
        "Islanders had asked for it for a decade."]


def test_a_reworded_quote_is_attributed_in_the_articles_own_words():
    # The answer rewords the quote ("Ada Voss said: ..."): the attribution quotes the article.
    answer = _harbour_answer([2], ["Nurse Ada Voss said: “It changes everything for the night shift”"])
    assert attribution(answer.citations[0]).endswith(", “‘It changes everything for the night shift,’ said nurse Ada Voss.”")


def test_quotation_marks_pair_when_a_sentence_starts_or_ends_inside_a_quotation():
    from assistant.cite import quoted

    assert quoted("He agreed to talks in parallel,” the ministry said.") == "“‘He agreed to talks in parallel,’ the ministry said.”"
    assert quoted("“He stressed the need for talks.") == "“‘He stressed the need for talks.’”"
    assert quoted('She called it "a start."') == "“She called it ‘a start.’”"
    assert quoted("The islanders’ ferry runs.") == "“The islanders’ ferry runs.”"  # an apostrophe is no quotation mark
