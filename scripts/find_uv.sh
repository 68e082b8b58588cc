# Sourced by setup.sh: finds uv, or installs it into the project's venv, or says there is none.
# `find_uv VENV` prints the command that runs uv (a path, or "PY -m uv"), or nothing when uv
# cannot be had, in which case setup uses the venv's own pip. It defines no function named
# `uv`, so `command -v uv` only ever finds a real uv on PATH.
find_uv() {
  local venv=$1 found
  found=$(command -v uv 2>/dev/null || true)
  # `command -v` prints a bare name for functions and aliases: only a path is a program.
  if [ -n "$found" ] && [ "${found#/}" != "$found" ] && "$found" --version >/dev/null 2>&1; then
    echo "$found"; return 0
  fi
  if python3 -m uv --version >/dev/null 2>&1; then
    echo "python3 -m uv"; return 0
  fi
  # A new machine: no uv anywhere. Install it into the venv (made with the stdlib's venv, so no
  # system package is touched and a Debian system Python's PEP 668 lock does not apply).
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2 || return 0
  if [ ! -x "$venv/bin/uv" ]; then
    "$venv/bin/python" -m pip install --quiet uv >&2 || true
  fi
  if [ -x "$venv/bin/uv" ] && "$venv/bin/uv" --version >/dev/null 2>&1; then
    echo "$venv/bin/uv"
  fi
  return 0
}
