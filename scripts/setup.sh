#!/usr/bin/env bash
# Creates .venv and installs the project (and, with --test, its test tools and Chromium).
# Safe to rerun: it does nothing when pyproject.toml has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

find_links=$(pip config list 2>/dev/null | sed -n "s/^global.find-links='\(.*\)'$/\1/p" | head -n 1 || true)
uv() {
  if command -v uv >/dev/null 2>&1; then command uv "$@"; else python3 -m uv "$@"; fi
}
if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
  # A Debian system Python refuses plain `pip install` (PEP 668); uv is a standalone tool.
  python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --user --break-system-packages uv
fi
[ -x .venv/bin/python ] || uv venv --quiet .venv --python python3

extras=""
[ "$with_test" = 1 ] && extras="[test]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras:+-test}"
if [ ! -f "$stamp" ]; then
  # torch first, the CPU build: from pip's find-links folder where there is one (this project's
  # machines keep the wheel there), else uv's CPU backend; an unpinned torch pulls CUDA packages.
  if [ -n "$find_links" ]; then
    uv pip install --quiet --python .venv/bin/python --compile-bytecode --find-links "$find_links" "torch==2.13.0"
  else
    uv pip install --quiet --python .venv/bin/python --compile-bytecode --torch-backend cpu "torch==2.13.0"
  fi
  uv pip install --quiet --python .venv/bin/python --compile-bytecode ${find_links:+--find-links "$find_links"} -e ".${extras}"
  touch "$stamp"
fi

if [ "$with_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  fi
fi
