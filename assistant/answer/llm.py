"""The LLM backend: an OpenAI-compatible chat endpoint writes the answer, the code checks it.

The prompt (`prompts/system.md`, `prompts/answer.md`) gives each retrieved passage a key,
`[1]` to `[n]`, and asks for a key on every sentence. After generation the keys are parsed
back by `assistant.answer.reply` (tolerating the usual malformed variants), keys that match
no passage are removed and counted, and `check_support` scores each sentence against the
passages it cites (`assistant.answer.support`): an uncited sentence, a weakly supported one,
a quotation not in its passage, a number its passage does not state, or one that negates its
closest passage sentence is flagged, with the reason. Whenever the endpoint fails
(unreachable, slow, an HTTP error, a response that is not a chat completion, a dropped
stream, an empty reply) the offline answer is returned with a one-line notice saying why.

An endpoint that never stops (valid chunks forever, or only keep-alive lines) is bounded
twice: the whole answer must arrive within `openai_total_timeout` seconds, and it may have
at most `openai_max_tokens` tokens (sent as max_tokens and counted on the stream too, for
servers that ignore it). Past either, the HTTP stream is closed and the offline answer is
given with a notice: an answer cut off at the limit is not shown as the model's answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx
import numpy as np
import openai

from assistant.answer import REFUSAL, Backend, Draft
from assistant.answer.constraint_records import Evidence
from assistant.answer.endpoint import EndpointFailure, Watchdog, cause, completion, read_at_most, short, status_detail
from assistant.answer.asked import parse
from assistant.answer.constraints import check
from assistant.answer.evidence import source_of
from assistant.answer.reply import parse_reply
from assistant.answer.support import negation_flipped, quotes_found, unsourced_numbers
from assistant.chunk import split_sentences
from assistant.config import Settings
from assistant.embed import Embedder
from assistant.prompts import as_data, format_passages, load_prompt, passage_header, prompts_hash
from assistant.records import Answer, Citation, Passage, Statement
from assistant.text import terms

if TYPE_CHECKING:
    from assistant.answer.offline import OfflineAnswerer

log = logging.getLogger(__name__)

SYSTEM_VARIABLES = {"refusal"}
ANSWER_VARIABLES = {"question", "passages", "refusal", "last_key"}


#: Client-side token count of a stream: one token per content delta (servers stream a token
#: a chunk), or one per this many characters where a server sends bigger deltas; lenient, so
#: an answer the server itself would finish under max_tokens is never cut here.
CHARS_PER_TOKEN = 8


# The backend -------------------------------------------------------------------------------


class LLMAnswerer(Backend):
    """Answers through an OpenAI-compatible endpoint; falls back to `offline` when it fails."""

    name = "openai"

    def __init__(self, settings: Settings, embedder: Embedder, offline: OfflineAnswerer):
        self.settings = settings
        self.embedder = embedder
        self.offline = offline
        self.system_prompt = load_prompt(settings, "system", SYSTEM_VARIABLES)
        self.answer_prompt = load_prompt(settings, "answer", ANSWER_VARIABLES)
        self.prompt_hash = prompts_hash(self.system_prompt, self.answer_prompt)
        self.model = settings.openai_model
        self.max_tokens, self.max_tokens_setting = settings.openai_max_tokens, "ASSISTANT_OPENAI_MAX_TOKENS"
        self.connect(settings.llm_base_url)

    def connect(self, base_url: str | None) -> None:
        """Talk to the endpoint at `base_url` (None: no endpoint, every answer falls back)."""
        self.base_url = base_url
        self.client = (
            openai.OpenAI(
                base_url=base_url,
                api_key=self.settings.llm_api_key or "not-needed",
                timeout=self.settings.openai_timeout,
                max_retries=0,
            )
            if base_url
            else None
        )

    def prompt_passages(self, question: str, passages: list[Passage]) -> list[Passage]:
        """The passages the prompt gives (a backend with a small context gives the first few)."""
        return passages

    def request_options(self, passages: list[Passage]) -> dict:
        """Extra fields of the chat-completion request (a grammar, for a server that takes one)."""
        return {}

    def messages(self, question: str, passages: list[Passage]) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system_prompt.render(refusal=REFUSAL)},
            {
                "role": "user",
                "content": self.answer_prompt.render(
                    question=as_data(question), passages=format_passages(passages), refusal=REFUSAL, last_key=len(passages)
                ),
            },
        ]

    def stream(self, question: str, passages: list[Passage], query_vector: np.ndarray | None = None) -> Iterator[str | Draft]:
        """Text deltas as the model writes them, then the parsed `Draft` (or the offline one)."""
        if not passages:
            yield Draft(refused=True, text=REFUSAL, sentences=[], prompt_hash=self.prompt_hash)
            return
        given = self.prompt_passages(question, passages)  # a prefix of them: keys stay the same
        parts: list[str] = []
        try:
            for delta in self.deltas(self.messages(question, given), self.request_options(given)):
                parts.append(delta)
                yield delta
            if not "".join(parts).strip():
                raise EndpointFailure(f"The LLM at {self.base_url} returned an empty answer")
        except EndpointFailure as exc:
            notice = f"{exc}; showing the offline answer."
            log.warning(notice)
            yield replace(self.offline.draft(question, passages, query_vector), notice=notice, fallback=True)
            return
        yield parse_reply("".join(parts), given, self.prompt_hash)

    def deltas(self, messages: list[dict[str, str]], extra: dict | None = None) -> Iterator[str]:
        """The reply's text pieces; every way the endpoint can fail becomes an `EndpointFailure`.
        The seam for another kind of model (assistant/llamaindex/llm.py): prompts, keys and
        checks stay this class's."""
        if self.client is None:
            raise EndpointFailure(
                "No LLM endpoint is configured (set ASSISTANT_OPENAI_BASE_URL, e.g. http://localhost:11434/v1 "
                "for Ollama or https://api.openai.com/v1)"
            )
        at = f"The LLM at {self.base_url}"
        total, per_read, cap = self.settings.openai_total_timeout, self.settings.openai_timeout, self.max_tokens
        deadline = time.monotonic() + total
        over_time = f"{at} did not finish its answer within {total:g} s (ASSISTANT_OPENAI_TOTAL_TIMEOUT)"
        over_cap = f"{at} did not finish its answer within the {cap}-token limit ({self.max_tokens_setting})"
        watchdog = Watchdog(total)
        started = False
        response = None
        try:
            raw = self.client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=messages,
                temperature=self.settings.openai_temperature,
                max_tokens=cap,
                stream=True,
                timeout=min(per_read, total),
                extra_body=extra or None,
            )
            response = raw.http_response
            watchdog.watch(response)
            ctype = raw.headers.get("content-type", "")
            if "text/event-stream" not in ctype:
                # A server that ignores stream=True answers one JSON completion; anything else is garbage.
                body = read_at_most(response, 65536 + 6 * CHARS_PER_TOKEN * cap, at, over_cap)
                text, finish = completion(body, ctype, at)
                if finish == "length" or len(text) > CHARS_PER_TOKEN * cap:
                    raise EndpointFailure(over_cap)
                yield text
                return
            tokens = chars = 0
            for chunk in raw.parse():
                if time.monotonic() >= deadline:
                    raise EndpointFailure(over_time)
                if getattr(chunk, "choices", None) is None:
                    raise EndpointFailure(f"{at} sent a stream event that is not a chat-completion chunk")
                for choice in chunk.choices:
                    content = getattr(getattr(choice, "delta", None), "content", None)
                    if content:
                        tokens, chars = tokens + 1, chars + len(content)
                        if tokens > cap or chars > CHARS_PER_TOKEN * cap:
                            raise EndpointFailure(over_cap)  # the server ignores max_tokens
                        started = True
                        yield content
                    if getattr(choice, "finish_reason", None) == "length":
                        raise EndpointFailure(over_cap)  # cut off at max_tokens: not a whole answer
        except EndpointFailure as exc:
            raise EndpointFailure(over_time if watchdog.fired else str(exc)) from None
        except openai.APITimeoutError:
            if watchdog.fired or time.monotonic() >= deadline or total <= per_read:
                raise EndpointFailure(over_time) from None
            when = "stopped answering mid-answer" if started else "did not answer"
            raise EndpointFailure(f"{at} {when} within {per_read:g} s (timed out)") from None
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            # openai wraps connection errors before the stream; during it (some versions) httpx's own arrive.
            if watchdog.fired:
                raise EndpointFailure(over_time) from None
            if started:
                raise EndpointFailure(f"{at} dropped the connection mid-answer ({cause(exc)})") from None
            raise EndpointFailure(f"{at} could not be reached ({cause(exc)})") from None
        except openai.APIStatusError as exc:
            raise EndpointFailure(f"{at} answered HTTP {exc.status_code} ({status_detail(exc)})") from None
        except (openai.OpenAIError, ValueError) as exc:
            if watchdog.fired:
                raise EndpointFailure(over_time) from None
            raise EndpointFailure(f"{at} sent a response that is not a chat completion ({short(str(exc))})") from None
        finally:
            watchdog.stop()
            if response is not None:
                response.close()  # also when the consumer stops early: the server sees the stream closed

    # Checking ------------------------------------------------------------------------------

    def check_support(self, answer: Answer) -> Answer:
        """Score each statement against the passages it cites; flag the unsupported ones.

        Support is the mean of a lexical score (the share of the statement's content terms
        found in the cited passages, headline and outlet included) and a semantic one (cosine
        between the statement and the closest sentence of a cited passage). A statement with
        no key or one below `support_threshold` is unsupported, as is one whose quotation,
        numbers or polarity its cited passages do not bear out (`_problem`). Each citation
        gets the sentence that best matches the statements citing it, with its offsets, so a
        reader sees where to look.
        """
        if answer.backend == "offline" or answer.refused or not answer.statements:
            return answer
        cited: dict[int, tuple[Passage, list]] = {}
        for c in answer.citations:
            p = _passage_of(c, answer.passages)
            if p is not None:
                cited[c.key] = (p, split_sentences(p.chunk.text, offset=p.chunk.start))
        keys = list(cited)
        texts = [s.text for s in answer.statements] + [x.text for k in keys for x in cited[k][1]]
        vectors = self.embedder.embed_documents(texts)
        stmt_vecs, rest = vectors[: len(answer.statements)], vectors[len(answer.statements) :]
        sent_vecs: dict[int, np.ndarray] = {}
        for k in keys:
            n = len(cited[k][1])
            sent_vecs[k], rest = rest[:n], rest[n:]

        statements: list[Statement] = []
        best: dict[int, tuple[float, int]] = {}
        ask = parse(answer.question)  # the people, dates, places and numbers asked about
        for s, v in zip(answer.statements, stmt_vecs):
            ks = [k for k in s.keys if k in cited]
            if not ks:
                statements.append(replace(s, support=0.0, supported=False, problem="cites no passage"))
                continue
            sources = [_source_text(cited[k][0]) for k in ks]
            bag = {t for src in sources for t in terms(src)}
            own = list(dict.fromkeys(terms(s.text)))
            dense, closest, closest_key = 0.0, "", ks[0]
            for k in ks:
                if len(sent_vecs[k]):
                    sims = sent_vecs[k] @ v
                    i = int(np.argmax(sims))
                    if float(sims[i]) > dense:
                        dense, closest, closest_key = float(sims[i]), cited[k][1][i].text, k
                    if float(sims[i]) > best.get(k, (-2.0, 0))[0]:
                        best[k] = (float(sims[i]), i)
            lexical = self._coverage(own, bag) if own else dense
            support = round(min(max((lexical + max(dense, 0.0)) / 2, 0.0), 1.0), 4)
            problem = _problem(s.text, sources, closest, support, self.settings.support_threshold)
            if problem is None:
                # The question's people, dates, places and numbers in its passages; who did what in
                # the passage sentence closest to it.
                named = check(replace(ask, agencies=()), Evidence(
                    "\n".join(cited[k][0].chunk.text for k in ks), "\n".join(passage_header(cited[k][0]) for k in ks),
                    cited[ks[0]][0].chunk.meta.published,
                ))
                claims = tuple(a for a in ask.agencies if a.told_in(s.text))  # "Obama wrote ...": who did it
                done = check(replace(ask, constraints=(), agencies=claims), Evidence(closest, source=source_of(cited[closest_key][0].chunk.meta)))
                problem = next((f"its passage is about something else: {c.reason()}" for c in (named, done) if not c.ok), None)
            statements.append(replace(s, support=support, supported=problem is None, problem=problem))

        citations = []
        for c in answer.citations:
            if c.key in best and c.sentence is None:
                x = cited[c.key][1][best[c.key][1]]
                c = replace(c, sentence=x.text, sentence_start=x.start, sentence_end=x.end)
            citations.append(c)
        return replace(answer, statements=statements, citations=citations)

    def _coverage(self, own: list[str], bag: set[str]) -> float:
        """The share of the statement's terms found in its sources, rare terms weighing more.

        Weighted by the corpus IDF (the offline answerer's): names that every
        article shares ("Putin", "Obama") should not carry a sentence on their own.
        """
        weights = self.offline.idf(own)
        total = sum(weights) or 1.0
        return sum(w for t, w in zip(own, weights) if t in bag) / total


def _passage_of(c: Citation, passages: list[Passage]) -> Passage | None:
    """The retrieved passage a citation points into (its chunk holds the cited span)."""
    inside = [p for p in passages if p.chunk.article_id == c.article_id and p.chunk.start <= c.start and c.end <= p.chunk.end]
    exact = [p for p in inside if (p.chunk.start, p.chunk.end) == (c.start, c.end)]
    return (exact or inside or [None])[0]


def _problem(statement: str, sources: list[str], closest: str, support: float, threshold: float) -> str | None:
    """Why a cited statement is not supported by its sources, or None when it is."""
    if support < threshold:
        return f"weak support ({support:.2f}, below {threshold:.2f})"
    if not quotes_found(statement, sources):
        return "a quotation not found word for word in its passage"
    if missing := unsourced_numbers(statement, sources):
        return f"{', '.join(missing)}: not in its passage"
    if closest and negation_flipped(statement, closest):
        return "negates what its passage says"
    return None


def _source_text(p: Passage) -> str:
    """What the model saw of a passage: its header and its text."""
    return f"{passage_header(p)}\n{p.chunk.text}"


