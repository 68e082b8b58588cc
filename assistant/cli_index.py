"""The commands that build, list, check and repair the index: ingest, sources, check, repair."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli_checks import IndexOpt, fail, printable, read_settings, require_sound_index


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

    settings = read_settings(index)
    try:
        check_model(settings)  # a bad model is named first; the index it would use is another
    except EmbeddingModelError as exc:
        fail(str(exc))
    if settings.index_dir.is_dir():
        require_sound_index(settings)  # ingest would say "unchanged" over a damaged index, or stop half-way
    with rich_progress(disable=as_json or not sys.stderr.isatty(), transient=True) as progress:
        try:
            report = run_ingest(settings, paths or None, prune=prune, progress=progress)
        except (StoreError, EmbeddingModelError) as exc:
            fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, failed {len(report.failed)}, skipped {len(report.skipped)}, "
            f"chunks {report.chunks}, {report.seconds:.2f} s"
        )
        for f in report.failed:
            typer.secho(f"  failed: {printable(f.path)}: {printable(f.reason)}", fg="red", err=True)
        for f in report.skipped:
            typer.secho(f"  skipped: {printable(f.path)}: {printable(f.reason)}", fg="yellow", err=True)
    if report.empty and not report.removed:
        shown = ", ".join(printable(str(p)) for p in paths or [settings.corpus_dir])
        typer.secho(
            f"Error: nothing ingested from {shown}: no {', '.join(sorted(EXTENSIONS))} article there could be read",
            fg="red", err=True,
        )
        raise typer.Exit(1)
    if not report.ok:
        raise typer.Exit(1)


def sources(
    index: IndexOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Include each article's cleaned text (citation offsets point into it).")] = False,
) -> None:
    """List the indexed articles with their metadata."""
    from assistant.store import StoreError, open_store

    try:
        store = open_store(read_settings(index))
        records = sorted(store.article_records().values(), key=lambda r: r.id)
    except StoreError as exc:
        fail(str(exc))
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


def check(index: IndexOpt = None) -> None:
    """Report whether the embedding model loads offline, the store is reachable, each part of
    the index is sound (and how to repair one that is not), and the answer backend; exit 1 if not.
    """
    from assistant.embed import check_model, get_embedder
    from assistant.health import inspect_index
    from assistant.store import StoreError, open_store

    settings = read_settings(index)
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

    settings = read_settings(index)
    with rich_progress(disable=as_json or not sys.stderr.isatty(), transient=True) as progress:
        try:
            report = repair_index(settings, paths or None, progress=progress)
        except (StoreError, EmbeddingModelError) as exc:
            fail(str(exc))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in report.actions:
            typer.echo(printable(line))
        for f in report.failed:
            typer.secho(f"  failed: {printable(f.path)}: {printable(f.reason)}", fg="red", err=True)
        for p in report.after.damaged:
            typer.secho(f"FAIL  {p.part} {p.path}: {p.problem}", fg="red", err=True)
        if not report.after.damaged:
            typer.echo("the index is sound" + (" (empty: run `assistant ingest`)" if report.after.empty else ""))
    raise typer.Exit(1 if report.after.damaged else 0)
