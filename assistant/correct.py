"""A writer's corrections of an article's metadata: checked, kept on the article's record, and
written through to everything that shows or filters by it.

The rule: a correction sticks. It is kept on the record (`ArticleRecord.corrections`), not in
the article's file, and every ingest of the article applies it over what the file says, so an
ingest of a changed file keeps it; the fields not corrected follow the file. It goes with the
article when the article is deleted.

A correction writes the article again from its stored text, as an ingest would with the
corrected metadata: its chunks (whose embedded header names the headline, outlet and date), the
vectors' filter fields and the keyword index's rows. Cards, footnotes, attributions and the
outlet and date filters then read the corrected values.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import Settings
from assistant.ingest import rebuild_articles, refresh_after_change
from assistant.metadata import MetadataError, check_correction, corrected
from assistant.records import Article
from assistant.search import search_root, writer_lock
from assistant.store import ArticleRecord, ChromaStore
from assistant.table import flat_meta


@dataclass(frozen=True)
class Correction:
    """What a correction changed: each field's value before and after ("" for not stated)."""

    article_id: str
    changes: dict[str, tuple[str, str]]
    record: ArticleRecord


def correct_article(settings: Settings, store: ChromaStore, article_id: str, values: dict[str, str | None],
                    inferred: bool) -> Correction:
    """Correct an article's title, outlet, author, date (YYYY-MM-DD) or URL (`values`, as the
    writer left them) and whether its date is inferred rather than stated by the article.

    Fields equal to the article's are no correction. MetadataError names a field whose value
    cannot be used; KeyError an article that is not indexed."""
    with writer_lock(search_root(settings)):
        return _correct(settings, store, article_id, values, inferred)


def _correct(settings: Settings, store: ChromaStore, article_id: str, values: dict[str, str | None], inferred: bool) -> Correction:
    record = store.article_records([article_id]).get(article_id)
    if record is None:
        raise KeyError(article_id)
    proposed = check_correction(values, inferred, record.meta)
    if not proposed:
        return Correction(article_id, {}, record)
    text = store.article_text(article_id)
    if text is None:
        raise MetadataError(f"the article {article_id} has no stored text; run `assistant repair`")
    before = flat_meta(record.meta)
    corrections = {**record.corrections, **proposed}
    store.set_corrections(article_id, corrections)
    article = Article(article_id, text, corrected(record.meta, corrections), record.source_path, record.content_hash)
    report = rebuild_articles(settings, store, [article])
    if report.failed:
        raise MetadataError(f"the article could not be written again: {report.failed[0].reason}")
    refresh_after_change(settings, store, record)
    now = store.article_records([article_id])[article_id]
    after = flat_meta(now.meta)
    return Correction(article_id, {k: (before[k], after[k]) for k in after if before[k] != after[k]}, now)

