"""llama-index `Document`s (from any reader: web pages, RSS, ...) into the assistant's index.

Each document becomes a file in `<index_dir>/documents/`, and that folder is ingested as any
other: the same cleaning (page furniture removed; HTML through the extractor), metadata
(title, outlet, author, date read from the page where the document's metadata does not give
it, ambiguous dates settled or refused), chunking, embedding and incremental store. A document
whose text and metadata have not changed costs one hash; a changed one has its chunks
replaced; `assistant repair` can rebuild from the folder, and `assistant ingest --prune` never
removes these articles (their files are there).

Metadata keys: `title`, `published`, `outlet`, `author`, `url`, and the aliases the JSONL
format takes (`date`, `source`, `link`, `authors`, ...), also `publish_date`; `id`, `agency`,
`locale`, `published_inferred` and `clean` (False: the text is already clean). A document is
named by its `id` metadata, else by its `id_` where a reader set one (a URL), else by its URL,
else by its text: ingesting the same page again updates it, never duplicates it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import yaml
from llama_index.core.schema import Document, MetadataMode

from assistant.config import Settings
from assistant.ingest import IngestReport, Progress, ingest
from assistant.load import LoadFailure, slug
from assistant.metadata import ALIASES, FIELDS, OVERRIDE_FILE

#: Where documents are kept as files, under `index_dir`.
FOLDER = "documents"
#: Document metadata keys taken, beside the fields and their aliases.
OTHER_KEYS = ("id", "agency", "locale", "published_inferred", "clean")
#: Reader keys with another name for a field.
READER_ALIASES = {"publish_date": "published"}


def documents_folder(settings: Settings) -> Path:
    return settings.index_dir / FOLDER


def ingest_documents(settings: Settings, documents: Iterable[Document], progress: Progress | None = None) -> IngestReport:
    """Ingest llama-index documents; the report names each article added, updated or unchanged,
    and each document that failed, with the reason (as `assistant ingest --json` does)."""
    folder = documents_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    failed: list[LoadFailure] = []
    toml_path = folder / OVERRIDE_FILE
    html_meta = _read_toml(toml_path)
    seen: dict[str, str] = {}
    for n, doc in enumerate(documents, start=1):
        text = doc.get_content(metadata_mode=MetadataMode.NONE) or ""
        fields = _fields(doc.metadata or {})
        url = next((v for k, v in fields.items() if ALIASES.get(k, k) == "url"), None)
        article_id = slug(str(fields.pop("id", None) or _name(doc, url, text)))
        shown = f"document {n} ({article_id})"
        if not text.strip():
            failed.append(LoadFailure(shown, "the document has no text"))
            continue
        if article_id in seen:
            failed.append(LoadFailure(shown, f"its id is also that of {seen[article_id]}; give each document its own 'id' metadata"))
            continue
        seen[article_id] = shown
        if _is_html(text):
            _write(folder / f"{article_id}.html", text.encode("utf-8"))
            html_meta[f"{article_id}.html"] = {"id": article_id, **fields}
            (folder / f"{article_id}.md").unlink(missing_ok=True)
        else:
            front = yaml.safe_dump({"id": article_id, **fields}, allow_unicode=True, sort_keys=True)
            _write(folder / f"{article_id}.md", f"---\n{front}---\n{text}".encode("utf-8"))
            if html_meta.pop(f"{article_id}.html", None) is not None:
                (folder / f"{article_id}.html").unlink(missing_ok=True)
    if html_meta or toml_path.exists():
        _write(toml_path, _toml(html_meta).encode("utf-8"))
    report = ingest(settings, paths=[folder], progress=progress)
    report.failed[:0] = failed
    return report


def _fields(metadata: dict) -> dict[str, str | bool]:
    """The document's metadata that names a field, as front matter / metadata.toml values."""
    out: dict[str, str | bool] = {}
    for key, value in metadata.items():
        key = READER_ALIASES.get(key, key)
        if key not in FIELDS and key not in ALIASES and key not in OTHER_KEYS or value in (None, "", []):
            continue
        if key == "clean":
            out[key] = bool(value)
        elif isinstance(value, datetime):
            out[key] = value.date().isoformat()
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, (list, tuple)):
            out[key] = ", ".join(map(str, value))
        else:
            out[key] = str(value)
    return out


def _name(doc: Document, url: object, text: str) -> str:
    """A stable name for a document without an `id`: a reader's own id (not a random UUID),
    else its URL, else its text."""
    own = doc.id_ or ""
    try:
        uuid.UUID(own)
        own = ""
    except ValueError:
        pass
    if own:
        return own
    return f"doc-{hashlib.sha256(str(url or text).strip().encode()).hexdigest()[:12]}"


def _is_html(text: str) -> bool:
    head = text.lstrip()[:2000]
    return head.startswith("<") and re.search(r"<(?:!doctype\s+html|html|head|body|article|main|div|p)\b", head, re.IGNORECASE) is not None


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically, only where its bytes change (an unchanged document stays as it was)."""
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _read_toml(path: Path) -> dict[str, dict]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _toml(tables: dict[str, dict]) -> str:
    """metadata.toml for the HTML documents: one table per file, string and boolean values."""
    lines = ["# Written by assistant.llamaindex.ingest_documents: the metadata of the HTML documents here."]
    for name in sorted(tables):
        lines.append(f"\n[{json.dumps(name, ensure_ascii=False)}]")
        for key, value in sorted(tables[name].items()):
            shown = ("true" if value else "false") if isinstance(value, bool) else json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
            lines.append(f"{key} = {shown}")
    return "\n".join(lines) + "\n"
