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
import time

from bench_env import BenchEnv


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
    env = BenchEnv(args.binary, args.backend, "slotbase-instructions-", keep=args.keep)
    profile = os.path.join(env.tmp, "callgrind.out")
    try:
        env.run("emit", "booking.confirmed", "--format", "legacy", "--count", str(args.events))
        daemon = env.start("valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}",
                           env.binary, "daemon")
        start = time.time()
        while env.completed() < args.events:
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
        env.close()


if __name__ == "__main__":
    main()
