"""A damaged index: `check` names the part and file and the repair command (exit 1); `ask`,
`ui` and `ingest` refuse in one line; `repair` rebuilds it from what still holds the facts.

Each test damages a copy of one real index (real Chroma, real MiniLM) built by the CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Where will Biden and Putin hold their summit?"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, Path]:
    """(index, corpus): the bundled corpus copied, and indexed by `assistant ingest` in another
    process, so that no Chroma client of this one has the index open."""
    base = tmp_path_factory.mktemp("pristine")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    proc = _run_cli("ingest", str(corpus), "--index", str(base / "index"))
    assert proc.returncode == 0, proc.stderr
    return base / "index", corpus


@pytest.fixture
def index(pristine, tmp_path) -> Path:
    dest = tmp_path / "index"
    shutil.copytree(pristine[0], dest)
    return dest


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)


def _cli(*args: str):
    return CliRunner().invoke(app, list(args))


def _collection(index: Path) -> str:
    return load_settings(index_dir=index).collection_name


def _table(index: Path) -> Path:
    return index / f"chunks-{_collection(index)}.sqlite"


def _search(index: Path) -> Path:
    return index / "search" / _collection(index)


def _tantivy_segment(index: Path) -> Path:
    return next((_search(index) / "keyword").glob("*.idx"))


def _sql(index: Path, *statements: str) -> None:
    with sqlite3.connect(_table(index)) as db:
        for statement in statements:
            db.execute(statement)


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(20_000))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _drop_vectors(index: Path) -> None:
    """Chroma loses three chunks' vectors (in another process, as a user's tool would)."""
    code = (
        "import chromadb, sys; c = chromadb.PersistentClient(path=sys.argv[1]).get_collection(sys.argv[2]); "
        "c.delete(ids=c.get(limit=3)['ids'])"
    )
    subprocess.run([sys.executable, "-c", code, str(index), _collection(index)], check=True, timeout=120)


#: name -> (damage, the part `check` must name, a piece of the path it must name)
DAMAGES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "chroma.sqlite3 garbage": (lambda i: _garbage(i / "chroma.sqlite3"), "vector store", "chroma.sqlite3"),
    "chroma.sqlite3 truncated": (lambda i: _truncate(i / "chroma.sqlite3", 50_000), "vector store", "chroma.sqlite3"),
    "chroma.sqlite3 emptied": (lambda i: _truncate(i / "chroma.sqlite3", 0), "vector store", "chroma.sqlite3"),
    "chroma.sqlite3 deleted": (lambda i: (i / "chroma.sqlite3").unlink(), "vector store", "chroma.sqlite3"),
    "chroma lost vectors": (_drop_vectors, "vector store", "chroma.sqlite3"),
    "STATE deleted": (lambda i: (_search(i) / "STATE").unlink(), "search index", "STATE"),
    "tantivy meta.json garbage": (lambda i: (_search(i) / "keyword" / "meta.json").write_text("{not json"), "search index", "keyword"),
    "tantivy meta.json deleted": (lambda i: (_search(i) / "keyword" / "meta.json").unlink(), "search index", "keyword"),
    "tantivy segment file deleted": (lambda i: _tantivy_segment(i).unlink(), "search index", "keyword"),
    "tantivy folder deleted": (lambda i: shutil.rmtree(_search(i) / "keyword"), "search index", "keyword"),
    "vector file manifest deleted": (lambda i: (_search(i) / "vectors" / "manifest.json").unlink(), "search index", "vectors"),
    "vector file ids truncated": (lambda i: _truncate(_search(i) / "vectors" / "ids.txt", 200), "search index", "vectors"),
    "vector file vectors truncated": (lambda i: _truncate(_search(i) / "vectors" / "vectors.f32", 1000), "search index", "vectors"),
    "chunk table garbage": (lambda i: _garbage(_table(i)), "chunk table", "chunks-"),
    "chunk table truncated": (lambda i: _truncate(_table(i), 8192), "chunk table", "chunks-"),
    "chunk table deleted": (lambda i: _garbage(_table(i)) or _table(i).unlink(), "chunk table", "chunks-"),
    "chunk table missing rows": (
        lambda i: _sql(i, "DELETE FROM chunks WHERE rowid IN (SELECT rowid FROM chunks ORDER BY rowid DESC LIMIT 3)"),
        "chunk table", "chunks-",
    ),
    "chunks table dropped": (lambda i: _sql(i, "DROP TABLE chunks"), "chunk table", "chunks-"),
    "articles table dropped": (lambda i: _sql(i, "DROP TABLE articles"), "chunk table", "chunks-"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_check_names_the_damaged_part_and_repair_restores_answers(index, damage):
    harm, part, file = DAMAGES[damage]
    harm(index)
    repair = f"assistant repair --index {index}"

    check = _cli("check", "--index", str(index))
    assert check.exit_code == 1, check.output
    failed = [line for line in check.stdout.splitlines() if line.startswith(f"FAIL  {part} ")]
    assert failed and file in failed[0] and f"`{repair}`" in failed[0], check.stdout
    assert f"FAIL  index damaged ({part}" in check.stdout

    ask = _cli("ask", QUESTION, "--index", str(index))
    assert ask.exit_code == 2, ask.output  # a traceback would be exit 1
    error = ask.stderr.strip()
    assert len(error.splitlines()) == 1 and "is damaged" in error and f"`{repair}`" in error, error

    fixed = _cli("repair", "--index", str(index))
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout.rstrip().endswith("the index is sound"), fixed.stdout

    again = _cli("check", "--index", str(index))
    assert again.exit_code == 0 and "ok    index is sound" in again.stdout and "FAIL" not in again.stdout, again.stdout
    answer = _cli("ask", QUESTION, "--index", str(index), "--json")
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.stdout)
    assert "Geneva" in data["answer"] and data["citations"][0]["article_id"] == "004_3d57db88cf4c69a1"
    sources = json.loads(_cli("sources", "--index", str(index), "--json").stdout)
    assert len(sources) == 5  # every article whose file is there is back


def test_a_healthy_index_is_reported_sound_part_by_part(index):
    check = _cli("check", "--index", str(index))
    assert check.exit_code == 0, check.output
    for part, holds in (("chunk table", "5 articles, 11 chunks"), ("vector store", "11 vectors"), ("search index", "11 chunks")):
        assert any(line.startswith(f"ok    {part} ") and line.endswith(holds) for line in check.stdout.splitlines()), check.stdout
    assert "ok    index is sound" in check.stdout
    assert "nothing to repair" in _cli("repair", "--index", str(index)).stdout


def test_an_empty_index_is_not_damaged(tmp_path):
    check = _cli("check", "--index", str(tmp_path / "new"))
    assert check.exit_code == 0 and "info  index is empty; run `assistant ingest`" in check.stdout, check.stdout


def test_a_lost_vector_store_comes_back_from_the_vector_file(index):
    """A chunk's vector is kept in Chroma, and derived into the search index's vector file: a
    lost Chroma is made again from that file, with nothing embedded."""
    (index / "chroma.sqlite3").unlink()
    fixed = _cli("repair", "--index", str(index))
    assert fixed.exit_code == 0 and "from the search index's vector file: 11 vectors (nothing embedded)" in fixed.stdout, fixed.stdout


def test_a_lost_vector_store_and_vector_file_come_back_from_the_texts(index):
    """Where the vector file is lost too, the chunk table's texts are embedded again."""
    (index / "chroma.sqlite3").unlink()
    (_search(index) / "vectors" / "manifest.json").unlink()
    fixed = _cli("repair", "--index", str(index))
    assert fixed.exit_code == 0 and "embedded 5 again from the texts" in fixed.stdout, fixed.stdout
    assert fixed.stdout.rstrip().endswith("the index is sound"), fixed.stdout
    answer = json.loads(_cli("ask", QUESTION, "--index", str(index), "--json").stdout)
    assert "Geneva" in answer["answer"] and answer["citations"][0]["article_id"] == "004_3d57db88cf4c69a1"


def test_an_index_an_older_version_built_is_named_and_ingest_builds_this_one(pristine, tmp_path, monkeypatch):
    """A version that keeps its parts otherwise (INDEX_VERSION) names another collection: its
    files are left alone, `ask` and `check` say the folder holds them, and `ingest` builds this
    version's index beside them."""
    from assistant import config
    from assistant.ingest import ingest

    index = tmp_path / "index"
    current = config.INDEX_VERSION
    monkeypatch.setattr(config, "INDEX_VERSION", "older")
    assert ingest(load_settings(index_dir=index), [pristine[1]]).ok
    old_table = _table(index)
    monkeypatch.setattr(config, "INDEX_VERSION", current)

    ask = _cli("ask", QUESTION, "--index", str(index))
    assert ask.exit_code == 2 and "is empty" in ask.stderr and old_table.name in ask.stderr, ask.output
    check = _cli("check", "--index", str(index))
    assert check.exit_code == 0 and old_table.name in check.stdout, check.stdout
    assert _cli("ingest", str(pristine[1]), "--index", str(index)).exit_code == 0
    answer = _cli("ask", QUESTION, "--index", str(index))
    assert answer.exit_code == 0 and "Geneva" in answer.stdout, answer.output
    assert old_table.exists()


def test_the_real_cli_gives_one_line_not_a_traceback(index):
    """ask, ingest and ui as a user runs them: one line naming the part and the repair, exit 2."""
    (_search(index) / "keyword" / "meta.json").write_text("{}")  # found when the keyword index is opened
    (index / "chroma.sqlite3").unlink()  # ingest said "unchanged" to this, and ask "empty, run ingest"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    for args in (("ask", QUESTION), ("ingest",), ("ui", "--port", port)):
        proc = _run_cli(*args, "--index", str(index))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and f"assistant repair --index {index}" in proc.stderr, proc.stderr
    proc = _run_cli("repair", "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    proc = _run_cli("ask", QUESTION, "--index", str(index))
    assert proc.returncode == 0 and "Geneva" in proc.stdout, proc.stderr


def test_ask_that_fails_on_damage_found_late_names_it(index):
    """Damage the quick look before a question does not read (the vector file's rows) still
    ends in one line naming the file, not a traceback."""
    _truncate(_search(index) / "vectors" / "ids.txt", 200)
    ask = _cli("ask", QUESTION, "--index", str(index))
    assert ask.exit_code == 2 and "vectors" in ask.stderr and "assistant repair" in ask.stderr, ask.output


def test_lost_chunk_rows_are_rebuilt_from_the_stored_texts_without_the_source_files(index, monkeypatch):
    from assistant import repair as repair_module
    from assistant.repair import repair_index

    _sql(index, "DELETE FROM chunks WHERE article_id = '004_3d57db88cf4c69a1'")
    monkeypatch.setattr(repair_module, "ingest", lambda *a, **k: pytest.fail("no source file is read"))
    report = repair_index(load_settings(index_dir=index))
    assert any("chunked and embedded again 1 article(s)" in a for a in report.actions), report.actions
    assert not report.after.damaged and not report.lost


def test_a_lost_chunk_table_comes_back_from_the_recorded_sources_and_names_what_cannot(index, pristine, tmp_path):
    """The chunk table, which names every article's file, is unreadable: the paths ingest was
    given (recorded beside it) are ingested again; an article whose file is gone is named."""
    corpus = tmp_path / "corpus"
    shutil.copytree(pristine[1], corpus)
    (corpus / "000_c7b117bfbdb9e8ac.txt").unlink()
    sources = index / f"sources-{_collection(index)}.json"
    assert [Path(p) for p in json.loads(sources.read_text())["paths"]] == [pristine[1].resolve()]
    sources.write_text(json.dumps({"paths": [str(corpus)]}))
    _garbage(_table(index))

    fixed = _cli("repair", "--index", str(index))
    assert fixed.exit_code == 0, fixed.output
    assert "moved the damaged chunk table" in fixed.stdout and "damaged-" in fixed.stdout
    assert "4 articles added" in fixed.stdout and "000_c7b117bfbdb9e8ac" in fixed.stdout, fixed.stdout
    aside = next(index.glob("damaged-*"))
    assert (aside / _table(index).name).stat().st_size == 20_000  # kept, not deleted
    ids = {r["id"] for r in json.loads(_cli("sources", "--index", str(index), "--json").stdout)}
    assert len(ids) == 4 and "000_c7b117bfbdb9e8ac" not in ids
    assert _cli("check", "--index", str(index)).exit_code == 0


def test_ingest_records_the_paths_it_is_given(tmp_path):
    from assistant.ingest import ingest, recorded_sources

    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / f"{folder.name}.txt").write_text(
            "Lavrov and Blinken met in Reykjavik on Wednesday for their first face-to-face talks. "
            "The two diplomats discussed arms control, Ukraine and the Arctic Council."
        )
    settings = load_settings(index_dir=tmp_path / "idx")
    ingest(settings, [one])
    ingest(settings, [two / "two.txt", tmp_path / "missing"])
    ingest(settings, [one])
    assert recorded_sources(settings) == sorted([one.resolve(), (two / "two.txt").resolve()], key=str)
