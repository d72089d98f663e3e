#!/usr/bin/env bash
# Install everything TrialAtlas and its tests need, then run the whole test suite.
# System packages (Debian): chromium for the headless browser tests (driven by
# Playwright with executable_path; no browser is downloaded) and postgresql, whose server
# binaries the PostgreSQL store tests run a throwaway server with (missing ones fail
# those tests, never skip them). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)  # PostgreSQL store tests
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
"$PY" -m pip install -q -e ".[test]"
"$PY" -m ruff check src tests bench scripts
"$PY" -m pytest -n 2 -p no:cacheprovider "$@"
