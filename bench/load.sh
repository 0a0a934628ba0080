#!/usr/bin/env bash
# Load benchmark: Kizuna's municipality list page and GET /api/v1/municipalities
# on SQLite, next to a plain axum hello-world measured in the same run.
# Usage: bash bench/load.sh [duration-seconds] [connections]
# Needs wrk (Debian package `wrk`). Sends traffic to 127.0.0.1 only; every
# run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNS=${2:-64}
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
cargo build --release -p kizuna-server -p kizuna-bench-hello >&2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
./target/release/kizuna-bench-hello 127.0.0.1:18090 &
(cd "$work" && KIZUNA_RUN_JOBS=false RUST_LOG=warn "$OLDPWD/target/release/kizuna" serve --demo --listen 127.0.0.1:18091 >/dev/null 2>&1) &
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18091/readyz >/dev/null && curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done

run() { # name url
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$2")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -Eo 'Non-2xx or 3xx responses: [0-9]+' <<<"$out" || echo "none")
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "$errors"
}
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| target | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
for round in 1 2 3; do
  run "hello-world (round $round)" http://127.0.0.1:18090/
  run "GET /municipalities (page, round $round)" http://127.0.0.1:18091/municipalities
  run "GET /api/v1/municipalities (round $round)" http://127.0.0.1:18091/api/v1/municipalities
done
