"""The commands that answer from the index: ask (one question, or a JSONL file of them) and timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli_checks import IndexOpt, date_range, diagnosed, fail, load_assistant, read_settings


def _read_questions(path: Path) -> list[tuple[int, str]]:
    """The non-empty lines of a --questions file, numbered from 1."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        fail(f"{path}: cannot read the questions file ({exc.strerror})")
    except UnicodeDecodeError as exc:
        fail(f"{path}: not valid UTF-8 (byte {exc.start}); re-save the questions file as UTF-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _parse_question(n: int, line: str) -> tuple[str | None, dict | None]:
    """The question on a --questions line, or the error object that stands in for its answer."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, {"line": n, "field": None, "error": f"line {n} is not valid JSON ({exc.msg} at column {exc.colno})"}
    if not isinstance(record, dict):
        return None, {"line": n, "field": None, "error": f"line {n} is not a JSON object; write {{\"question\": \"...\"}}"}
    if "question" not in record:
        return None, {"line": n, "field": "question", "error": f"line {n} has no 'question' field"}
    q = record["question"]
    if not isinstance(q, str) or not q.strip():
        got = json.dumps(q, ensure_ascii=False)[:60]
        return None, {"line": n, "field": "question", "error": f"line {n}: 'question' must be a non-empty string, got {got}"}
    return q, None


def ask(
    question: Annotated[Optional[str], typer.Argument(help="The question.")] = None,
    index: IndexOpt = None,
    questions: Annotated[Optional[Path], typer.Option("--questions", help="JSONL file of {\"question\": ...} objects; one JSON answer per line.")] = None,
    backend: Annotated[Optional[str], typer.Option("--backend", help="offline, openai or local.")] = None,
    k: Annotated[Optional[int], typer.Option("--k", min=1, max=50, help="Passages to retrieve.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only articles published on or after YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only articles published on or before YYYY-MM-DD.")] = None,
    outlet: Annotated[Optional[list[str]], typer.Option("--outlet", "--source", help="Only this outlet (repeatable; --source is its old name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text or markdown.")] = "text",
) -> None:
    """Answer a question with citations, or say the articles do not answer it.

    Example usage:

        assistant ask "Where will Biden and Putin meet?"
        assistant ask "What did Putin write to Obama?" --json
        assistant ask --questions qs.jsonl > answers.jsonl
    """
    from assistant.answer import BACKEND_NAMES, backend_choices
    from assistant.cite import render_markdown, render_text
    from assistant.pipeline import AskOptions

    if backend is not None and backend not in BACKEND_NAMES:
        fail(f"--backend must be {backend_choices()}, got {backend!r}")
    if fmt not in ("text", "markdown"):
        fail(f"--format must be text or markdown, got {fmt!r}")
    if not (question or "").strip() and not questions:
        fail("give a question, or --questions FILE.jsonl")
    if questions and not questions.is_file():
        fail(f"{questions}: no such file; --questions takes a JSONL file of {{\"question\": ...}} lines")
    lines = _read_questions(questions) if questions else []
    settings = read_settings(index)
    start, end = date_range(since, until)
    options = AskOptions(k=k, outlets=tuple(outlet or ()), since=start, until=end, backend=backend)
    assistant = load_assistant(settings)
    if questions:
        # One JSON object per question line, in order: its answer, or an error naming the line.
        bad = 0
        for n, line in lines:
            q, error = _parse_question(n, line)
            if error is not None:
                bad += 1
                typer.echo(json.dumps(error, ensure_ascii=False))
                continue
            with diagnosed(settings):
                typer.echo(json.dumps(assistant.ask(q, options).to_dict(), ensure_ascii=False))
        if bad:
            typer.secho(f"{questions}: {bad} line(s) not answered; their error objects name the line and field", fg="red", err=True)
            raise typer.Exit(1)
        return
    if as_json or fmt == "markdown":
        with diagnosed(settings):
            answer = assistant.ask(question, options)
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) if as_json else render_markdown(answer))
        return
    answer = None
    with diagnosed(settings):
        for event in assistant.stream(question, options):
            if isinstance(event, str):
                typer.echo(event, nl=False)
            else:
                answer = event
    typer.echo("")
    tail = render_text(answer, include_answer=False)
    if tail:
        typer.echo(tail)


def timeline(
    topic: Annotated[str, typer.Argument(help="What the timeline is about.")],
    index: IndexOpt = None,
    k: Annotated[Optional[int], typer.Option("--k", min=1, max=50, help="Articles to consider.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only articles published on or after YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only articles published on or before YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The dated evidence on a topic across articles, oldest first, one cited sentence each.

    Example usage:

        assistant timeline "Putin's contacts with US presidents"
    """
    from assistant.cite import render_timeline
    from assistant.pipeline import AskOptions

    start, end = date_range(since, until)
    settings = read_settings(index)
    assistant = load_assistant(settings)
    with diagnosed(settings):
        answer = assistant.timeline(topic, AskOptions(k=k, since=start, until=end))
    typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) if as_json else render_timeline(answer))
