"""Rule checks for evals/dev3: front matter, gold passages (one sentence of the body, once, survives cleaning), gold answers (1-6 words, in the passage), paraphrased flags, pairs, junk removal, word counts; with an index directory, also the indexed chunks (each gold passage inside one chunk of its article, no page junk in any chunk, front matter read).

Run: .venv/bin/python evals/dev3/check_dev3.py [INDEX_DIR]
(INDEX_DIR defaults to $ASSISTANT_INDEX_DIR; without either the index checks are skipped.)"""
import re
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

import json, re, sys, yaml
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.clean import clean_text
from assistant.chunk import split_sentences
from assistant.text import normalize
ROOT = Path(__file__).resolve().parent
arts = {}
for p in sorted((ROOT / "corpus").glob("*.md")):
    t = p.read_text(encoding="utf-8")
    _, fm, body = t.split("---\n", 2)
    meta = yaml.safe_load(fm)
    assert set(meta) == {"title", "published", "outlet", "author", "url"}, p
    cleaned = clean_text(body, known_title=meta["title"])
    arts[p.stem] = (meta, body, cleaned.body)
errs = []
rows = [json.loads(l) for l in open(ROOT / "questions.jsonl", encoding="utf-8")]
ids = [r["id"] for r in rows]
assert ids == [f"w{i:03d}" for i in range(1, 61)], "ids"
byid = {r["id"]: r for r in rows}
FIELDS = {"id","question","gold_answers","gold_articles","gold_passage","type","answerable","paraphrased","pair"}
for r in rows:
    i = r["id"]
    if not set(r) <= FIELDS: errs.append((i, "fields"))
    if "pair" in r:
        o = byid.get(r["pair"])
        if not o or o.get("pair") != i: errs.append((i, "pair"))
        if r["type"] == "near_miss" and o["answerable"] is not True: errs.append((i, "pair not control"))
    if not r["answerable"]:
        if r["gold_answers"] or r["gold_articles"] or r["gold_passage"] is not None or r["paraphrased"]:
            errs.append((i, "unanswerable fields"))
        continue
    (art,) = r["gold_articles"]
    meta, body, cleaned = arts[art]
    p = r["gold_passage"]
    if body.count(p) != 1: errs.append((i, f"passage count in body {body.count(p)}"))
    if p in meta["title"]: errs.append((i, "headline"))
    if p not in cleaned: errs.append((i, "not in cleaned"))
    sents = [s.text for s in split_sentences(cleaned)]
    if p not in sents: errs.append((i, "not one sentence per splitter: " + str([s for s in sents if s in p or p in s][:3])))
    for a in r["gold_answers"]:
        if not (1 <= len(a.split()) <= 6): errs.append((i, "answer length"))
        if a.lower() not in p.lower(): errs.append((i, f"answer {a!r} not in passage"))
        if not re.search(r"(?<!\w)" + re.escape(normalize(a)) + r"(?!\w)", normalize(p)): errs.append((i, f"answer {a!r} not in normalized passage"))
    flag = paraphrased(r["question"], p)
    if flag != r["paraphrased"]: errs.append((i, "paraphrased flag"))
    if flag and stem_overlap(r["question"], p): errs.append((i, "stem overlap"))
# junk removed?
for k, (meta, body, cleaned) in arts.items():
    for junk in ("Related:", "Sign up", "Share this", "Advertisement", "More in"):
        if junk in cleaned: errs.append((k, "junk survives: " + junk))
    words = len(cleaned.split())
    if not 380 <= words <= 460: errs.append((k, f"words {words}"))
    print(f"{k}: {words} words")
# near misses: type, and the pair's control is the id before
for r in rows:
    n = int(r["id"][1:])
    if n <= 48:
        want = f"w{n + 1:03d}" if n % 2 else f"w{n - 1:03d}"
        if r.get("pair") != want: errs.append((r["id"], "pair id"))
        if (n % 2 == 0) != (r["type"] == "near_miss"): errs.append((r["id"], "near_miss position"))
    elif "pair" in r: errs.append((r["id"], "unexpected pair"))
# the index: gold passage inside one chunk of its article, no junk in chunks, front matter read
import os, sqlite3
idx = Path(sys.argv[1]) if len(sys.argv) > 1 else (Path(os.environ["ASSISTANT_INDEX_DIR"]) if os.environ.get("ASSISTANT_INDEX_DIR") else None)
if idx:
    (db,) = sorted(idx.glob("chunks-*.sqlite"))
    con = sqlite3.connect(db)
    chunks = {}
    for aid, text in con.execute("select article_id, text from chunks"):
        chunks.setdefault(aid, []).append(" ".join(text.split()))
    if set(chunks) != set(arts): errs.append(("index", f"articles differ: {sorted(set(chunks) ^ set(arts))}"))
    for aid, meta_json in con.execute("select article_id, meta from articles"):
        m = json.loads(meta_json)
        if aid in arts:
            fm = arts[aid][0]
            for k in ("title", "outlet", "author", "url"):
                if m.get(k) != fm[k]: errs.append((aid, f"index meta {k}"))
            if m.get("published") != str(fm["published"]): errs.append((aid, "index meta published"))
    for r in rows:
        if r["answerable"]:
            p = " ".join(r["gold_passage"].split())
            if not any(p in c for c in chunks.get(r["gold_articles"][0], [])): errs.append((r["id"], "passage not inside one chunk"))
    for aid, cs in chunks.items():
        for c in cs:
            for junk in ("Related:", "Sign up", "Share this", "Advertisement", "More in"):
                if junk in c: errs.append((aid, "junk in chunk: " + junk))
    print("index:", db, "chunks", sum(len(c) for c in chunks.values()))
else:
    print("index checks skipped (no INDEX_DIR)")
print("errors:", errs or "none")
from collections import Counter
print(Counter(r["type"] for r in rows))
print("paraphrased", [r["id"] for r in rows if r["paraphrased"]])
print("per article", Counter(r["gold_articles"][0] for r in rows if r["answerable"]))
