"""Rule checks for the question sets dev2-dev15, fresh and fresh3-fresh8 (the format and rules of evals/README.md).

Run (repository root): HF_HUB_OFFLINE=1 .venv/bin/python evals/check_set.py SET [INDEX_DIR ...]
SET is one of dev2-dev15, fresh, fresh3, fresh4, fresh5, fresh6, fresh7, fresh8; one private index directory per part of the set, in the order of
PARTS below (dev4, dev5 and fresh: the synthetic corpus's index, then the bundled corpus's; dev6-dev15 and fresh3-fresh8: their
synthetic corpus only); index checks
are skipped for a part without one. --questions=FILE (once per part, in the same order) checks another
copy of a part's questions file instead. Exit status 1 when any check fails.

Per part: the file loads with load_dataset; ids PREFIX001.. in order; only the format's fields; the
layout (pairs both ways at the start, near miss and control alternating, answerable with opposite
answerability; then ordinary answerable rows, the paraphrased ones at fixed ids; unanswerable rows
last, with no gold); types valid; each gold passage occurs once in its article body, is not the
headline, and is one whole sentence of split_sentences on the cleaned body; each gold answer (1-6 of
them) is 1-6 words and appears in its passage, also after assistant.text.normalize on word
boundaries; `paraphrased` recomputed, and it must come out the same under each stopword list below
(flagged questions share no token after -s/-es/-ed/-ing stripping either); Markdown corpora: front
matter fields, no page junk survives cleaning, body word counts. With an index: each gold passage
inside one chunk of its article, the index holds exactly the corpus's articles, no page junk in any
chunk, front matter read into the index. Private (held-out) parts print counts only, never text."""
import json, re, sqlite3, sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

def part(file, corpus, prefix, count, paired, unanswerable, paraphrased, near_miss_odd=False, words=None,
         url=None, private=False, not_in=()):
    return dict(file=file, corpus=corpus, prefix=prefix, count=count, paired=paired, unanswerable=unanswerable,
                paraphrased=paraphrased, near_miss_odd=near_miss_odd, words=words, url=url, private=private, not_in=not_in)

def four(d, synth_prefix, bundled_prefix, private=False, not_in=()):  # the dev4 / fresh layout, two parts
    return [part(f"evals/{d}/questions.jsonl", f"evals/{d}/corpus", synth_prefix, 40, 32, 2, {37, 38},
                 words=(380, 460), url="https://example.org/", private=private),
            part(f"evals/{d}/bundled.jsonl", "corpus", bundled_prefix, 40, 32, 2, {37, 38}, private=private, not_in=not_in)]

PARTS = {
    "dev2": [part("evals/dev2/questions.jsonl", "evals/dev2/corpus", "v", 60, 48, 4, {49, 50}, near_miss_odd=True, words=(350, 600))],
    "dev3": [part("evals/dev3/questions.jsonl", "evals/dev3/corpus", "w", 60, 48, 4, {55, 56}, words=(380, 460))],
    "dev4": four("dev4", "y", "x", not_in=("evals/news.jsonl", "evals/test.jsonl")),
    "fresh": four("fresh", "g", "f", private=True, not_in=("evals/news.jsonl",)),
    # dev5: dev4's layout; its articles were asked for at ~450-650 words, and its bundled questions
    # must not repeat dev4's either
    "dev5": [dict(p, words=(440, 660)) if p["prefix"] == "z" else p
             for p in four("dev5", "z", "u", not_in=("evals/news.jsonl", "evals/test.jsonl", "evals/dev4/bundled.jsonl"))],
    # dev6: dev4's synthetic half alone (no bundled file); its articles were asked for at 400-700 words
    "dev6": [part("evals/dev6/questions.jsonl", "evals/dev6/corpus", "s", 40, 32, 2, {37, 38},
                  words=(400, 700), url="https://example.org/")],
    # dev7: dev6's layout, prefix r
    "dev7": [part("evals/dev7/questions.jsonl", "evals/dev7/corpus", "r", 40, 32, 2, {37, 38},
                  words=(400, 700), url="https://example.org/")],
    # dev8: dev7's layout, prefix p
    "dev8": [part("evals/dev8/questions.jsonl", "evals/dev8/corpus", "p", 40, 32, 2, {37, 38},
                  words=(400, 700), url="https://example.org/")],
    # dev9: dev8's layout, prefix k
    "dev9": [part("evals/dev9/questions.jsonl", "evals/dev9/corpus", "k", 40, 32, 2, {37, 38},
                  words=(400, 700), url="https://example.org/")],
    # dev10: dev8's layout, prefix j
    "dev10": [part("evals/dev10/questions.jsonl", "evals/dev10/corpus", "j", 40, 32, 2, {37, 38},
                   words=(400, 700), url="https://example.org/")],
    # dev11: dev8's layout, prefix h
    "dev11": [part("evals/dev11/questions.jsonl", "evals/dev11/corpus", "h", 40, 32, 2, {37, 38},
                   words=(400, 700), url="https://example.org/")],
    # dev12: dev8's layout, prefix e
    "dev12": [part("evals/dev12/questions.jsonl", "evals/dev12/corpus", "e", 40, 32, 2, {37, 38},
                   words=(400, 700), url="https://example.org/")],
    # dev13: dev8's layout, prefix m
    "dev13": [part("evals/dev13/questions.jsonl", "evals/dev13/corpus", "m", 40, 32, 2, {37, 38},
                   words=(400, 700), url="https://example.org/")],
    # dev14: dev8's layout, prefix n
    "dev14": [part("evals/dev14/questions.jsonl", "evals/dev14/corpus", "n", 40, 32, 2, {37, 38},
                   words=(400, 700), url="https://example.org/")],
    # dev15: dev8's layout, prefix o
    "dev15": [part("evals/dev15/questions.jsonl", "evals/dev15/corpus", "o", 40, 32, 2, {37, 38},
                   words=(400, 700), url="https://example.org/")],

    # fresh3: held out (private: counts only, never text); dev8's layout, prefix f3q
    "fresh3": [part("evals/fresh3/questions.jsonl", "evals/fresh3/corpus", "f3q", 40, 32, 2, {37, 38},
                    words=(400, 700), url="https://example.org/", private=True)],
    # fresh4: held out (private: counts only, never text); dev8's layout, prefix f4q
    "fresh4": [part("evals/fresh4/questions.jsonl", "evals/fresh4/corpus", "f4q", 40, 32, 2, {37, 38},
                    words=(400, 700), url="https://example.org/", private=True)],
    # fresh5: held out (private: counts only, never text); dev8's layout, prefix f5q
    "fresh5": [part("evals/fresh5/questions.jsonl", "evals/fresh5/corpus", "f5q", 40, 32, 2, {37, 38},
                    words=(400, 700), url="https://example.org/", private=True)],
    # fresh6: held out (private: counts only, never text); dev8's layout, prefix f6q
    "fresh6": [part("evals/fresh6/questions.jsonl", "evals/fresh6/corpus", "f6q", 40, 32, 2, {37, 38},
                    words=(400, 700), url="https://example.org/", private=True)],
    # fresh7: held out (private: counts only, never text); dev8's layout, prefix f7q
    "fresh7": [part("evals/fresh7/questions.jsonl", "evals/fresh7/corpus", "f7q", 40, 32, 2, {37, 38},
                    words=(400, 700), url="https://example.org/", private=True)],
    # fresh8: held out (private: counts only, never text); dev8's layout, prefix f8q
    "fresh8": [part("evals/fresh8/questions.jsonl", "evals/fresh8/corpus", "f8q", 40, 32, 2, {37, 38},
                    words=(400, 700), url="https://example.org/", private=True)],
}
FIELDS = {"id", "question", "gold_answers", "gold_articles", "gold_passage", "type", "answerable", "paraphrased", "pair"}
TYPES = {"who", "when", "where", "how_many", "why", "what", "quote", "multi", "unanswerable", "near_miss"}
JUNK = ("Related:", "Sign up", "Share this", "Advertisement", "More in", "Also Read", "TRENDING", "Leave a Reply")

# --- the paraphrase rule of evals/README.md, under each reading of "common English stopwords" ---
NAMES = "according said say says one two putin russia us obama trump biden"
FUNCTION = """a an the i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
myself yourself himself herself itself ourselves themselves this that these those am is are was were be been being
have has had having do does did doing will would shall should can could may might must of in on at by for with about against
between into through during before after above below to from up down out off over under again further than then once and but
or nor so yet if because as until while both either neither not no what which who whom whose when where why how"""
NLTK = """yourselves all also any don each few here just more most now only other own same some such there too very"""
def stoplists():
    from assistant.text import STOPWORDS
    small = set((FUNCTION + " " + NAMES).split())
    nltk = small - {"mine", "yet", "either", "neither"} | set(NLTK.split())
    return small, nltk, small | set(STOPWORDS)

def content(s, stop):
    return {t for t in re.split(r"[^a-z0-9]+", s.lower()) if len(t) > 1 and t not in stop}

def stem(t):
    for suf in ("ing", "es", "ed", "s"):
        if t.endswith(suf) and len(t) > len(suf) + 2: return t[: -len(suf)]
    return t

def paraphrase_errors(question, passage, flag):
    out = []
    for stop in stoplists():
        q, p = content(question, stop), content(passage, stop)
        if (not q & p) != flag: out.append("paraphrased flag")
        if flag and {stem(t) for t in q} & {stem(t) for t in p}: out.append("stem overlap")
    return sorted(set(out))

# --- corpora: {article id: (meta, body, cleaned body)} ---
def load_corpus(d, spec, errs):
    import yaml
    from assistant.clean import clean_text
    arts = {}
    for p in sorted((REPO / d).glob("*.md")):
        _, fm, body = p.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(fm)
        if set(meta) != {"title", "published", "outlet", "author", "url"}: errs.append((p.stem, "front matter fields"))
        if spec["url"] and not str(meta.get("url", "")).startswith(spec["url"]): errs.append((p.stem, "url not " + spec["url"]))
        cleaned = clean_text(body, known_title=meta["title"]).body
        arts[p.stem] = (meta, body, cleaned)
        errs += [(p.stem, "junk survives: " + j) for j in JUNK if j in cleaned]
        n = len(cleaned.split())
        if spec["words"] and not spec["words"][0] <= n <= spec["words"][1]: errs.append((p.stem, f"words {n}"))
        if not spec["private"]: print(f"  {p.stem}: {n} words")
    for p in sorted((REPO / d).glob("*.txt")):
        raw = p.read_text(encoding="utf-8")
        page = clean_text(raw)
        arts[p.stem] = ({"title": page.title or ""}, raw, page.body)
    return arts

# --- the questions ---
def check_rows(spec, arts, errs):
    from assistant.chunk import split_sentences
    from assistant.evaluate.datasets import DatasetError, load_dataset
    from assistant.text import normalize
    path, pre = REPO / spec["file"], spec["prefix"]
    try: load_dataset(path)
    except DatasetError as x: sys.exit(f"errors: load_dataset: {x}")
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    if [r["id"] for r in rows] != [f"{pre}{i:03d}" for i in range(1, spec["count"] + 1)]: errs.append((path.name, "ids"))
    byid = {r["id"]: r for r in rows}
    sentences = {a: {s.text for s in split_sentences(c)} for a, (_, _, c) in arts.items()}
    for r in rows:
        i, n = r["id"], int(r["id"][len(pre):])
        e = lambda m: errs.append((i, m))
        if not set(r) <= FIELDS: e("fields")
        if r["type"] not in TYPES: e("type")
        if n <= spec["paired"]:
            near = n % 2 == int(spec["near_miss_odd"])
            if r.get("pair") != f"{pre}{n + 1 if n % 2 else n - 1:03d}": e("pair id")
            o = byid.get(r.get("pair"))
            if not o or o.get("pair") != i: e("pair not both ways")
            elif o["answerable"] == r["answerable"]: e("pair with the same answerability")
            if near and (r["type"] != "near_miss" or r["answerable"]): e("near miss position")
            if not near and (r["type"] in ("near_miss", "unanswerable") or not r["answerable"]): e("control position")
        else:
            if "pair" in r: e("unexpected pair")
            last = n > spec["count"] - spec["unanswerable"]
            if last and (r["answerable"] or r["type"] != "unanswerable"): e("unanswerable position")
            if not last and (not r["answerable"] or r["type"] in ("near_miss", "unanswerable")): e("ordinary answerable position")
        if r["paraphrased"] != (n in spec["paraphrased"]): e("paraphrased position")
        if not r["answerable"]:
            if r["gold_answers"] or r["gold_articles"] or r["gold_passage"] is not None or r["paraphrased"]: e("unanswerable fields")
            continue
        if len(r["gold_articles"]) != 1 or r["gold_articles"][0] not in arts: e("gold article"); continue
        meta, body, cleaned = arts[r["gold_articles"][0]]
        p = r["gold_passage"]
        if not isinstance(p, str): e("passage not a string"); continue
        if body.count(p) != 1: e(f"passage occurs {body.count(p)} times in the body")
        if meta["title"] and p in meta["title"]: e("passage is the headline")
        if p not in cleaned: e("passage not in the cleaned body")
        if p not in sentences[r["gold_articles"][0]]: e("passage not one sentence per split_sentences")
        if not 1 <= len(r["gold_answers"]) <= 6: e("number of gold answers")
        for k, a in enumerate(r["gold_answers"], 1):
            if not 1 <= len(a.split()) <= 6: e(f"gold answer {k} not 1-6 words")
            if a.lower() not in p.lower(): e(f"gold answer {k} not in the passage")
            if not re.search(r"(?<!\w)" + re.escape(normalize(a)) + r"(?!\w)", normalize(p)): e(f"gold answer {k} not in the normalized passage")
        errs += [(i, m) for m in paraphrase_errors(r["question"], p, r["paraphrased"])]
    return rows

def check_not_in(spec, rows, errs):
    """No question equal (content tokens) to one of spec["not_in"]; the closest printed unless private."""
    nltk = stoplists()[1]
    old = [json.loads(l)["question"] for f in spec["not_in"] for l in open(REPO / f, encoding="utf-8")]
    oldn = {" ".join(sorted(content(q, nltk))) for q in old}
    close = []
    for r in rows:
        c = content(r["question"], nltk)
        if " ".join(sorted(c)) in oldn: errs.append((r["id"], "same question as " + "/".join(spec["not_in"])))
        jac = lambda q: len(c & content(q, nltk)) / max(1, len(c | content(q, nltk)))
        best = max(old, key=jac)
        close.append((jac(best), r["id"], best))
    if not spec["private"]:
        print("  closest earlier question (content-token Jaccard), top 5:")
        for j, i, q in sorted(close, reverse=True)[:5]: print(f"    {i} {j:.2f} {q}")

def check_index(idx, rows, arts, errs):
    (db,) = sorted(Path(idx).glob("chunks-*.sqlite"))
    con = sqlite3.connect(db)
    chunks = {}
    for aid, text in con.execute("select article_id, text from chunks"):
        chunks.setdefault(aid, []).append(" ".join(text.split()))
    if set(chunks) != set(arts): errs.append((str(idx), f"articles differ: {sorted(set(chunks) ^ set(arts))}"))
    for aid, meta_json in con.execute("select article_id, meta from articles"):
        m, fm = json.loads(meta_json), arts.get(aid, ({},))[0]
        errs += [(aid, f"index meta {k}") for k in ("title", "outlet", "author", "url", "published") if "url" in fm and m.get(k) != str(fm[k])]
    errs += [(a, "junk in chunk: " + j) for a, cs in chunks.items() for c in cs for j in JUNK if j in c]
    for r in rows:
        if r["answerable"] and not any(" ".join(r["gold_passage"].split()) in c for c in chunks.get(r["gold_articles"][0], [])):
            errs.append((r["id"], "passage not inside one chunk"))
    print(f"  index {db}: {sum(len(c) for c in chunks.values())} chunks, {len(chunks)} articles")

def main(argv):
    if len(argv) < 1 or argv[0] not in PARTS: sys.exit(__doc__)
    files = [a.split("=", 1)[1] for a in argv if a.startswith("--questions=")]
    idxs = [a for a in argv[1:] if not a.startswith("--questions=")]
    errs = []
    for k, spec in enumerate(PARTS[argv[0]]):
        spec = dict(spec, file=files[k] if k < len(files) else spec["file"])
        print(f"{spec['file']} against {spec['corpus']}:")
        arts = load_corpus(spec["corpus"], spec, errs)
        rows = check_rows(spec, arts, errs)
        if spec["not_in"]: check_not_in(spec, rows, errs)
        if k < len(idxs): check_index(idxs[k], rows, arts, errs)
        else: print("  index checks skipped (no INDEX_DIR)")
        print(" ", dict(Counter(r["type"] for r in rows).most_common()), "answerable", sum(r["answerable"] for r in rows), "paraphrased",
              sum(r["paraphrased"] for r in rows) if spec["private"] else [r["id"] for r in rows if r["paraphrased"]])
        print("  per article", dict(Counter(r["gold_articles"][0] for r in rows if r["answerable"]).most_common()))
    print(f"errors: {len(errs) or 'none'}", *(f"{i}: {m}" for i, m in errs), sep="\n  ")
    return 1 if errs else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
