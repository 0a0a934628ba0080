#!/usr/bin/env python3
"""Startup benchmark: time from starting `kizuna serve` on an existing SQLite
database to the first 200 from /readyz. Prints each run and the median.
Usage: python3 bench/startup.py [runs]   (after `cargo build --release`)"""
import os, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kizuna")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
PORT = 18092

def ready():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=0.2) as r:
            return r.status == 200
    except Exception:
        return False

def start_once(workdir, demo=False):
    env = dict(os.environ, RUST_LOG="warn", KIZUNA_RUN_JOBS="false")
    args = [BIN, "serve", "--listen", f"127.0.0.1:{PORT}"] + (["--demo"] if demo else [])
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + 20
    while not ready():
        if time.perf_counter() > deadline:
            p.kill(); raise SystemExit("kizuna did not become ready")
        time.sleep(0.002)
    elapsed = time.perf_counter() - t0
    p.terminate(); p.wait()
    return elapsed

with tempfile.TemporaryDirectory() as d:
    start_once(d, demo=True)  # creates, migrates and fills kizuna.db
    times = [start_once(d) for _ in range(RUNS)]
    for i, t in enumerate(times, 1):
        print(f"run {i:2}: {t*1000:7.1f} ms")
    print(f"median {statistics.median(times)*1000:.1f} ms, max {max(times)*1000:.1f} ms over {RUNS} runs")
