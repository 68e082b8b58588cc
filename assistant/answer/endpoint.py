"""The wire to an OpenAI-compatible endpoint: a deadline that closes a stalled stream's socket,
a bounded read of a whole reply, and each failure as one line a user can act on."""

from __future__ import annotations

import json
import socket
import threading

import openai


class EndpointFailure(Exception):
    """The endpoint failed; the message is the user-facing reason (the offline answer follows)."""


class Watchdog:
    """Shuts the HTTP response's socket at the deadline, from a timer thread.

    A read blocked on a server that sends nothing but keep-alive lines (which the SSE decoder
    swallows) or nothing at all returns at once with an error, instead of waiting for data
    that never comes; the caller then closes the response as usual. Only `shutdown` is
    called on the socket, which is safe while another thread reads it.
    """

    def __init__(self, seconds: float):
        self.fired = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, response: object) -> None:
        """Guard the socket under `response` (httpx / httpcore expose it; others are only timed)."""
        stream = (getattr(response, "extensions", None) or {}).get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        with self._lock:
            self._sock = sock if isinstance(sock, socket.socket) else None
            if self.fired:
                self._shutdown()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._sock = None

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            try:
                # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would unwrap it.
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


def read_at_most(response: object, limit: int, at: str, too_long: str) -> bytes:
    """The whole body of a non-streamed reply, refusing one longer than `limit` bytes.

    A read that fails (the watchdog shut the socket, the server dropped it) is a `EndpointFailure`;
    the caller maps it to the deadline when the watchdog fired.
    """
    body = bytearray()
    try:
        for piece in response.iter_bytes():  # type: ignore[attr-defined]
            body += piece
            if len(body) > limit:
                raise EndpointFailure(too_long)
    except EndpointFailure:
        raise
    except Exception as exc:  # the transport's read errors (httpx or httpx2)
        raise EndpointFailure(f"{at} dropped the connection mid-answer ({short(str(exc) or type(exc).__name__)})") from None
    return bytes(body)


def completion(body: bytes, ctype: str, at: str) -> tuple[str, str | None]:
    """The text and finish_reason of a JSON chat completion."""
    try:
        choice = json.loads(body)["choices"][0]
        return choice["message"]["content"] or "", choice.get("finish_reason")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        shown = short(body.decode("utf-8", "replace"), 60)
        raise EndpointFailure(f"{at} sent a response that is not a chat completion ({ctype or 'no content type'}: {shown!r})") from None


def short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    text = str(cause)
    if "refused" in text.lower():
        return "connection refused"
    return short(text or type(cause).__name__)


def status_detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    detail = short(str(message or body or exc.message), 100)
    if exc.status_code == 401:
        detail += "; check ASSISTANT_OPENAI_API_KEY"
    elif exc.status_code == 404:
        detail += "; check the base URL and ASSISTANT_OPENAI_MODEL"
    return detail
