"""Reading articles from files: .txt, .md (front matter allowed), .html, .jsonl, and folders.

Each article becomes a `SourceItem` whose id and content hash are known before any cleaning,
so that an unchanged article costs one hash. Anything unreadable becomes a `LoadFailure`
naming the file (and line) and what to do, never an exception that stops the batch.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml

from assistant.clean import clean_text
from assistant.config import INDEX_VERSION
from assistant.metadata import (
    ALIASES,
    FIELDS,
    OVERRIDE_FILE,
    MetadataError,
    agency_from,
    load_overrides,
    merge,
    outlet_from,
    read_date,
)
from assistant.records import Article

EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
MIN_BODY_CHARS = 40
#: Front matter holds a few fields; anything larger is not metadata (and YAML cost grows with it).
MAX_FRONT_MATTER_BYTES = 64 * 1024
#: Metadata fields whose value is one piece of text (`authors` may also be a list of names).
TEXT_FIELDS = tuple(f for f in FIELDS if f != "published")


class ArticleError(ValueError):
    """An article that cannot be ingested; the message says why and what to do."""


@dataclass(frozen=True)
class LoadFailure:
    path: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A file in a folder that is not in an accepted format: named in the summary, not an error."""

    path: str
    reason: str


@dataclass(frozen=True)
class SourceItem:
    """An article found on disk, not yet cleaned."""

    id: str
    path: str
    content_hash: str
    build: Callable[[], Article]


#: The longest id made from a name (a longer name is cut, and marked with its hash).
MAX_ID_CHARS = 120


def slug(text: str) -> str:
    """An article id from a file name or an `id` field, readable in any script.

    ASCII names keep the ids they always had (letters, digits, `_.-`; other runs become `-`).
    A name with other characters keeps its letters, marks and digits in whatever script; where
    anything else had to go (spaces, emoji, an overlong name), a short hash of the whole name
    is added, so that two different names never give one id.
    """
    if text.isascii():
        s = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
        return s[:MAX_ID_CHARS] or "article"
    kept = "".join(c if c in "_.-" or unicodedata.category(c)[0] in "LMN" else " " for c in text)
    s = re.sub(r"\s+", "-", kept.strip()).strip("-.")
    if s == text and len(s) <= MAX_ID_CHARS:
        return s
    tag = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{s[:MAX_ID_CHARS - 9].rstrip('-.') or 'article'}-{tag}"


def _hash(*parts: object) -> str:
    h = hashlib.sha256(INDEX_VERSION.encode())
    for part in parts:
        h.update(b"\x00")
        h.update(part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode())
    return h.hexdigest()[:32]


def _key(text: str) -> str:
    """A short stable name for a text (unlike `_hash`, it does not change with the pipeline)."""
    return hashlib.sha256(text.strip().encode()).hexdigest()[:12]


def _decode(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise ArticleError(
            f"file is {len(data) / 1e6:.2f} MB, over the {max_bytes / 1e6:g} MB limit; "
            "split it or raise ASSISTANT_MAX_FILE_MB"
        )
    if not data.strip():
        raise ArticleError("empty file; add the article text or remove the file")
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and not data.startswith(codecs.BOM_UTF32_LE):
        try:
            text = data.decode("utf-16")  # the byte-order mark says which byte order
        except UnicodeDecodeError as exc:
            raise ArticleError(
                f"starts with a UTF-16 byte-order mark but is not valid UTF-16 (byte {exc.start}); re-save the file as UTF-8"
            ) from exc
        if not text.strip():
            raise ArticleError("empty file; add the article text or remove the file")
        if "\x00" not in text:
            return text
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file, not text; convert it to .txt, .md, .html or .jsonl")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); re-save the file as UTF-8"
        ) from exc


def _front_matter(text: str) -> tuple[dict, str]:
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not m:
        return {}, text
    source = m.group(1)
    if len(source.encode()) > MAX_FRONT_MATTER_BYTES:
        raise ArticleError(
            f"front matter is {len(source.encode()) / 1024:.0f} KB, over the {MAX_FRONT_MATTER_BYTES // 1024} KB limit; "
            "keep only the metadata fields (title, published, outlet, author, url) there"
        )
    try:
        # Aliases (`*name`) are refused before anything is built: a few hundred bytes of nested
        # aliases ("billion laughs") expand to billions of values once the metadata is read.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(source, Loader=yaml.SafeLoader)):
            raise ArticleError("front matter uses YAML aliases (*name), which are not accepted; write each value out")
        data = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"front matter is not valid YAML ({exc}); fix it or remove it") from exc
    if not isinstance(data, dict):
        raise ArticleError("front matter must be a mapping of field: value")
    return data, text[m.end() :]


def _field_problem(record: dict) -> str | None:
    """Why a JSONL record's metadata field cannot be used, or None: text fields must be strings."""
    for key, value in record.items():
        field = ALIASES.get(key, key)
        if field not in TEXT_FIELDS or value is None or isinstance(value, str):
            continue
        if key == "authors" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            continue  # a list of names, joined into the byline
        shown = json.dumps(value, ensure_ascii=False)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"field {key!r} must be a string, got {type(value).__name__} {shown}; write it as one string"
    return None


def _article(item_id: str, path: str, text: str, override: dict, content_hash: str, html: bool = False) -> Article:
    """Clean one article's text and settle its metadata."""
    extracted: dict = {}
    if html:
        body, extracted = _extract_html(text)
    elif override.get("clean") is False:
        body = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    else:
        page = clean_text(text, known_title=override.get("title"))
        body = page.body
        found = read_date("\n".join(page.header_lines[:12]), context=text, url=override.get("url"), locale=override.get("locale"))
        extracted = {
            "title": page.title,
            "published": found.value if found else None,
            "published_inferred": found.inferred if found else None,
            "outlet": page.outlet or outlet_from(page.header_lines, page.footer_lines, override.get("url")),
            "author": page.author,
        }
        if agency := agency_from(page.header_lines):
            extracted.setdefault("agency", agency)
    if len(body) < MIN_BODY_CHARS:
        raise ArticleError("no article text found after removing page boilerplate; check that the file holds an article")
    try:
        meta = merge(extracted, override, fallback_title=Path(path.split("#")[0]).stem)
    except MetadataError as exc:
        raise ArticleError(str(exc)) from exc
    return Article(id=item_id, text=body, meta=meta, source_path=path, content_hash=content_hash)


def _extract_html(html: str) -> tuple[str, dict]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    if doc is None:
        raise ArticleError("HTML page with no article text that the extractor could find")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    body = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    meta = {
        "title": data.get("title"),
        "published": data.get("date"),
        "outlet": data.get("sitename") or None,
        "author": data.get("author"),
        "url": data.get("url"),
    }
    return body, meta


def _file_items(path: Path, overrides: dict[str, dict], max_bytes: int) -> Iterator[SourceItem | LoadFailure]:
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield LoadFailure(shown, f"cannot read the file ({exc.strerror})")
        return
    override = overrides.get(path.name, {})
    suffix = path.suffix.lower()
    try:
        text = _decode(data, max_bytes)
    except ArticleError as exc:
        yield LoadFailure(shown, str(exc))
        return
    if suffix == ".jsonl":
        yield from _jsonl_items(path, text, override)
        return
    if suffix in {".md", ".markdown"}:
        try:
            front, text = _front_matter(text)
        except ArticleError as exc:
            yield LoadFailure(shown, str(exc))
            return
        override = {**front, **override}
    item_id = slug(str(override.get("id") or path.stem))
    content_hash = _hash(data, override)
    is_html = suffix in {".html", ".htm"}
    yield SourceItem(item_id, shown, content_hash, partial(_article, item_id, shown, text, override, content_hash, html=is_html))


def _jsonl_items(path: Path, text: str, file_override: dict) -> Iterator[SourceItem | LoadFailure]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        shown = f"{path}#L{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LoadFailure(shown, f"line {n} is not valid JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
            continue
        if not isinstance(record, dict):
            yield LoadFailure(shown, f"line {n} is not a JSON object; each line must be {{\"text\": ..., ...}}")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield LoadFailure(shown, f"line {n} has no 'text' field (a non-empty string is required)")
            continue
        if problem := _field_problem(record):
            yield LoadFailure(shown, f"line {n}: {problem}")
            continue
        override = {**file_override, **{k: v for k, v in record.items() if k != "text"}}
        override.setdefault("clean", False)
        # Without an id, the line's URL (else its text) names it, not its line number: removing
        # a line must not rename, and so re-embed, every article after it.
        item_id = slug(str(record.get("id") or f"{path.stem}-{_key(record.get('url') or body)}"))
        content_hash = _hash(line.encode(), file_override)
        yield SourceItem(item_id, shown, content_hash, partial(_article, item_id, shown, body, override, content_hash))


def _walk(root: Path) -> tuple[list[Path], list[LoadFailure]]:
    """The files under a folder, sorted (hidden ones left out), and a `LoadFailure` for each
    folder that cannot be read and each link to nothing: skipped silently, they would go unnoticed."""
    files: list[Path] = []
    problems: list[LoadFailure] = []

    def unreadable(exc: OSError) -> None:
        problems.append(LoadFailure(
            str(exc.filename), f"cannot read the folder ({exc.strerror}); its articles were not ingested: make it readable or leave it out"
        ))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder, name)
            try:
                if path.is_symlink() and not path.exists():
                    problems.append(LoadFailure(str(path), f"broken link to {os.readlink(path)}, which does not exist; fix or remove the link"))
                elif path.is_file():
                    files.append(path)
            except OSError as exc:
                problems.append(LoadFailure(str(path), f"cannot read the file ({exc.strerror})"))
    return sorted(files), problems


def discover(paths: list[Path], max_bytes: int) -> Iterator[SourceItem | LoadFailure | Skipped]:
    """Every article under the given files and folders, in a stable order; files of other
    formats in a folder are `Skipped`, named with the reason."""
    for root in paths:
        # Absolute paths: an article's recorded source must mean the same file from any folder.
        root = root.resolve()
        try:
            exists, is_file = root.exists(), root.is_file()
        except OSError as exc:
            yield LoadFailure(str(root), f"cannot read it ({exc.strerror}); check its permissions")
            continue
        if not exists:
            yield LoadFailure(str(root), "no such file or folder")
            continue
        if is_file:
            if root.suffix.lower() not in EXTENSIONS:
                yield LoadFailure(str(root), f"unsupported file type '{root.suffix}'; accepted: {', '.join(sorted(EXTENSIONS))}")
                continue
            try:
                overrides = load_overrides(root.parent)
            except MetadataError as exc:
                yield LoadFailure(str(root.parent / OVERRIDE_FILE), str(exc))
                yield _held_back(root)
                continue
            yield from _file_items(root, overrides, max_bytes)
            continue
        files, problems = _walk(root)
        yield from problems
        overrides_by_folder: dict[Path, dict | None] = {}
        for folder in sorted({p.parent for p in files} | {root}):
            try:
                overrides_by_folder[folder] = load_overrides(folder)
            except MetadataError as exc:
                yield LoadFailure(str(folder / OVERRIDE_FILE), str(exc))
                overrides_by_folder[folder] = None
        for path in files:
            suffix = path.suffix.lower()
            if suffix not in EXTENSIONS:
                if path.name != OVERRIDE_FILE:
                    yield Skipped(str(path), f"unsupported format {suffix or '(no extension)'}; convert it to .txt or .html "
                                             f"(accepted: {', '.join(sorted(EXTENSIONS))})")
                continue
            overrides = overrides_by_folder.get(path.parent, {})
            if overrides is None:
                yield _held_back(path)
                continue
            yield from _file_items(path, overrides, max_bytes)


def _held_back(path: Path) -> LoadFailure:
    """A file beside a metadata.toml that cannot be read: ingested without the metadata it may
    hold, an indexed article would lose its outlet and dates, so the file waits for the fix."""
    return LoadFailure(
        str(path),
        f"not ingested: {path.parent / OVERRIDE_FILE} cannot be read (its error is listed); fix it and ingest again. "
        "What is indexed from this file is kept as it was, and a new file in this folder is not added until then",
    )
