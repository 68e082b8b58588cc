"""Real article text for ingest benchmarks, from the MultiHop-RAG sample's evidence facts.

The sample's 1,153 evidence items hold only 438 distinct fact sentences (~75k characters,
about 90 chunks) from 326 news articles (title, outlet, date, url, author). Each article here
is the facts of one title, in order, followed by facts drawn (seeded) from other articles of
the same category until the body is about `BODY_CHARS` long, so an article yields about four
chunks like a real news story. Facts are therefore reused (about 11x at 1,000 chunks, 110x at
10,000), and larger sets repeat articles as variants (`~v1`, `~v2`, ...): the same title and
outlet, the date moved by a few days, a different draw and order of facts. `build_articles`
reports the reuse factor so the output can say so.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SAMPLE = Path("/work/shared/benchmarks/multihop_rag_sample")
BODY_CHARS = 3000
FACTS_PER_PARAGRAPH = 3


@dataclass(frozen=True)
class Source:
    title: str
    outlet: str
    published: date
    url: str
    author: str
    category: str
    facts: tuple[str, ...]


def load_sources(sample_dir: Path = SAMPLE) -> list[Source]:
    """One source per distinct title, its distinct facts in first-seen order."""
    data = json.loads((sample_dir / "sample500_ground_truth.json").read_text())
    facts: dict[str, list[str]] = defaultdict(list)
    first: dict[str, dict] = {}
    for item in data.values():
        for ev in item["evidence_list"]:
            title = ev["title"].strip()
            first.setdefault(title, ev)
            fact = " ".join(ev["fact"].split())
            if fact and fact not in facts[title]:
                facts[title].append(fact)
    return [
        Source(
            title=title,
            outlet=ev.get("source") or "",
            published=date.fromisoformat(ev["published_at"][:10]),
            url=ev.get("url") or "",
            author=ev.get("author") or "",
            category=ev.get("category") or "",
            facts=tuple(facts[title]),
        )
        for title, ev in first.items()
    ]


def sample_queries(n: int, sample_dir: Path = SAMPLE) -> list[str]:
    """The first n MultiHop-RAG questions: they ask about the articles the large stores hold."""
    data = json.loads((sample_dir / "sample500_queries.json").read_text())
    return [q["question"] for q in data["queries"][:n]]


def _article(src: Source, variant: int, by_category: dict[str, list[Source]], rng: random.Random) -> dict:
    own = list(src.facts)
    if variant:
        rng.shuffle(own)
    body = list(own)
    pool = [s for s in by_category[src.category] if s is not src] or [s for v in by_category.values() for s in v if s is not src]
    while sum(len(f) + 1 for f in body) < BODY_CHARS:
        other = rng.choice(pool)
        body.append(rng.choice(other.facts))
    paragraphs = [" ".join(body[i : i + FACTS_PER_PARAGRAPH]) for i in range(0, len(body), FACTS_PER_PARAGRAPH)]
    published = src.published + timedelta(days=3 * variant)
    return {
        "title": src.title,
        "published": published.isoformat(),
        "outlet": src.outlet,
        "author": src.author,
        "url": src.url,
        "text": "\n".join(paragraphs),
        "_own_facts": len(own),
        "_borrowed_facts": len(body) - len(own),
    }


def build_articles(target_chunks: int, counter, max_tokens: int, overlap: int, seed: int = 0) -> tuple[list[dict], dict]:
    """JSONL records whose chunks (as `assistant.chunk` cuts them) add up to >= target_chunks.

    `counter` is an `assistant.chunk.TokenCounter`; the count uses the package's own chunker on
    the exact text ingest will see, so the ingest reports the same number.
    """
    from assistant.chunk import chunk_article
    from assistant.records import Article, ArticleMeta

    sources = load_sources()
    by_category: dict[str, list[Source]] = defaultdict(list)
    for s in sources:
        by_category[s.category].append(s)
    rng = random.Random(seed)
    records: list[dict] = []
    chunks = own = borrowed = 0
    variant = 0
    while chunks < target_chunks:
        for n, src in enumerate(sources):
            rec = _article(src, variant, by_category, rng)
            rec["id"] = f"mh{n:03d}" + (f"~v{variant}" if variant else "")
            meta = ArticleMeta(title=rec["title"], published=date.fromisoformat(rec["published"]), outlet=rec["outlet"] or None, author=rec["author"] or None, url=rec["url"] or None)
            article = Article(id=rec["id"], text=rec["text"], meta=meta, source_path="", content_hash="")
            chunks += len(chunk_article(article, counter, max_tokens, overlap))
            own += rec.pop("_own_facts")
            borrowed += rec.pop("_borrowed_facts")
            records.append(rec)
            if chunks >= target_chunks:
                break
        variant += 1
    distinct = sum(len(s.facts) for s in sources)
    info = {
        "articles": len(records),
        "chunks_expected": chunks,
        "distinct_facts": distinct,
        "distinct_titles": len(sources),
        "fact_uses": own + borrowed,
        "fact_reuse_factor": round((own + borrowed) / distinct, 2),
        "variants": len({r["id"].partition("~")[2] for r in records}),
        "note": "MultiHop-RAG facts grouped by title; bodies padded with same-category facts to ~3,000 chars; "
        "articles repeated as shuffled, re-dated variants to reach the chunk count",
    }
    return records, info


def write_jsonl(records: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> None:
    import argparse

    from assistant.chunk import TokenCounter
    from assistant.config import load_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, required=True, help="How many chunks the articles should make (1000, 10000).")
    ap.add_argument("--out", type=Path, required=True, help="The JSONL file to write (one article per line).")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    settings = load_settings()
    records, info = build_articles(args.chunks, TokenCounter(settings.model_path()), settings.chunk_max_tokens,
                                   settings.chunk_overlap_sentences, args.seed)
    write_jsonl(records, args.out)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
