"""Self-test for tests/llm_server.py against the real ``openai`` client."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import httpx
import openai
import pytest

try:
    from llm_server import Reply, ScriptedLLMServer, chat_messages
except ImportError:  # tests/ became a package
    from tests.llm_server import Reply, ScriptedLLMServer, chat_messages

MSGS = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What happened today?"},
]


_clients: list[openai.OpenAI] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _clients:
        _clients.pop().close()


def make_client(srv: ScriptedLLMServer, key: str = "k", timeout: float = 5.0) -> openai.OpenAI:
    client = openai.OpenAI(base_url=srv.base_url, api_key=key, max_retries=0, timeout=timeout)
    _clients.append(client)
    return client


def test_non_streaming_default_and_scripted():
    with ScriptedLLMServer() as srv:
        assert srv.base_url == f"http://127.0.0.1:{srv.port}/v1"
        client = make_client(srv)
        srv.script("first", "second")
        r1 = client.chat.completions.create(model="gpt-x", messages=MSGS)
        r2 = client.chat.completions.create(model="gpt-x", messages=MSGS)
        r3 = client.chat.completions.create(model="other", messages=MSGS)
        assert [r.choices[0].message.content for r in (r1, r2, r3)] == ["first", "second", "OK"]
        assert r1.object == "chat.completion" and r1.id
        assert r1.model == "gpt-x" and r3.model == "other"
        assert r1.choices[0].message.role == "assistant"
        assert r1.choices[0].finish_reason == "stop"
        assert r1.usage.total_tokens == r1.usage.prompt_tokens + r1.usage.completion_tokens
        assert len(srv.requests) == 3 and srv.requests[0]["messages"] == MSGS
        assert chat_messages(srv.requests[0]) == "You are terse.\nWhat happened today?"
        assert srv.auth_headers == ["Bearer k"] * 3
        srv.default = "changed"
        r4 = client.chat.completions.create(model="m", messages=MSGS)
        assert r4.choices[0].message.content == "changed"


def test_streaming_reassembles_scripted_string():
    text = "The council approved the budget on Tuesday [1]."
    with ScriptedLLMServer() as srv:
        srv.script(text)
        client = make_client(srv)
        stream = client.chat.completions.create(model="test-model", messages=MSGS, stream=True)
        chunks = list(stream)
        assert srv.requests[0]["stream"] is True
    deltas = [c.choices[0].delta for c in chunks]
    assert len(deltas) > 3
    assert deltas[0].role == "assistant"
    assert "".join(d.content or "" for d in deltas) == text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.object == "chat.completion.chunk" and c.model == "test-model" for c in chunks)


def test_streaming_include_usage():
    with ScriptedLLMServer() as srv:
        srv.script("abc def")
        chunks = list(
            make_client(srv).chat.completions.create(
                model="m", messages=MSGS, stream=True, stream_options={"include_usage": True}
            )
        )
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 2
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "abc def"


def test_callable_reply_sees_request():
    with ScriptedLLMServer() as srv:
        srv.script(
            lambda body: "echo:" + body["messages"][-1]["content"],
            lambda body: Reply(status=503, content="busy " + body["model"]),
        )
        client = make_client(srv)
        r = client.chat.completions.create(model="m", messages=MSGS)
        assert r.choices[0].message.content == "echo:What happened today?"
        with pytest.raises(openai.APIStatusError) as ei:
            client.chat.completions.create(model="m2", messages=MSGS)
        assert ei.value.status_code == 503 and "busy m2" in str(ei.value)
        # callable as default works for streaming too
        srv.default = lambda body: f"n={len(body['messages'])}"
        s = client.chat.completions.create(model="m", messages=MSGS, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in s) == "n=2"


def test_error_status_and_raw_error_body():
    with ScriptedLLMServer() as srv:
        raw = json.dumps({"error": {"message": "context too long", "type": "invalid_request_error",
                                    "param": None, "code": "context_length_exceeded"}})
        srv.script(Reply(status=500, content="kaboom"), Reply(status=400, body=raw),
                   Reply(status=429, content="slow down"))
        client = make_client(srv)
        with pytest.raises(openai.InternalServerError) as e1:
            client.chat.completions.create(model="m", messages=MSGS)
        assert e1.value.status_code == 500 and "kaboom" in e1.value.message
        with pytest.raises(openai.BadRequestError) as e2:
            client.chat.completions.create(model="m", messages=MSGS, stream=True)
        assert e2.value.code == "context_length_exceeded"
        with pytest.raises(openai.RateLimitError):
            client.chat.completions.create(model="m", messages=MSGS)
        assert isinstance(e1.value, openai.APIStatusError)


def test_garbage_body_makes_client_raise():
    with ScriptedLLMServer() as srv:
        srv.script(Reply(body=b"<html>not json{"), Reply(body="plain garbage", content_type="text/plain"))
        client = make_client(srv)
        # application/json (the default content_type) + non-JSON body -> the client's json() fails
        with pytest.raises(ValueError):
            client.chat.completions.create(model="m", messages=MSGS)
        # NB: with a non-JSON content type openai 3.x does NOT raise: it returns the raw text.
        assert client.chat.completions.create(model="m", messages=MSGS) == "plain garbage"


def test_delay_beyond_client_timeout():
    with ScriptedLLMServer() as srv:
        srv.script(Reply(content="late", delay=3))
        client = make_client(srv, timeout=0.3)
        t0 = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            client.chat.completions.create(model="m", messages=MSGS)
        assert time.monotonic() - t0 < 2
        # the server is still usable afterwards
        assert client.chat.completions.create(model="m", messages=MSGS).choices[0].message.content == "OK"
        t_exit = time.monotonic()
    assert time.monotonic() - t_exit < 1.5  # exit does not wait for the sleeping handler


def test_stream_delay_is_applied():
    with ScriptedLLMServer() as srv:
        srv.chunk_size = 2  # events: "ab", "cd", stop chunk, [DONE] -> 3 gaps
        srv.script(Reply(content="abcd", stream_delay=0.1))
        t0 = time.monotonic()
        out = "".join(c.choices[0].delta.content or "" for c in
                      make_client(srv).chat.completions.create(model="m", messages=MSGS, stream=True))
        assert out == "abcd" and time.monotonic() - t0 >= 0.25


def test_mid_stream_drop():
    with ScriptedLLMServer() as srv:
        srv.script(Reply(content="0123456789abcdef", close_after_chunks=2))
        client = make_client(srv)
        got: list[str] = []
        stream = client.chat.completions.create(model="m", messages=MSGS, stream=True)
        # What actually happens: the first chunks arrive, then the truncated chunked body
        # surfaces as an error, not a silent early end of stream: openai.APIConnectionError
        # (openai 3), httpx.RemoteProtocolError (openai 2, which llama-index-llms-openai pins).
        dropped = (openai.APIConnectionError, httpx.RemoteProtocolError)
        with pytest.raises(dropped):
            for c in stream:
                got.append(c.choices[0].delta.content or "")
        assert got == ["0123", "4567"]
        # drop before any event
        srv.script(Reply(content="xyz", close_after_chunks=0))
        with pytest.raises(dropped):
            list(client.chat.completions.create(model="m", messages=MSGS, stream=True))


def test_wrong_key_gets_401():
    with ScriptedLLMServer(required_key="secret") as srv:
        srv.script("for the right key")
        with pytest.raises(openai.AuthenticationError) as ei:
            make_client(srv, key="wrong").chat.completions.create(model="m", messages=MSGS)
        assert ei.value.status_code == 401 and ei.value.code == "invalid_api_key"
        assert srv.pending == 1  # a rejected request does not consume a scripted reply
        r = make_client(srv, key="secret").chat.completions.create(model="m", messages=MSGS)
        assert r.choices[0].message.content == "for the right key"
        assert srv.auth_headers == ["Bearer wrong", "Bearer secret"]
        assert len(srv.requests) == 2  # every POST body is recorded, even rejected ones


def test_models_and_404():
    with ScriptedLLMServer() as srv:
        ids = [m.id for m in make_client(srv).models.list()]
        assert "test-model" in ids
        with pytest.raises(urllib.error.HTTPError) as ei:
            urllib.request.urlopen(srv.base_url + "/nope", timeout=5)
        assert ei.value.code == 404
        assert "error" in json.loads(ei.value.read())


def test_concurrent_requests_are_all_recorded():
    with ScriptedLLMServer() as srv:
        srv.default = lambda body: body["messages"][0]["content"].upper()
        client = make_client(srv)
        results: dict[int, str] = {}

        def worker(i: int) -> None:
            r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"q{i}"}])
            results[i] = r.choices[0].message.content

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert results == {i: f"Q{i}" for i in range(8)}
        assert sorted(chat_messages(b) for b in srv.requests) == sorted(f"q{i}" for i in range(8))
