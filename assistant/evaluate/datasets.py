"""Eval datasets: the records, the bundled JSONL and any JSONL in its format (the MultiHop-RAG
adapter, `assistant.evaluate.multihop`, builds the same records; `runner.resolve_dataset` picks).

The JSONL format is documented in evals/README.md. A malformed line raises `DatasetError`
naming the file, the line and the field, before any question is asked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
#: What `assistant eval` runs by default: the dev set (tuned on) and the test set (never tuned on).
DEFAULT_DATASETS = ("evals/news.jsonl", "evals/test.jsonl")

REQUIRED = ("id", "question", "gold_answers", "gold_articles", "answerable")
OPTIONAL = ("gold_passage", "type", "paraphrased", "pair")


class EvalError(RuntimeError):
    """An eval that cannot run as asked; the message says what to fix."""


class DatasetError(EvalError, ValueError):
    """A dataset that cannot be read; the message names the line and field."""


class MissingArticlesError(EvalError):
    """Gold articles of the dataset are not in the index."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class EvalItem:
    """One eval question with everything needed to score its answer."""

    id: str
    question: str
    gold_answers: tuple[str, ...]
    gold_articles: tuple[str, ...]
    answerable: bool
    type: str
    gold_passages: tuple[str, ...] = ()
    paraphrased: bool = False
    #: A near-miss question and its matched control name each other's id here.
    pair: str | None = None
    #: MultiHop-RAG: verbatim evidence sentences; a chunk holding one is relevant.
    gold_facts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "type": self.type, "answerable": self.answerable,
                "paraphrased": self.paraphrased, "pair": self.pair,
                **{k: list(getattr(self, k)) for k in ("gold_answers", "gold_articles", "gold_passages", "gold_facts")}}


@dataclass
class Dataset:
    """Items to ask, and, for a benchmark that brings its own articles, the corpus to index."""

    name: str
    items: list[EvalItem]
    source: str
    sha256: str
    #: JSONL articles (id, title, text, source, author, url, published) to ingest into a
    #: separate index before asking; None means "ask the configured index".
    corpus: list[dict[str, Any]] | None = None
    #: Passages retrieved per question; None means settings.top_k.
    k: int | None = None
    notes: list[str] = field(default_factory=list)


def _fail(path: Path, line: int, message: str) -> DatasetError:
    return DatasetError(f"{path}, line {line}: {message}")


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def parse_item(record: Any, path: Path, line: int) -> EvalItem:
    """One JSONL record, checked field by field."""
    if not isinstance(record, dict):
        raise _fail(path, line, f"expected a JSON object with fields {', '.join(REQUIRED)}; got {_type_name(record)}")
    unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(path, line, f"unknown field '{unknown[0]}'; allowed fields: {', '.join(REQUIRED + OPTIONAL)}")
    for name in REQUIRED:
        if name not in record:
            raise _fail(path, line, f"field '{name}' is missing")
    for name in ("id", "question"):
        if not isinstance(record[name], str) or not record[name].strip():
            raise _fail(path, line, f"field '{name}' must be a non-empty string (got {_type_name(record[name])})")
    for name in ("gold_answers", "gold_articles"):
        if not _str_list(record[name]):
            raise _fail(path, line, f"field '{name}' must be a list of strings (got {_type_name(record[name])})")
    if not isinstance(record["answerable"], bool):
        raise _fail(path, line, f"field 'answerable' must be true or false (got {_type_name(record['answerable'])})")
    passage = record.get("gold_passage")
    if passage is None:
        passages: list[str] = []
    elif isinstance(passage, str):
        passages = [passage]
    elif _str_list(passage):
        passages = passage
    else:
        raise _fail(path, line, f"field 'gold_passage' must be a string, a list of strings or null (got {_type_name(passage)})")
    kind = record.get("type", "answerable" if record["answerable"] else "unanswerable")
    if not isinstance(kind, str) or not kind.strip():
        raise _fail(path, line, f"field 'type' must be a non-empty string (got {_type_name(kind)})")
    paraphrased = record.get("paraphrased", False)
    if not isinstance(paraphrased, bool):
        raise _fail(path, line, f"field 'paraphrased' must be true or false (got {_type_name(paraphrased)})")
    pair = record.get("pair")
    if pair is not None and (not isinstance(pair, str) or not pair.strip()):
        raise _fail(path, line, f"field 'pair' must be the id of the matched question (got {_type_name(pair)})")
    if record["answerable"] and not (record["gold_answers"] or record["gold_articles"]):
        raise _fail(path, line, "field 'gold_answers' is empty and so is 'gold_articles'; an answerable question needs at least one")
    if not record["answerable"] and record["gold_answers"]:
        raise _fail(path, line, "field 'gold_answers' must be empty when 'answerable' is false")
    return EvalItem(id=record["id"], question=record["question"], gold_answers=tuple(record["gold_answers"]),
                    gold_articles=tuple(record["gold_articles"]), answerable=record["answerable"], type=kind,
                    gold_passages=tuple(passages), paraphrased=paraphrased, pair=pair)


def load_dataset(path: Path | str) -> list[EvalItem]:
    """Every question of a JSONL eval file; `DatasetError` names the first bad line and field."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read the dataset {path} ({exc.strerror}); check the path") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path} is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from exc
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(path, n, f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
        item = parse_item(record, path, n)
        if item.id in seen:
            raise _fail(path, n, f"field 'id' repeats '{item.id}' from line {seen[item.id]}; ids must be unique")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise DatasetError(f"{path} holds no questions; add one JSON object per line (see evals/README.md)")
    return items


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _jsonl_path(spec: str) -> Path:
    path = Path(spec)
    if not path.exists() and not path.is_absolute() and (REPO_ROOT / path).exists():
        return REPO_ROOT / path
    return path


def jsonl_dataset(spec: str, limit: int | None = None) -> Dataset:
    """A JSONL dataset by path (a relative one also found from the repository root), with its
    first `limit` questions."""
    path = _jsonl_path(spec)
    items = load_dataset(path)
    return Dataset(name=path.name, items=items[:limit] if limit else items, source=str(path), sha256=sha256_file(path))
