"""The eval suite with real parts: the real MiniLM, a real Chroma index of corpus/, the real
MultiHop-RAG sample, and a real (scripted) OpenAI-compatible server for the LLM judge."""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest

from assistant.config import Settings, load_settings
from assistant.evaluate import (
    DatasetError,
    EvalRun,
    MissingArticlesError,
    check_thresholds,
    load_dataset,
    parse_thresholds,
    run_eval,
)
from assistant.evaluate import metrics as M
from assistant.evaluate.compare import flat_metrics
from assistant.evaluate.multihop import (
    OFFICIAL_OBJECTS,
    SAMPLE_DIR,
    load_multihop,
    read_pointer,
    verify_official,
)
from assistant.evaluate.scoring import aggregate

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "evals" / "news.jsonl"
needs_sample = pytest.mark.skipif(not (SAMPLE_DIR / "sample500_queries.json").exists(), reason="MultiHop-RAG sample not at hand")


def _clean_env(mp: pytest.MonkeyPatch, tmp: Path) -> None:
    for name in list(os.environ):
        if name.startswith("ASSISTANT_") or name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            mp.delenv(name, raising=False)
    (tmp / "empty-assistant.toml").write_text("")
    mp.setenv("ASSISTANT_CONFIG", str(tmp / "empty-assistant.toml"))


def _settings(index: Path, **extra) -> Settings:
    return load_settings(index_dir=index, log_path=index.parent / f"{index.name}-answers.sqlite", **extra)


@pytest.fixture(scope="module")
def settings(built_index, tmp_path_factory) -> Settings:
    with pytest.MonkeyPatch.context() as mp:
        _clean_env(mp, tmp_path_factory.mktemp("env"))
        return _settings(built_index)


@pytest.fixture(scope="module")
def bundled(settings, tmp_path_factory) -> tuple[EvalRun, list]:
    """The bundled eval, first 10 questions, through the real pipeline."""
    calls: list = []
    run = run_eval(settings, BUNDLED, out_dir=tmp_path_factory.mktemp("run"), limit=10, progress=lambda *a: calls.append(a))
    return run, calls


def _write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def _bundled_items(*ids: str) -> list[dict]:
    wanted = {json.loads(line)["id"]: json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines() if line.strip()}
    return [wanted[i] for i in ids]


# The bundled eval -----------------------------------------------------------------------


def test_bundled_eval_writes_results_and_reports(bundled, settings):
    from assistant.store import open_store

    run, calls = bundled
    results = json.loads(run.results_json.read_text(encoding="utf-8"))
    assert results["counts"]["questions"] == 10
    assert results["metrics"]["hit@5"] > 0.5
    assert 0 < results["metrics"]["mrr@10"] <= 1
    assert results["metrics"]["answer_contains"] > 0.3
    assert results["config_hash"] == settings.config_hash()
    assert results["corpus_fingerprint"] == open_store(settings).fingerprint()
    assert results["backend"] == "offline" and results["judge"] is None
    assert re.fullmatch(r"[0-9a-f]{64}", results["prompt_hashes"]["judge_faithfulness.md"])
    assert results["latency_ms"]["total_ms"]["p95"] >= results["latency_ms"]["total_ms"]["p50"] > 0
    assert len(results["calibration"]["thresholds"]) == 101
    q = results["questions"][0]
    assert q["id"] == "q001" and q["answer"] and q["verdict"] and "hit@1" in q["metrics"]
    assert all({"article_id", "passage", "gold"} <= set(c) for c in q["citations"])
    assert ("asking", 10, 10) in calls

    md = run.report_md.read_text(encoding="utf-8")
    assert "| hit@5 |" in md and "q001" in md
    page = run.report_html.read_text(encoding="utf-8")
    pngs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(pngs) == 3 and all(base64.b64decode(p).startswith(b"\x89PNG") for p in pngs)
    assert "<script" not in page and not re.search(r"(src|href)=['\"]?https?:", page)
    assert "hit@5" in run.summary() and str(run.report_html) in run.summary()


def test_fail_under_names_metric_value_and_threshold(bundled):
    run, _ = bundled
    hit5 = run.metrics["hit@5"]
    failures = check_thresholds(run, [f"hit@5={hit5 + 0.01:.4f}", "hit@1=0", "false_refusal_rate<=1"])
    assert len(failures) == 1
    assert "hit@5" in failures[0] and f"{hit5:.4f}" in failures[0] and "below" in failures[0]
    assert check_thresholds(run, ["no_such_metric=0.5"])[0].startswith("no_such_metric: no such metric")


def test_thresholds_lower_is_better_and_syntax():
    results = {"metrics": {"false_refusal_rate": 0.2, "hit@5": 0.9, "refusal_recall": None},
               "by_type": {"who": {"n": 3, "hit@5": 0.5}}, "latency_ms": {"total_ms": {"p50": 80.0, "p95": 300.0}}}
    assert [t.op for t in parse_thresholds(["false_refusal_rate=0.1", "hit@5=0.8", "total_ms_p95=250"])] == ["<=", ">=", "<="]
    failures = check_thresholds(results, ["false_refusal_rate=0.05", "hit@5>=0.8", "who:hit@5=0.6", "total_ms_p95<=250", "refusal_recall=0.5"])
    assert failures[0] == "false_refusal_rate = 0.2000 is above the threshold 0.05"
    assert failures[1] == "who:hit@5 = 0.5000 is below the threshold 0.6"
    assert failures[2] == "total_ms_p95 = 300.0000 is above the threshold 250"
    assert failures[3].startswith("refusal_recall: no value in this run")
    with pytest.raises(ValueError, match="bad threshold 'hit@5>0.8'"):
        parse_thresholds(["hit@5>0.8"])


def test_compare_names_the_question_that_got_worse(settings, tmp_path):
    impossible = {**_bundled_items("q001")[0], "id": "x-worse", "gold_answers": ["zyzzyva quartermaster"]}
    dataset = _write_jsonl(tmp_path / "mine.jsonl", [impossible, *_bundled_items("q002")])
    old = {
        "date": "2026-01-01T00:00:00+00:00", "backend": "offline", "config_hash": "old", "dataset": {"sha256": "old"},
        "metrics": {"correct": 1.0, "hit@5": 1.0}, "by_type": {},
        "questions": [{"id": "x-worse", "answerable": True, "answer": "the old right answer",
                       "metrics": {"correct": True, "hit@1": True, "hit@5": True}}],
    }
    old_path = tmp_path / "old" / "results.json"
    old_path.parent.mkdir()
    old_path.write_text(json.dumps(old), encoding="utf-8")

    run = run_eval(settings, dataset, out_dir=tmp_path / "new", compare=old_path)

    cmp = run.comparison
    worse = {q["id"]: q for q in cmp["worse"]}
    assert "x-worse" in worse and "correct" in worse["x-worse"]["lost"]
    assert worse["x-worse"]["old_answer"] == "the old right answer"
    assert cmp["deltas"]["correct"]["old"] == 1.0 and cmp["deltas"]["correct"]["delta"] < 0
    assert cmp["dataset_changed"] and cmp["only_new"] == ["q002"]
    assert "x-worse" in run.summary() and "x-worse" in run.report_md.read_text(encoding="utf-8")
    saved = json.loads(run.results_json.read_text(encoding="utf-8"))
    assert saved["comparison"]["worse"][0]["id"] == "x-worse"


# Bad input --------------------------------------------------------------------------------


def test_malformed_dataset_line_names_line_and_field(tmp_path):
    good = _bundled_items("q001")[0]
    path = _write_jsonl(tmp_path / "bad.jsonl", [good, "", {**good, "id": "q2", "gold_answers": "Independence Day"}])
    with pytest.raises(DatasetError, match=r"line 3: field 'gold_answers' must be a list of strings \(got str\)"):
        load_dataset(path)
    _write_jsonl(path, [good, '{"id": "q2", "question": '])
    with pytest.raises(DatasetError, match=r"line 2: not valid JSON"):
        load_dataset(path)
    _write_jsonl(path, [{k: v for k, v in good.items() if k != "question"}])
    with pytest.raises(DatasetError, match=r"line 1: field 'question' is missing"):
        load_dataset(path)
    _write_jsonl(path, [{**good, "gold_answer": ["x"]}])
    with pytest.raises(DatasetError, match=r"line 1: unknown field 'gold_answer'"):
        load_dataset(path)
    _write_jsonl(path, [good, good])
    with pytest.raises(DatasetError, match=r"line 2: field 'id' repeats 'q001' from line 1"):
        load_dataset(path)
    assert len(load_dataset(BUNDLED)) == 125 and len(load_dataset(ROOT / "evals" / "test.jsonl")) == 74


def test_missing_gold_article_is_reported_before_running(settings, tmp_path):
    item = {**_bundled_items("q001")[0], "gold_articles": ["000_c7b117bfbdb9e8ac", "999_not_ingested"]}
    dataset = _write_jsonl(tmp_path / "missing.jsonl", [item])
    with pytest.raises(MissingArticlesError, match=r"999_not_ingested.*ingest") as info:
        run_eval(settings, dataset, out_dir=tmp_path / "out")
    assert info.value.missing == ["999_not_ingested"]
    assert not (tmp_path / "out").exists()


# Metrics on hand-made inputs --------------------------------------------------------------


def test_answer_metrics():
    assert M.token_f1("The cat sat [1]", "a cat sat down") == pytest.approx(2 * 1.0 * (2 / 3) / (1 + 2 / 3))
    assert M.token_f1("nothing alike", "cat") == 0.0
    assert M.best_f1("Independence Day.", ["July 4", "Independence Day"]) == 1.0
    assert M.exact_match("The “Independence Day”!", ["independence day"]) is True
    assert M.exact_match("Independence Day parade", ["independence day"]) is False
    assert M.contains_answer("Over eight years [2] they clashed.", ["eight years"])
    assert not M.contains_answer("It lasted eighteen months.", ["eight"])
    assert not M.contains_answer("See article [1].", ["1"])


def test_ranking_metrics():
    ranked = M.dedup(["b", "b", "a", "c", "a"])
    assert ranked == ["b", "a", "c"]
    assert M.hit_at(ranked, ["a"], 1) is False and M.hit_at(ranked, ["a"], 5) is True
    assert M.reciprocal_rank(ranked, ["a", "c"]) == 0.5
    assert M.reciprocal_rank(ranked, ["z"]) == 0.0 and M.reciprocal_rank(ranked, []) is None
    assert M.recall_at(ranked, ["a", "z"], 5) == 0.5
    assert M.passage_hit_at(["x", "One  sentence\nhere. More."], ["One sentence here."], 2) is True
    assert M.passage_hit_at(["x", "One sentence here."], ["One sentence here."], 1) is False


def test_multihop_official_scoring():
    facts = ["Alpha beta gamma.", "Delta  epsilon\nzeta."]
    chunks = ["noise", "pre Alphabeta gamma. post", "noise", "Delta epsilon zeta. And Alpha beta gamma.", "x"]
    s = M.fact_scores(chunks, facts)
    assert s == {"fact_hits@4": 1.0, "fact_hits@10": 1.0, "fact_mrr@10": 0.5, "fact_map@10": pytest.approx((1 / 2 + 1 / 4) / 2)}
    late = M.fact_scores(["n"] * 4 + ["Alpha beta gamma."] + ["n"] * 6, facts)
    assert late["fact_hits@4"] == 0.0 and late["fact_hits@10"] == 1.0 and late["fact_mrr@10"] == 0.2
    assert late["fact_map@10"] == pytest.approx(0.2 / 2)
    assert M.fact_scores(["n"] * 10 + ["Alpha beta gamma."], facts)["fact_hits@10"] == 0.0


def test_support_refusal_and_aggregates():
    assert M.lexically_supported("Putin sent a message to Obama [1].", ["Putin sent Obama a holiday message."])
    assert not M.lexically_supported("Putin sent tanks to Geneva.", ["Putin sent Obama a holiday message."])
    curve = M.refusal_curve([0.1, 0.5, 0.3, 0.9], [False, False, True, True], [0.0, 0.4, 1.0])
    assert curve["refusal_recall"] == [0.0, 0.5, 1.0] and curve["false_refusal_rate"] == [0.0, 0.5, 1.0]
    records = [
        {"type": "what", "answerable": True, "confidence": 0.1, "metrics": {"refused": True, "hit@5": True, "correct": False}},
        {"type": "who", "answerable": True, "pair": "n1", "confidence": 0.7, "metrics": {"refused": False, "hit@5": False, "correct": True}},
        {"type": "near_miss", "answerable": False, "pair": "c1", "confidence": 0.2, "metrics": {"refused": True, "hit@5": None, "correct": True}},
        {"type": "near_miss", "answerable": False, "confidence": 0.8, "metrics": {"refused": False, "hit@5": None, "correct": False}},
    ]
    agg = aggregate(records)
    assert agg["false_refusal_rate"] == 0.5 and agg["refusal_recall"] == 0.5 and agg["hit@5"] == 0.5
    assert agg["near_miss_refused"] == 0.5 and agg["control_correct"] == 1.0
    # Confidence puts the right answer above the wrong one; answerable above unanswerable in one pair of four.
    assert agg["confidence_auroc"] == 1.0 and agg["answerable_auroc"] == 0.25
    assert M.auroc([0.2, 0.2], [True, False]) == 0.5 and M.auroc([0.3], [True]) is None
    assert M.percentiles([1, 2, 3, 4, 100])["p50"] == 3


# MultiHop-RAG -----------------------------------------------------------------------------


@needs_sample
def test_multihop_sample_end_to_end(tmp_path):
    data = load_multihop(limit=20)
    nulls = [i for i in data.items if i.type == "null"]
    assert len(data.items) == 20 and nulls and all(not i.answerable and not i.gold_facts for i in nulls)
    gold = {a for i in data.items for a in i.gold_articles}
    ids = [a["id"] for a in data.corpus]
    assert gold <= set(ids) and len(ids) > len(gold)  # distractors from other queries' evidence
    body = {a["id"]: a["text"] for a in data.corpus}
    first = data.items[0]
    assert all(any(f in body[a] for a in first.gold_articles) for f in first.gold_facts)

    with pytest.MonkeyPatch.context() as mp:
        _clean_env(mp, tmp_path)
        settings = _settings(tmp_path / "index")
    run = run_eval(settings, "multihop-sample", out_dir=tmp_path / "run", limit=20)

    results = json.loads(run.results_json.read_text(encoding="utf-8"))
    assert results["dataset"]["retrieval_k"] == 10
    assert str(tmp_path / "index" / "benchmarks") in results["dataset"]["index_dir"]
    for name in ("fact_hits@4", "fact_hits@10", "fact_mrr@10", "fact_map@10"):
        assert 0 <= results["metrics"][name] <= 1
    assert results["metrics"]["fact_hits@10"] >= results["metrics"]["fact_hits@4"]
    by_id = {q["id"]: q for q in results["questions"]}
    scored = [q for q in results["questions"] if q["metrics"].get("fact_hits@10") is not None]
    assert len(scored) == 20 - len(nulls)
    assert results["metrics"]["fact_hits@10"] == pytest.approx(sum(q["metrics"]["fact_hits@10"] for q in scored) / len(scored))
    for item in nulls:
        q = by_id[item.id]
        assert q["metrics"].get("fact_hits@10") is None and q["metrics"]["hit@5"] is None
        assert q["metrics"]["correct"] == q["refused"]
    assert results["metrics"]["refusal_recall"] == pytest.approx(sum(by_id[i.id]["refused"] for i in nulls) / len(nulls))
    assert "easy corpus" in " ".join(results["notes"])


def test_multihop_sha256_check_rejects_a_wrong_file(tmp_path):
    sha, size = OFFICIAL_OBJECTS["MultiHopRAG.json"]
    if (SAMPLE_DIR / "official_MultiHopRAG.json.lfs-pointer").exists():
        assert read_pointer(SAMPLE_DIR / "official_MultiHopRAG.json.lfs-pointer") == (sha, size)
        assert read_pointer(SAMPLE_DIR / "official_corpus.json.lfs-pointer") == OFFICIAL_OBJECTS["corpus.json"]
    folder = tmp_path / "mh"
    folder.mkdir()
    wrong = folder / "MultiHopRAG.json"
    wrong.write_bytes(b"[]")
    with pytest.raises(DatasetError, match=rf"not the official MultiHopRAG.json: 2 bytes, expected {size}"):
        load_multihop(folder)
    wrong.write_bytes(b" " * size)  # right size, wrong content
    with pytest.raises(DatasetError, match=rf"sha256 [0-9a-f]{{64}}, expected {sha}"):
        verify_official(wrong)


def test_multihop_official_format_with_a_matching_pointer(tmp_path):
    """A file that matches its pointer is read in the official format (query, evidence_list)."""
    import hashlib

    folder, pointers = tmp_path / "mh", tmp_path / "pointers"
    folder.mkdir()
    pointers.mkdir()
    queries = [
        {"query": "Who leads?", "answer": "Ann", "question_type": "inference_query",
         "evidence_list": [{"title": "T1", "fact": "Ann leads the team.", "source": "S", "author": "A",
                            "url": "u", "published_at": "2023-10-01T00:00:00+00:00", "category": "c"}]},
        {"query": "Unknowable?", "answer": "Insufficient information.", "question_type": "null_query", "evidence_list": []},
    ]
    data = json.dumps(queries).encode()
    (folder / "MultiHopRAG.json").write_bytes(data)
    (pointers / "official_MultiHopRAG.json.lfs-pointer").write_text(
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(data).hexdigest()}\nsize {len(data)}\n"
    )
    ds = load_multihop(folder, sample_dir=pointers)
    assert [i.type for i in ds.items] == ["inference", "null"]
    assert ds.items[0].gold_facts == ("Ann leads the team.",) and ds.items[1].answerable is False
    assert ds.corpus[0]["text"] == "Ann leads the team." and ds.corpus[0]["published"] == "2023-10-01"


# LLM judge ---------------------------------------------------------------------------------


def test_llm_judge_reported_beside_offline_metrics(settings, tmp_path):
    from llm_server import ScriptedLLMServer, chat_messages

    def reply(body: dict) -> str:
        prompt = chat_messages(body)
        return '{"verdict": "faithful", "reason": "ok"}' if "<passages>" in prompt else '```json\n{"verdict": "partially correct"}\n```'

    dataset = _write_jsonl(tmp_path / "two.jsonl", _bundled_items("q001", "q002"))
    with ScriptedLLMServer(default=reply) as srv:
        judged = settings.model_copy(update={"openai_base_url": srv.base_url, "openai_model": "judge-model"})
        run = run_eval(judged, dataset, out_dir=tmp_path / "run", judge=True)
        requests = list(srv.requests)

    answered = [q for q in run.questions if not q["refused"]]
    assert answered, "the offline answerer refused both questions"
    assert run.metrics["judge_faithfulness"] == 1.0 and run.metrics["judge_correctness"] is not None
    assert answered[0]["judge"]["correctness"]["label"] == "partially_correct"
    assert run.metrics["answer_contains"] is not None  # offline metrics stay
    assert run.judge["model"] == "judge-model" and run.judge["errors"] == 0
    assert all(r["model"] == "judge-model" for r in requests)
    assert any(answered[0]["question"] in chat_messages(r) for r in requests)
    assert "LLM judge" in run.report_md.read_text(encoding="utf-8")
    assert flat_metrics(run.to_dict())["judge_faithfulness"] == 1.0
