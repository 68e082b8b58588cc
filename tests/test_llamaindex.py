"""The assistant as llama-index parts, used in llama-index's own pipelines, on real parts: the
bundled corpus in real Chroma with the real MiniLM model, llama-index's OpenAI-like LLM
integration talking HTTP to the scripted chat-completions server, and the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from llm_server import Reply, ScriptedLLMServer  # noqa: E402

pytest.importorskip("llama_index.llms.openai_like")

from llama_index.core import Document  # noqa: E402
from llama_index.core.query_engine import RetrieverQueryEngine  # noqa: E402
from llama_index.core.vector_stores.types import (  # noqa: E402
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)
from llama_index.llms.openai_like import OpenAILike  # noqa: E402

from assistant.answer import REFUSAL  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.llamaindex import as_query_engine, as_retriever, filter_options, ingest_documents  # noqa: E402
from assistant.pipeline import Assistant, AskOptions  # noqa: E402
from assistant.retrieve import get_retriever, make_filters  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SUMMIT_Q = "Where will Biden and Putin hold their summit?"
NEAR_MISS_Q = "What did Putin write to Biden on Independence Day?"
REFUSED_Q = "How much does Bitcoin cost?"
TELEGRAM_Q = "What did Putin write to Obama on Independence Day?"
GENEVA = "004_3d57db88cf4c69a1"


@pytest.fixture(scope="module")
def server():
    with ScriptedLLMServer() as srv:
        yield srv


@pytest.fixture
def settings(built_index):
    return load_settings(index_dir=built_index)


def openai_like(server: ScriptedLLMServer) -> OpenAILike:
    return OpenAILike(model="test-model", api_base=server.base_url, api_key="test-key", is_chat_model=True, max_retries=0, timeout=10)


def cli_json(index: Path, *args: str) -> list[dict]:
    """`assistant ask ... --json` (or `--questions`): one JSON object per answer."""
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index)}
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    if "--questions" in args:
        return [json.loads(line) for line in proc.stdout.splitlines()]
    return [json.loads(proc.stdout)]


def comparable(data: dict) -> dict:
    """An answer's JSON without what differs from run to run (timings)."""
    return {k: v for k, v in data.items() if k != "timings_ms"}


def message_texts(request: dict) -> list[tuple[str, str]]:
    def text(content):
        return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)

    return [(m["role"], text(m["content"])) for m in request["messages"]]


def assert_nodes_are_citations(response, citations: list[dict]) -> None:
    """The response's source nodes are the answer's citations: key order, passage, offsets."""
    assert [n.node.metadata["key"] for n in response.source_nodes] == [c["key"] for c in citations]
    for node, c in zip(response.source_nodes, citations):
        assert node.node.get_content() == c["passage"]
        assert (node.node.start_char_idx, node.node.end_char_idx) == (c["start"], c["end"])
        for field, value in c.items():
            if field != "passage":
                assert node.node.metadata.get(field) == value, field


# A llama-index pipeline on our retriever ----------------------------------------------------


def test_retriever_query_engine_answers_through_an_openai_like_llm(settings, server):
    retriever = as_retriever(settings, k=4)
    engine = RetrieverQueryEngine.from_args(retriever, llm=openai_like(server))
    reply = "Biden and Putin will meet in Geneva, Switzerland, on Wednesday."
    server.script(reply)
    response = engine.query(SUMMIT_Q)

    assert response.response == reply
    # The source nodes are our passages, with our scores and the article's metadata ...
    passages = get_retriever(settings).retrieve(SUMMIT_Q, 4).passages
    assert [n.node.node_id for n in response.source_nodes] == [p.chunk.id for p in passages]
    assert [n.score for n in response.source_nodes] == pytest.approx([p.score for p in passages])
    top = response.source_nodes[0].node
    assert top.metadata["article_id"] == GENEVA and top.metadata["outlet"] == "The Truth International"
    assert top.metadata["published"] == "2021-06-15" and top.metadata["published_inferred"]
    # ... with character offsets into the cleaned article.
    store = get_retriever(settings).store
    for n in response.source_nodes:
        text = store.article_text(n.node.metadata["article_id"])
        assert (n.node.start_char_idx, n.node.end_char_idx) == (n.node.metadata["start"], n.node.metadata["end"])
        assert text[n.node.start_char_idx : n.node.end_char_idx] == n.node.get_content()
    # The model was asked the question over those passages, headline and outlet shown, offsets not.
    prompt = "\n".join(t for _, t in message_texts(server.requests[-1]))
    assert SUMMIT_Q in prompt and top.get_content() in prompt
    assert "outlet: The Truth International" in prompt and "dense_rank" not in prompt


@pytest.mark.slow
def test_retriever_query_engine_answers_through_the_real_local_model(settings):
    """The same pipeline with a real model: SmolLM2 served by llama.cpp (the local backend's
    server), reached through llama-index's OpenAI-like integration."""
    from assistant.answer.local import INSTALL_HINT, LocalServer, server_installed

    if not server_installed():
        pytest.fail(f"the local backend is not installed; {INSTALL_HINT}")
    server = LocalServer(settings)
    try:
        llm = OpenAILike(model="local", api_base=server.start(), api_key="none", is_chat_model=True, max_tokens=64, timeout=120, temperature=0.0)
        response = RetrieverQueryEngine.from_args(as_retriever(settings, k=2), llm=llm).query(SUMMIT_Q)
    finally:
        server.stop()
    assert response.response and response.response.strip()  # the model wrote something
    passages = get_retriever(settings).retrieve(SUMMIT_Q, 2).passages
    assert [n.node.node_id for n in response.source_nodes] == [p.chunk.id for p in passages]
    assert all(n.node.metadata["start"] < n.node.metadata["end"] for n in response.source_nodes)


# Our pipeline as a query engine -------------------------------------------------------------


def test_query_engine_gives_what_ask_json_gives(settings, built_index, tmp_path):
    questions = [SUMMIT_Q, NEAR_MISS_Q, REFUSED_Q]
    qs = tmp_path / "qs.jsonl"
    qs.write_text("".join(json.dumps({"question": q}) + "\n" for q in questions))
    expected = cli_json(built_index, "--questions", str(qs))
    engine = as_query_engine(settings, backend="offline")
    for question, cli in zip(questions, expected):
        response = engine.query(question)
        assert response.response == cli["answer"]
        assert comparable(response.metadata) == comparable(cli)
        assert_nodes_are_citations(response, cli["citations"])

    answered, near_miss, refused = (engine.query(q) for q in questions)
    assert not answered.metadata["refused"] and "[1]" in answered.response
    assert all(n.node.metadata["supported"] is True for n in answered.source_nodes)
    # The near miss: a refusal that cites the nearest report, marked as no answer.
    assert near_miss.metadata["refused"] and near_miss.response.startswith(REFUSAL)
    assert near_miss.metadata["nearest"]["misses"] == "no mention of Biden"
    (node,) = near_miss.source_nodes
    assert node.node.metadata["nearest"] is True and node.node.metadata["sentence"] == near_miss.metadata["nearest"]["sentence"]
    assert refused.response == REFUSAL and refused.source_nodes == [] and refused.metadata["nearest"] is None


def test_query_engine_streams_through_a_llama_index_streaming_response(settings, built_index):
    (cli,) = cli_json(built_index, SUMMIT_Q, "--json")
    response = as_query_engine(settings, backend="offline", streaming=True).query(SUMMIT_Q)
    assert response.source_nodes == [] and response.metadata is None  # nothing known before the stream
    assert "".join(response.response_gen) == cli["answer"]
    final = response.get_response()
    assert final.response == cli["answer"] and str(response) == cli["answer"]
    assert comparable(final.metadata) == comparable(cli)
    assert_nodes_are_citations(final, cli["citations"])


# Filters the llama-index way ----------------------------------------------------------------


def test_metadata_filters_map_to_ours():
    F, Op = MetadataFilter, FilterOperator
    assert filter_options(MetadataFilters(filters=[F(key="outlet", value="RT"), F(key="published", value="2016", operator=Op.EQ)])) == (
        ("RT",), date(2016, 1, 1), date(2016, 12, 31))
    assert filter_options(MetadataFilters(filters=[
        F(key="published", value="2020-01-01", operator=Op.GTE), F(key="date", value="2021-06-15", operator=Op.LT),
        MetadataFilters(filters=[F(key="source", value="RT"), F(key="source", value="Devdiscourse")], condition=FilterCondition.OR),
    ])) == (("RT", "Devdiscourse"), date(2020, 1, 1), date(2021, 6, 14))
    assert filter_options(MetadataFilters(filters=[F(key="outlet", value=["RT", "Reuters"], operator=Op.IN),
                                                   F(key="published", value=2019, operator=Op.GT)])) == (
        ("RT", "Reuters"), date(2020, 1, 1), None)
    # What our filters cannot apply is refused, never dropped.
    for bad in (F(key="outlet", value="RT", operator=Op.NE), F(key="author", value="Anyone"),
                F(key="published", value="last week", operator=Op.GTE)):
        with pytest.raises(ValueError):
            filter_options(MetadataFilters(filters=[bad]))
    with pytest.raises(ValueError):
        filter_options(MetadataFilters(filters=[F(key="outlet", value="RT"), F(key="published", value="2016")], condition=FilterCondition.OR))


@pytest.mark.parametrize(
    ("question", "filters", "args"),
    [
        (TELEGRAM_Q, [("outlet", "RT", "=="), ("published", "2016-01-01", ">="), ("published", "2016-12-31", "<=")],
         ["--outlet", "RT", "--since", "2016-01-01", "--until", "2016-12-31"]),
        # Nothing dated 2020-2021 answers; the refusal names the article outside the filters that does.
        (TELEGRAM_Q, [("published", "2020-01-01", ">="), ("published", "2021-12-31", "<=")],
         ["--since", "2020-01-01", "--until", "2021-12-31"]),
    ],
)
def test_metadata_filters_return_what_the_cli_filters_return(settings, built_index, question, filters, args):
    given = MetadataFilters(filters=[MetadataFilter(key=k, value=v, operator=FilterOperator(op)) for k, v, op in filters])
    outlets = [a for flag, a in zip(args, args[1:]) if flag == "--outlet"]
    since = next((date.fromisoformat(a) for flag, a in zip(args, args[1:]) if flag == "--since"), None)
    until = next((date.fromisoformat(a) for flag, a in zip(args, args[1:]) if flag == "--until"), None)
    # The retriever: the passages the CLI's filters keep, and only those.
    nodes = as_retriever(settings, k=6, filters=given).retrieve(question)
    ours = get_retriever(settings).retrieve(question, 6, make_filters(outlets, since, until)).passages
    assert [n.node.node_id for n in nodes] == [p.chunk.id for p in ours] and nodes
    everything = {n.node.node_id for n in as_retriever(settings, k=20).retrieve(question)}
    assert {n.node.node_id for n in nodes} < everything  # the filter kept some passages out
    for n in nodes:
        assert since.isoformat() <= n.node.metadata["published"] <= until.isoformat()
        assert not outlets or n.node.metadata["outlet"] in outlets
    # The query engine: the CLI's answer under the same filters.
    (cli,) = cli_json(built_index, question, *args, "--json")
    response = as_query_engine(settings, backend="offline", filters=given).query(question)
    assert response.response == cli["answer"] and comparable(response.metadata) == comparable(cli)
    assert_nodes_are_citations(response, cli["citations"])
    if "--outlet" not in args:
        assert cli["refused"] and response.metadata["filter_note"] and response.metadata["filter_note"] in response.response


# Any llama-index LLM as the answer backend --------------------------------------------------


def test_a_llama_index_llm_answers_with_our_prompts_keys_and_checks(settings, built_index, server):
    reply = (
        "Presidents Joe Biden and Vladimir Putin will meet in a historic summit on Wednesday [2]. "
        "Both sides said they expect 900 breakthroughs at the summit [1]. "
        "Putin wants his country taken seriously [9]."
    )
    server.script(reply, reply)
    reference = Assistant(load_settings(index_dir=built_index, backend="openai", openai_base_url=server.base_url, openai_timeout=10))
    expected = json.loads(json.dumps(reference.ask(SUMMIT_Q).to_dict()))
    response = as_query_engine(settings, backend=openai_like(server)).query(SUMMIT_Q)

    # The same prompts went to the model, and the same checks came back.
    assert message_texts(server.requests[-1]) == message_texts(server.requests[-2])
    assert "[1]" in server.requests[-1]["messages"][1]["content"] and REFUSAL in server.requests[-1]["messages"][0]["content"]
    assert response.metadata["backend"] == "llama-index" and expected["backend"] == "openai"
    same = {"backend": None, "config_hash": None}  # the backend and its settings differ, nothing else
    assert {**comparable(response.metadata), **same} == {**comparable(expected), **same}
    assert response.metadata["removed_keys"] == 1  # [9] names no passage
    first, cost, _ = response.metadata["statements"]
    assert first["supported"] is True and cost["supported"] is False and "900" in cost["problem"]
    assert_nodes_are_citations(response, expected["citations"])
    assert [n.node.metadata["supported"] for n in response.source_nodes] == [True, False]
    assert response.source_nodes[1].node.metadata["problems"] == [cost["problem"]]


def test_a_llama_index_llm_streams_and_falls_back_with_a_notice(settings, built_index, server):
    reply = "Biden and Putin will meet in Geneva on Wednesday [1]."
    server.script(reply)
    streamed = as_query_engine(settings, backend=openai_like(server), streaming=True).query(SUMMIT_Q)
    deltas = list(streamed.response_gen)
    assert len(deltas) > 3 and "".join(deltas) == reply  # the model's words as they arrived
    final = streamed.get_response()
    assert final.response == "Biden and Putin will meet in Geneva on Wednesday. [1]"
    assert final.metadata["backend"] == "llama-index" and final.source_nodes[0].node.metadata["article_id"] == GENEVA

    offline = as_query_engine(settings, backend="offline").query(SUMMIT_Q).response
    server.script(Reply(status=500, content="boom"))
    failed = as_query_engine(settings, backend=openai_like(server)).query(SUMMIT_Q)
    assert failed.response == offline and failed.metadata["backend"] == "offline"
    assert failed.metadata["notice"].startswith(f"The LLM at {server.base_url} failed (") and "showing the offline answer" in failed.metadata["notice"]

    slow = load_settings(index_dir=built_index, openai_timeout=1)
    server.script(Reply(content=reply, delay=3))
    late = as_query_engine(slow, backend=openai_like(server)).query(SUMMIT_Q)
    assert late.response == offline and "did not answer within 1 s" in late.metadata["notice"]


# Documents from llama-index readers ---------------------------------------------------------


def test_documents_go_through_our_cleaning_metadata_chunking_and_store(built_index, tmp_path):
    settings = load_settings(index_dir=tmp_path / "index")
    raw = (ROOT / "corpus" / "000_c7b117bfbdb9e8ac.txt").read_text(encoding="utf-8")  # as scraped, menus and all
    page = Document(text=raw, metadata={"id": "000_c7b117bfbdb9e8ac", "outlet": "RT", "file_name": "telegram.txt"})
    html = Document(
        text="<html><head><title>Council weighs harbour tunnel plan</title></head><body><nav>Home | News | Sport</nav>"
        "<article><h1>Council weighs harbour tunnel plan</h1>"
        "<p>The city council on Tuesday debated a plan to build a tunnel under the harbour, a project estimated to cost 2.4 billion dollars.</p>"
        "<p>Councillor Maria Lopez said the tunnel would end forty years of traffic jams on the bridge and asked for a vote before the summer.</p>"
        "<p>Opponents said the money would be better spent on buses and on repairing the old bridge, which engineers called sound.</p>"
        "</article></body></html>",
        metadata={"link": "https://gazette.example/2021/03/02/harbour-tunnel", "source": "Harbour Gazette", "date": "2021-03-02"},
    )
    report = ingest_documents(settings, [page, html, Document(text="  ")])
    assert report.to_dict()["added"] == 2 and len(report.failed) == 1 and "no text" in report.failed[0].reason

    # The page went through the same cleaning, metadata and chunking as the bundled file did.
    store, reference = get_retriever(settings).store, get_retriever(load_settings(index_dir=built_index)).store
    aid = "000_c7b117bfbdb9e8ac"
    assert store.article_text(aid) == reference.article_text(aid) and "Share" not in store.article_text(aid)[:50]
    ours, theirs = store.article_records([aid])[aid], reference.article_records([aid])[aid]
    assert ours.n_chunks == theirs.n_chunks
    ids = [f"{aid}::{i}" for i in range(ours.n_chunks)]
    assert [(c.text, c.start, c.end, c.meta) for c in store.get_chunks(ids)] == [(c.text, c.start, c.end, c.meta) for c in reference.get_chunks(ids)]
    assert store.get_chunks(ids)[0].meta.published == date(2016, 7, 4)  # read from the page itself

    # The HTML page: extracted, named after its URL, its metadata from the document.
    (harbour,) = [a for a in report.added if a != aid]
    nodes = as_retriever(settings, filters=MetadataFilters(filters=[MetadataFilter(key="outlet", value="Harbour Gazette")])).retrieve(
        "What did Maria Lopez say about the harbour tunnel?")
    assert {n.node.metadata["article_id"] for n in nodes} == {harbour}
    meta = nodes[0].node.metadata
    assert meta["published"] == "2021-03-02" and meta["url"].endswith("harbour-tunnel") and meta["title"] == "Council weighs harbour tunnel plan"
    assert "Home | News" not in store.article_text(harbour)

    # Incremental: the same documents again (new objects) cost a hash; a changed one is replaced.
    again = ingest_documents(settings, [Document(text=raw, metadata=page.metadata), Document(text=html.text, metadata=html.metadata)])
    assert again.to_dict()["added"] == 0 and sorted(again.unchanged) == sorted([aid, harbour])
    edited = Document(text=html.text.replace("2.4 billion", "3.1 billion"), metadata=html.metadata)
    changed = ingest_documents(settings, [edited])
    assert changed.updated == [harbour] and "3.1 billion" in store.article_text(harbour)
    assert len(store.article_records()) == 2


# The CLI never pays for llama-index -----------------------------------------------------------


def test_a_cold_cli_ask_never_imports_llama_index(built_index):
    code = (
        "import atexit, sys; atexit.register(lambda: print('llama_index' in sys.modules, file=sys.stderr)); "
        f"sys.argv = ['assistant', 'ask', {SUMMIT_Q!r}, '--json', '--index', {str(built_index)!r}]; "
        "from assistant.cli import main; main()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["citations"][0]["article_id"] == GENEVA
    assert proc.stderr.strip().splitlines()[-1] == "False"
