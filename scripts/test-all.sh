#!/usr/bin/env bash
# The whole check that `make test` and CI run: the suite on a throwaway PostgreSQL, the smoke
# tests on SQLite, lint, format, types and the compiled translations. Every step runs even when
# an earlier one fails; the exit status is non-zero if any failed. Extra arguments go to the
# PostgreSQL pytest run.
set -uo pipefail
cd "$(dirname "$0")/.."

bin=.venv/bin
# One scratch directory for the run (the database, the tests' temporary files, the browser's
# profiles), removed at the end however the run ends.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-test.XXXXXX")
chmod 755 "$scratch"
export TMPDIR=$scratch
pgdir=$scratch/pg
smokedir=$scratch/smoke-data
mkdir "$smokedir"
cleanup() {
  scripts/pg-throwaway.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=()
step() {
  local name=$1
  shift
  echo
  echo "=== $name: $*"
  local started=$SECONDS
  "$@"
  local rc=$?
  echo "=== $name: exit $rc after $((SECONDS - started)) s"
  [[ $rc -eq 0 ]] || failed+=("$name (exit $rc)")
  return 0
}

# pytest exits 5 when it collected no test: for the smoke run that is only a warning.
smoke() {
  env -u DATABASE_URL TSUNAGI_DATA_DIR="$smokedir" "$bin/pytest" -m smoke -rfE
  local rc=$?
  if [[ $rc -eq 5 ]]; then
    echo "WARNING: no test is marked smoke; nothing ran against SQLite" >&2
    return 0
  fi
  return $rc
}

pg_env=$(scripts/pg-throwaway.sh start "$pgdir") || { echo "could not start PostgreSQL" >&2; exit 1; }
eval "$pg_env"
export DATABASE_URL

# The smoke run goes first so that the last test report in the log is the whole suite's.
step "pytest smoke on SQLite" smoke
step "pytest on PostgreSQL" "$bin/pytest" -rfEs "$@"
step "ruff check" "$bin/ruff" check .
step "ruff format" "$bin/ruff" format --check .
step "mypy" "$bin/mypy" tsunagi
step "translations compiled" "$bin/python" scripts/compilemessages.py --check

echo
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "make test FAILED in: ${failed[*]}"
  exit 1
fi
echo "make test: every step passed"
