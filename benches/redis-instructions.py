#!/usr/bin/env python3
"""Redis's work per job in the add and consume phases of `slotbase bench --backend redis`,
counted in instructions: steady where timings are not.

Usage: python3 benches/redis-instructions.py [--jobs 10000] [--binary target/release/slotbase]
                                             [--redis-server redis-server] [--keep]

Runs a private redis-server under valgrind's callgrind and `slotbase bench` against it
natively. Each time the bench announces a phase on stderr, the profile is dumped, so each
dump holds one phase (add, consume, clean up, ...). Prints the instructions Redis executed
per job in the add and consume phases, its idle ticks during the phase included (a
fraction of a percent).

Under callgrind Redis runs some 50 times slower, so the worker gathers more completions per
script call than it does natively: the count is for comparing builds, not a native figure.
A redis-server built with symbols lets `callgrind_annotate --inclusive=yes FILE` name
functions; `--keep` leaves the profiles in place and prints their paths.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import tempfile

from bench_env import BenchEnv


def instructions(path):
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=10000)
    ap.add_argument("--binary", default="target/release/slotbase")
    ap.add_argument("--redis-server", default="redis-server")
    ap.add_argument("--keep", action="store_true", help="keep the callgrind profiles")
    args = ap.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed (apt-get install valgrind)")
    profiles = tempfile.mkdtemp(prefix="slotbase-redis-instructions-")
    profile = os.path.join(profiles, "callgrind.out")
    env = BenchEnv(args.binary, "redis", "slotbase-redis-instructions-",
                   redis_command=("valgrind", "--tool=callgrind",
                                  f"--callgrind-out-file={profile}", args.redis_server))
    try:
        phases = []
        bench = subprocess.Popen(
            [env.binary, "bench", "--backend", "redis", "--jobs", str(args.jobs),
             "--samples", "20"],
            env=env.vars, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in bench.stderr:
            line = line.strip()
            if line.startswith("bench: ") and line.endswith("..."):
                subprocess.run(["callgrind_control", f"--dump={line}", str(env.redis.pid)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=True)
                phases.append(line[len("bench: "):-len("...")])
        if bench.wait() != 0:
            raise SystemExit("the bench failed")
        dumps = sorted(glob.glob(profile + ".*"), key=lambda p: int(p.rsplit(".", 1)[1]))
        # The first dump holds start-up; each later one the phase announced before it.
        measured = [(name, instructions(dump)) for name, dump in zip(phases, dumps[1:])]
        per_job = {name: round(n / args.jobs) for name, n in measured
                   if name in ("add", "consume")}
        result = {
            "jobs": args.jobs,
            "addPerJob": per_job.get("add"),
            "consumePerJob": per_job.get("consume"),
            "phases": [{"phase": name, "instructions": n} for name, n in measured],
        }
        if args.keep:
            result["profiles"] = dumps
        print(json.dumps(result, indent=2))
    finally:
        env.close()
        if not args.keep:
            shutil.rmtree(profiles, ignore_errors=True)


if __name__ == "__main__":
    main()
