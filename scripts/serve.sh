#!/usr/bin/env bash
# Install TrialAtlas into .venv and serve it on the bundled real data (an empty store
# first gets the bundled sample). Extra arguments go to `trialatlas serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/venv.sh
source scripts/venv.sh
"$PY" -m pip install -q -e .
exec "$PY" -m trialatlas serve "$@"
