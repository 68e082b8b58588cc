"""Chunks fit the model's window (header included), overlap by sentences, and know their offsets."""

from __future__ import annotations

import time
from datetime import date

import pytest

from assistant.chunk import TokenCounter, chunk_article, embed_text, fitted_header, split_sentences
from assistant.config import load_settings
from assistant.records import Article, ArticleMeta

SENTENCES = [
    f"Sentence number {n} reports that the delegation from country {n} met officials in Vienna on day {n}."
    for n in range(80)
]


@pytest.fixture(scope="module")
def counter():
    return TokenCounter(load_settings().model_path())


def _article(title: str = "Talks in Vienna") -> Article:
    text = " ".join(SENTENCES[:40]) + "\n" + " ".join(SENTENCES[40:])
    meta = ArticleMeta(title=title, published=date(2021, 5, 19), outlet="Wire")
    return Article(id="a", text=text, meta=meta, source_path="a.txt", content_hash="h")


@pytest.mark.parametrize("max_tokens,title", [(256, "Talks in Vienna"), (64, "Talks in Vienna"), (48, "A very long headline " * 12)])
def test_chunks_fit_the_window_with_their_header(counter, max_tokens, title):
    article = _article(title)
    chunks = chunk_article(article, counter, max_tokens, overlap=1)
    header = fitted_header(article, counter, max_tokens)
    sizes = counter.count_many([embed_text(header, c.text) for c in chunks])
    assert max(sizes) + 2 <= max_tokens
    for c in chunks:
        assert article.text[c.start : c.end] == c.text
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(article.text) if not ch.isspace())


def test_neighbouring_chunks_share_a_sentence(counter):
    chunks = chunk_article(_article(), counter, 128, overlap=1)
    assert len(chunks) > 3
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end


def test_sentence_splitter_keeps_abbreviations_and_offsets():
    text = "U.S. President Donald Trump spoke to Mr. Putin on Friday. “We agreed,” he said. Talks resume in Jan. next year."
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "U.S. President Donald Trump spoke to Mr. Putin on Friday.",
        "“We agreed,” he said.",
        "Talks resume in Jan. next year.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sents)


def _unpunctuated(n_chars: int) -> Article:
    words = "delegation officials talks vienna arms control treaty summit ministers agreed".split()
    text = " ".join(words[i % len(words)] for i in range(n_chars // 8))[:n_chars]
    return Article(id="long", text=text, meta=ArticleMeta(title="One long line"), source_path="long.txt", content_hash="h")


def _seconds(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def test_one_long_line_without_punctuation_chunks_in_linear_time(counter):
    small, large = _unpunctuated(200_000), _unpunctuated(400_000)
    chunk_article(small, counter, 256, overlap=1)  # warm up
    t_small = _seconds(lambda: chunk_article(small, counter, 256, overlap=1))
    chunks: list = []
    t_large = _seconds(lambda: chunks.extend(chunk_article(large, counter, 256, overlap=1)))
    assert t_large < 5, t_large
    assert t_large < 3.5 * t_small + 0.5, (t_small, t_large)
    assert chunks[0].start == 0 and chunks[-1].end == len(large.text)
    assert all(large.text[c.start : c.end] == c.text for c in chunks)


def test_a_run_of_abbreviations_splits_in_linear_time():
    small, large = "Mr. Smith " * 20_000, "Mr. Smith " * 40_000
    t_small = _seconds(lambda: split_sentences(small))
    t_large = _seconds(lambda: split_sentences(large))
    assert t_large < 3.5 * t_small + 0.5, (t_small, t_large)
    assert len(split_sentences(large)) == 1
