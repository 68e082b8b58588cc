"""The UI's commands: serve the chat UI, and show the answers it logged with their feedback."""

from __future__ import annotations

import errno
import json
from typing import Annotated, Optional

import typer

from assistant.cli_checks import IndexOpt, fail, read_settings, require_sound_index


def ui(
    index: IndexOpt = None,
    host: Annotated[str, typer.Option(help="Interface to bind; beyond localhost needs --auth.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on (1-65535).")] = 7860,
    auth: Annotated[Optional[str], typer.Option(help="USER:PASSWORD required to use the UI.")] = None,
) -> None:
    """Serve the chat UI (builds the index from the corpus on first start)."""
    from assistant.ui import launch

    if not 1 <= port <= 65535:
        fail(f"--port must be a port number from 1 to 65535, got {port}")
    credentials = None
    if auth is not None:
        user, sep, password = auth.partition(":")
        if not (sep and user and password):
            fail("--auth must be USER:PASSWORD, with a user name and a password, neither empty")
        credentials = (user, password)
    settings = read_settings(index)
    _check_port(host, port)  # before the models load and the index is built
    require_sound_index(settings)  # a damaged index would look empty and be indexed again, or fail per question
    try:
        launch(settings, host=host, port=port, auth=credentials)
    except OSError as exc:
        if "empty port" not in str(exc):
            raise
        # Taken while the index was being built, after the check above.
        fail(f"port {port} on {host} is in use by another program; stop it or choose another with --port")


def _check_port(host: str, port: int) -> None:
    """Fail with one line naming the port when it cannot be bound (in use, or a bad --host)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        fail(f"--host {host!r} cannot be resolved ({exc.strerror}); give an address such as 127.0.0.1 or 0.0.0.0")
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is in use by another program; stop it or choose another with --port")
            fail(f"cannot serve on {host} port {port} ({exc.strerror}); choose another --host or --port")


def log(
    index: IndexOpt = None,
    n: Annotated[int, typer.Option("-n", help="How many recent entries (a positive number).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show recent answers and their thumbs up / down feedback."""
    from assistant.feedback import AnswerLog

    if n < 1:
        fail(f"-n must be a positive number of entries, got {n}")
    settings = read_settings(index)
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
