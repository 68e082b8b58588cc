"""Rule checks for evals/dev4, both parts.

bundled.jsonl (x001-x040) against the five bundled articles in corpus/, questions.jsonl (y001-y040)
against the eight synthetic articles in evals/dev4/corpus/: ids and layout (16 pairs, odd = control,
even = near miss; 6 ordinary answerable, 037-038 paraphrased; 2 unanswerable), only the format's
fields, pairs both ways, unanswerable rows without gold; gold passages (one sentence of the cleaned
body per split_sentences, once in the file, not the headline), gold answers (1-6 words, in the
passage, also after normalize on word boundaries), paraphrased flags recomputed; synthetic front
matter, junk removal and word counts; no bundled question equal to one in news.jsonl/test.jsonl
(and the closest ones by content-token overlap printed). With index directories, also the indexed
chunks: each gold passage inside one chunk of its article, no page junk in any synthetic chunk,
the synthetic front matter read into the index.

Run: .venv/bin/python evals/dev4/check_dev4.py [SYNTH_INDEX_DIR [BUNDLED_INDEX_DIR]]
(without them the index checks are skipped)."""
import json, os, re, sqlite3, sys
from collections import Counter
from pathlib import Path

import yaml

STOP = set("""i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself
they them their theirs themselves what which who whom whose when where why how this that these those am is are was were be been being
have has had having do does did doing a an the and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then once here there all any both each few more most
other some such no nor not only own same so than too very can will just don should now shall would could may might must also
according said say says one two putin russia us obama trump biden""".split())
def toks(s):
    return [t for t in re.split(r"[^a-z0-9]+", s.lower()) if len(t) > 1 and t not in STOP]
def content(s): return set(toks(s))
def stem(t):
    for suf in ("ing", "es", "ed", "s"):
        if t.endswith(suf) and len(t) > len(suf) + 2: return t[: -len(suf)]
    return t
def paraphrased(q, p):
    ps = p if isinstance(p, str) else " ".join(p)
    return not (content(q) & content(ps))
def stem_overlap(q, p):
    return {stem(t) for t in content(q)} & {stem(t) for t in content(p)}

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
JUNK = ("Related:", "Sign up", "Share this", "Advertisement", "More in")
FIELDS = {"id", "question", "gold_answers", "gold_articles", "gold_passage", "type", "answerable", "paraphrased", "pair"}


def load_bundled():
    from assistant.clean import clean_text
    arts = {}
    for p in sorted((REPO / "corpus").glob("*.txt")):
        raw = p.read_text(encoding="utf-8")
        page = clean_text(raw)
        arts[p.stem] = ({"title": page.title or ""}, raw, page.body)
    return arts


def load_synth(errs):
    from assistant.clean import clean_text
    arts = {}
    for p in sorted((HERE / "corpus").glob("*.md")):
        t = p.read_text(encoding="utf-8")
        _, fm, body = t.split("---\n", 2)
        meta = yaml.safe_load(fm)
        if set(meta) != {"title", "published", "outlet", "author", "url"}: errs.append((p.stem, "front matter fields"))
        if not str(meta.get("url", "")).startswith("https://example.org/"): errs.append((p.stem, "url not example.org"))
        cleaned = clean_text(body, known_title=meta["title"]).body
        arts[p.stem] = (meta, body, cleaned)
        for junk in JUNK:
            if junk in cleaned: errs.append((p.stem, "junk survives: " + junk))
        words = len(cleaned.split())
        if not 380 <= words <= 460: errs.append((p.stem, f"words {words}"))
        print(f"  {p.stem}: {words} words")
    return arts


def check_rows(path, prefix, arts, errs):
    from assistant.chunk import split_sentences
    from assistant.text import normalize
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    ids = [r["id"] for r in rows]
    if ids != [f"{prefix}{i:03d}" for i in range(1, 41)]: errs.append((path.name, "ids"))
    byid = {r["id"]: r for r in rows}
    for r in rows:
        i, n = r["id"], int(r["id"][1:])
        if not set(r) <= FIELDS: errs.append((i, "fields"))
        # layout
        if n <= 32:
            want = f"{prefix}{n + 1:03d}" if n % 2 else f"{prefix}{n - 1:03d}"
            if r.get("pair") != want: errs.append((i, "pair id"))
            o = byid.get(r.get("pair"))
            if not o or o.get("pair") != i: errs.append((i, "pair not both ways"))
            if n % 2 == 0 and (r["type"] != "near_miss" or r["answerable"]): errs.append((i, "near miss position"))
            if n % 2 == 1 and (r["type"] in ("near_miss", "unanswerable") or not r["answerable"]): errs.append((i, "control position"))
        else:
            if "pair" in r: errs.append((i, "unexpected pair"))
            if n <= 38 and (not r["answerable"] or r["type"] in ("near_miss", "unanswerable")): errs.append((i, "ordinary answerable position"))
            if n >= 39 and (r["answerable"] or r["type"] != "unanswerable"): errs.append((i, "unanswerable position"))
        if r["paraphrased"] != (n in (37, 38)): errs.append((i, "paraphrased position"))
        if not r["answerable"]:
            if r["gold_answers"] or r["gold_articles"] or r["gold_passage"] is not None or r["paraphrased"]:
                errs.append((i, "unanswerable fields"))
            continue
        if len(r["gold_articles"]) != 1: errs.append((i, "gold_articles")); continue
        art = r["gold_articles"][0]
        if art not in arts: errs.append((i, "unknown article")); continue
        meta, raw, cleaned = arts[art]
        p = r["gold_passage"]
        if raw.count(p) != 1: errs.append((i, f"passage count in file {raw.count(p)}"))
        if meta["title"] and p in meta["title"]: errs.append((i, "headline"))
        if p not in cleaned: errs.append((i, "not in cleaned body"))
        if p not in [s.text for s in split_sentences(cleaned)]: errs.append((i, "not one sentence per split_sentences"))
        if not 1 <= len(r["gold_answers"]) <= 6: errs.append((i, "number of gold answers"))
        for a in r["gold_answers"]:
            if not 1 <= len(a.split()) <= 6: errs.append((i, "answer length"))
            if a.lower() not in p.lower(): errs.append((i, f"answer {a!r} not in passage"))
            if not re.search(r"(?<!\w)" + re.escape(normalize(a)) + r"(?!\w)", normalize(p)): errs.append((i, f"answer {a!r} not in normalized passage"))
        flag = paraphrased(r["question"], p)
        if flag != r["paraphrased"]: errs.append((i, "paraphrased flag"))
        if flag and stem_overlap(r["question"], p): errs.append((i, "stem overlap"))
    return rows


def check_index(idx, rows, arts, errs, synth):
    (db,) = sorted(Path(idx).glob("chunks-*.sqlite"))
    con = sqlite3.connect(db)
    chunks = {}
    for aid, text in con.execute("select article_id, text from chunks"):
        chunks.setdefault(aid, []).append(" ".join(text.split()))
    if set(chunks) != set(arts): errs.append((str(idx), f"articles differ: {sorted(set(chunks) ^ set(arts))}"))
    if synth:
        for aid, meta_json in con.execute("select article_id, meta from articles"):
            m = json.loads(meta_json)
            if aid in arts:
                fm = arts[aid][0]
                for k in ("title", "outlet", "author", "url"):
                    if m.get(k) != fm[k]: errs.append((aid, f"index meta {k}"))
                if m.get("published") != str(fm["published"]): errs.append((aid, "index meta published"))
        for aid, cs in chunks.items():
            for c in cs:
                for junk in JUNK:
                    if junk in c: errs.append((aid, "junk in chunk: " + junk))
    for r in rows:
        if r["answerable"]:
            p = " ".join(r["gold_passage"].split())
            if not any(p in c for c in chunks.get(r["gold_articles"][0], [])): errs.append((r["id"], "passage not inside one chunk"))
    print(f"  index {db}: {sum(len(c) for c in chunks.values())} chunks, {len(chunks)} articles")


def main():
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    errs = []
    print("synthetic corpus:")
    synth = load_synth(errs)
    bundled = load_bundled()
    rb = check_rows(HERE / "bundled.jsonl", "x", bundled, errs)
    rs = check_rows(HERE / "questions.jsonl", "y", synth, errs)
    # no bundled question copies one of the dev or test set; print the closest
    old = [json.loads(l)["question"] for f in ("evals/news.jsonl", "evals/test.jsonl") for l in open(REPO / f, encoding="utf-8")]
    oldn = {" ".join(toks(q)) for q in old}
    close = []
    for r in rb:
        if " ".join(toks(r["question"])) in oldn: errs.append((r["id"], "same question as dev/test"))
        c = content(r["question"])
        best = max(old, key=lambda q: len(c & content(q)) / max(1, len(c | content(q))))
        close.append((len(c & content(best)) / max(1, len(c | content(best))), r["id"], best))
    print("closest dev/test question (content-token Jaccard), top 5:")
    for j, i, q in sorted(close, reverse=True)[:5]:
        print(f"  {i} {j:.2f} {q}")
    args = sys.argv[1:]
    if args:
        check_index(args[0], rs, synth, errs, True)
        if len(args) > 1:
            check_index(args[1], rb, bundled, errs, False)
    else:
        print("index checks skipped (no INDEX_DIR)")
    for name, rows in (("bundled.jsonl", rb), ("questions.jsonl", rs)):
        print(name, dict(Counter(r["type"] for r in rows)), "answerable", sum(r["answerable"] for r in rows),
              "paraphrased", [r["id"] for r in rows if r["paraphrased"]])
        print("  per article", dict(Counter(r["gold_articles"][0] for r in rows if r["answerable"])))
    print("errors:", errs or "none")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
