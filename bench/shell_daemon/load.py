#!/usr/bin/env python3
"""One shell daemon under load: N concurrent sessions, each on its own
connection, each running M short commands (`true`) one after the other.
Prints throughput and the p50/p99 round trip, beside one session alone in the
same run (the unloaded baseline).

  bench/shell_daemon/load.py [--bin-dir build/default/bin] [--sessions 100] [--commands 100]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "container"))
from container_bench import Daemon  # noqa: E402


def run_session(socket_path, commands, samples, errors):
    try:
        daemon = Daemon(socket_path)
        daemon.call("hello", {"protocol_version": 1, "client": "load"})
        session = daemon.call("spawn_session", {"env": {}})["session_id"]
        for _ in range(commands):
            start = time.perf_counter()
            reply = daemon.call("exec_command", {"session_id": session, "command": "true", "timeout_secs": 60})
            samples.append(time.perf_counter() - start)
            if reply.get("exit_code") != 0:
                errors.append(reply)
        daemon.call("kill_session", {"session_id": session})
    except BaseException as e:  # noqa: BLE001 - counted, the run goes on
        errors.append(repr(e))


def measure(socket_path, sessions, commands):
    samples, errors = [], []
    threads = [threading.Thread(target=run_session, args=(socket_path, commands, samples, errors))
               for _ in range(sessions)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    samples.sort()
    return wall, samples, errors


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin-dir", default=os.path.join(root, "build/default/bin"))
    p.add_argument("--sessions", type=int, default=100)
    p.add_argument("--commands", type=int, default=100)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="oxydra-load-")
    sock = f"{work}/shell.sock"
    daemon = subprocess.Popen([f"{args.bin_dir}/shell-daemon", "--socket", sock, "--log-level", "warn",
                               "--max-sessions", str(args.sessions + 8)])
    try:
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.01)
        _, alone, _ = measure(sock, 1, args.commands)
        wall, samples, errors = measure(sock, args.sessions, args.commands)
        rss = 0
        for line in open(f"/proc/{daemon.pid}/status"):
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1])
    finally:
        daemon.terminate()
        daemon.wait()
        shutil.rmtree(work, ignore_errors=True)
    pct = lambda s, q: s[min(len(s) - 1, int(q * len(s)))] * 1000
    total = args.sessions * args.commands
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"one session alone: p50 {pct(alone, 0.5):.2f} ms, p99 {pct(alone, 0.99):.2f} ms")
    print(f"{args.sessions} sessions x {args.commands} commands: {len(samples)}/{total} done, "
          f"{len(errors)} errors, {wall:.1f} s, {len(samples) / wall:.0f} commands/s, "
          f"p50 {pct(samples, 0.5):.2f} ms, p99 {pct(samples, 0.99):.2f} ms; daemon peak RSS {rss / 1024:.1f} MiB")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
