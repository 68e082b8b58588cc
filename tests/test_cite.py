"""How citations read: the reference line, Markdown footnotes, a journalist's attribution."""

from __future__ import annotations

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
