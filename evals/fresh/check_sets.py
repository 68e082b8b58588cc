"""Checks of a question set in evals/fresh/ against its corpus and a private index of it.

usage (repository root): HF_HUB_OFFLINE=1 .venv/bin/python evals/fresh/check_sets.py SET.jsonl CORPUS_DIR INDEX_DIR

Loads the set with the project's loader, then checks the rules of evals/README.md: gold answers
verbatim in the gold passage (also after `normalize`), each passage one whole sentence of the
article body, occurring once, not the headline, inside one indexed chunk; `paraphrased` recomputed;
pairs mutual; unanswerable rows empty. Prints counts only, never question text.
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import re, json
from pathlib import Path

ABBR = {"dr", "mr", "mrs", "ms", "st", "co", "u.s", "inc", "jr", "a.m", "p.m", "no", "sept", "feb", "aug", "oct", "nov", "dec", "jan"}

def split_sentences(line):
    out, start = [], 0
    for m in re.finditer(r'[.!?…]["\'”’)]*(?=\s+["“‘]?[A-Z0-9])', line):
        end = m.end()
        word = re.findall(r"[\w.]+$", line[start:m.start()])
        w = word[0].lower() if word else ""
        if m.group(0) == "." and w.rstrip(".") in ABBR:
            continue
        out.append(line[start:end].strip()); start = end
    rest = line[start:].strip()
    if rest: out.append(rest)
    return out

def body_lines(path):
    text = Path(path).read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("---", 2)[2]
    return [l for l in text.splitlines() if l.strip()]

def find_sentence(path, frag):
    hits = []
    for line in body_lines(path):
        for s in split_sentences(line):
            if frag in s:
                hits.append(s)
    assert len(hits) == 1, (path, frag, hits)
    return hits[0]

# --- paraphrase rule (evals/README.md) ---
MINIMAL_STOP = set("""a an the i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
myself yourself himself herself itself ourselves themselves this that these those
am is are was were be been being have has had having do does did doing will would shall should can could may might must
of in on at by for with about against between into through during before after above below to from up down out off over under
again further than then once and but or nor so yet if because as until while both either neither not no
what which who whom whose when where why how
according said say says one two""".split())
NAMES = {"putin", "russia", "us", "obama", "trump", "biden"}

def toks(text, stop):
    return {t for t in re.split(r"[^a-z0-9]+", text.lower()) if len(t) > 1 and t not in stop and t not in NAMES}

def crude(t):
    for suf in ("ing", "es", "ed", "s"):
        if t.endswith(suf) and len(t) - len(suf) >= 3:
            return t[: -len(suf)]
    return t

def paraphrase_info(question, passages):
    from assistant.text import STOPWORDS
    big = MINIMAL_STOP | set(STOPWORDS)
    ptext = " ".join(passages)
    exact_min = toks(question, MINIMAL_STOP) & toks(ptext, MINIMAL_STOP)
    exact_big = toks(question, big) & toks(ptext, big)
    crude_min = {crude(t) for t in toks(question, MINIMAL_STOP)} & {crude(t) for t in toks(ptext, MINIMAL_STOP)}
    return exact_min, exact_big, crude_min

import json, re, sys, glob, sqlite3, collections
from pathlib import Path
from assistant.text import normalize
from assistant.evaluate.datasets import load_dataset

path, corpus, index = sys.argv[1:4]
items = load_dataset(path)
print(f"load_dataset: {len(items)} items OK")
recs = [json.loads(l) for l in open(path, encoding="utf-8")]
FIELDS = ["id", "question", "gold_answers", "gold_articles", "gold_passage", "type", "answerable", "paraphrased", "pair"]
errs = []
def err(r, m): errs.append(f"{r['id']}: {m}")
# chunks and cleaned texts from the private index
db = glob.glob(f"{index}/chunks-*.sqlite")[0]
con = sqlite3.connect(db)
chunks = collections.defaultdict(list)
for cid, text, meta in con.execute("SELECT chunk_id, text, meta FROM chunks"):
    m = json.loads(meta); chunks[m.get("article_id") or cid.split("#")[0].split(":")[0]].append(text)
arts = {Path(p).stem: p for p in glob.glob(f"{corpus}/*") if not p.endswith(".toml")}
ws = lambda s: " ".join(s.split())
ids = {r["id"] for r in recs}
VALID = {"who", "when", "where", "how_many", "why", "what", "quote", "multi", "unanswerable", "near_miss"}
for r in recs:
    if set(r) - set(FIELDS): err(r, "extra fields")
    if r["type"] not in VALID: err(r, "bad type")
    if r.get("pair"):
        p = next((x for x in recs if x["id"] == r["pair"]), None)
        if not p or p.get("pair") != r["id"]: err(r, "pair not mutual")
        elif r["answerable"] == p["answerable"]: err(r, "pair both same answerability")
    if not r["answerable"]:
        if r["gold_answers"] or r["gold_articles"] or r["gold_passage"] is not None or r["paraphrased"]: err(r, "unanswerable fields")
        if r["type"] not in ("near_miss", "unanswerable"): err(r, "unanswerable type")
        if r["type"] == "near_miss" and not r.get("pair"): err(r, "near miss without pair")
        continue
    if r["type"] in ("near_miss", "unanswerable"): err(r, "answerable with unanswerable type")
    if len(r["gold_articles"]) != 1 or r["gold_articles"][0] not in arts: err(r, "gold article"); continue
    a = r["gold_articles"][0]; p = r["gold_passage"]
    if not isinstance(p, str): err(r, "passage not str"); continue
    raw = Path(arts[a]).read_text(encoding="utf-8")
    if raw.count(p) != 1: err(r, f"passage occurs {raw.count(p)} times in file")
    sents = [s for l in body_lines(arts[a]) for s in split_sentences(l)]
    if p not in sents: err(r, "passage is not one whole sentence of the body")
    title = re.search(r'^title: "(.*)"$', raw, re.M)
    if title and p in title.group(1): err(r, "passage is headline")
    holding = [c for c in chunks[a] if ws(p) in ws(c)]
    if len(holding) < 1: err(r, "passage not inside a single indexed chunk")
    for g in r["gold_answers"]:
        if g.lower() not in p.lower(): err(r, "a gold answer is not verbatim in the passage")
        if not re.search(r"(?<!\w)" + re.escape(normalize(g)) + r"(?!\w)", normalize(p)): err(r, "a gold answer is not in the normalized passage")
        if not 1 <= len(g.split()) <= 6: err(r, "a gold answer is not 1-6 words")
    em, eb, cm = paraphrase_info(r["question"], [p])
    computed = not em
    if computed != r["paraphrased"]: err(r, f"paraphrased flag {r['paraphrased']} but computed {computed}")
    if computed and (eb or cm): err(r, "paraphrased but shares stripped/other tokens")
    if not computed and not eb: err(r, "not paraphrased but no exact token shared under project stopwords")
# junk never in chunks
for a, cs in chunks.items():
    for c in cs:
        for junk in ("Share this article", "Related:", "Advertisement", "Also Read", "TRENDING", "Leave a Reply"):
            if junk in c: errs.append(f"chunk of {a} holds junk {junk!r}")
c = collections.Counter(r["type"] for r in recs)
print("types:", dict(sorted(c.items())))
print("controls by type:", dict(collections.Counter(r["type"] for r in recs if r.get("pair") and r["answerable"])))
print("answerable:", sum(r["answerable"] for r in recs), "unanswerable:", sum(not r["answerable"] for r in recs), "paraphrased:", sum(r["paraphrased"] for r in recs), "pairs:", sum(1 for r in recs if r.get('pair'))//2)
print("answerable per article:", dict(collections.Counter(r["gold_articles"][0] for r in recs if r["answerable"])))
print("ERRORS:" if errs else "all own checks pass", *errs, sep="\n  ")
