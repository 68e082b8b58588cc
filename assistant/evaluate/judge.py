"""LLM-judged faithfulness and correctness, reported beside the offline metrics.

The prompts are files (`prompts/judge_faithfulness.md`, `prompts/judge_correctness.md`) loaded
with `assistant.prompts`: a prompt with an unknown or missing variable fails before any call. The
judge talks to the OpenAI-compatible endpoint of the settings. A call that fails or returns
no readable verdict is recorded as an error for that question, never as a verdict.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from assistant.config import Settings
from assistant.evaluate.datasets import EvalError, EvalItem
from assistant.prompts import Prompt, PromptError, load_prompt
from assistant.records import Answer

PROMPTS = {
    "judge_faithfulness": {"passages", "question", "answer"},
    "judge_correctness": {"question", "answer", "gold_answers"},
}
SCORES = {"faithful": 1.0, "unfaithful": 0.0, "correct": 1.0, "partially_correct": 0.5, "incorrect": 0.0}


@dataclass(frozen=True)
class Verdict:
    label: str | None
    score: float | None
    reason: str = ""
    error: str | None = None
    #: Faithfulness: the answer's claims the judge found no support for.
    unsupported: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def judge_prompts(settings: Settings) -> dict[str, Prompt]:
    try:
        return {name: load_prompt(settings, name, variables) for name, variables in PROMPTS.items()}
    except PromptError as exc:
        raise EvalError(str(exc)) from exc


def parse_verdict(text: str, allowed: set[str]) -> Verdict:
    """The JSON object in a judge reply (code fences and chatter around it tolerated)."""
    match = re.search(r"\{.*\}", text or "", re.DOTALL)
    if not match:
        return Verdict(None, None, error=f"no JSON object in the judge's reply: {text[:200]!r}")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        return Verdict(None, None, error=f"judge reply is not valid JSON ({exc.msg})")
    label = str(data.get("verdict", "")).strip().lower().replace(" ", "_")
    if label not in allowed:
        return Verdict(None, None, error=f"judge verdict {label!r} is not one of {sorted(allowed)}")
    unsupported = data.get("unsupported") or []
    claims = tuple(str(c)[:300] for c in unsupported) if isinstance(unsupported, list) else ()
    return Verdict(label, SCORES[label], str(data.get("reason", ""))[:500], unsupported=claims)


class Judge:
    """Judges answers with the settings' LLM endpoint and the judge prompts."""

    def __init__(self, settings: Settings):
        import openai

        if not settings.llm_base_url and not settings.llm_api_key:
            raise EvalError(
                "the LLM judge needs an endpoint: set ASSISTANT_OPENAI_API_KEY (or OPENAI_API_KEY) for OpenAI, "
                "or ASSISTANT_OPENAI_BASE_URL for a local server"
            )
        self.model = settings.openai_model
        self.prompts = judge_prompts(settings)
        self.client = openai.OpenAI(base_url=settings.llm_base_url, api_key=settings.llm_api_key or "not-needed",
                                    timeout=settings.openai_timeout, max_retries=1)

    def close(self) -> None:
        self.client.close()

    def _ask(self, name: str, allowed: set[str], **values: str) -> Verdict:
        prompt = self.prompts[name].render(**values)
        try:
            reply = self.client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": prompt}],
                                                        temperature=0)
        except Exception as exc:  # any endpoint failure becomes this question's error
            return Verdict(None, None, error=f"{type(exc).__name__}: {exc}"[:300])
        return parse_verdict(reply.choices[0].message.content or "", allowed)

    def faithfulness(self, answer: Answer) -> Verdict | None:
        """None for a refusal or an answer that cites nothing: there is nothing to check."""
        if answer.refused or not answer.citations:
            return None
        passages = "\n\n".join(f"[{c.key}] {c.title}: {c.passage}" for c in answer.citations)
        return self._ask("judge_faithfulness", {"faithful", "unfaithful"}, passages=passages, question=answer.question,
                         answer=answer.text)

    def correctness(self, item: EvalItem, answer: Answer) -> Verdict | None:
        """None for an unanswerable question (refusal metrics score those); a refusal is incorrect."""
        if not item.answerable or not item.gold_answers:
            return None
        if answer.refused:
            return Verdict("incorrect", 0.0, "refused an answerable question")
        return self._ask("judge_correctness", {"correct", "partially_correct", "incorrect"}, question=item.question,
                         answer=answer.text, gold_answers="\n".join(f"- {g}" for g in item.gold_answers))
