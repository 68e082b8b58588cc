"""The naive LlamaIndex starter pipeline beside ours, on the same articles, in one process.

The starter is the five-line tutorial: `VectorStoreIndex.from_documents` with default
chunking (SentenceSplitter, 1,024 tokens) into a `ChromaVectorStore`, embedded with the same
MiniLM through `HuggingFaceEmbedding` (passed explicitly), `Settings.llm = None` so nothing
reaches for OpenAI, and its default retriever (`similarity_top_k=2`). Ours is `ingest` and
`Assistant`. Ingests alternate (fresh folders, model preloaded for both), then on the answerable
questions of evals/news.jsonl: article Hit@1 and warm p50 latency of both retrievers and of a
whole query (the starter's query engine with the mock LLM, our offline `ask`).

    .venv/bin/python -m bench.starter --workdir /tmp/b/starter --out s.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.common import ROOT, log, summary, write_json

EVALS = ROOT / "evals" / "news.jsonl"


def _starter_docs(corpus: Path, extra: Path | None):
    from llama_index.core import Document, SimpleDirectoryReader

    docs = SimpleDirectoryReader(str(corpus), required_exts=[".txt"]).load_data()
    if extra is not None:
        for line in extra.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            meta = {k: rec[k] for k in ("id", "title", "outlet", "published") if rec.get(k)}
            docs.append(Document(text=rec["text"], metadata={"article_id": rec["id"], **meta}))
    return docs


def _article_of(metadata: dict) -> str:
    return metadata.get("article_id") or Path(metadata.get("file_name", "")).stem


def _private_nltk_data(workdir: Path) -> None:
    """Point NLTK at a copy of llama-index's bundled data.

    The venv installs files as hard links, and nltk's path hardening refuses any file with
    st_nlink > 1 ("refusing multiply-linked file ... stopwords/english"), which breaks the
    default SentenceSplitter. A copy has its own inodes.
    """
    import os
    import shutil

    import llama_index.core

    bundled = Path(llama_index.core.__file__).parent / "_static" / "nltk_cache"
    target = workdir / "nltk_data"
    if not target.exists():
        shutil.copytree(bundled, target)
    os.environ["NLTK_DATA"] = str(target)


def run(corpus: Path, extra: Path | None, workdir: Path, repeats: int) -> dict:
    _private_nltk_data(workdir)
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from assistant.config import load_settings
    from assistant.embed import get_embedder
    from assistant.ingest import ingest
    from assistant.pipeline import AskOptions, Assistant

    LlamaSettings.llm = None  # the starter's query engine would otherwise default to OpenAI
    paths = [corpus] + ([extra] if extra else [])
    embed_model = HuggingFaceEmbedding(model_name=load_settings().model_path(), device="cpu")
    embed_model.get_text_embedding("warm-up")
    get_embedder(load_settings(index_dir=workdir / "warmup")).model  # noqa: B018 - preload ours too
    ingest(load_settings(index_dir=workdir / "warmup"), [corpus])

    ours_s, starter_s, index, ours_settings, starter_nodes, ours_chunks = [], [], None, None, 0, 0
    for i in range(repeats):
        for side in (("ours", "starter") if i % 2 == 0 else ("starter", "ours")):
            t = time.perf_counter()
            if side == "ours":
                ours_settings = load_settings(index_dir=workdir / f"ours{i}")
                report = ingest(ours_settings, paths)
                ours_s.append(time.perf_counter() - t)
                ours_chunks = report.chunks
            else:
                client = chromadb.PersistentClient(path=str(workdir / f"starter{i}"), settings=ChromaSettings(anonymized_telemetry=False))
                collection = client.get_or_create_collection("starter")
                storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
                index = VectorStoreIndex.from_documents(_starter_docs(corpus, extra), storage_context=storage, embed_model=embed_model)
                starter_s.append(time.perf_counter() - t)
                starter_nodes = collection.count()
        log(f"starter vs ours ingest {i + 1}/{repeats}: starter {starter_s[-1]:.2f}s ({starter_nodes} nodes), ours {ours_s[-1]:.2f}s ({ours_chunks} chunks)")

    questions = [json.loads(l) for l in EVALS.read_text().splitlines() if l.strip()]
    questions = [q for q in questions if q.get("answerable")]
    retriever = index.as_retriever()
    engine = index.as_query_engine()
    ours = Assistant(ours_settings)
    opts = AskOptions()
    ops = {
        "starter_retrieve": lambda q: _article_of(retriever.retrieve(q)[0].metadata),
        "ours_retrieve": lambda q: ours.retrieve(q, opts).passages[0].chunk.article_id,
        "starter_query": lambda q: _article_of(engine.query(q).source_nodes[0].metadata),
        "ours_ask": lambda q: next((c.article_id for c in ours.ask(q, opts).citations), None),
    }
    for q in questions:  # warm-up pass, not measured
        for op in ops.values():
            op(q["question"])
    times = {k: [] for k in ops}
    hits = {k: 0 for k in ops}
    for n, q in enumerate(questions):
        names = list(ops) if n % 2 == 0 else list(ops)[::-1]
        for name in names:
            t = time.perf_counter()
            got = ops[name](q["question"])
            times[name].append((time.perf_counter() - t) * 1000)
            hits[name] += got in q["gold_articles"]
    return {
        "articles": "corpus" + (f" + {extra.name}" if extra else ""),
        "repeats": repeats,
        "starter_nodes": starter_nodes,
        "ours_chunks": ours_chunks,
        "ingest_s": {"starter": summary(starter_s), "ours": summary(ours_s)},
        "questions": len(questions),
        "hit_at_1": {k: round(v / len(questions), 3) for k, v in hits.items()},
        "latency_ms": {k: summary(v) for k, v in times.items()},
        "notes": "starter: SentenceSplitter(1024) nodes, MiniLM truncates each at 256 word pieces; similarity_top_k=2; "
        "Settings.llm=None (MockLLM) for the query engine; ask's Hit@1 counts a refusal as a miss",
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="Folder of the bundled articles.")
    ap.add_argument("--extra", type=Path, default=None, help="JSONL articles added as distractors (bench.corpus_gen).")
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3, help="Alternating ingests of each pipeline.")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    write_json(args.out, run(args.corpus, args.extra, args.workdir, args.repeats))


if __name__ == "__main__":
    main()
