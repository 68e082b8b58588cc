"""The `assistant` command: one verb per job. Heavy libraries load only in the verbs that use them."""

from __future__ import annotations

import typer

from assistant.cli_ask import ask, timeline
from assistant.cli_eval import evaluate
from assistant.cli_index import check, ingest, repair, sources
from assistant.cli_ui import log, ui

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Citation-grounded answers over news articles.",
                  pretty_exceptions_enable=False)

# In this order in `assistant --help`.
app.command()(ingest)
app.command()(sources)
app.command()(ask)
app.command()(timeline)
app.command()(check)
app.command()(repair)
app.command("eval")(evaluate)
app.command()(ui)
app.command()(log)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
