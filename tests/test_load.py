"""Every accepted format loads; every bad input is reported with its path and reason."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from assistant.load import LoadFailure, Skipped, SourceItem, discover

ARTICLE = (
    "Lavrov and Blinken met in Reykjavik on Wednesday for their first face-to-face talks. "
    "The two diplomats discussed arms control, Ukraine and the Arctic Council. "
    "Both sides called the meeting constructive but said differences remained."
)


def _load(path, max_bytes=1_000_000):
    return list(discover([path], max_bytes))


def _built(path):
    (item,) = _load(path)
    assert isinstance(item, SourceItem), item
    return item.build()


def test_markdown_front_matter_sets_metadata(tmp_path):
    p = tmp_path / "reykjavik.md"
    p.write_text(f"---\ntitle: Lavrov and Blinken meet\npublished: 2021-05-19\noutlet: Example Wire\nauthor: Jane Doe\nurl: https://example.org/a\n---\n{ARTICLE}\n")
    article = _built(p)
    assert article.meta.title == "Lavrov and Blinken meet"
    assert article.meta.published.isoformat() == "2021-05-19"
    assert (article.meta.outlet, article.meta.author, article.meta.url) == ("Example Wire", "Jane Doe", "https://example.org/a")
    assert "Reykjavik" in article.text and "---" not in article.text


def test_html_goes_through_the_extractor(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(
        "<html><head><title>Lavrov and Blinken meet in Reykjavik</title>"
        '<meta property="og:site_name" content="Example Wire"></head><body>'
        "<nav><ul><li>Home</li><li>World</li><li>Subscribe</li></ul></nav>"
        f"<article><h1>Lavrov and Blinken meet in Reykjavik</h1><p>{ARTICLE}</p>"
        "<p>The talks lasted nearly two hours, officials from both delegations said afterwards.</p></article>"
        "<footer>Copyright 2021 Example Wire. All rights reserved.</footer></body></html>"
    )
    article = _built(p)
    assert "Reykjavik on Wednesday" in article.text
    assert "Subscribe" not in article.text and "All rights reserved" not in article.text
    assert article.meta.title == "Lavrov and Blinken meet in Reykjavik"


def test_jsonl_lines_are_articles_with_metadata(tmp_path):
    p = tmp_path / "wire.jsonl"
    rows = [
        {"id": "wire-1", "title": "Talks in Reykjavik", "text": ARTICLE, "source": "Example Wire", "published": "2021-05-19"},
        {"title": "Second", "text": ARTICLE.replace("Reykjavik", "Oslo")},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    items = _load(p)
    assert items[0].id == "wire-1"
    # No id: named after the text, so the name does not depend on the line's position.
    assert items[1].id.startswith("wire-") and len(items[1].id) == len("wire-") + 12
    p.write_text("\n".join(json.dumps(r) for r in rows[::-1]) + "\n")
    assert [i.id for i in _load(p)] == [items[1].id, "wire-1"]
    first = items[0].build()
    assert first.meta.outlet == "Example Wire" and first.meta.published.isoformat() == "2021-05-19"


def test_bad_inputs_are_reported_with_path_and_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 talks in Reykjav\xedk went well for both sides.".encode("latin-1"))
    (tmp_path / "huge.txt").write_text(ARTICLE * 2000)
    (tmp_path / "broken.jsonl").write_text(json.dumps({"text": ARTICLE}) + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n")
    (tmp_path / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (tmp_path / "good.txt").write_text(ARTICLE)
    results = list(discover([tmp_path], max_bytes=100_000))
    failures = {f.path.split("/")[-1]: f.reason for f in results if isinstance(f, LoadFailure)}
    assert "empty file" in failures["empty.txt"]
    assert "binary" in failures["binary.txt"]
    assert "UTF-8" in failures["latin1.txt"]
    assert "limit" in failures["huge.txt"] and "ASSISTANT_MAX_FILE_MB" in failures["huge.txt"]
    assert "line 2" in failures["broken.jsonl#L2"] and "JSON" in failures["broken.jsonl#L2"]
    assert "'text'" in failures["broken.jsonl#L3"]
    items = {i.path.split("/")[-1]: i for i in results if isinstance(i, SourceItem)}
    assert {"good.txt", "broken.jsonl#L1", "nav.html"} <= set(items)
    # An HTML page with no article fails when it is built, naming the reason.
    try:
        items["nav.html"].build()
        raise AssertionError("an HTML page with no article must not build")
    except ValueError as exc:
        assert "no article" in str(exc)


def test_common_front_matter_and_dataset_fields_are_understood(tmp_path):
    p = tmp_path / "post.md"
    p.write_text(f"---\ntitle: Talks\ndate: 2021-05-19\ntags: [diplomacy, arctic]\nauthors: [Jane Doe, John Roe]\n---\n{ARTICLE}\n")
    article = _built(p)
    assert article.meta.published.isoformat() == "2021-05-19" and article.meta.author == "Jane Doe, John Roe"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"title": "Talks", "text": ARTICLE, "category": "world", "published_at": "2021-05-19T10:00:00+00:00", "source": "Wire"}) + "\n")
    row = _built(feed)
    assert row.meta.published.isoformat() == "2021-05-19" and row.meta.outlet == "Wire"


def test_a_typo_in_metadata_toml_is_named(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "metadata.toml").write_text('["a.txt"]\noutlett = "Wire"\n')
    results = list(discover([tmp_path], 1_000_000))
    failures = [r for r in results if isinstance(r, LoadFailure)]
    assert failures and "outlett" in failures[0].reason and "metadata.toml" in failures[0].path


def _bomb(levels: int = 7) -> str:
    """A "billion laughs" front matter: each level repeats the one before nine times."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    lines.append(f"title: *a{levels - 1}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def test_a_yaml_alias_bomb_in_front_matter_is_refused_at_once(tmp_path):
    (tmp_path / "bomb.md").write_text(_bomb() + ARTICLE + "\n")
    (tmp_path / "big.md").write_text("---\n" + "".join(f"k{n}: {'x' * 60}\n" for n in range(1200)) + "---\n" + ARTICLE + "\n")
    (tmp_path / "good.txt").write_text(ARTICLE)
    started = time.perf_counter()
    results = {r.path.split("/")[-1]: r for r in discover([tmp_path], 1_000_000)}
    assert time.perf_counter() - started < 1
    assert isinstance(results["bomb.md"], LoadFailure) and "alias" in results["bomb.md"].reason
    assert isinstance(results["big.md"], LoadFailure) and "KB" in results["big.md"].reason
    assert isinstance(results["good.txt"], SourceItem)
    # Anchors that nothing refers to are harmless, and ordinary front matter still loads.
    (tmp_path / "plain.md").write_text("---\ntitle: &t Talks\n---\n" + ARTICLE + "\n")
    assert _built(tmp_path / "plain.md").meta.title == "Talks"


def test_jsonl_metadata_fields_must_be_strings(tmp_path):
    p = tmp_path / "feed.jsonl"
    rows = [
        {"title": ["a", "b"], "text": ARTICLE},
        {"title": "Talks", "source": {"name": "Wire"}, "text": ARTICLE},
        {"title": "Talks", "url": 42, "text": ARTICLE},
        {"title": "Talks", "authors": ["Jane Doe", "John Roe"], "text": ARTICLE},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    results = {r.path.split("#")[-1]: r for r in discover([p], 1_000_000)}
    for line, field in (("L1", "title"), ("L2", "source"), ("L3", "url")):
        failure = results[line]
        assert isinstance(failure, LoadFailure), failure
        assert f"line {line[1:]}" in failure.reason and f"'{field}'" in failure.reason and "string" in failure.reason
    # A list of names under `authors` is a byline, as in front matter.
    assert results["L4"].build().meta.author == "Jane Doe, John Roe"


def test_utf16_with_a_byte_order_mark_is_text(tmp_path):
    (tmp_path / "le.txt").write_bytes(b"\xff\xfe" + ARTICLE.encode("utf-16-le"))
    (tmp_path / "be.md").write_bytes(("\ufeff---\ntitle: Talks\n---\n" + ARTICLE).encode("utf-16-be"))
    (tmp_path / "bom-only.txt").write_bytes(b"\xff\xfe")
    (tmp_path / "odd.txt").write_bytes(b"\xff\xfe" + ARTICLE.encode("utf-16-le")[:-1])
    results = {Path(r.path).name: r for r in discover([tmp_path], 1_000_000)}
    assert "Reykjavik on Wednesday" in results["le.txt"].build().text
    be = results["be.md"].build()
    assert be.meta.title == "Talks" and "Reykjavik on Wednesday" in be.text
    assert isinstance(results["bom-only.txt"], LoadFailure) and "empty file" in results["bom-only.txt"].reason
    odd = results["odd.txt"]
    assert isinstance(odd, LoadFailure) and "UTF-16" in odd.reason and "binary" not in odd.reason


def test_files_of_other_formats_in_a_folder_are_reported_as_skipped(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 not an article")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "memo.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "metadata.toml").write_text('["good.txt"]\noutlet = "Wire"\n')
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "good.txt").write_text(ARTICLE)
    results = {Path(r.path).name: r for r in discover([tmp_path], 1_000_000)}
    assert set(results) == {"report.pdf", "memo.docx", "good.txt"}  # metadata.toml and hidden files are no articles
    assert isinstance(results["report.pdf"], Skipped)
    assert results["report.pdf"].reason.startswith("unsupported format .pdf; convert it to .txt or .html")
    assert isinstance(results["memo.docx"], Skipped) and "unsupported format .docx" in results["memo.docx"].reason
    assert isinstance(results["good.txt"], SourceItem)


def test_unreadable_folders_and_broken_links_are_reported(tmp_path):
    (tmp_path / "good.txt").write_text(ARTICLE)
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(ARTICLE)
    locked.chmod(0)
    try:
        results = {Path(r.path).name: r for r in discover([tmp_path], 1_000_000)}
    finally:
        locked.chmod(0o755)
    assert isinstance(results["good.txt"], SourceItem)
    gone = results["gone.txt"]
    assert isinstance(gone, LoadFailure) and "link" in gone.reason and "nowhere.txt" in gone.reason
    if os.geteuid() == 0:
        pytest.skip("root reads a folder whatever its mode; the broken link was checked")
    assert isinstance(results["locked"], LoadFailure) and "folder" in results["locked"].reason
    assert "inside.txt" not in results


def test_file_names_in_any_script_give_distinct_readable_ids(tmp_path):
    names = ["путин.txt", "кремль.txt", "日本語 ñews 🔥.txt", "日本語 ñews 🎉.txt", "ñews.txt", "news.txt",
             "n\u0303ews.txt", "🔥.txt", "समाचार.txt", "a b.txt", "000_c7b117bfbdb9e8ac.txt"]
    for n, name in enumerate(names):
        sub = tmp_path / f"d{n}"  # one folder each: two names with one id in a folder are refused
        sub.mkdir()
        (sub / name).write_text(ARTICLE)
    ids = {Path(i.path).name: i.id for i in discover([tmp_path], 1_000_000)}
    assert set(ids) == set(names)
    assert len(set(ids.values())) == len(names), ids  # never one id for two names
    assert "article" not in ids.values() and "ews" not in ids.values()
    assert ids["путин.txt"] == "путин" and ids["кремль.txt"] == "кремль" and ids["समाचार.txt"] == "समाचार"
    assert ids["ñews.txt"] == "ñews" and ids["news.txt"] == "news"
    for name in ("日本語 ñews 🔥.txt", "日本語 ñews 🎉.txt"):
        assert ids[name].startswith("日本語-ñews-"), ids[name]  # readable, and a short hash of the name
    # ASCII names keep the ids they always had, so an existing index is not re-embedded.
    assert (ids["a b.txt"], ids["000_c7b117bfbdb9e8ac.txt"]) == ("a-b", "000_c7b117bfbdb9e8ac")
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    assert sorted(i.id for i in discover([corpus], 1_000_000)) == sorted(p.stem for p in corpus.glob("*.txt"))
    # A JSONL line without an id is named after its file and text, in any script too.
    feed = tmp_path / "новости.jsonl"
    feed.write_text(json.dumps({"text": ARTICLE}) + "\n" + json.dumps({"id": "wire 1", "text": ARTICLE}) + "\n")
    first, second = _load(feed)
    assert first.id.startswith("новости-") and len(first.id) == len("новости-") + 12
    assert second.id == "wire-1"


@pytest.mark.parametrize("broken", ['["a.txt"\noutlet = "Wire"\n', '["a.txt"]\noutlet = "Wire"\noutlett = "Wire"\n'])
def test_a_broken_metadata_toml_holds_back_the_articles_of_its_folder(tmp_path, broken):
    folder = tmp_path / "site"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "feed.jsonl").write_text(json.dumps({"id": "w1", "text": ARTICLE}) + "\n")
    (folder / "sub" / "b.txt").write_text(ARTICLE)  # another folder: its own metadata (none)
    (folder / "metadata.toml").write_text(broken)
    results = {Path(r.path).name: r for r in discover([folder], 1_000_000)}
    assert isinstance(results["metadata.toml"], LoadFailure)
    for name in ("a.txt", "feed.jsonl"):
        failure = results[name]
        assert isinstance(failure, LoadFailure), failure  # not an article without its metadata
        assert "metadata.toml" in failure.reason and "kept" in failure.reason and "new" in failure.reason
    assert isinstance(results["b.txt"], SourceItem)
    # A file named on its own is held back the same way.
    alone = {Path(r.path).name: r for r in discover([folder / "a.txt"], 1_000_000)}
    assert isinstance(alone["metadata.toml"], LoadFailure)
    assert isinstance(alone["a.txt"], LoadFailure) and "metadata.toml" in alone["a.txt"].reason


def test_an_unreadable_metadata_toml_is_reported_not_raised(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "metadata.toml").write_text('["a.txt"]\noutlet = "Wire"\n')
    read_text = Path.read_text

    def denied(self, *args, **kwargs):  # as root, a file's mode does not stop the read
        if self.name == "metadata.toml":
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    results = {Path(r.path).name: r for r in discover([tmp_path], 1_000_000)}
    assert isinstance(results["metadata.toml"], LoadFailure) and "Permission denied" in results["metadata.toml"].reason
    assert isinstance(results["a.txt"], LoadFailure) and "metadata.toml" in results["a.txt"].reason
