"""A real, scripted, OpenAI-compatible chat-completions server for tests.

Standard library only (http.server + threading).  Usage::

    from llm_server import ScriptedLLMServer, Reply, chat_messages

    with ScriptedLLMServer() as srv:
        srv.script("first answer", Reply(status=500, content="boom"),
                   lambda body: "echo: " + chat_messages(body))
        client = openai.OpenAI(base_url=srv.base_url, api_key="k", max_retries=0)
        ...
        assert srv.requests[0]["model"] == "test-model"

Replies are taken from the queue set by ``srv.script(...)``; once it is empty,
``srv.default`` (initially ``"OK"``) answers every request.

Streaming responses use ``Transfer-Encoding: chunked`` plus ``Connection:
close``; the connection is closed after ``data: [DONE]``.  Because the body is
chunk-framed, ``Reply(close_after_chunks=N)`` produces a genuinely *truncated*
HTTP body (no terminating zero-length chunk), which clients detect as an
incomplete read rather than a clean end of stream.

Endpoints that never stop: ``Reply(forever=True, stream_delay=0.2)`` streams
valid content chunks (the content's pieces, over and over) and never finishes;
``Reply(keepalive=True, stream_delay=0.2)`` sends only SSE comment lines
(``: keep-alive``).  Both go on until the client closes the connection or the
server stops.  How each stream ended is recorded in ``srv.stream_ends``
("finished", "dropped", "client closed", "server stopped");
``srv.wait_stream_end(n)`` waits until n streams have ended.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union

__all__ = ["Reply", "ScriptedLLMServer", "chat_messages"]


@dataclass
class Reply:
    """A scripted reply with knobs for failure modes.

    content:            assistant message text (for status != 200 without ``body``
                        it becomes the message of an OpenAI-style error JSON).
    status:             HTTP status code.
    body:               raw body sent verbatim instead of a generated one
                        (garbage, a hand-written error JSON, ...); never streamed.
    content_type:       Content-Type for ``body`` (default application/json).
    delay:              seconds to sleep before sending anything.
    stream_delay:       seconds to sleep between SSE chunks.
    close_after_chunks: for streaming requests, drop the connection after this
                        many SSE events (no finish chunk, no [DONE]).
    finish_reason:      the finish_reason of the streamed finish chunk (or of the
                        completion), e.g. "length" for a reply cut at max_tokens.
    forever:            for streaming requests, repeat the content's chunks every
                        ``stream_delay`` seconds and never finish.
    keepalive:          for streaming requests, send only ``: keep-alive`` comment lines
                        every ``stream_delay`` seconds (no data event ever).
    """

    content: str = ""
    status: int = 200
    body: str | bytes | None = None
    content_type: str = "application/json"
    delay: float = 0
    stream_delay: float = 0
    close_after_chunks: int | None = None
    finish_reason: str = "stop"
    forever: bool = False
    keepalive: bool = False


ReplySpec = Union[str, Reply, Callable[[dict], Union[str, Reply]]]


def chat_messages(request_body: dict) -> str:
    """Join every message content of a recorded request (for assertions).

    Handles both plain-string contents and the list-of-parts form
    (``[{"type": "text", "text": ...}]``).
    """
    parts: list[str] = []
    for msg in request_body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif isinstance(part, str):
                    parts.append(part)
    return "\n".join(parts)


def _error_json(message: str, type_: str = "invalid_request_error", code: Any = None) -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": type_, "param": None, "code": code}}
    ).encode()


def _count_tokens(text: str) -> int:
    return len(text.split())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ScriptedLLM/1.0"
    timeout = 30  # idle keep-alive connections die eventually
    server: "_HTTPServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output quiet

    # ------------------------------------------------------------ helpers
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send_bytes(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _check_auth(self) -> bool:
        owner = self.server.owner
        header = self.headers.get("Authorization")
        with owner._lock:
            owner.auth_headers.append(header)
            required = owner.required_key
        if required is not None and header != f"Bearer {required}":
            self._send_bytes(
                401,
                _error_json(
                    "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
                ),
            )
            return False
        return True

    def _safe(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # client went away (e.g. it timed out)

    # ------------------------------------------------------------ routing
    def do_GET(self) -> None:
        self._safe(self._get)

    def do_POST(self) -> None:
        self._safe(self._post)

    def _get(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/v1/models":
            if not self._check_auth():
                return
            models = {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "scripted"}
                    for m in self.server.owner.models
                ],
            }
            self._send_bytes(200, json.dumps(models).encode())
        else:
            self._not_found()

    def _post(self) -> None:
        raw = self._read_body()
        path = self.path.split("?", 1)[0].rstrip("/")
        if path != "/v1/chat/completions":
            self._not_found()
            return
        owner = self.server.owner
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body is not a JSON object")
        except ValueError as exc:
            self._send_bytes(400, _error_json(f"Invalid JSON body: {exc}"))
            return
        with owner._lock:
            owner.requests.append(body)
        if not self._check_auth():
            return

        reply = owner._next_reply(body)
        if reply.delay and owner._stopping.wait(reply.delay):
            self.close_connection = True
            return

        if reply.body is not None:
            data = reply.body.encode() if isinstance(reply.body, str) else reply.body
            self._send_bytes(reply.status, data, reply.content_type)
        elif reply.status != 200:
            err_type = "server_error" if reply.status >= 500 else "invalid_request_error"
            self._send_bytes(reply.status, _error_json(reply.content or f"HTTP {reply.status}", err_type))
        elif body.get("stream"):
            self._stream(body, reply)
        else:
            self._complete(body, reply)

    def _not_found(self) -> None:
        self._send_bytes(404, _error_json(f"Unknown path {self.command} {self.path}", code="not_found"))

    # ------------------------------------------------------------ replies
    def _complete(self, body: dict, reply: Reply) -> None:
        prompt_tokens = _count_tokens(chat_messages(body))
        completion_tokens = _count_tokens(reply.content)
        payload = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or "test-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        self._send_bytes(200, json.dumps(payload).encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self, body: dict, reply: Reply) -> None:
        try:
            end = self._stream_events(body, reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
            end = "client closed"
        self.server.owner._record_stream_end(end)

    def _stream_events(self, body: dict, reply: Reply) -> str:
        owner = self.server.owner
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        model = body.get("model") or "test-model"

        def chunk(delta: dict, finish: str | None = None, usage: dict | None = None) -> bytes:
            obj: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": []
                if delta is None
                else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            if usage is not None:
                obj["usage"] = usage
            return b"data: " + json.dumps(obj).encode() + b"\n\n"

        size = max(1, owner.chunk_size)
        pieces = [reply.content[i : i + size] for i in range(0, len(reply.content), size)] or [""]
        events = [chunk({"role": "assistant", "content": pieces[0]})]
        events += [chunk({"content": p}) for p in pieces[1:]]
        events.append(chunk({}, reply.finish_reason))
        if (body.get("stream_options") or {}).get("include_usage"):
            pt, ct = _count_tokens(chat_messages(body)), _count_tokens(reply.content)
            events.append(
                chunk(None, usage={"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct})  # type: ignore[arg-type]
            )
        events.append(b"data: [DONE]\n\n")

        if reply.forever or reply.keepalive:
            # Never finishes: stops only when the client goes away (a write fails) or the server stops.
            if reply.keepalive:
                repeat, n = [b": keep-alive\n\n"], 0
            else:
                self._write_chunk(events[0])  # the role and the first piece
                repeat, n = [chunk({"content": p}) for p in pieces], 1
            while not owner._stopping.wait(reply.stream_delay or 0.05):
                self._write_chunk(repeat[n % len(repeat)])
                n += 1
            return "server stopped"

        for n, event in enumerate(events):
            if reply.close_after_chunks is not None and n >= reply.close_after_chunks:
                return "dropped"  # no terminating 0-chunk -> truncated body
            if n and reply.stream_delay and owner._stopping.wait(reply.stream_delay):
                return "server stopped"
            self._write_chunk(event)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return "finished"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: "ScriptedLLMServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # disconnects during tests are expected; don't spam stderr


class ScriptedLLMServer:
    """Context manager running a scripted chat-completions server on 127.0.0.1."""

    def __init__(self, default: ReplySpec = "OK", required_key: str | None = None) -> None:
        self.default: ReplySpec = default
        self.required_key: str | None = required_key
        self.requests: list[dict] = []
        self.auth_headers: list[str | None] = []
        self.models: list[str] = ["test-model"]
        self.chunk_size: int = 4  # characters per streamed content delta
        self.stream_ends: list[str] = []  # how each streamed reply ended, in order
        self._queue: deque[ReplySpec] = deque()
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ scripting
    def script(self, *replies: ReplySpec) -> "ScriptedLLMServer":
        """Replace the reply queue with ``replies`` (consumed one per request)."""
        with self._lock:
            self._queue = deque(replies)
        return self

    @property
    def pending(self) -> int:
        """Number of scripted replies not yet consumed."""
        with self._lock:
            return len(self._queue)

    def _next_reply(self, body: dict) -> Reply:
        with self._lock:
            spec = self._queue.popleft() if self._queue else self.default
        try:
            if callable(spec) and not isinstance(spec, Reply):
                spec = spec(body)
        except Exception as exc:  # surface test bugs as a 500 the client can see
            return Reply(status=500, content=f"scripted reply callable raised {exc!r}")
        if isinstance(spec, Reply):
            return spec
        if isinstance(spec, str):
            return Reply(content=spec)
        return Reply(status=500, content=f"bad scripted reply type {type(spec).__name__}")

    def _record_stream_end(self, how: str) -> None:
        with self._ended:
            self.stream_ends.append(how)
            self._ended.notify_all()

    def wait_stream_end(self, count: int, timeout: float = 5.0) -> list[str]:
        """Wait until at least ``count`` streamed replies have ended; return ``stream_ends``."""
        with self._ended:
            self._ended.wait_for(lambda: len(self.stream_ends) >= count, timeout)
            return list(self.stream_ends)

    # ------------------------------------------------------------ lifecycle
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "ScriptedLLMServer":
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"ScriptedLLMServer:{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wake handlers sleeping in delay/stream_delay
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "ScriptedLLMServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
