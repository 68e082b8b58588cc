"""The progress bar of long commands (ingest, eval): one bar per stage, on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: A stage's progress: (stage name, done, total).
Progress = Callable[[str, int, int], None]


@contextmanager
def rich_progress(disable: bool = False, transient: bool = False) -> Iterator[Progress]:
    """A `Progress` callback that draws rich bars with an ETA on stderr (stdout stays clean)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn

    with Bar(
        TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=transient, disable=disable,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
