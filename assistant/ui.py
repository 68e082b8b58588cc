"""The Gradio UI: a cited chat over the indexed articles, its sources, export, feedback, corpus.

A thin shell: every answer comes from `Assistant.stream`, every citation is rendered by
`assistant.cite`, every corpus change goes through `assistant.ingest` and the store. The chat
handler is a plain `(message, history, *options)` generator (gradio's ChatInterface).

This module serves it (`launch`); the page is `ui_layout`, the handlers' shared state
`ui_state`, the tabs' handlers `ui_chat` and `ui_corpus`, and what they show `ui_sources`,
`ui_reader` and `ui_render`.
"""

from __future__ import annotations

import sys

import gradio as gr

from assistant.config import Settings
from assistant.ui_layout import ANSWER_CONCURRENCY, APP_CSS, build_app
from assistant.ui_reader import READER_CSS
from assistant.ui_render import NOTICE_CSS

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def exposure_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    """Why binding `host` without a password is risky, or None when it is not."""
    if host in LOCAL_HOSTS or (auth and all(auth)):  # an empty user or password protects nothing
        return None
    return (
        f"Warning: serving on {host} without a password: anyone who can reach this machine can "
        "read the articles, ask questions and change the index. Pass auth=(user, password) "
        "(`--auth USER:PASSWORD`) or bind to 127.0.0.1."
    )


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
           open_browser: bool = False, block: bool = True) -> gr.Blocks:
    """Serve the UI. With block=False it returns at once and serves from a background thread."""
    if warning := exposure_warning(host, auth):
        print(warning, file=sys.stderr)
    app = build_app(settings, echo=lambda line: print(line, file=sys.stderr))
    app.queue(default_concurrency_limit=ANSWER_CONCURRENCY)
    app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        inbrowser=open_browser,
        prevent_thread_lock=not block,
        show_error=True,
        quiet=not block,
        # Files up to the ingest limit get ingest's own message; far larger ones never reach the disk.
        max_file_size=f"{int(settings.max_file_mb * 10)}mb",
        footer_links=["api"],
        css=APP_CSS + READER_CSS + NOTICE_CSS,
    )
    return app
