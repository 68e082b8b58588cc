"""Prompt templates: `prompts/*.md` files with `{variable}` placeholders, checked at start-up.

A template names its variables in braces (`{question}`); a literal brace is written twice
(`{{`, `}}`). The code that renders a template declares the variables it passes, and a
template whose variables differ raises `PromptError` naming the file and the difference, so
an edited prompt fails when the backend is built, never halfway through an answer. Each
prompt's SHA-256 is recorded on the answers it produced.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.records import Passage

# Article text must not be able to close the delimiters it is quoted in.
_DELIMITER = re.compile(r"<\s*(/?)\s*(passages?|question)\b", re.IGNORECASE)


class PromptError(ValueError):
    """A prompt template that is missing, malformed, or disagrees with the code about its variables."""


@dataclass(frozen=True)
class Prompt:
    name: str
    path: Path
    text: str
    variables: frozenset[str]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def check(self, variables: Iterable[str]) -> None:
        """Raise `PromptError` unless the template uses exactly these variables."""
        given = frozenset(variables)
        missing = sorted(given - self.variables)
        unknown = sorted(self.variables - given)
        if not missing and not unknown:
            return
        parts = []
        if unknown:
            parts.append(f"uses unknown variable(s) {', '.join('{' + v + '}' for v in unknown)}")
        if missing:
            parts.append(f"lacks variable(s) {', '.join('{' + v + '}' for v in missing)}")
        raise PromptError(
            f"prompt template {self.path} {' and '.join(parts)}; the code passes exactly "
            f"{', '.join('{' + v + '}' for v in sorted(given)) or 'no variables'} "
            "(write a literal brace as {{ or }})"
        )

    def render(self, **variables: object) -> str:
        self.check(variables)
        return self.text.format_map({k: str(v) for k, v in variables.items()})


def parse_variables(text: str, path: Path) -> frozenset[str]:
    """The `{name}` placeholders of a template; anything fancier than a bare name is an error."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise PromptError(f"prompt template {path} has an unmatched brace ({exc}); write a literal brace as {{{{ or }}}}") from exc
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion:
            raise PromptError(f"prompt template {path}: placeholder {{{field}}} has a format spec or conversion; use a bare {{name}}")
        names.add(field)
    bad = sorted(n for n in names if not n.isidentifier())
    if bad:
        raise PromptError(
            f"prompt template {path} has placeholder(s) {', '.join('{' + n + '}' for n in bad)}; "
            "a placeholder is a bare name like {question} (write a literal brace as {{ or }})"
        )
    return frozenset(names)


def load_prompt(settings: Settings, name: str, variables: Iterable[str] | None = None) -> Prompt:
    """`<prompts_dir>/<name>.md`, checked against `variables` when given."""
    path = Path(settings.prompts_dir) / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"prompt template {path} not found; restore it or point ASSISTANT_PROMPTS_DIR at a folder that has it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"cannot read prompt template {path} ({exc})") from exc
    prompt = Prompt(name=name, path=path, text=text, variables=parse_variables(text, path))
    if variables is not None:
        prompt.check(variables)
    return prompt


def prompts_hash(*prompts: Prompt) -> str:
    """A short hash of the templates that wrote an answer, recorded as `Answer.prompt_hash`."""
    h = hashlib.sha256()
    for p in prompts:
        h.update(f"{p.name}\x00{p.sha256}\x00".encode())
    return h.hexdigest()[:12]


def as_data(text: str) -> str:
    """Text quoted into a prompt with its delimiter-like tags defused (`</passage>` -> `‹/passage>`)."""
    return _DELIMITER.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def format_passages(passages: list[Passage]) -> str:
    """Each passage between `<passage>` tags, headed by its key, outlet, headline and date."""
    blocks = []
    for i, p in enumerate(passages, start=1):
        head = f"[{i}] {passage_header(p)}"
        blocks.append(f'<passage key="[{i}]">\n{as_data(head)}\n{as_data(p.chunk.text.strip())}\n</passage>')
    return "\n".join(blocks)


def passage_header(p: Passage) -> str:
    """Outlet, headline and date, as the model sees them above a passage."""
    m = p.chunk.meta
    when = f"{m.published.day} {m.published:%B %Y}" if m.published else "undated"
    outlet = m.outlet or "unknown outlet"
    return f'{outlet}{f" ({m.agency})" if m.agency else ""}, "{m.title}", {when}'
