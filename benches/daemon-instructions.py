#!/usr/bin/env python3
"""The daemon's work per event, counted in instructions: steady where timings are not.

Usage: python3 benches/daemon-instructions.py [--backend redis|sqlite] [--events 6000]
                                              [--binary target/profiling/slotbase]

Emits N legacy booking.confirmed events (the same mix as benches/daemon-e2e.py), then runs
`slotbase daemon` under valgrind's callgrind until every one is processed, and prints the
instructions the daemon executed per event, start-up included (about 4k per event at
6000 events). Redis, when used, runs natively as a private redis-server on a free port.

On a shared machine, rates and CPU times drift by 10-20% between runs; this count moves
by well under 1%, so it can show a change of a few percent. It counts user-space
instructions only: system calls (SQLite's writes, the sockets) and cache misses are not
in it, so confirm a gain with benches/daemon-e2e.py. Needs valgrind. Use the `profiling`
build (`cargo build --profile profiling`) so `callgrind_annotate --inclusive=yes FILE`
can name functions; `--keep` leaves the profile in place and prints its path.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "redis"], default="redis")
    ap.add_argument("--events", type=int, default=6000)
    ap.add_argument("--binary", default="target/profiling/slotbase")
    ap.add_argument("--timeout", type=int, default=900, help="seconds to wait for the daemon")
    ap.add_argument("--keep", action="store_true", help="keep the callgrind profile")
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    binary = os.path.abspath(args.binary)
    tmp = tempfile.mkdtemp(prefix="slotbase-instructions-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTBASE_")}
    env["SLOTBASE_STORE__PATH"] = os.path.join(tmp, "slotbase.db")
    env["SLOTBASE_HTTP__ENABLED"] = "false"
    env["SLOTBASE_LOG"] = "warn"
    redis = None
    if args.backend == "redis":
        port = free_port()
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env["SLOTBASE_REDIS__URL"] = f"redis://127.0.0.1:{port}"
        time.sleep(0.3)

    def run(*a):
        return subprocess.run([binary, *a], env=env, check=True, capture_output=True,
                              text=True).stdout

    def completed():
        return json.loads(run("queue", "stats", "notifications", "--json"))[0]["completed"]

    profile = os.path.join(tmp, "callgrind.out")
    try:
        run("emit", "booking.confirmed", "--format", "legacy", "--count", str(args.events))
        daemon = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", binary,
             "daemon"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = time.time()
        while completed() < args.events:
            if daemon.poll() is not None:
                raise SystemExit("the daemon exited")
            if time.time() - start > args.timeout:
                daemon.kill()
                raise SystemExit(f"not done after {args.timeout} s")
            time.sleep(0.5)
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
        total = 0
        with open(profile) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
        result = {
            "backend": args.backend,
            "events": args.events,
            "instructions": total,
            "instructionsPerEvent": round(total / args.events),
        }
        if args.keep:
            result["profile"] = profile
        print(json.dumps(result, indent=2))
    finally:
        if redis:
            redis.terminate()
            redis.wait()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
