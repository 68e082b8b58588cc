"""Any llama-index `LLM` as an answer backend, inside our prompts, key checks and support checks.

`LlamaIndexLLMAnswerer` is the `openai` backend (`assistant.answer.llm.LLMAnswerer`) with
another transport: the same system and answer prompts, the same key parsing and removal of
keys that name no passage, the same support checks and the same offline fallback with a
notice. Only the messages go to `llm.stream_chat` (or `llm.chat` where the model cannot
stream) instead of an OpenAI-compatible endpoint, so Ollama's native API, Anthropic, Gemini,
Bedrock and the rest answer through their llama-index integrations.

The limits hold as for the `openai` backend: no text for `openai_timeout` seconds, the whole
answer past `openai_total_timeout`, or past `openai_max_tokens` (counted on the stream; give
the LLM its own `max_tokens` too), and the model's answer is dropped for the offline one, with
a notice. The model runs in a worker thread; past a limit it is asked to stop at its next
piece of text (its stream is closed), and is left to finish on its own if it never sends one.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from llama_index.core.llms import LLM, ChatMessage, MessageRole

from assistant.answer.endpoint import EndpointFailure
from assistant.answer.llm import CHARS_PER_TOKEN, LLMAnswerer
from assistant.answer.offline import OfflineAnswerer
from assistant.config import Settings
from assistant.embed import Embedder

NAME = "llama-index"


class LlamaIndexLLMAnswerer(LLMAnswerer):
    """Answers through a llama-index `LLM`; falls back to `offline` when it fails."""

    name = NAME

    def __init__(self, settings: Settings, embedder: Embedder, offline: OfflineAnswerer, llm: LLM):
        super().__init__(settings, embedder, offline)
        self.llm = llm
        self.client = None  # never the OpenAI client: the messages go to `llm`
        self.base_url = describe(llm)  # named in notices: "The LLM at ... did not answer"

    def deltas(self, messages: list[dict[str, str]], extra: dict | None = None) -> Iterator[str]:
        """The reply's text pieces from `llm`; every way it can fail becomes a `EndpointFailure`.
        (`extra`, fields for an OpenAI-style request body, has no meaning for a llama-index LLM.)"""
        at = f"The LLM at {self.base_url}"
        cap = getattr(self, "max_tokens", None) or self.settings.openai_max_tokens
        total, per_read = self.settings.openai_total_timeout, self.settings.openai_timeout
        over_time = f"{at} did not finish its answer within {total:g} s (ASSISTANT_OPENAI_TOTAL_TIMEOUT)"
        over_cap = f"{at} did not finish its answer within the {cap}-token limit (ASSISTANT_OPENAI_MAX_TOKENS)"
        chat = [ChatMessage(role=MessageRole(m["role"]), content=m["content"]) for m in messages]
        events: queue.Queue = queue.Queue()
        stop = threading.Event()
        threading.Thread(target=self._run, args=(chat, events, stop), name="llama-index-llm", daemon=True).start()
        deadline = time.monotonic() + total
        started = False
        tokens = chars = 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EndpointFailure(over_time)
                try:
                    kind, value = events.get(timeout=min(per_read, left))
                except queue.Empty:
                    if time.monotonic() >= deadline or total <= per_read:
                        raise EndpointFailure(over_time) from None
                    when = "stopped answering mid-answer" if started else "did not answer"
                    raise EndpointFailure(f"{at} {when} within {per_read:g} s (timed out)") from None
                if kind == "delta":
                    tokens, chars = tokens + 1, chars + len(value)
                    if tokens > cap or chars > CHARS_PER_TOKEN * cap:
                        raise EndpointFailure(over_cap)
                    started = True
                    yield value
                elif kind == "end":
                    if _cut_off(value):
                        raise EndpointFailure(over_cap)  # stopped at its own token limit: not a whole answer
                    return
                else:
                    raise EndpointFailure(f"{at} failed ({_error(value)})")
        finally:
            stop.set()

    def _run(self, chat: list[ChatMessage], events: queue.Queue, stop: threading.Event) -> None:
        """In the worker thread: the model's text pieces, then ("end", raw) or ("error", exc)."""
        try:
            try:
                stream = iter(self.llm.stream_chat(chat))
                first = next(stream, None)
            except NotImplementedError:  # a model that cannot stream answers whole
                reply = self.llm.chat(chat)
                events.put(("delta", reply.message.content or ""))
                events.put(("end", reply.raw))
                return
            last, text = None, ""
            try:
                for piece in _chain(first, stream):
                    if stop.is_set():
                        return
                    delta = piece.delta
                    if delta is None:  # some integrations only grow the message
                        content = piece.message.content or ""
                        delta, text = content[len(text):], content
                    else:
                        text += delta
                    if delta:
                        events.put(("delta", delta))
                    last = piece
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()  # closes the model's HTTP stream where it has one
            events.put(("end", last.raw if last is not None else None))
        except Exception as exc:  # every way the model can fail becomes the notice
            events.put(("error", exc))


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


def describe(llm: LLM) -> str:
    """How a notice names the model: its endpoint where it has one, else its class and model."""
    for attr in ("api_base", "base_url", "endpoint"):
        value = getattr(llm, attr, None)
        if isinstance(value, str) and value:
            return value
    try:
        model = llm.metadata.model_name
    except Exception:  # an integration whose metadata needs a connection
        model = ""
    return f"{type(llm).__name__}({model})" if model else type(llm).__name__


def _cut_off(raw: object) -> bool:
    """Whether the model's last response says it stopped at its token limit (OpenAI's shape,
    as a dict or an object, and Anthropic's)."""
    get = (lambda o, k: o.get(k)) if isinstance(raw, dict) else (lambda o, k: getattr(o, k, None))
    if raw is None:
        return False
    if get(raw, "stop_reason") == "max_tokens":
        return True
    choices = get(raw, "choices")
    if not choices:
        return False
    choice = choices[0]
    reason = choice.get("finish_reason") if isinstance(choice, dict) else getattr(choice, "finish_reason", None)
    return reason == "length"


def _error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no message"
    text = text if len(text) <= 120 else text[:119] + "…"
    return f"{type(exc).__name__}: {text}"
