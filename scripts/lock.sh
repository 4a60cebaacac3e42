#!/usr/bin/env bash
# Regenerates the two locks, each in ONE pip resolve with 'pip check' clean:
#   requirements.lock      <- requirements.in (what `make run` installs)
#   requirements-dev.lock  <- requirements.lock (pinned) + requirements-dev.in (what `make test` adds)
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(scripts/find-python310)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$py" -m venv "$work/run"
"$work/run/bin/pip" install -q --upgrade pip
"$work/run/bin/pip" install -q -r requirements.in
"$work/run/bin/pip" check
"$work/run/bin/pip" freeze | sort > "$work/run.txt"
{
  echo "# Runtime lock of Passerelle, Python 3.10 (one pip resolve of requirements.in, 'pip check' clean)."
  echo "# Regenerate: make lock"
  cat "$work/run.txt"
} > requirements.lock

"$py" -m venv "$work/dev"
"$work/dev/bin/pip" install -q --upgrade pip
"$work/dev/bin/pip" install -q -r requirements.lock -r requirements-dev.in
"$work/dev/bin/pip" check
"$work/dev/bin/pip" freeze | sort > "$work/dev.txt"
{
  echo "# Development and test lock of Passerelle, on top of requirements.lock (one pip resolve of"
  echo "# requirements.lock + requirements-dev.in, 'pip check' clean). Regenerate: make lock"
  comm -13 "$work/run.txt" "$work/dev.txt"
} > requirements-dev.lock
echo "requirements.lock and requirements-dev.lock written."
