#!/usr/bin/env bash
# Events benchmarks (issue "Events"): registrations per second on SQLite with
# zero overbooking (wrk POSTing to the API, each request a different person),
# then the event list page with 10,000 events stored at 64 connections,
# each next to the hello-world reference.
# Usage: bash bench/events.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
cargo build --release -p kizuna-server -p kizuna-bench-events -p kizuna-bench-hello >&2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
./target/release/kizuna-bench-events prepare "$work" | tee "$work/prepare.txt"
event=$(awk '/^EVENT/ {print $2}' "$work/prepare.txt")
KIZUNA_RUN_JOBS=false RUST_LOG=warn KIZUNA_DATABASE_URL="sqlite://$work/events.db" ./target/release/kizuna serve --listen 127.0.0.1:18099 >/dev/null 2>&1 &
./target/release/kizuna-bench-hello 127.0.0.1:18098 &
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18099/readyz >/dev/null && curl -sf http://127.0.0.1:18098/ >/dev/null && break; sleep 0.1; done
row() { # name, wrk output
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$(awk '/^Requests\/sec/ {print $2}' <<<"$2")" \
    "$(awk '$1=="50%" {print $2}' <<<"$2")" "$(awk '$1=="99%" {print $2}' <<<"$2")" \
    "$(awk '/Non-2xx/ {print $5}' <<<"$2")"
}
echo
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency"
echo "| target | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
row "hello-world" "$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18098/)"
# Three rounds; each starts after the people the rounds before sent, so
# every request is a person's first registration (a non-2xx count would
# show otherwise).
offset=0
for round in 1 2 3; do
  out=$(COOKIES="$work/cookies.txt" THREADS=2 OFFSET=$offset wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/register.lua "http://127.0.0.1:18099/api/v1/events/$event/registrations")
  row "POST /api/v1/events/$event/registrations, each a new person (round $round)" "$out"
  offset=$(( offset + $(awk '/requests in/ {print $1}' <<<"$out") + 1000 ))
done
for round in 1 2 3; do
  row "hello-world (round $round)" "$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18098/)"
  row "GET /events, 10,001 events stored (round $round)" "$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18099/events)"
done
kill %1
wait %1 2>/dev/null || true
echo
./target/release/kizuna-bench-events check "$work"
