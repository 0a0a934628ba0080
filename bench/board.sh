#!/usr/bin/env bash
# Challenge-board benchmarks (issue "Challenge board"), each next to the
# hello-world reference measured in the same run:
# - the board page with 100,000 challenges stored, 64 connections;
# - similar-challenge suggestions (/api/v1/challenges/similar, a different
#   draft each request) with 100,000 challenges stored;
# - criterion: suggestions and clustering of 10,000 in process.
# Usage: bash bench/board.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
cargo build --release -p kizuna-server -p kizuna-bench-board -p kizuna-bench-hello >&2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
./target/release/kizuna-bench-board prepare "$work" 100000
KIZUNA_RUN_JOBS=false RUST_LOG=warn KIZUNA_DATABASE_URL="sqlite://$work/board.db" ./target/release/kizuna serve --listen 127.0.0.1:18099 >/dev/null 2>&1 &
./target/release/kizuna-bench-hello 127.0.0.1:18098 &
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18099/readyz >/dev/null && curl -sf http://127.0.0.1:18098/ >/dev/null && break; sleep 0.1; done
# The first question loads the process's similarity index (timed here).
echo "index load (first suggestion): $(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:18099$(head -1 "$work/similar.txt")") s"
row() { # name, wrk output
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$(awk '/^Requests\/sec/ {print $2}' <<<"$2")" \
    "$(awk '$1=="50%" {print $2}' <<<"$2")" "$(awk '$1=="99%" {print $2}' <<<"$2")" \
    "$(awk '/Non-2xx/ {print $5}' <<<"$2")"
}
echo
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency"
echo "| target | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
for round in 1 2 3; do
  row "hello-world (round $round)" "$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18098/)"
  row "GET /board, 100,000 challenges (round $round)" "$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18099/board)"
  row "GET /api/v1/challenges/similar, a different draft each (round $round)" \
    "$(PATHS="$work/similar.txt" wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/paths.lua http://127.0.0.1:18099)"
done
echo
echo "Suggestions under a paced load: $CONNS connections, each waiting 100 ms between requests (~600 requests/s offered, below saturation)"
echo "| target | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
for round in 1 2 3; do
  row "GET /api/v1/challenges/similar, paced (round $round)" \
    "$(PACE_MS=100 PATHS="$work/similar.txt" wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/paths.lua http://127.0.0.1:18099)"
done
kill %1 %2
wait 2>/dev/null || true
echo
cargo bench -p kizuna-bench-board --bench similarity 2>&1 | grep -E "^(similar|search|clusters)|time:"
