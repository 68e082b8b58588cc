"""The answer log: every answer the UI gives, the options that produced it, and its feedback.

One SQLite file (`settings.answer_log`). Each call opens its own connection, so the log is
safe to use from the UI's worker threads and from a CLI process at the same time.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from assistant.records import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    question TEXT NOT NULL,
    rewritten_question TEXT,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    backend TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    options TEXT NOT NULL,
    citations INTEGER NOT NULL,
    record TEXT NOT NULL,
    feedback INTEGER,
    feedback_time REAL
)
"""


def _iso(t: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t is not None else None


class AnswerLog:
    """Answers with their feedback: +1 (thumbs up), -1 (thumbs down) or none."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def record(self, answer: Answer, settings_hash: str, options: dict) -> int:
        """Log one answer; the returned id is what `feedback` takes."""
        row = (time.time(), answer.question, answer.rewritten_question, answer.text, int(answer.refused), answer.backend,
               settings_hash, json.dumps(options, sort_keys=True, default=str), len(answer.citations),
               json.dumps(answer.to_dict(), default=str))
        with closing(self._connect()) as db, db:
            cur = db.execute(
                "INSERT INTO answers (time, question, rewritten_question, answer, refused, backend,"
                " settings_hash, options, citations, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cur.lastrowid)

    def feedback(self, entry_id: int, value: int) -> None:
        """Set an answer's feedback: +1, -1, or 0 to clear it (a thumb clicked off)."""
        if value not in (1, -1, 0):
            raise ValueError(f"feedback must be +1, -1 or 0, not {value!r}")
        with closing(self._connect()) as db, db:
            cur = db.execute(
                "UPDATE answers SET feedback = ?, feedback_time = ? WHERE id = ?",
                (value or None, time.time() if value else None, entry_id),
            )
            if cur.rowcount == 0:
                raise KeyError(f"no answer with id {entry_id} in {self.path}")

    def recent(self, n: int = 20) -> list[dict]:
        """The newest `n` answers, newest first, as flat print-friendly dicts."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT id, time, question, rewritten_question, answer, refused, backend, feedback, citations"
                " FROM answers ORDER BY id DESC LIMIT ?",
                (max(n, 0),),
            ).fetchall()
        # The columns in the order selected, with the time and the refusal made readable.
        return [{**dict(r), "time": _iso(r["time"]), "refused": bool(r["refused"])} for r in rows]

    def get(self, entry_id: int) -> dict | None:
        """One entry in full: the recent() fields plus the options and the whole answer record."""
        with closing(self._connect()) as db:
            r = db.execute("SELECT * FROM answers WHERE id = ?", (entry_id,)).fetchone()
        if r is None:
            return None
        return {
            **{k: r[k] for k in ("id", "question", "rewritten_question", "answer", "backend", "feedback", "citations")},
            "time": _iso(r["time"]),
            "refused": bool(r["refused"]),
            "settings_hash": r["settings_hash"],
            "options": json.loads(r["options"]),
            "record": json.loads(r["record"]),
        }
