"""What the commands check before their own work, and the one-line errors they fail with.

Settings that do not validate, a damaged or empty index, a bad date: each is one line naming
the fix (exit 2), never a traceback. Heavy libraries load only inside the functions that use them.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder (default: ./index or ASSISTANT_INDEX_DIR).")]


def read_settings(index: Path | None = None, **overrides):
    from pydantic import ValidationError

    from assistant.config import ConfigError, load_settings

    try:
        return load_settings(index_dir=index, **overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(f"invalid settings ({problems}); check ASSISTANT_* variables and assistant.toml")
    except ConfigError as exc:
        fail(str(exc))


def fail(message: str, code: int = 2) -> None:
    typer.secho(f"Error: {message}", fg="red", err=True)
    raise typer.Exit(code)


def printable(text: str) -> str:
    """`text` with control characters and backslashes escaped as repr() does (a newline in a
    file name shows as \\n), so that a name cannot forge lines of a human-readable summary."""
    return "".join(c if c.isprintable() and c != "\\" else repr(c)[1:-1] for c in text)


def require_sound_index(settings) -> None:
    """Fail with one line naming the damaged part and the repair command (a quick look: counts
    and file headers), so that a damaged index never answers as an empty or partial one."""
    from assistant.health import inspect_index
    from assistant.store import StoreError

    try:
        health = inspect_index(settings, quick=True)
    except StoreError as exc:
        fail(str(exc))
    if health.damaged:
        fail(health.error())


@contextmanager
def diagnosed(settings):
    """An error while answering from a damaged index is one line naming the damaged part and the
    repair command, not a traceback; any other error is raised as it is."""
    try:
        yield
    except typer.Exit:
        raise
    except Exception:
        from assistant.health import inspect_index

        try:
            health = inspect_index(settings)
        except Exception:
            health = None
        if health is None or not health.damaged:
            raise
        fail(health.error())


def load_assistant(settings):
    """The loaded pipeline, or a clear error when the store is unreachable, damaged or empty."""
    from assistant.embed import EmbeddingModelError, check_model
    from assistant.pipeline import Assistant
    from assistant.store import StoreError, empty_index_hint

    try:
        check_model(settings)  # first: the store is named after the model, and a bad one finds an empty store
        require_sound_index(settings)
        assistant = Assistant(settings)
    except (StoreError, EmbeddingModelError) as exc:
        fail(str(exc))
    if assistant.retriever.store.count() == 0:
        fail(f"the index at {assistant.retriever.store.location} is empty; {empty_index_hint(settings)}")
    return assistant


def _parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name} must be a date like 2020-05-08, got {value!r}")


def date_range(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    start, end = _parse_date(since, "--since"), _parse_date(until, "--until")
    if start and end and start > end:
        fail(f"--since {start} is after --until {end}; no article can match both: swap them or drop one")
    return start, end
