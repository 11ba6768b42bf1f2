#!/usr/bin/env bash
# `make bench`: a throwaway PostgreSQL, migrated, with the real jurisdictions; then `tsunagi bench`
# (which rebuilds the demo at each size). Arguments go to `tsunagi bench`; unless they name
# --persons, the sizes are paired with 10,000 and 100,000 persons (BENCH_PERSONS overrides it),
# so the name search and the case page are timed at both. Nothing under ./var is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-bench.XXXXXX")
chmod 755 "$scratch"
trap 'scripts/pg-throwaway.sh stop "$scratch/pg" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
eval "$(scripts/pg-throwaway.sh start "$scratch/pg")"
export DATABASE_URL
export TSUNAGI_DATA_DIR=$scratch/data
mkdir -p "$TSUNAGI_DATA_DIR/static"

.venv/bin/tsunagi migrate --verbosity 0
.venv/bin/tsunagi load_jurisdictions
persons=()
case " $* " in
  *" --persons"*) ;;
  *) persons=(--persons "${BENCH_PERSONS:-10000,100000}") ;;
esac
.venv/bin/tsunagi bench "${persons[@]}" "$@"
