"""The keyword index: BM25 over chunk terms, in a tantivy index derived from the chunk table.

tantivy (quickwit-oss/tantivy-py, the engine paper-qa's full-text search uses) keeps the
segments, deletes, merges and BM25 scoring; bench/README.md ("Session 9") measured it beside the
index we had written ourselves. Terms are still ours (`text.terms` of headline + text, plus the
publication year), joined by spaces and indexed with tantivy's `whitespace` tokenizer, so the
analyzer's stemming, irregular verbs and stopwords, and the offline answerer's idf, stay one
definition. Scoring is tantivy's BM25 (k1 = 1.2, b = 0.75, one-byte length norms).
Outlet and date are indexed fields, so a filtered question is filtered inside tantivy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.records import Filters
from assistant.text import terms
from assistant.vectors import Row

HEAP = 128_000_000  # the writer's indexing memory (tantivy's default)


class KeywordIndexError(Exception):
    """The keyword index cannot be opened (damaged, or written by another tantivy format)."""


class KeywordIndexBusy(KeywordIndexError):
    """Another process holds tantivy's writer lock."""


def chunk_terms(text: str, md: dict) -> list[str]:
    """What a chunk is indexed under: its article's headline and its text, and the publication
    year, so "what happened in 2020?" finds 2020's articles even where their text never says it."""
    key = int(md.get("published_key", -1))
    return terms(f"{md.get('title', '')} {text}") + ([str(key // 10000)] if key > 0 else [])


def _schema():
    import tantivy as tv

    sb = tv.SchemaBuilder()
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("article", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("outlet", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("date", indexed=True)
    return sb.build()


def _add(writer, rows: Iterable[Row]) -> None:
    """Index the rows and commit them."""
    import tantivy as tv

    for cid, text, md, _ in rows:
        writer.add_document(tv.Document(body=" ".join(chunk_terms(text, md)), id=cid, article=md["article_id"],
                                        outlet=(md.get("outlet") or "").lower(), date=int(md.get("published_key", -1))))
    writer.commit()
    writer.wait_merging_threads()


class KeywordIndex:
    """BM25 over chunk terms in the tantivy index at `folder`."""

    def __init__(self, folder: Path, index):
        import tantivy as tv

        self.tv, self.folder, self.index, self.schema = tv, folder, index, index.schema

    @staticmethod
    def build(folder: Path, rows: Iterable[Row]) -> None:
        """Index every row in a new index at `folder` (which must not exist)."""
        import tantivy as tv

        folder.mkdir(parents=True)
        writer = tv.Index(_schema(), path=str(folder), reuse=False).writer(heap_size=HEAP, num_threads=1)
        _add(writer, rows)

    def update(self, rows: Iterable[Row], changed_articles: set[str]) -> None:
        """Delete the chunks of `changed_articles`, add `rows` (their chunks now), commit;
        tantivy merges segments by its own policy."""
        try:
            writer = self.index.writer(heap_size=HEAP, num_threads=1)
        except ValueError as exc:  # "Failed to acquire Lockfile: LockBusy"
            raise KeywordIndexBusy(f"another process is writing the keyword index at {self.folder} ({exc})") from exc
        for aid in changed_articles:
            writer.delete_documents_by_term("article", aid)
        _add(writer, rows)
        self.index.reload()

    @staticmethod
    def open(folder: Path) -> "KeywordIndex | None":
        """The index at `folder`; None where there is none."""
        import tantivy as tv

        if not (folder / "meta.json").is_file():
            return None
        try:
            if not tv.Index.is_compatible(str(folder)):
                raise KeywordIndexError(f"written by another version of tantivy than this one ({tv.__version__})")
            return KeywordIndex(folder, tv.Index.open(str(folder)))
        except ValueError as exc:  # tantivy's "Data corrupted: ..." and the like
            raise KeywordIndexError(f"{folder}: {exc}") from exc

    @property
    def count(self) -> int:
        return self.index.searcher().num_docs

    def idf(self, query_terms: list[str]) -> list[float]:
        """Lucene's idf of each term over all chunks (the offline answerer's term weights)."""
        searcher = self.index.searcher()
        n = max(searcher.num_docs, 1)
        return [float(np.log(1 + (n - df + 0.5) / (df + 0.5))) for df in (searcher.doc_freq("body", t) for t in query_terms)]

    def search(self, query: str, k: int, filters: Filters = Filters()) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores, best first; only chunks with a positive score. A term
        the question repeats counts as often as it is repeated."""
        tv, schema = self.tv, self.schema
        counts = Counter(terms(query))
        if not counts:
            return []
        should = []
        for t, n in counts.items():
            q = tv.Query.term_query(schema, "body", t)
            should.append((tv.Occur.Should, q if n == 1 else tv.Query.boost_query(q, float(n))))
        must = [(tv.Occur.Must, tv.Query.boolean_query(should))]
        if filters.outlets:
            outlets = tv.Query.term_set_query(schema, "outlet", [o.lower() for o in filters.outlets])
            must.append((tv.Occur.Must, tv.Query.const_score_query(outlets, 0.0)))
        if filters.since is not None or filters.until is not None:
            lo = filters.since if filters.since is not None else 0
            hi = filters.until if filters.until is not None else 99_999_999
            # Through the term dictionary, not a fast-field column: at 1M chunks a since filter
            # keeping 10% took 13.1 ms at p50 by the column scan, 6.9 ms so (bench/README.md).
            dates = tv.Query.range_query(schema, "date", tv.FieldType.Integer, lower_bound=lo, upper_bound=hi, use_inverted_index=True)
            must.append((tv.Occur.Must, tv.Query.const_score_query(dates, 0.0)))
        searcher = self.index.searcher()
        hits = searcher.search(must[0][1] if len(must) == 1 else tv.Query.boolean_query(must), k, count=False).hits
        return [(searcher.doc(addr).get_first("id"), float(score)) for score, addr in hits if score > 0]
