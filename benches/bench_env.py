"""What the daemon benchmarks share: a temporary store, on Redis a private redis-server on
a free port, and the slotbase command line pointed at both."""
import json
import os
import shutil
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


class BenchEnv:
    """`backend` is "sqlite" or "redis". Close it (or use `with`) to stop Redis and, unless
    `keep`, remove the temporary directory. `redis_command` starts the server (a wrapper
    such as valgrind may come first)."""

    def __init__(self, binary, backend, prefix, keep=False, redis_command=("redis-server",)):
        self.binary = os.path.abspath(binary)
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.keep = keep
        self.vars = {k: v for k, v in os.environ.items() if not k.startswith("SLOTBASE_")}
        self.vars["SLOTBASE_STORE__PATH"] = os.path.join(self.tmp, "slotbase.db")
        self.vars["SLOTBASE_HTTP__ENABLED"] = "false"
        self.vars["SLOTBASE_LOG"] = "warn"
        self.redis = None
        self.port = None
        if backend == "redis":
            self.port = free_port()
            self.redis = subprocess.Popen(
                [*redis_command, "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                 "", "--appendonly", "no", "--dir", self.tmp],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.vars["SLOTBASE_REDIS__URL"] = f"redis://127.0.0.1:{self.port}"
            self.wait_for_redis()

    def wait_for_redis(self, timeout=60):
        """Until the server answers PING."""
        deadline = time.time() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.time() > deadline or self.redis.poll() is not None:
                raise SystemExit("redis-server did not start")
            time.sleep(0.1)

    def run(self, *args):
        """Run a slotbase command to its end; its stdout."""
        return subprocess.run([self.binary, *args], env=self.vars, check=True,
                              capture_output=True, text=True).stdout

    def start(self, *command):
        """Start `command` (the binary and its arguments first) in this environment."""
        return subprocess.Popen(list(command), env=self.vars, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def completed(self):
        """Jobs completed in the `notifications` queue."""
        return json.loads(self.run("queue", "stats", "notifications", "--json"))[0]["completed"]

    def close(self):
        if self.redis:
            self.redis.kill()
            self.redis.wait()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
