"""The answer log: real SQLite files, real Answer records, several threads and processes' worth of writers."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import pytest

from assistant.feedback import AnswerLog
from assistant.records import Answer, Citation


def make_answer(question: str = "Where will Biden and Putin meet?", refused: bool = False) -> Answer:
    citation = Citation(
        key=1,
        article_id="004_3d57db88cf4c69a1",
        title="Hopes for defrosting relations as Biden and Putin meet",
        outlet="The Truth International",
        author="Palwasha Khattak",
        published=date(2021, 6, 15),
        url=None,
        passage="For Putin, the summit in Geneva will be all about demonstrating that his country is taken seriously.",
        start=700,
        end=800,
    )
    if refused:
        return Answer(question, "The indexed articles do not answer this question.", [], True, "offline")
    return Answer(question, "The summit is in Geneva. [1]", [citation], False, "offline", config_hash="abc123")


def test_record_and_recent_are_print_friendly(tmp_path):
    log = AnswerLog(tmp_path / "answers.sqlite")
    first = log.record(make_answer(), "abc123", {"backend": "offline", "k": 6})
    second = log.record(make_answer("Who won?", refused=True), "abc123", {"backend": "offline", "k": 6})
    assert second > first

    newest, oldest = log.recent(10)
    assert newest["id"] == second and oldest["id"] == first
    assert set(oldest) >= {"id", "time", "question", "answer", "refused", "backend", "feedback", "citations"}
    assert oldest == {
        "id": first,
        "time": oldest["time"],
        "question": "Where will Biden and Putin meet?",
        "rewritten_question": None,
        "answer": "The summit is in Geneva. [1]",
        "refused": False,
        "backend": "offline",
        "feedback": None,
        "citations": 1,
    }
    assert newest["refused"] is True and newest["citations"] == 0
    assert oldest["time"].endswith("Z") and oldest["time"][:4].isdigit()
    assert all(isinstance(v, (str, int, bool, type(None))) for v in oldest.values())
    assert len(log.recent(1)) == 1


def test_full_entry_keeps_options_settings_hash_and_answer(tmp_path):
    log = AnswerLog(tmp_path / "answers.sqlite")
    answer = make_answer("and what about the venue?")
    answer.rewritten_question = "what about the venue? (Biden Putin meet)"
    entry_id = log.record(answer, "abc123", {"backend": "offline", "outlets": ["RT"], "since": "2021-01-01"})
    entry = log.get(entry_id)
    assert entry["rewritten_question"] == "what about the venue? (Biden Putin meet)"
    assert entry["settings_hash"] == "abc123"
    assert entry["options"] == {"backend": "offline", "outlets": ["RT"], "since": "2021-01-01"}
    assert entry["record"]["citations"][0]["passage"].startswith("For Putin, the summit in Geneva")
    assert entry["record"]["evidence_dates"] == {"earliest": "2021-06-15", "latest": "2021-06-15"}
    assert log.get(entry_id + 100) is None


def test_feedback_up_down_and_cleared(tmp_path):
    log = AnswerLog(tmp_path / "answers.sqlite")
    entry_id = log.record(make_answer(), "h", {})
    log.feedback(entry_id, +1)
    assert log.recent(1)[0]["feedback"] == 1
    log.feedback(entry_id, -1)
    assert log.recent(1)[0]["feedback"] == -1
    log.feedback(entry_id, 0)
    assert log.recent(1)[0]["feedback"] is None


def test_feedback_rejects_bad_values_and_unknown_ids(tmp_path):
    log = AnswerLog(tmp_path / "answers.sqlite")
    entry_id = log.record(make_answer(), "h", {})
    with pytest.raises(ValueError, match=r"\+1, -1 or 0"):
        log.feedback(entry_id, 5)
    with pytest.raises(KeyError, match="no answer with id 999"):
        log.feedback(999, 1)


def test_log_survives_reopening_and_is_plain_sqlite(tmp_path):
    path = tmp_path / "nested" / "answers.sqlite"
    entry_id = AnswerLog(path).record(make_answer(), "h", {"k": 3})
    AnswerLog(path).feedback(entry_id, 1)
    assert AnswerLog(path).recent(5)[0]["feedback"] == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT question, feedback FROM answers").fetchall() == [
            ("Where will Biden and Putin meet?", 1)
        ]


def test_concurrent_writers_lose_nothing(tmp_path):
    log = AnswerLog(tmp_path / "answers.sqlite")
    ids: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for i in range(10):
            entry_id = log.record(make_answer(f"question {n}-{i}"), "h", {"n": n})
            log.feedback(entry_id, 1 if i % 2 else -1)
            with lock:
                ids.append(entry_id)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 80
    rows = log.recent(100)
    assert len(rows) == 80 and all(r["feedback"] in (1, -1) for r in rows)
