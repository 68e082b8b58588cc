"""Ingest is incremental, survives a kill -9 and bad files, and works against a Chroma server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.search import SearchIndex, search_root
from assistant.ingest import ingest
from assistant.store import open_store

ROOT = Path(__file__).resolve().parent.parent
EXTRA = (
    "Lavrov and Blinken met in Reykjavik on Wednesday for their first face-to-face talks. "
    "The two diplomats discussed arms control, Ukraine and the Arctic Council."
)


def _chunk_ids(settings) -> list[str]:
    return sorted(cid for cid, *_ in open_store(settings).iter_chunks())


def _keyword_hits(settings, query: str) -> set[str]:
    """Articles whose chunks the keyword index (as another process would load it) finds."""
    index = SearchIndex.load(search_root(settings))
    return {cid.split("::")[0] for cid, _ in index.keyword.search(query, 1000)}


def _keyword_ids(settings) -> list[str]:
    """The chunks the search index holds, in both its parts."""
    index = SearchIndex.load(search_root(settings))
    ids = sorted(index.vectors.ids[index.vectors.alive])
    assert index.keyword.count == len(ids)
    return ids


def test_incremental_reingest_update_and_prune(tmp_path, corpus_copy):
    settings = load_settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy)
    first = ingest(settings)
    assert len(first.added) == 5 and first.ok and first.keyword_index == "rebuilt"
    ids = _chunk_ids(settings)
    assert _keyword_ids(settings) == ids
    assert "004_3d57db88cf4c69a1" in _keyword_hits(settings, "Geneva")

    again = ingest(settings)
    assert (len(again.added), len(again.updated), len(again.unchanged), again.chunks) == (0, 0, 5, 0)
    assert _chunk_ids(settings) == ids

    target = corpus_copy / "004_3d57db88cf4c69a1.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("Geneva", "Reykjavik"), encoding="utf-8")
    changed = ingest(settings)
    assert changed.updated == ["004_3d57db88cf4c69a1"] and len(changed.unchanged) == 4
    texts = " ".join(t for _, t, md, _ in open_store(settings).iter_chunks() if md["article_id"] == "004_3d57db88cf4c69a1")
    assert "Reykjavik" in texts and "Geneva" not in texts
    # BM25 took only the changed article, and answers for its new text, not the old.
    assert changed.keyword_index == "updated" and _keyword_ids(settings) == _chunk_ids(settings)
    assert "004_3d57db88cf4c69a1" in _keyword_hits(settings, "Reykjavik")
    assert "004_3d57db88cf4c69a1" not in _keyword_hits(settings, "Geneva")

    (corpus_copy / "000_c7b117bfbdb9e8ac.txt").unlink()
    kept = ingest(settings)
    assert kept.removed == [] and "000_c7b117bfbdb9e8ac" in open_store(settings).article_records()
    pruned = ingest(settings, prune=True)
    assert pruned.removed == ["000_c7b117bfbdb9e8ac"]
    assert not any(cid.startswith("000_") for cid in _chunk_ids(settings))
    assert pruned.keyword_index == "updated" and _keyword_ids(settings) == _chunk_ids(settings)


def test_bad_files_do_not_stop_the_batch_or_lose_indexed_articles(tmp_path, corpus_copy):
    settings = load_settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy)
    ingest(settings)
    before = _chunk_ids(settings)
    (corpus_copy / "empty.txt").write_text("")
    (corpus_copy / "image.txt").write_bytes(b"\x00\x01\x02" * 100)
    (corpus_copy / "new.txt").write_text(EXTRA)
    # A broken new version of an indexed article keeps the old one indexed.
    (corpus_copy / "003_08c392e7a666dffc.txt").write_bytes(b"\xff\xfe bad bytes")
    report = ingest(settings)
    assert not report.ok
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert set(failed) == {"empty.txt", "image.txt", "003_08c392e7a666dffc.txt"}
    assert report.added == ["new"]
    after = _chunk_ids(settings)
    assert set(before) < set(after)


def test_cli_exit_code_says_something_failed(tmp_path, corpus_copy):
    (corpus_copy / "empty.txt").write_text("")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "idx")}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(corpus_copy)], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert proc.returncode == 1
    assert "empty.txt" in proc.stderr and "empty file" in proc.stderr
    assert "added 5" in proc.stdout


@pytest.mark.slow
def test_ingest_killed_halfway_then_rerun_has_exactly_the_right_chunks(tmp_path):
    """kill -9 in the middle of writing, then a rerun: no chunk duplicated or missing."""
    corpus = tmp_path / "many"
    corpus.mkdir()
    base = (ROOT / "corpus" / "002_d0187ede492b4fe4.txt").read_text(encoding="utf-8")
    for n in range(60):
        (corpus / f"a{n:03}.txt").write_text(f"Story number {n} of the wire.\n\n" + base.replace("Trump", f"Trump{n}"), encoding="utf-8")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "idx"), "ASSISTANT_EMBED_BATCH_SIZE": "8"}
    code = (
        "import assistant.ingest as i; i.EMBED_BATCH_CHUNKS = 8; "
        "from assistant.config import load_settings; import sys; "
        f"i.ingest(load_settings(), [__import__('pathlib').Path({str(corpus)!r})])"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    settings = load_settings(index_dir=tmp_path / "idx")
    deadline = time.time() + 240
    while time.time() < deadline:
        time.sleep(0.5)
        try:
            done = len([r for r in open_store(settings).article_records().values() if r.complete])
        except Exception:
            continue
        finally:
            from assistant import store as store_module

            store_module._STORES.clear()
        if done >= 10:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 10 <= done < 60, "the kill must land in the middle of the ingest"

    report = ingest(settings, [corpus])
    assert report.ok
    records = open_store(settings).article_records()
    assert len(records) == 60 and all(r.complete for r in records.values())
    ids = _chunk_ids(settings)
    assert len(ids) == len(set(ids))
    assert len(ids) == sum(r.n_chunks for r in records.values())
    assert _keyword_ids(settings) == ids  # the BM25 index describes the store, not the killed run
    # And the rerun after a complete ingest embeds nothing.
    assert ingest(settings, [corpus]).chunks == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.3)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.server
def test_server_mode_ingests_and_answers(tmp_path, corpus_copy, chroma_server):
    from assistant.pipeline import Assistant

    settings = load_settings(index_dir=tmp_path / "local", corpus_dir=corpus_copy, chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = ingest(settings)
    assert len(report.added) == 5
    assert ingest(settings).chunks == 0
    answer = Assistant(settings).ask("Where will Biden and Putin hold their summit?")
    assert "Geneva" in answer.text and answer.citations[0].article_id == "004_3d57db88cf4c69a1"


def test_unreachable_server_is_a_clear_error(tmp_path):
    from assistant.store import StoreError

    settings = load_settings(index_dir=tmp_path / "local", chroma_host="127.0.0.1", chroma_port=_free_port())
    with pytest.raises(StoreError, match="chroma run"):
        open_store(settings)


def test_prune_from_another_folder_keeps_articles_whose_files_exist(tmp_path, corpus_copy, monkeypatch):
    settings = load_settings(index_dir=tmp_path / "idx")
    monkeypatch.chdir(corpus_copy.parent)
    ingest(settings, [Path("corpus")])
    other = tmp_path / "other"
    other.mkdir()
    (other / "new.txt").write_text(EXTRA)
    monkeypatch.chdir(other)
    report = ingest(settings, [other], prune=True)
    assert report.removed == [] and report.added == ["new"]
    assert len(open_store(settings).article_records()) == 6


def test_prune_of_jsonl_lines(tmp_path):
    import json

    settings = load_settings(index_dir=tmp_path / "idx")
    folder = tmp_path / "wire"
    folder.mkdir()
    feed = folder / "feed.jsonl"
    rows = [{"id": f"a{n}", "title": f"Story {n}", "text": EXTRA.replace("Reykjavik", f"City{n}")} for n in range(3)]
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert len(ingest(settings, [folder]).added) == 3
    feed.write_text("\n".join(json.dumps(r) for r in (rows[0], rows[2])) + "\n")
    assert ingest(settings, [folder], prune=True).removed == ["a1"]
    feed.write_bytes(b"\xff\xfe not utf-8")
    broken = ingest(settings, [folder], prune=True)
    assert broken.removed == [] and not broken.ok
    assert set(open_store(settings).article_records()) == {"a0", "a2"}


def test_jsonl_lines_without_ids_keep_them_when_a_line_above_is_removed(tmp_path):
    import json

    settings = load_settings(index_dir=tmp_path / "idx")
    folder = tmp_path / "wire"
    folder.mkdir()
    feed = folder / "feed.jsonl"
    rows = [{"title": f"Story {n}", "text": EXTRA.replace("Reykjavik", f"City{n}")} for n in range(3)]
    rows[2]["url"] = "https://example.com/story-2"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    first = ingest(settings, [folder])
    assert len(first.added) == 3 and all(i.startswith("feed-") for i in first.added)
    ids = {json.loads(line)["title"]: aid for line, aid in zip(feed.read_text().splitlines(), first.added)}
    rows[2]["text"] += " A correction was appended."  # the same URL: the same article, updated
    feed.write_text("\n".join(json.dumps(r) for r in rows[1:]) + "\n")
    again = ingest(settings, [folder], prune=True)
    assert again.added == [] and again.updated == [ids["Story 2"]] and again.unchanged == [ids["Story 1"]]
    assert again.removed == [ids["Story 0"]]
    records = open_store(settings).article_records()
    assert set(records) == {ids["Story 1"], ids["Story 2"]}
    assert records[ids["Story 1"]].source_path.endswith("feed.jsonl#L1")


@pytest.mark.server
def test_second_process_queries_while_one_ingests(tmp_path, corpus_copy, chroma_server):
    """An ingest in one process (against the server) and questions from another: every answer is
    whole and cited while the ingest runs, and the new articles are found once it is done."""
    from assistant.pipeline import Assistant

    settings = load_settings(index_dir=tmp_path / "local", corpus_dir=corpus_copy, chroma_host="127.0.0.1", chroma_port=chroma_server)
    assert ingest(settings).ok
    wire = tmp_path / "wire"
    wire.mkdir()
    base = (ROOT / "corpus" / "002_d0187ede492b4fe4.txt").read_text(encoding="utf-8")
    for n in range(30):
        (wire / f"w{n:03}.txt").write_text(f"Story number {n} of the wire.\n\n" + base.replace("Trump", f"Trump{n}"), encoding="utf-8")
    (wire / "reykjavik.md").write_text(
        "---\ntitle: Lavrov and Blinken meet in Reykjavik\noutlet: Reuters\npublished: 2021-05-20\n---\n" + EXTRA, encoding="utf-8"
    )
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "local"), "ASSISTANT_CHROMA_HOST": "127.0.0.1",
           "ASSISTANT_CHROMA_PORT": str(chroma_server), "ASSISTANT_EMBED_BATCH_SIZE": "8"}
    code = (
        "import assistant.ingest as i; i.EMBED_BATCH_CHUNKS = 8; "
        "from assistant.config import load_settings; "
        f"r = i.ingest(load_settings(), [__import__('pathlib').Path({str(wire)!r})]); assert r.ok, r.failed"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    reader = Assistant(settings)
    answers = 0
    while proc.poll() is None:
        answer = reader.ask("Where will Biden and Putin hold their summit?")
        assert "Geneva" in answer.text and answer.citations[0].article_id == "004_3d57db88cf4c69a1"
        answers += 1
    assert proc.returncode == 0
    assert answers >= 3, "the questions must overlap the ingest"
    after = reader.ask("Where did Lavrov and Blinken meet for their first face-to-face talks?")
    assert "Reykjavik" in after.text and after.citations[0].title == "Lavrov and Blinken meet in Reykjavik"


def test_records_of_an_older_index_move_to_the_table(tmp_path, corpus_copy):
    """Indexes from before the move kept article records in a Chroma collection: they are
    copied over on open, and nothing is re-embedded."""
    import json
    import sqlite3
    from dataclasses import replace

    from assistant import store as store_module

    settings = load_settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy)
    ingest(settings)
    store = open_store(settings)
    records = store.article_records()
    texts = {aid: store.article_text(aid) for aid in records}
    # Put the records back the way older versions kept them.
    old = store.client.get_or_create_collection(f"{store.name}-articles", embedding_function=None)
    with sqlite3.connect(store.table.path) as db:
        rows = db.execute("SELECT article_id, meta, text FROM articles").fetchall()
        old.add(ids=[r[0] for r in rows], embeddings=[[1.0]] * len(rows), metadatas=[json.loads(r[1]) for r in rows],
                documents=[r[2] for r in rows])
        db.execute("DELETE FROM articles")
    store_module._STORES.clear()

    # What the older layout held, read the way it was read (Chroma's float metadata can come
    # back a digit short: `ingested_at` 1795459828.0609221 as 1795459828.060922).
    got = old.get(include=["metadatas"])
    held = {aid: store_module.record_from(aid, md) for aid, md in zip(got["ids"], got["metadatas"])}

    reopened = open_store(settings)
    migrated = reopened.article_records()
    assert migrated == held
    assert {a: replace(r, ingested_at=0) for a, r in migrated.items()} == {a: replace(r, ingested_at=0) for a, r in records.items()}
    assert {aid: reopened.article_text(aid) for aid in records} == texts
    again = ingest(settings)
    assert (len(again.unchanged), again.chunks, again.keyword_index) == (5, 0, "unchanged")


def test_search_index_of_an_older_version_is_rebuilt_by_the_next_ingest(tmp_path, corpus_copy, monkeypatch):
    """An index whose terms lack the publication year (made by an older version) still
    answers, and the next ingest rebuilds it though no article changed; so is one that tantivy
    can no longer open (another index format), which `assistant check` names."""
    from assistant import keyword, search
    from assistant.health import SEARCH, inspect_index
    from assistant.text import terms

    settings = load_settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy)
    monkeypatch.setattr(search, "INDEX_VERSION", "4")
    monkeypatch.setattr(keyword, "chunk_terms", lambda text, md: terms(f"{md.get('title', '')} {text}"))
    assert ingest(settings).keyword_index == "rebuilt"
    assert _keyword_hits(settings, "2020") == set()  # the 2020 article's text never says "2020"
    monkeypatch.undo()

    again = ingest(settings)
    assert len(again.unchanged) == 5 and again.keyword_index == "rebuilt"
    assert _keyword_hits(settings, "2020") == {"003_08c392e7a666dffc"}
    assert ingest(settings).keyword_index == "unchanged"

    import tantivy

    monkeypatch.setattr(tantivy.Index, "is_compatible", staticmethod(lambda path: False))
    part = inspect_index(settings).part(SEARCH)
    assert part.path.endswith("keyword") and "written by another version of tantivy" in part.problem
    assert ingest(settings).keyword_index == "rebuilt"  # `assistant repair` (test_repair) rebuilds it too
    monkeypatch.undo()
    assert inspect_index(settings).part(SEARCH).ok and _keyword_hits(settings, "2020") == {"003_08c392e7a666dffc"}

    # The keyword index of the versions before tantivy (`bm25/`): named by `check`, replaced by the next ingest.
    (settings.index_dir / "bm25" / settings.collection_name).mkdir(parents=True)
    (search_root(settings) / "STATE").unlink()
    part = inspect_index(settings).part(SEARCH)
    assert part.ok and "older version" in part.summary and "next `assistant ingest` rebuilds it" in part.note
    assert ingest(settings).keyword_index == "rebuilt" and not (settings.index_dir / "bm25").exists()


def _ingest_cli(*args: str, index: Path, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index), **env}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_cli_names_skipped_formats_and_fails_when_nothing_could_be_ingested(tmp_path):
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "report.pdf").write_bytes(b"%PDF-1.4 not an article")
    (pdfs / "memo.docx").write_bytes(b"PK\x03\x04")
    proc = _ingest_cli(str(pdfs), index=tmp_path / "idx")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "skipped 2" in proc.stdout
    assert f"{pdfs / 'report.pdf'}: unsupported format .pdf; convert it to .txt or .html" in proc.stderr
    assert "memo.docx: unsupported format .docx" in proc.stderr
    assert "nothing" in proc.stderr and str(pdfs) in proc.stderr
    as_json = _ingest_cli(str(pdfs), "--json", index=tmp_path / "idx")
    assert as_json.returncode == 1
    skipped = json.loads(as_json.stdout)["skipped"]
    assert [Path(s["path"]).name for s in skipped] == ["memo.docx", "report.pdf"]
    assert skipped[1]["reason"].startswith("unsupported format .pdf")
    # Beside an article, a skipped file is named and the article ingested: nothing failed.
    (pdfs / "good.txt").write_text(EXTRA)
    mixed = _ingest_cli(str(pdfs), index=tmp_path / "idx")
    assert mixed.returncode == 0, mixed.stderr
    assert "added 1" in mixed.stdout and "skipped 2" in mixed.stdout and "report.pdf" in mixed.stderr


def test_a_file_name_cannot_forge_lines_in_the_summary(tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "x\nadded 99, failed 0.txt").write_text("")
    proc = _ingest_cli(str(folder), index=tmp_path / "idx")
    assert proc.returncode == 1
    assert "x\\nadded 99, failed 0.txt: empty file" in proc.stderr, proc.stderr
    assert not any(line.startswith("added 99") for line in (proc.stdout + proc.stderr).splitlines())


def test_unreadable_folder_and_broken_link_are_reported_and_prune_keeps_their_articles(tmp_path):
    corpus = tmp_path / "corpus"
    sub = corpus / "sub"
    sub.mkdir(parents=True)
    (corpus / "a.txt").write_text(EXTRA)
    (sub / "b.txt").write_text(EXTRA.replace("Reykjavik", "Oslo"))
    settings = load_settings(index_dir=tmp_path / "idx")
    assert sorted(ingest(settings, [corpus]).added) == ["a", "b"]
    (corpus / "gone.txt").symlink_to(corpus / "nowhere.txt")
    (corpus / "new.txt").write_text(EXTRA.replace("Reykjavik", "Helsinki"))
    sub.chmod(0)
    try:
        report = ingest(settings, [corpus], prune=True)
    finally:
        sub.chmod(0o755)
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert "gone.txt" in failed and "nowhere.txt" in failed["gone.txt"]
    assert report.added == ["new"] and "a" in report.unchanged and report.removed == []
    assert set(open_store(settings).article_records()) == {"a", "b", "new"}  # b's folder could not be read: b stays
    if os.geteuid() == 0:
        pytest.skip("root reads a folder whatever its mode; the broken link and prune were checked")
    assert "sub" in failed and "folder" in failed["sub"]


def test_a_missing_embedding_model_is_named_and_changes_nothing(tmp_path):
    from assistant.embed import EmbeddingModelError

    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text(EXTRA)
    index = tmp_path / "idx"
    assert ingest(load_settings(index_dir=index), [one]).added == ["a"]
    before = sorted(p.name for p in index.iterdir())
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbeddingModelError, match="ASSISTANT_EMBEDDING_MODEL") as err:
        ingest(load_settings(index_dir=index, embedding_model=str(missing)), [one])
    assert str(missing) in str(err.value)
    assert sorted(p.name for p in index.iterdir()) == before  # no table for the bad model
    collections = lambda: sorted(getattr(c, "name", c) for c in open_store(load_settings(index_dir=index)).client.list_collections())
    assert collections() == [load_settings(index_dir=index).collection_name]  # nor a collection
    proc = _ingest_cli(str(one), index=index, ASSISTANT_EMBEDDING_MODEL=str(missing))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(missing) in proc.stderr and "ASSISTANT_EMBEDDING_MODEL" in proc.stderr
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_EMBEDDING_MODEL": str(missing)}
    ask = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "Where did Lavrov and Blinken meet?"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert ask.returncode == 2 and str(missing) in ask.stderr and "empty" not in ask.stderr, ask.stderr
    assert sorted(p.name for p in index.iterdir()) == before and len(collections()) == 1


def test_a_device_this_machine_lacks_is_a_clear_error(tmp_path):
    import torch

    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text(EXTRA)
    cuda = "cuda:99" if torch.cuda.is_available() else "cuda"
    for device in ("banana", cuda):
        proc = _ingest_cli(str(one), index=tmp_path / "idx", ASSISTANT_DEVICE=device)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "ASSISTANT_DEVICE" in proc.stderr and repr(device) in proc.stderr
        assert all(d in proc.stderr for d in ("cpu", "cuda", "mps")), proc.stderr


def test_a_file_named_like_an_indexed_one_in_another_folder_is_refused_not_an_update(tmp_path):
    """siteA/index.txt, then siteB/index.txt in another run: one id, two files. The second is a
    failure naming both, and the first stays as it was; the same file again still updates."""
    site_a, site_b = tmp_path / "siteA", tmp_path / "siteB"
    site_a.mkdir()
    site_b.mkdir()
    (site_a / "index.txt").write_text(EXTRA)
    (site_b / "index.txt").write_text(EXTRA.replace("Reykjavik", "Oslo"))
    settings = load_settings(index_dir=tmp_path / "idx")
    assert ingest(settings, [site_a]).added == ["index"]
    store = open_store(settings)

    clash = ingest(settings, [site_b])
    assert (clash.added, clash.updated, clash.unchanged) == ([], [], []) and not clash.ok
    (failure,) = clash.failed
    assert failure.path == str(site_b / "index.txt")
    assert str(site_a / "index.txt") in failure.reason and "rename" in failure.reason.lower() and "id" in failure.reason
    record = store.article_records()["index"]
    assert record.source_path == str(site_a / "index.txt") and "Reykjavik" in store.article_text("index")
    assert "Oslo" not in " ".join(t for _, t, _, _ in store.iter_chunks())
    # A copy with the same text is no move either, while the first file is there.
    (site_b / "index.txt").write_text(EXTRA)
    assert not ingest(settings, [site_b], prune=True).ok
    assert store.article_records()["index"].source_path == str(site_a / "index.txt")
    # Both folders in one run: the file already indexed keeps its id, whatever the order.
    both = ingest(settings, [site_b, site_a])
    assert both.unchanged == ["index"] and [f.path for f in both.failed] == [str(site_b / "index.txt")]

    # The same file, changed: updated as before.
    (site_a / "index.txt").write_text(EXTRA + " They agreed to meet again.")
    assert ingest(settings, [site_a]).updated == ["index"]
    # Given its own id, the second file is an article of its own.
    (site_b / "metadata.toml").write_text('["index.txt"]\nid = "siteB-index"\n')
    assert ingest(settings, [site_b]).added == ["siteB-index"]
    # A file that moved (the old path gone) keeps its article, changed or not.
    site_c = tmp_path / "siteC"
    site_a.rename(site_c)
    moved = ingest(settings, [site_c], prune=True)
    assert moved.unchanged == ["index"] and moved.ok and moved.removed == []
    assert store.article_records()["index"].source_path == str(site_c / "index.txt")
    site_d = tmp_path / "siteD"
    site_c.rename(site_d)
    (site_d / "index.txt").write_text(EXTRA + " They agreed to meet in June.")
    assert ingest(settings, [site_d]).updated == ["index"]
    assert store.article_records()["index"].source_path == str(site_d / "index.txt")
    # Given an id of its own, the file's article is indexed under it, and the old id goes.
    (site_d / "metadata.toml").write_text('["index.txt"]\nid = "siteD-index"\n')
    renamed = ingest(settings, [site_d])
    assert renamed.added == ["siteD-index"] and renamed.removed == ["index"] and renamed.ok
    assert set(store.article_records()) == {"siteB-index", "siteD-index"}


def test_jsonl_lines_with_an_id_used_by_another_file_are_refused(tmp_path):
    settings = load_settings(index_dir=tmp_path / "idx")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(json.dumps({"id": "w1", "text": EXTRA}) + "\n")
    two.write_text(json.dumps({"id": "w1", "text": EXTRA.replace("Reykjavik", "Oslo")}) + "\n")
    assert ingest(settings, [one]).added == ["w1"]
    clash = ingest(settings, [two])
    assert clash.updated == [] and [f.path for f in clash.failed] == [f"{two}#L1"]
    assert f"{one}#L1" in clash.failed[0].reason
    # The same file with a line added above: the same source, not a clash.
    one.write_text(json.dumps({"id": "w0", "text": EXTRA.replace("Reykjavik", "Riga")}) + "\n" + one.read_text())
    again = ingest(settings, [one])
    assert again.ok and again.added == ["w0"] and again.unchanged == ["w1"]
    assert open_store(settings).article_records()["w1"].source_path == f"{one}#L2"
    # A line moved to another file, both read in one run: the same article, from its new place.
    one.write_text(one.read_text().splitlines()[0] + "\n")
    two.write_text(json.dumps({"id": "w1", "text": EXTRA}) + "\n")
    moved = ingest(settings, [one, two])
    assert moved.ok and moved.unchanged == ["w0", "w1"]
    assert open_store(settings).article_records()["w1"].source_path == f"{two}#L1"


def test_cli_reports_an_id_clash_and_exits_1(tmp_path):
    site_a, site_b = tmp_path / "siteA", tmp_path / "siteB"
    for site in (site_a, site_b):
        site.mkdir()
        (site / "index.txt").write_text(EXTRA.replace("Reykjavik", site.name))
    index = tmp_path / "idx"
    assert _ingest_cli(str(site_a), index=index).returncode == 0
    proc = _ingest_cli(str(site_b), index=index)
    assert proc.returncode == 1 and "updated 1" not in proc.stdout, proc.stdout
    assert str(site_b / "index.txt") in proc.stderr and str(site_a / "index.txt") in proc.stderr


def test_files_named_in_other_scripts_are_articles_of_their_own(tmp_path, monkeypatch):
    from assistant import load

    folder = tmp_path / "ru"
    folder.mkdir()
    (folder / "путин.txt").write_text(EXTRA.replace("Reykjavik", "Moscow"))
    (folder / "кремль.txt").write_text(EXTRA.replace("Reykjavik", "Kazan"))
    settings = load_settings(index_dir=tmp_path / "idx")
    # An index made when both names became "article" (one of them refused in that run).
    monkeypatch.setattr(load, "slug", lambda text: "article")
    assert ingest(settings, [folder]).added == ["article"]
    monkeypatch.undo()
    report = ingest(settings, [folder])
    assert sorted(report.added) == ["кремль", "путин"] and report.ok
    assert report.removed == ["article"]  # its file is indexed under its new id: no duplicate left
    assert set(open_store(settings).article_records()) == {"кремль", "путин"}
    assert _keyword_hits(settings, "Kazan") == {"кремль"} and _keyword_hits(settings, "Moscow") == {"путин"}
    assert ingest(settings, [folder]).unchanged == ["кремль", "путин"]


def test_a_broken_metadata_toml_changes_nothing_indexed(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "a.txt").write_text(EXTRA)
    (folder / "b.txt").write_text(EXTRA.replace("Reykjavik", "Oslo"))
    good = '["a.txt"]\noutlet = "Example Wire"\npublished = 2021-05-19\n["b.txt"]\noutlet = "Example Wire"\n'
    (folder / "metadata.toml").write_text(good)
    settings = load_settings(index_dir=tmp_path / "idx")
    assert sorted(ingest(settings, [folder]).added) == ["a", "b"]
    store = open_store(settings)
    before = store.article_records()
    chunks = _chunk_ids(settings)
    (folder / "c.txt").write_text(EXTRA.replace("Reykjavik", "Helsinki"))
    for broken in (good.replace('["b.txt"]', '["b.txt"'), good + 'outlett = "Wire"\n'):
        (folder / "metadata.toml").write_text(broken)
        report = ingest(settings, [folder], prune=True)
        assert (report.added, report.updated, report.removed) == ([], [], []) and not report.ok
        failed = {Path(f.path).name: f.reason for f in report.failed}
        assert set(failed) == {"metadata.toml", "a.txt", "b.txt", "c.txt"}
        assert all("metadata.toml" in reason for reason in failed.values())
        after = store.article_records()
        assert {a: (r.meta, r.content_hash) for a, r in after.items()} == {a: (r.meta, r.content_hash) for a, r in before.items()}
        assert after["a"].meta.outlet == "Example Wire" and after["a"].meta.published.isoformat() == "2021-05-19"
        assert _chunk_ids(settings) == chunks
    (folder / "metadata.toml").write_text(good)
    fixed = ingest(settings, [folder])
    assert fixed.ok and fixed.added == ["c"] and sorted(fixed.unchanged) == ["a", "b"]
