#!/usr/bin/env bash
# Sets up what is missing, then serves the chat UI on the bundled corpus (embedded Chroma,
# offline answerer). The index is built on first start. Extra arguments go to `assistant ui`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/assistant ingest
exec .venv/bin/assistant ui "$@"
