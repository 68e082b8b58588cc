#!/usr/bin/env bash
# Sets up what is missing (venv, test tools, Chromium), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest -q "$@"
