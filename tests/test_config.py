"""Settings: a settings file that is missing or unreadable, and a device that does not exist,
are named with what to do, never a traceback or silently ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=dict(os.environ), cwd=ROOT, timeout=120)


def test_the_tests_read_an_empty_settings_file():
    path = Path(os.environ["ASSISTANT_CONFIG"])
    assert path.is_file() and path.read_text() == ""
    assert load_settings().top_k == 6


def _named_both_ways(path, words: str) -> None:
    """load_settings raises naming the file and `words`; the CLI says the same in one line, exit 2."""
    with pytest.raises(ConfigError, match=words) as err:
        load_settings()
    assert str(path) in str(err.value)
    proc = _cli("sources")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and words in proc.stderr


def test_assistant_config_naming_a_missing_file_is_an_error(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "assistant.toml"
    monkeypatch.setenv("ASSISTANT_CONFIG", str(missing))
    _named_both_ways(missing, "ASSISTANT_CONFIG")


def test_a_settings_file_not_in_utf8_is_named(tmp_path, monkeypatch):
    bad = tmp_path / "assistant.toml"
    bad.write_bytes('index_dir = "caf\xe9"\n'.encode("latin-1"))
    monkeypatch.setenv("ASSISTANT_CONFIG", str(bad))
    _named_both_ways(bad, "UTF-8")
    # The one in the working directory, found without ASSISTANT_CONFIG, is named too.
    monkeypatch.delenv("ASSISTANT_CONFIG")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="assistant.toml"):
        load_settings()


def test_invalid_toml_names_the_file(tmp_path, monkeypatch):
    bad = tmp_path / "settings.toml"
    bad.write_text("[unclosed\n")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(bad))
    with pytest.raises(ConfigError, match="TOML") as err:
        load_settings()
    assert str(bad) in str(err.value)


def test_an_unknown_device_is_named_with_the_devices_there_are(monkeypatch):
    monkeypatch.setenv("ASSISTANT_DEVICE", "banana")
    with pytest.raises(ValidationError) as err:
        load_settings()
    message = str(err.value)
    assert "ASSISTANT_DEVICE" in message and "'banana'" in message
    assert all(d in message for d in ("cpu", "cuda", "mps"))
    monkeypatch.delenv("ASSISTANT_DEVICE")
    for device in ("cpu", "cuda", "cuda:1", "mps"):
        assert load_settings(device=device).device == device
