"""Shared fixtures: every test's state lives under tmp paths; one real index is built per session."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(Path(__file__).resolve().parent))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def _empty_config(tmp_path_factory) -> Path:
    """An empty settings file, in a folder of its own (not in tmp_path, which tests ingest)."""
    path = tmp_path_factory.mktemp("settings") / "assistant.toml"
    path.write_text("")
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path, _empty_config):
    """No test reads the developer's assistant.toml, OpenAI variables or ./index: ASSISTANT_CONFIG
    names an empty settings file (a missing one is an error)."""
    for name in list(os.environ):
        if name.startswith("ASSISTANT_") or name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    _empty_config.write_text("")  # as it was, whatever a test wrote there
    monkeypatch.setenv("ASSISTANT_CONFIG", str(_empty_config))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    """An index of the bundled corpus, built once with the real model and real Chroma."""
    from assistant.config import load_settings
    from assistant.ingest import ingest

    index = tmp_path_factory.mktemp("built-index")
    report = ingest(load_settings(index_dir=index, corpus_dir=CORPUS, log_path=index / "answers.sqlite"))
    assert report.ok and len(report.added) == 5
    return index


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's chromium (scripts/setup.sh installs it when run as root)."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="no /usr/bin/chromium: sudo apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
