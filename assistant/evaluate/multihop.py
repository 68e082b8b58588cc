"""MultiHop-RAG (Tang & Yang, COLM 2024) as an eval dataset.

Two sources:

* the official `MultiHopRAG.json` (+ `corpus.json`) that a user downloads; both are checked
  against the sha256 and size in the Git-LFS pointers shipped with the sample, so a truncated
  or edited copy is never scored as the benchmark;
* the 500-query sample (`sample500_queries.json` + `sample500_ground_truth.json`).

Without `corpus.json` the corpus is built from the evidence: one article per gold title, its
facts (verbatim sentences) as the body, with the title's metadata. The articles of queries
outside the evaluated ones are the distractors. Such a corpus is easy (almost every sentence
in it is some query's gold evidence); it tests the adapter and the pipeline, not accuracy.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from assistant.evaluate.datasets import Dataset, DatasetError, EvalItem, sha256_file

SAMPLE_DIR = Path(os.environ.get("MULTIHOP_SAMPLE_DIR", "/work/shared/benchmarks/multihop_rag_sample"))
SAMPLE_QUERIES = "sample500_queries.json"
SAMPLE_TRUTH = "sample500_ground_truth.json"
OFFICIAL_QUERIES = "MultiHopRAG.json"
OFFICIAL_CORPUS = "corpus.json"

#: The official files' (sha256, size), as recorded in the sample's `*.lfs-pointer` files; used
#: when the pointer files are not at hand.
OFFICIAL_OBJECTS = {
    OFFICIAL_QUERIES: ("03cfb4926461f868684903aadc8024447bdda5bb3f6804741424cce338515bff", 5171312),
    OFFICIAL_CORPUS: ("20b61b5ab84de84a927420c5d265b7ec8d859ae49980699958a787ade9e4d28f", 6785567),
}

#: Retrieval depth of the official scoring.
K = 10
#: With a limit, distractor articles (other queries' evidence) per gold article in the corpus.
DISTRACTOR_RATIO = 2


def read_pointer(path: Path) -> tuple[str, int]:
    """(sha256, size) from a Git-LFS pointer file (`oid sha256:<hex>` and `size <n>` lines)."""
    sha, size = None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.strip().partition(" ")
        if key == "oid" and value.startswith("sha256:"):
            sha = value.removeprefix("sha256:").strip().lower()
        elif key == "size" and value.strip().isdigit():
            size = int(value)
    if not sha or len(sha) != 64 or size is None:
        raise DatasetError(f"{path} is not a Git-LFS pointer (no 'oid sha256:' and 'size' lines)")
    return sha, size


def expected_object(name: str, sample_dir: Path = SAMPLE_DIR) -> tuple[str, int]:
    pointer = sample_dir / f"official_{name}.lfs-pointer"
    return read_pointer(pointer) if pointer.exists() else OFFICIAL_OBJECTS[name]


def verify_official(path: Path, sample_dir: Path = SAMPLE_DIR) -> None:
    """Raise `DatasetError` unless the file is byte for byte the official one."""
    sha, size = expected_object(path.name, sample_dir)
    where = "https://github.com/yixuantt/MultiHop-RAG (dataset/) or huggingface.co/datasets/yixuantt/MultiHopRAG"
    actual = path.stat().st_size
    if actual != size:
        raise DatasetError(
            f"{path} is not the official {path.name}: {actual} bytes, expected {size}; download it again from {where}"
        )
    got = sha256_file(path)
    if got != sha:
        raise DatasetError(
            f"{path} is not the official {path.name}: sha256 {got}, expected {sha}; download it again from {where}"
        )


def article_id(title: str) -> str:
    return "mh-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:12]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read {path} as JSON ({exc})") from exc


def _queries(folder: Path, sample_dir: Path) -> tuple[list[dict], str, str]:
    """Queries as {id, question, question_type, answer, evidence_list}, a label and a hash."""
    official = folder / OFFICIAL_QUERIES
    if official.exists():
        verify_official(official, sample_dir)
        data = _read_json(official)
        queries = [
            {"id": str(i), "question": q["query"], "question_type": q["question_type"],
             "answer": q["answer"], "evidence_list": q["evidence_list"]}
            for i, q in enumerate(data)
        ]
        return queries, f"multihop:{folder}", sha256_file(official)
    q_path, t_path = folder / SAMPLE_QUERIES, folder / SAMPLE_TRUTH
    if q_path.exists() and t_path.exists():
        truth = _read_json(t_path)
        queries = []
        for q in _read_json(q_path)["queries"]:
            if q["id"] not in truth:
                raise DatasetError(f"{t_path} has no entry for query id {q['id']!r} of {q_path}")
            queries.append({**q, **truth[q["id"]]})
        label = "multihop-sample" if folder.resolve() == SAMPLE_DIR.resolve() else f"multihop:{folder}"
        digest = hashlib.sha256((sha256_file(q_path) + sha256_file(t_path)).encode()).hexdigest()
        return queries, label, digest
    raise DatasetError(
        f"{folder} holds neither {OFFICIAL_QUERIES} (official) nor {SAMPLE_QUERIES} + {SAMPLE_TRUTH} (sample); "
        "point multihop:DIR at the folder that holds them"
    )


def _item(q: dict) -> EvalItem:
    kind = q["question_type"].removesuffix("_query")
    evidence = q.get("evidence_list") or []
    facts = tuple(dict.fromkeys(e["fact"] for e in evidence))
    answerable = kind != "null"
    return EvalItem(id=q["id"], question=q["question"], gold_answers=(q["answer"],) if answerable else (),
                    gold_articles=tuple(dict.fromkeys(article_id(e["title"]) for e in evidence)), answerable=answerable,
                    type=kind, gold_passages=facts, gold_facts=facts)


def _article(title: str, meta: dict, body: str) -> dict[str, Any]:
    return {"id": article_id(title), "title": title, "text": body,
            **{k: meta.get(k) or None for k in ("source", "author", "url")},
            "published": (meta.get("published_at") or "")[:10] or None}


def evidence_corpus(queries: list[dict], selected: int) -> tuple[list[dict], int]:
    """Articles built from the evidence: the selected queries' titles, then distractors.

    Every title's body holds all its facts from the whole file, so an article is the same
    whatever the limit. Returns the articles and how many of them are gold.
    """
    facts: dict[str, dict[str, None]] = {}
    meta: dict[str, dict] = {}
    order: list[str] = []
    for q in queries:
        for e in q.get("evidence_list") or []:
            if e["title"] not in facts:
                facts[e["title"]] = {}
                meta[e["title"]] = e
                order.append(e["title"])
            facts[e["title"]][e["fact"]] = None
    gold = list(dict.fromkeys(e["title"] for q in queries[:selected] for e in q.get("evidence_list") or []))
    titles = list(gold)
    if selected < len(queries):
        extra = [t for t in order if t not in set(gold)]
        titles += extra[: DISTRACTOR_RATIO * max(len(gold), 1)]
    else:
        titles = order
    return [_article(t, meta[t], "\n".join(facts[t])) for t in titles], len(gold)


def official_corpus(path: Path, sample_dir: Path) -> list[dict]:
    verify_official(path, sample_dir)
    out: dict[str, dict] = {}
    for doc in _read_json(path):
        # The evidence names articles by title; a repeated title keeps its first article.
        out.setdefault(doc["title"], _article(doc["title"], doc, doc["body"]))
    return list(out.values())


def load_multihop(folder: Path | None = None, limit: int | None = None, sample_dir: Path = SAMPLE_DIR) -> Dataset:
    """MultiHop-RAG queries (first `limit` in file order) and the corpus to index for them."""
    folder = folder or sample_dir
    if not folder.is_dir():
        raise DatasetError(f"no MultiHop-RAG folder at {folder}; pass multihop:/path/to/dir")
    queries, label, digest = _queries(folder, sample_dir)
    selected = min(limit or len(queries), len(queries))
    items = [_item(q) for q in queries[:selected]]
    corpus_file = folder / OFFICIAL_CORPUS
    if corpus_file.exists():
        corpus = official_corpus(corpus_file, sample_dir)
        titles = {a["title"] for a in corpus}
        missing = {e["title"] for q in queries[:selected] for e in q.get("evidence_list") or []} - titles
        notes = [f"official corpus.json: {len(corpus)} articles"]
        if missing:
            notes.append(f"{len(missing)} evidence titles are not in corpus.json; their facts cannot be retrieved")
    else:
        corpus, n_gold = evidence_corpus(queries, selected)
        extra = (f"{len(corpus) - n_gold} more from other queries' evidence as distractors" if len(corpus) > n_gold
                 else "each query's distractors are the other queries' articles")
        notes = [
            f"corpus built from the evidence: {len(corpus)} articles, one per gold title with its facts as the body; "
            f"{n_gold} gold for the evaluated queries, {extra}. An easy corpus: it checks the adapter and the "
            "pipeline, not accuracy (see evals/README.md)."
        ]
    n_null = sum(not i.answerable for i in items)
    notes.append(f"{len(items)} queries, {n_null} null (excluded from retrieval scoring, scored as refusals)")
    return Dataset(name=label, items=items, source=str(folder), sha256=digest, corpus=corpus, k=K, notes=notes)


def corpus_jsonl(articles: list[dict]) -> str:
    """The articles as JSONL that `assistant.ingest` reads (id, title, text, source, author, url, published)."""
    return "".join(json.dumps({k: v for k, v in a.items() if v is not None}, ensure_ascii=False) + "\n" for a in articles)
