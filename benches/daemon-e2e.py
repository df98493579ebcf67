#!/usr/bin/env python3
"""End-to-end daemon benchmark: events in, notifications out.

Usage: python3 benches/daemon-e2e.py [--backend sqlite|redis] [--events 100000]
                                     [--binary target/release/slotbase]

1. throughput: emit N legacy booking.confirmed events, start `slotbase daemon`, and time
   until every one is processed (each creates one notification and three forwards, the
   seed's handler table); the daemon's peak RSS is sampled from /proc meanwhile;
2. latency: with the daemon idle, emit events at a steady rate and measure, per event, the
   time from the job's creation to its notification's creation (p50/p99).

Redis runs as a private redis-server on a free port in a temporary directory.
Prints one JSON object. CPU time per event (daemon, and redis-server) is read from /proc
over the throughput phase: it moves less than the rate when other processes compete for
the cores. `threads` splits it by thread, with the time each spent runnable but waiting
for a core (the scheduler's own accounting). `--perf FILE` records a `perf` profile of the
daemon over that phase.
"""
import argparse
import json
import os
import re
import subprocess
import time

from bench_env import BenchEnv


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid):
    """User plus system CPU seconds of a process (USER_HZ is 100 on Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100
    except OSError:
        return 0.0


def sched_seconds(pid):
    """Per thread name (threads of one name summed): seconds on a CPU and seconds runnable
    but waiting for one, from /proc/PID/task/*/schedstat (nanoseconds)."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                running, waiting = (int(x) / 1e9 for x in f.read().split()[:2])
        except OSError:
            continue
        total = out.setdefault(name, [0.0, 0.0])
        total[0] += running
        total[1] += waiting
    return out


def sched_report(before, after, seconds, events):
    """Each thread name's share of one core over `seconds`: running, and runnable but
    waiting for a core; and its CPU per event."""
    report = {}
    for name, (running, waiting) in sorted(after.items(), key=lambda kv: -kv[1][0]):
        r0, w0 = before.get(name, (0.0, 0.0))
        ran, waited = running - r0, waiting - w0
        if ran * 100 / seconds < 0.5:
            continue
        report[name] = {
            "runningPct": round(ran * 100 / seconds, 1),
            "waitingPct": round(waited * 100 / seconds, 1),
            "cpuUsPerEvent": round(ran * 1e6 / events, 1),
        }
    return report


def redis_command_stats(port):
    """Calls and server time per command since the last CONFIG RESETSTAT, from INFO."""
    out = subprocess.run(["redis-cli", "-p", str(port), "INFO", "commandstats"],
                         capture_output=True, text=True, check=True).stdout
    stats = {}
    for line in out.splitlines():
        m = re.match(r"cmdstat_([^:]+):calls=(\d+),usec=(\d+)", line)
        if m:
            stats[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "redis"], default="sqlite")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--latency-events", type=int, default=1000)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--concurrency", type=int,
                    help="daemon --concurrency (default: the daemon's daemon.concurrency)")
    ap.add_argument("--binary", default="target/release/slotbase")
    ap.add_argument("--perf", metavar="FILE", help="record a perf profile of the daemon")
    args = ap.parse_args()
    env = BenchEnv(args.binary, args.backend, "slotbase-e2e-")
    binary, redis, port, run, completed = env.binary, env.redis, env.port, env.run, env.completed

    try:
        t0 = time.time()
        run("emit", "booking.confirmed", "--format", "legacy", "--count", str(args.events))
        emit_s = time.time() - t0

        concurrency = ["--concurrency", str(args.concurrency)] if args.concurrency else []
        daemon = env.start(binary, "daemon", *concurrency)
        start = time.time()
        peak = 0
        redis_cpu0 = cpu_seconds(redis.pid) if redis else 0.0
        sched0 = {**sched_seconds(daemon.pid),
                  **({"redis-server": sched_seconds(redis.pid).get("redis-server", [0, 0])}
                     if redis else {})}
        if redis:
            subprocess.run(["redis-cli", "-p", str(port), "CONFIG", "RESETSTAT"],
                           capture_output=True, check=True)
        perf = None
        if args.perf:
            perf = subprocess.Popen(["perf", "record", "-g", "-o", args.perf, "-p",
                                     str(daemon.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            peak = max(peak, rss_kib(daemon.pid))
            if completed() >= args.events:
                break
            if daemon.poll() is not None:
                raise SystemExit("the daemon exited")
            time.sleep(0.2)
        elapsed = time.time() - start
        daemon_cpu = cpu_seconds(daemon.pid)
        redis_cpu = cpu_seconds(redis.pid) - redis_cpu0 if redis else None
        sched1 = {**sched_seconds(daemon.pid),
                  **({"redis-server": sched_seconds(redis.pid).get("redis-server", [0, 0])}
                     if redis else {})}
        commands = redis_command_stats(port) if redis else {}
        if perf:
            perf.send_signal(2)
            perf.wait()

        # Latency at a steady rate on an idle daemon.
        base = completed()
        run("emit", "booking.confirmed", "--format", "legacy", "--count",
            str(args.latency_events), "--rate", f"{args.rate}/s")
        while completed() < base + args.latency_events:
            peak = max(peak, rss_kib(daemon.pid))
            time.sleep(0.2)
        jobs = json.loads(run("queue", "list", "notifications", "--state", "completed",
                              "--limit", str(args.latency_events), "--json"))
        created = {j["data"]["eventId"]: j["timestamp"] for j in jobs}
        notes = json.loads(run("notifications", "list", "--limit",
                               str(args.latency_events), "--json"))
        lat = sorted(n["createdAt"] - created[n["metadata"]["eventId"]]
                     for n in notes if n["metadata"]["eventId"] in created)
        daemon.terminate()
        daemon.wait(timeout=30)

        def pct(p):
            return lat[min(len(lat) - 1, round(p / 100 * (len(lat) - 1)))] if lat else None

        print(json.dumps({
            "backend": args.backend,
            "events": args.events,
            "emitSeconds": round(emit_s, 2),
            "emitPerSecond": round(args.events / emit_s),
            "processSeconds": round(elapsed, 2),
            "eventsPerSecond": round(args.events / elapsed),
            "daemonCpuUsPerEvent": round(daemon_cpu * 1e6 / args.events, 1),
            "redisCpuUsPerEvent": (round(redis_cpu * 1e6 / args.events, 1)
                                   if redis_cpu is not None else None),
            # Per event: calls of each command (those run inside scripts included) and
            # the server's time in it, in µs; a script's own time includes its calls'.
            "redisCommandsPerEvent": {
                name: f"{calls / args.events:.2f} calls, {usec / args.events:.1f} us"
                for name, (calls, usec) in sorted(commands.items(),
                                                  key=lambda kv: -kv[1][1])
                if calls >= args.events / 100},
            # Per thread (the runtime's workers summed) and for redis-server: percent of one
            # core spent running, and spent runnable but waiting for a core, over the
            # throughput phase. Waiting that grows while the cores are not both busy
            # points at latency between the stages, not at CPU.
            "threads": sched_report(sched0, sched1, elapsed, args.events),
            "daemonPeakRssMiB": round(peak / 1024, 1),
            "latencySamples": len(lat),
            "latencyRatePerSecond": args.rate,
            "latencyP50Ms": pct(50),
            "latencyP99Ms": pct(99),
        }, indent=2))
    finally:
        env.close()


if __name__ == "__main__":
    main()
