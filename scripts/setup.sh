#!/usr/bin/env bash
# Creates .venv and installs the project (and, with --test, its test tools and Chromium).
# Safe to rerun: it does nothing when pyproject.toml has not changed since the last install.
# Needs only python3 (3.11+) with venv and pip: uv is used where it is found, installed into
# .venv where it is not, and pip does the work if uv cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find_uv.sh

with_test=0
[ "${1:-}" = "--test" ] && with_test=1
extras=""
[ "$with_test" = 1 ] && extras="[test]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extras:+-test}"

if [ ! -f "$stamp" ]; then
  find_links=$(pip config list 2>/dev/null | sed -n "s/^global.find-links='\(.*\)'$/\1/p" | head -n 1 || true)
  # uv ignores pip's configuration: the CA bundle pip is told to trust (a proxy's) goes to uv too.
  pip_cert=$(pip config list 2>/dev/null | sed -n "s/^global.cert='\(.*\)'$/\1/p" | head -n 1 || true)
  if [ -z "${SSL_CERT_FILE:-}" ] && [ -n "$pip_cert" ] && [ -f "$pip_cert" ]; then
    export SSL_CERT_FILE="$pip_cert"
  fi
  uv_cmd=$(find_uv .venv)
  if [ -n "$uv_cmd" ]; then
    [ -x .venv/bin/python ] || $uv_cmd venv --quiet .venv --python python3
    install() { $uv_cmd pip install --quiet --python .venv/bin/python --compile-bytecode "$@"; }
    # torch first, the CPU build: from pip's find-links folder where there is one (this
    # project's machines keep the wheel there), else uv's CPU backend; an unpinned torch pulls
    # CUDA packages.
    if [ -n "$find_links" ]; then
      install --find-links "$find_links" "torch==2.13.0"
    else
      install --torch-backend cpu "torch==2.13.0"
    fi
  else
    echo "setup: uv is not available; installing with pip (slower)" >&2
    [ -x .venv/bin/python ] || python3 -m venv .venv
    install() { .venv/bin/python -m pip install --quiet "$@"; }
    # pip reads its own configuration (find-links included); elsewhere PyTorch's CPU index.
    if [ -n "$find_links" ]; then
      install "torch==2.13.0"
    else
      install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
    fi
  fi
  install ${find_links:+--find-links "$find_links"} -e ".${extras}"
  touch "$stamp"
fi

if [ "$with_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  fi
fi
