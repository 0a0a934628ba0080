#!/usr/bin/env bash
# PR-corps benchmarks (issue "Fans"): roster import of 100,000 rows and member
# search over 100,000 fans (timed in-process), then "my page" of a fan with
# 1,000 entries under load with wrk, next to the hello-world reference.
# Usage: bash bench/fans.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=${2:-64}
cargo build --release -p kizuna-server -p kizuna-bench-fans -p kizuna-bench-hello >&2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
./target/release/kizuna-bench-fans "$work" | tee "$work/out.txt"
cookie=$(awk '/^MYPAGE/ {print $3}' "$work/out.txt")
path=$(awk '/^MYPAGE/ {print $5}' "$work/out.txt")
KIZUNA_RUN_JOBS=false RUST_LOG=warn KIZUNA_DATABASE_URL="sqlite://$work/mypage.db" ./target/release/kizuna serve --listen 127.0.0.1:18097 >/dev/null 2>&1 &
./target/release/kizuna-bench-hello 127.0.0.1:18098 &
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18097/readyz >/dev/null && curl -sf http://127.0.0.1:18098/ >/dev/null && break; sleep 0.1; done
echo
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency"
echo "| target | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
for round in 1 2 3; do
  for target in "hello-world|http://127.0.0.1:18098/|" "my page, 1,000 entries|http://127.0.0.1:18097$path|Cookie: $cookie"; do
    IFS='|' read -r name url header <<<"$target"
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency ${header:+-H "$header"} "$url")
    printf '| %s (round %s) | %s | %s | %s |\n' "$name" "$round" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
      "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
  done
done
echo
echo "paced: wrk -t2 -c$CONNS -d${DURATION}s --latency -s bench/paced.lua, PACE_MS=50 (each connection waits 50 ms between requests)"
echo "| target | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
for round in 1 2 3; do
  out=$(PACE_MS=50 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/paced.lua -H "Cookie: $cookie" "http://127.0.0.1:18097$path")
  printf '| my page, paced (round %s) | %s | %s | %s |\n' "$round" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
done
