"""Rule checks for evals/dev2: front matter, gold passages (one sentence of the body, once, survives cleaning), gold answers (1-6 words, in the passage), paraphrased flags, pairs, junk removal, word counts.

Run: .venv/bin/python evals/dev2/check_dev2.py"""
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
assert ids == [f"v{i:03d}" for i in range(1, 61)], "ids"
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
    flag = paraphrased(r["question"], p)
    if flag != r["paraphrased"]: errs.append((i, "paraphrased flag"))
    if flag and stem_overlap(r["question"], p): errs.append((i, "stem overlap"))
# junk removed?
for k, (meta, body, cleaned) in arts.items():
    for junk in ("Related:", "Sign up", "Share this", "Advertisement", "More in"):
        if junk in cleaned: errs.append((k, "junk survives: " + junk))
    words = len(cleaned.split())
    if not 350 <= words <= 600: errs.append((k, f"words {words}"))
print("errors:", errs or "none")
from collections import Counter
print(Counter(r["type"] for r in rows))
print("paraphrased", [r["id"] for r in rows if r["paraphrased"]])
print("per article", Counter(r["gold_articles"][0] for r in rows if r["answerable"]))
