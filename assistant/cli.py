"""The `assistant` command: one verb per job. Heavy libraries load only in the verbs that use them."""

from __future__ import annotations

import errno
import json
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Citation-grounded answers over news articles.",
    pretty_exceptions_enable=False,
)

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder (default: ./index or ASSISTANT_INDEX_DIR).")]


def _settings(index: Path | None = None, **overrides):
    from pydantic import ValidationError

    from assistant.config import ConfigError, load_settings

    try:
        return load_settings(index_dir=index, **overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(f"invalid settings ({problems}); check ASSISTANT_* variables and assistant.toml")
    except ConfigError as exc:
        _fail(str(exc))


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"Error: {message}", fg="red", err=True)
    raise typer.Exit(code)


def _printable(text: str) -> str:
    """`text` with control characters and backslashes escaped as repr() does (a newline in a
    file name shows as \\n), so that a name cannot forge lines of a human-readable summary."""
    return "".join(c if c.isprintable() and c != "\\" else repr(c)[1:-1] for c in text)


def _require_sound_index(settings) -> None:
    """Fail with one line naming the damaged part and the repair command (a quick look: counts
    and file headers), so that a damaged index never answers as an empty or partial one."""
    from assistant.health import inspect_index
    from assistant.store import StoreError

    try:
        health = inspect_index(settings, quick=True)
    except StoreError as exc:
        _fail(str(exc))
    if health.damaged:
        _fail(health.error())


@contextmanager
def _diagnosed(settings):
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
        _fail(health.error())


def _assistant(settings):
    """The loaded pipeline, or a clear error when the store is unreachable, damaged or empty."""
    from assistant.embed import EmbeddingModelError, check_model
    from assistant.pipeline import Assistant
    from assistant.store import StoreError, empty_index_hint

    try:
        check_model(settings)  # first: the store is named after the model, and a bad one finds an empty store
        _require_sound_index(settings)
        assistant = Assistant(settings)
    except (StoreError, EmbeddingModelError) as exc:
        _fail(str(exc))
    if assistant.retriever.store.count() == 0:
        _fail(f"the index at {assistant.retriever.store.location} is empty; {empty_index_hint(settings)}")
    return assistant


def _parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{name} must be a date like 2020-05-08, got {value!r}")


def _date_range(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    start, end = _parse_date(since, "--since"), _parse_date(until, "--until")
    if start and end and start > end:
        _fail(f"--since {start} is after --until {end}; no article can match both: swap them or drop one")
    return start, end


def _read_questions(path: Path) -> list[tuple[int, str]]:
    """The non-empty lines of a --questions file, numbered from 1."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        _fail(f"{path}: cannot read the questions file ({exc.strerror})")
    except UnicodeDecodeError as exc:
        _fail(f"{path}: not valid UTF-8 (byte {exc.start}); re-save the questions file as UTF-8")
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


@app.command()
def ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the corpus folder).")] = None,
    index: IndexOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove indexed articles whose files are gone.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Clean, chunk, embed and index articles; unchanged articles are skipped.

    Example usage:

        assistant ingest                 # the corpus/ folder
        assistant ingest new/ a.html --prune
    """

    from assistant.embed import EmbeddingModelError, check_model
    from assistant.ingest import ingest as run_ingest
    from assistant.load import EXTENSIONS
    from assistant.progress import rich_progress
    from assistant.store import StoreError

    settings = _settings(index)
    try:
        check_model(settings)  # a bad model is named first; the index it would use is another
    except EmbeddingModelError as exc:
        _fail(str(exc))
    if settings.index_dir.is_dir():
        _require_sound_index(settings)  # ingest would say "unchanged" over a damaged index, or stop half-way
    with rich_progress(disable=as_json or not sys.stderr.isatty(), transient=True) as progress:
        try:
            report = run_ingest(settings, paths or None, prune=prune, progress=progress)
        except (StoreError, EmbeddingModelError) as exc:
            _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, failed {len(report.failed)}, skipped {len(report.skipped)}, "
            f"chunks {report.chunks}, {report.seconds:.2f} s"
        )
        for f in report.failed:
            typer.secho(f"  failed: {_printable(f.path)}: {_printable(f.reason)}", fg="red", err=True)
        for f in report.skipped:
            typer.secho(f"  skipped: {_printable(f.path)}: {_printable(f.reason)}", fg="yellow", err=True)
    if report.empty and not report.removed:
        shown = ", ".join(_printable(str(p)) for p in paths or [settings.corpus_dir])
        typer.secho(
            f"Error: nothing ingested from {shown}: no {', '.join(sorted(EXTENSIONS))} article there could be read",
            fg="red", err=True,
        )
        raise typer.Exit(1)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def sources(
    index: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Include each article's cleaned text (citation offsets point into it).")] = False,
) -> None:
    """List the indexed articles with their metadata."""
    from assistant.store import StoreError, open_store

    try:
        store = open_store(_settings(index))
        records = sorted(store.article_records().values(), key=lambda r: r.id)
    except StoreError as exc:
        _fail(str(exc))
    if as_json:
        rows = [{**r.to_dict(), **({"text": store.article_text(r.id)} if text else {})} for r in records]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not records:
        typer.echo("No articles indexed yet; run `assistant ingest`.")
    for r in records:
        m = r.meta
        when = f"{m.published.isoformat()}{' (inferred)' if m.published_inferred else ''}" if m.published else "undated"
        typer.echo(
            f"{r.id}  {when:10}  {m.outlet or 'unknown outlet'}: "
            f"{m.title}{' (by ' + m.author + ')' if m.author else ''}  [{r.n_chunks} chunks]"
        )
        if text:
            typer.echo(store.article_text(r.id) + "\n")


@app.command()
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
        _fail(f"--backend must be {backend_choices()}, got {backend!r}")
    if fmt not in ("text", "markdown"):
        _fail(f"--format must be text or markdown, got {fmt!r}")
    if not (question or "").strip() and not questions:
        _fail("give a question, or --questions FILE.jsonl")
    if questions and not questions.is_file():
        _fail(f"{questions}: no such file; --questions takes a JSONL file of {{\"question\": ...}} lines")
    lines = _read_questions(questions) if questions else []
    settings = _settings(index)
    start, end = _date_range(since, until)
    options = AskOptions(k=k, outlets=tuple(outlet or ()), since=start, until=end, backend=backend)
    assistant = _assistant(settings)
    if questions:
        # One JSON object per question line, in order: its answer, or an error naming the line.
        bad = 0
        for n, line in lines:
            q, error = _parse_question(n, line)
            if error is not None:
                bad += 1
                typer.echo(json.dumps(error, ensure_ascii=False))
                continue
            with _diagnosed(settings):
                typer.echo(json.dumps(assistant.ask(q, options).to_dict(), ensure_ascii=False))
        if bad:
            typer.secho(f"{questions}: {bad} line(s) not answered; their error objects name the line and field", fg="red", err=True)
            raise typer.Exit(1)
        return
    if as_json or fmt == "markdown":
        with _diagnosed(settings):
            answer = assistant.ask(question, options)
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) if as_json else render_markdown(answer))
        return
    answer = None
    with _diagnosed(settings):
        for event in assistant.stream(question, options):
            if isinstance(event, str):
                typer.echo(event, nl=False)
            else:
                answer = event
    typer.echo("")
    tail = render_text(answer, include_answer=False)
    if tail:
        typer.echo(tail)


@app.command()
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

    start, end = _date_range(since, until)
    settings = _settings(index)
    assistant = _assistant(settings)
    with _diagnosed(settings):
        answer = assistant.timeline(topic, AskOptions(k=k, since=start, until=end))
    typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) if as_json else render_timeline(answer))


@app.command()
def check(index: IndexOpt = None) -> None:
    """Report whether the embedding model loads offline, the store is reachable, each part of
    the index is sound (and how to repair one that is not), and the answer backend; exit 1 if not.
    """
    from assistant.embed import check_model, get_embedder
    from assistant.health import inspect_index
    from assistant.store import StoreError, open_store

    settings = _settings(index)
    try:
        health = inspect_index(settings)  # before the store is opened: opening it creates missing tables
    except StoreError:
        health = None  # a server that cannot be reached: the store line says so
    ok = True
    try:
        check_model(settings)
        vector = get_embedder(settings).embed_query("check")
        typer.echo(f"ok    embedding model {settings.model_name} loads offline ({len(vector)} dimensions, {settings.device})")
    except Exception as exc:  # any failure here is the answer to the check
        ok = False
        typer.echo(f"FAIL  embedding model: {exc}")
    try:
        store = open_store(settings)
        typer.echo(f"ok    store at {store.location}: collection {store.name}, {store.count()} chunks")
    except StoreError as exc:
        ok = False
        typer.echo(f"FAIL  store: {exc}")
    if health is not None:
        ok = _report_health(health, settings) and ok
    if settings.backend == "openai":
        url = settings.llm_base_url or "https://api.openai.com/v1"
        key = "set" if settings.llm_api_key else "not set"
        typer.echo(f"info  answer backend: openai-compatible at {url}, model {settings.openai_model}, key {key}")
    elif settings.backend == "local":
        from assistant.answer import local

        typer.echo("info  answer backend: local (a llama.cpp server on 127.0.0.1, started by the assistant)")
        local_ok, lines = local.check(settings)
        for line in lines:
            typer.echo(line)
        ok = local_ok and ok
    else:
        typer.echo("info  answer backend: offline (no LLM; answers are composed from cited corpus sentences)")
    raise typer.Exit(0 if ok else 1)


def _report_health(health, settings) -> bool:
    """`check`'s lines for each part of the index; False when one is damaged."""
    from assistant.health import REPAIRS
    from assistant.store import empty_index_hint

    for p in health.parts:
        if p.problem:
            typer.echo(f"FAIL  {p.part} {p.path}: {p.problem}; run `{health.repair}` to {REPAIRS[p.part]}")
        else:
            typer.echo(f"ok    {p.part} {p.path}: {p.summary}")
        if p.note:
            typer.echo(f"warn  {p.part}: {p.note}")
    if health.damaged:
        typer.echo(f"FAIL  index damaged ({', '.join(p.part for p in health.damaged)}); repair it with: {health.repair}")
    elif health.empty:
        typer.echo(f"info  index is empty; {empty_index_hint(settings)}")
    else:
        typer.echo("ok    index is sound: chunk table, vector store and search index agree")
    return not health.damaged


@app.command()
def repair(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="More files or folders to ingest again if the chunk table lost article records (besides those recorded).")] = None,
    index: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Rebuild the damaged parts of the index (see `assistant check`) from what still holds the facts.

    The vector store is rebuilt from the search index's vector file (or by embedding the stored
    texts again where that is not current), the search index from the chunk table and the vector
    store; chunk rows an article lost, from the text its record keeps; lost records, by ingesting the recorded source paths
    again. Files that cannot be read are moved to <index>/damaged-<time>/, not deleted.

    Example usage:

        assistant check
        assistant repair
    """
    from assistant.embed import EmbeddingModelError
    from assistant.progress import rich_progress
    from assistant.repair import repair_index
    from assistant.store import StoreError

    settings = _settings(index)
    with rich_progress(disable=as_json or not sys.stderr.isatty(), transient=True) as progress:
        try:
            report = repair_index(settings, paths or None, progress=progress)
        except (StoreError, EmbeddingModelError) as exc:
            _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in report.actions:
            typer.echo(_printable(line))
        for f in report.failed:
            typer.secho(f"  failed: {_printable(f.path)}: {_printable(f.reason)}", fg="red", err=True)
        for p in report.after.damaged:
            typer.secho(f"FAIL  {p.part} {p.path}: {p.problem}", fg="red", err=True)
        if not report.after.damaged:
            typer.echo("the index is sound" + (" (empty: run `assistant ingest`)" if report.after.empty else ""))
    raise typer.Exit(1 if report.after.damaged else 0)


@app.command("eval")
def evaluate(
    index: IndexOpt = None,
    dataset: Annotated[Optional[list[str]], typer.Option("--dataset", help="A JSONL eval set, multihop-sample, or multihop:/dir (repeatable; default: the dev set evals/news.jsonl and the held-out test set evals/test.jsonl).")] = None,
    backend: Annotated[Optional[str], typer.Option("--backend", help="offline, openai or local.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Report folder (default evals/runs/<time>).")] = None,
    compare: Annotated[Optional[Path], typer.Option("--compare", help="An earlier results.json to diff against.")] = None,
    fail_under: Annotated[Optional[list[str]], typer.Option("--fail-under", help="metric=value; exit 1 when a figure falls short (repeatable).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="Only the first N questions.")] = None,
) -> None:
    """Measure retrieval, answer accuracy, citations and refusals; write results.json, report.md, report.html.

    Example usage:

        assistant eval                                  # the dev set, then the held-out test set
        assistant eval --dataset evals/test.jsonl --compare evals/runs/OLD/results.json --fail-under hit@1=0.85 --fail-under false_refusal_rate=0.05
    """
    from assistant.evaluate import EvalError, check_thresholds, parse_thresholds, rich_progress, run_eval
    from assistant.evaluate.datasets import DEFAULT_DATASETS

    settings = _settings(index)
    datasets = dataset or list(DEFAULT_DATASETS)
    if compare is not None and len(datasets) > 1:
        _fail("--compare diffs one dataset's run: name it with --dataset")
    failures: list[str] = []
    for name in datasets:
        # Several datasets: each reports into a folder of its own under --out.
        where = out / Path(name).stem if out is not None and len(datasets) > 1 else out
        try:
            parse_thresholds(fail_under or [])
            with rich_progress() as progress:
                run = run_eval(settings, name, backend=backend, out_dir=where, compare=compare, progress=progress, limit=limit)
        except (EvalError, ValueError) as exc:
            _fail(str(exc))
        typer.echo(run.summary())
        for f in check_thresholds(run, fail_under or []):
            failures.append(f)
            typer.secho(f"FAIL {run.dataset['name']}: {f}", fg="red")
    raise typer.Exit(1 if failures else 0)


@app.command()
def ui(
    index: IndexOpt = None,
    host: Annotated[str, typer.Option(help="Interface to bind; beyond localhost needs --auth.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on (1-65535).")] = 7860,
    auth: Annotated[Optional[str], typer.Option(help="USER:PASSWORD required to use the UI.")] = None,
) -> None:
    """Serve the chat UI (builds the index from the corpus on first start)."""
    from assistant.ui import launch

    if not 1 <= port <= 65535:
        _fail(f"--port must be a port number from 1 to 65535, got {port}")
    credentials = None
    if auth is not None:
        user, sep, password = auth.partition(":")
        if not (sep and user and password):
            _fail("--auth must be USER:PASSWORD, with a user name and a password, neither empty")
        credentials = (user, password)
    settings = _settings(index)
    _check_port(host, port)  # before the models load and the index is built
    _require_sound_index(settings)  # a damaged index would look empty and be indexed again, or fail per question
    try:
        launch(settings, host=host, port=port, auth=credentials)
    except OSError as exc:
        if "empty port" not in str(exc):
            raise
        # Taken while the index was being built, after the check above.
        _fail(f"port {port} on {host} is in use by another program; stop it or choose another with --port")


def _check_port(host: str, port: int) -> None:
    """Fail with one line naming the port when it cannot be bound (in use, or a bad --host)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        _fail(f"--host {host!r} cannot be resolved ({exc.strerror}); give an address such as 127.0.0.1 or 0.0.0.0")
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _fail(f"port {port} on {host} is in use by another program; stop it or choose another with --port")
            _fail(f"cannot serve on {host} port {port} ({exc.strerror}); choose another --host or --port")


@app.command()
def log(
    index: IndexOpt = None,
    n: Annotated[int, typer.Option("-n", help="How many recent entries (a positive number).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show recent answers and their thumbs up / down feedback."""
    from assistant.feedback import AnswerLog

    if n < 1:
        _fail(f"-n must be a positive number of entries, got {n}")
    settings = _settings(index)
    entries = AnswerLog(settings.answer_log).recent(n)
    if as_json:
        typer.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    if not entries:
        typer.echo("No answers logged yet.")
    for e in entries:
        fb = {1: "+1", -1: "-1"}.get(e.get("feedback"), "  ")
        status = "refused" if e.get("refused") else f"{e.get('citations', 0)} citations"
        typer.echo(f"#{e['id']} {e.get('time', '')} [{fb}] ({e.get('backend')}, {status}) {e['question']}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
