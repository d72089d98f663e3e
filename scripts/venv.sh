# Sourced by serve.sh and test.sh: make (once) and use the project's virtual environment
# `.venv`, so the commands work where python3 refuses a bare `pip install` (PEP 668,
# Debian's own python3). Sets PY to the venv's python.
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv >/dev/null 2>&1; then
    # Debian ships venv separately (python3-venv): install it, then try again
    rm -rf .venv
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    pyver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "python${pyver}-venv" >/dev/null \
      || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
fi
PY="$PWD/.venv/bin/python"
