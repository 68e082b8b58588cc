"""The evidence an answer's citation puts before a reader: the cited sentence, read with its
article's headline, outlet, byline, date and lede, the sentences just before it and the rest of
its paragraph (`constraints.check` reads a question's constraints in it)."""

from __future__ import annotations

from functools import lru_cache

from assistant.answer.constraint_records import Evidence
from assistant.chunk import paragraph_bounds, split_sentences
from assistant.records import ArticleMeta, Chunk, Passage

#: Sentences before the cited one that count as its context (pronouns, "he said").
CONTEXT_SENTENCES = 3
#: An article's lede, its first sentences, says what event it reports: it is context too.
LEDE_SENTENCES, LEDE_CHARS = 3, 1000


@lru_cache(maxsize=512)  # covering reads a candidate's twice (its check, its lead-in), confidence a third time
def evidence(chunk: Chunk, start: int, end: int, article_text: str = "") -> Evidence:
    """The cited sentence [start, end) of a chunk (article offsets), with its context: the
    article's headline, outlet, byline, date and lede, the sentences just before it, the rest
    of its paragraph, and the next paragraph where that is the line naming who said a quotation
    that this one ends."""
    text, s, e = chunk.text, start - chunk.start, end - chunk.start
    before = split_sentences(text[: max(s, 0)])[-CONTEXT_SENTENCES:]
    p_start, p_end = (x - chunk.start for x in paragraph_bounds(text, chunk.start, start, end))
    rest = [text[e:p_end]]
    following = split_sentences(text[p_end:].lstrip("\n").split("\n", 1)[0])
    if text[p_start:p_end].rstrip().endswith(("”", '"')) and len(following) == 1:
        rest.append(following[0].text)  # “...” / Tatyana Stanovaya, a scholar at ..., told CBS News.
    headline, source = _about(chunk.meta, article_text)
    near = "\n".join(x.text for x in before)
    context = "\n".join([headline, near] + rest)
    # The sentence just before, where it opens the same paragraph's telling ("In the semi-finals
    # on Saturday, ...": what the cited sentence goes on from).
    lead_in = split_sentences(text[p_start : max(s, p_start)])[-1:]
    return Evidence(text[s:e], context, chunk.meta.published, article_text, source, near, lead_in[0].text if lead_in else "")


def passage_evidence(p: Passage, article_text: str = "") -> Evidence:
    """A whole retrieved passage as evidence, with its article's headline, lede and source."""
    headline, source = _about(p.chunk.meta, article_text)
    return Evidence(p.chunk.text, headline, p.chunk.meta.published, article_text, source)


@lru_cache(maxsize=256)  # each candidate of an article asks it
def _about(m: ArticleMeta, article_text: str) -> tuple[str, str]:
    """What says which event an article reports (its headline and lede), and who reports it
    (outlet, byline, wire agency)."""
    return "\n".join([m.title or "", _lede(article_text[:LEDE_CHARS])]), source_of(m)


def source_of(m: ArticleMeta) -> str:
    """Who reports an article (outlet, byline, wire agency): whom an "according to ..." may name."""
    return "\n".join(x for x in (m.outlet, m.author, m.agency) if x)


@lru_cache(maxsize=1024)
def _lede(head: str) -> str:
    """An article's first sentences, from its first characters (each article's once)."""
    return "\n".join(x.text for x in split_sentences(head)[:LEDE_SENTENCES])
