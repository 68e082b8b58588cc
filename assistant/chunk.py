"""Sentence-aware chunking that fits the embedding model's window, with character offsets.

Each chunk's embedded text is `header + "\\n" + passage`, where the header names the article;
the whole of it, special tokens included, fits `chunk_max_tokens` word pieces counted with the
model's own tokenizer. Chunks overlap by whole sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.records import Article, Chunk

if TYPE_CHECKING:
    import numpy as np

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt", "st",
    "jr", "sr", "inc", "ltd", "co", "corp", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "i.e",
    "e.g", "etc", "approx", "est", "dept", "univ", "mt", "ft", "pres", "gov't",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n+")
_SPECIAL_TOKENS = 2  # [CLS] and [SEP]


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences with their character offsets; paragraph breaks always end a sentence."""
    sentences: list[Sentence] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0).startswith("\n"):
            end = m.start()
        else:
            # Only the word before the mark matters: looking back no further than an abbreviation's
            # length keeps a long run of them ("Mr. Smith Mr. Smith ...") linear.
            before = text[max(start, m.start() - 16) : m.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            if m.group(0).startswith(".") and (last in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last)):
                continue
            end = m.end()
        _append(sentences, text, start, end, offset)
        start = m.end()
    _append(sentences, text, start, len(text), offset)
    return sentences


def paragraph_bounds(chunk_text: str, chunk_start: int, start: int, end: int) -> tuple[int, int]:
    """The paragraph of the chunk that holds [start, end), in article offsets."""
    rel_s, rel_e = start - chunk_start, end - chunk_start
    p_start = chunk_text.rfind("\n", 0, max(rel_s, 0)) + 1
    p_end = chunk_text.find("\n", rel_e)
    p_end = len(chunk_text) if p_end == -1 else p_end
    return chunk_start + p_start, chunk_start + p_end


def chunk_sentences(chunk: Chunk, stored: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> list[tuple[Sentence, np.ndarray | None]]:
    """A chunk's sentences (offsets in the article) with the vectors the index stored for them,
    from `stored` (chunk id -> spans, vectors); an index built before sentence vectors has none,
    and its chunks are split now."""
    if chunk.id in stored:
        spans, vectors = stored[chunk.id]
        return [
            (Sentence(chunk.text[a - chunk.start : b - chunk.start], int(a), int(b)), v) for (a, b), v in zip(spans, vectors)
        ]
    return [(s, None) for s in split_sentences(chunk.text, offset=chunk.start)]


def _append(out: list[Sentence], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = start + lead
    out.append(Sentence(stripped, offset + s, offset + s + len(stripped)))


@lru_cache(maxsize=4)
def model_tokenizer(model_path: str):
    """The embedding model's own tokenizer (from its tokenizer.json), without padding or truncation."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


class TokenCounter:
    """Counts word pieces with the embedding model's own tokenizer (no special tokens)."""

    def __init__(self, model_path: str):
        self._tok = model_tokenizer(model_path)

    def count_many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._tok.encode_batch(texts, add_special_tokens=False)]

    def truncate(self, text: str, max_tokens: int) -> str:
        enc = self._tok.encode(text, add_special_tokens=False)
        if len(enc.ids) <= max_tokens:
            return text
        return text[: enc.offsets[max_tokens - 1][1]]


def chunk_header(article: Article) -> str:
    meta = article.meta
    parts = [meta.title]
    if meta.outlet:
        parts.append(meta.outlet)
    if meta.published:
        parts.append(meta.published.isoformat())
    return " | ".join(parts)


def embed_text(header: str, text: str) -> str:
    return f"{header}\n{text}"


def fitted_header(article: Article, counter: TokenCounter, max_tokens: int) -> str:
    """The header embedded with each chunk, cut to a quarter of the window when it is long."""
    header = chunk_header(article)
    if max_tokens - _SPECIAL_TOKENS - counter.count_many([header])[0] - 1 < 16:
        header = counter.truncate(header, max_tokens // 4)
    return header


def chunk_article(article: Article, counter: TokenCounter, max_tokens: int, overlap: int) -> list[Chunk]:
    """Greedy sentence packing under the token budget, repeating `overlap` sentences.

    The budget leaves room for `fitted_header(...)`, which ingest embeds with each chunk.
    """
    header = fitted_header(article, counter, max_tokens)
    budget = max_tokens - _SPECIAL_TOKENS - counter.count_many([header])[0] - 1
    sentences = _fit_sentences(split_sentences(article.text), counter, budget)
    counts = counter.count_many([s.text for s in sentences])

    groups: list[list[int]] = []
    i = 0
    while i < len(sentences):
        group = [i]
        used = counts[i]
        j = i + 1
        # The joined passage adds no word pieces beyond its sentences' (whitespace is free).
        while j < len(sentences) and used + counts[j] <= budget:
            group.append(j)
            used += counts[j]
            j += 1
        groups.append(group)
        if j >= len(sentences):
            break
        back = min(overlap, len(group) - 1)
        i = j - back if back > 0 else j

    chunks = []
    for n, group in enumerate(groups):
        start, end = sentences[group[0]].start, sentences[group[-1]].end
        chunks.append(Chunk(id=f"{article.id}::{n}", article_id=article.id, index=n, text=article.text[start:end],
                            start=start, end=end, meta=article.meta))
    return chunks


def _fit_sentences(sentences: list[Sentence], counter: TokenCounter, budget: int) -> list[Sentence]:
    """Sentences longer than the budget are cut at word boundaries into pieces that fit."""
    counts = counter.count_many([s.text for s in sentences])
    out: list[Sentence] = []
    for s, n in zip(sentences, counts):
        if n <= budget:
            out.append(s)
            continue
        words = list(re.finditer(r"\S+", s.text))
        piece_start = 0
        while piece_start < len(words):
            # Every word is at least one word piece, so no piece holds more than `budget` words:
            # searching only those keeps a long unpunctuated line linear, not quadratic.
            lo, hi = piece_start + 1, min(len(words), piece_start + budget)
            while lo < hi:  # largest prefix of words that fits
                mid = (lo + hi + 1) // 2
                text = s.text[words[piece_start].start() : words[mid - 1].end()]
                if counter.count_many([text])[0] <= budget:
                    lo = mid
                else:
                    hi = mid - 1
            a, b = words[piece_start].start(), words[lo - 1].end()
            out.append(Sentence(s.text[a:b], s.start + a, s.start + b))
            piece_start = lo
    return out
