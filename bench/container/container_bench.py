#!/usr/bin/env python3
"""Container tier figures (oci or docker driver), each beside its baseline in the same run.

  cold start   oxydra-runner start --detach until shell-vm answers hello and until
               the oxydra-vm gateway answers, vs `runc run` of `true` with the
               very config.json the runner generated for shell-vm (same
               namespaces, mounts, cgroups, seccomp); with --driver docker, vs
               `docker run --rm --network none oxydra-shell-vm:VERSION /bin/true`
  exec         round trip of exec_command `true` through the daemon in shell-vm,
               vs the same shell-daemon binary on the host
  memory       RSS of every process of one user's pair (containerd-shim with
               docker; with oci no host process stays behind a guest: init,
               daemon, oxydra-vm) and the cgroups' own accounting

Usage (root; images from scripts/build-guest-rootfs):
  bench/container/container_bench.py [--bin-dir build/default/bin]
      [--images-dir build/images] [--runs 10] [--execs 300] [--driver oci|docker]
  --driver docker needs DOCKER_HOST and the imported images (scripts/dockerd,
  scripts/import-guest-images).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from datetime import datetime

RUNC_ROOT = "/run/oxydra/runc"


def project_version():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for line in open(os.path.join(root, "CMakeLists.txt")):
        if line.strip().startswith("project(oxydra VERSION"):
            return line.split("VERSION")[1].split()[0]
    raise SystemExit("container_bench: no project version in CMakeLists.txt")


SHELL_IMAGE = f"oxydra-shell-vm:{project_version()}"


def parse_args():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin-dir", default=os.path.join(root, "build/default/bin"))
    p.add_argument("--images-dir", default=os.path.join(root, "build/images"))
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--execs", type=int, default=300)
    p.add_argument("--driver", choices=["oci", "docker"], default="oci")
    return p.parse_args()


class Daemon:
    """A shell-daemon client speaking protocol.md §2/§4 frames."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.next_id = 0

    def call(self, op, payload):
        self.next_id += 1
        payload = dict(payload, request_id=f"b-{self.next_id}")
        body = json.dumps({"op": op, "payload": payload}).encode()
        self.sock.sendall(struct.pack(">I", len(body)) + body)
        (length,) = struct.unpack(">I", self._exact(4))
        reply = json.loads(self._exact(length))
        if reply["op"] == "error":
            raise SystemExit(f"container_bench: {op}: {reply['payload']}")
        return reply["payload"]

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise SystemExit("container_bench: daemon closed the connection")
            buf += chunk
        return buf


def exec_round_trips(socket_path, count):
    daemon = Daemon(socket_path)
    daemon.call("hello", {"protocol_version": 1, "client": "container_bench"})
    session = daemon.call("spawn_session", {"env": {}})["session_id"]
    for _ in range(20):  # warm-up
        daemon.call("exec_command", {"session_id": session, "command": "true", "timeout_secs": 30})
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        reply = daemon.call("exec_command", {"session_id": session, "command": "true", "timeout_secs": 30})
        samples.append(time.perf_counter() - start)
        assert reply.get("exit_code") == 0, reply
    daemon.call("kill_session", {"session_id": session})
    return statistics.median(samples)


def log_time(line):
    stamp = line.split(" ", 1)[0].rstrip("Z")
    return datetime.fromisoformat(stamp).timestamp()


class Setup:
    def __init__(self, args):
        self.dir = tempfile.mkdtemp(prefix="oxydra-bench-")
        os.makedirs(f"{self.dir}/users")
        with open(f"{self.dir}/runner.toml", "w") as f:
            f.write(f'workspace_root = "ws"\nimages_dir = "{os.path.abspath(args.images_dir)}"\n'
                    'default_tier = "container"\n[users.bench]\nconfig_path = "users/bench.toml"\n'
                    'credential_envs = ["OXYDRA_BENCH_KEY"]\n'
                    f'[container]\ndriver = "{args.driver}"\n')
        with open(f"{self.dir}/users/bench.toml", "w") as f:
            f.write('agent_config = "../agent.toml"\n[credential_refs]\nfake = "env:OXYDRA_BENCH_KEY"\n')
        with open(f"{self.dir}/agent.toml", "w") as f:
            f.write('provider = "fake"\n[providers.fake]\nbase_url = "http://127.0.0.1:9/v1"\n'
                    'model = "m"\ncredential = "fake"\n')
        self.runner = [f"{args.bin_dir}/oxydra-runner", "--config", f"{self.dir}/runner.toml"]
        self.env = dict(os.environ, OXYDRA_BENCH_KEY="sk-bench")

    def run(self, *argv):
        subprocess.run(self.runner + list(argv), env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cold_start(self):
        """Seconds from the runner's start to shell ready and to gateway ready,
        from the timestamps of its own log lines (start --detach prints them)."""
        start = time.time()
        done = subprocess.run(self.runner + ["start", "--detach"], env=self.env, check=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        returned = time.time() - start
        lines = done.stderr.splitlines()
        first = log_time(next(l for l in lines if "starting user" in l))
        shell = log_time(next(l for l in lines if "shell ready" in l))
        ready = log_time(next(l for l in lines if "is ready" in l))
        return shell - first, ready - first, returned

    def cleanup(self):
        subprocess.run(self.runner + ["stop"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def runc_true_baseline(runs):
    """`runc run` of /bin/true with the shell-vm config the runner generated."""
    source = "/run/oxydra/bundles/oxydra-bench-shell-vm/config.json"
    bundle = tempfile.mkdtemp(prefix="oxydra-bench-runc-")
    config = json.load(open(source))
    config["process"]["args"] = ["/bin/true"]
    config["linux"]["cgroupsPath"] = "/oxydra/bench-baseline"
    json.dump(config, open(f"{bundle}/config.json", "w"))
    root = f"{bundle}/state"
    samples = []
    for i in range(runs + 2):
        start = time.perf_counter()
        subprocess.run(["runc", "--root", root, "run", "--bundle", bundle, f"bench-true-{i}"], check=True)
        if i >= 2:
            samples.append(time.perf_counter() - start)
    shutil.rmtree(bundle, ignore_errors=True)
    return statistics.median(samples)


def docker_true_baseline(runs):
    """`docker run --rm --network none IMAGE /bin/true`, the engine's own floor."""
    samples = []
    for i in range(runs + 2):
        start = time.perf_counter()
        subprocess.run(["docker", "run", "--rm", "--network", "none", SHELL_IMAGE, "/bin/true"], check=True)
        if i >= 2:
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def guest_state(driver, role):
    """(init's host pid, memory cgroup directory) of one of the bench user's guests."""
    name = f"oxydra-bench-{role}"
    if driver == "docker":
        out = subprocess.run(["docker", "inspect", "--format", "{{.State.Pid}} {{.Id}}", name],
                             capture_output=True, check=True, text=True).stdout.split()
        return int(out[0]), f"/sys/fs/cgroup/memory/oxydra/{out[1]}"
    state = json.loads(subprocess.run(["runc", "--root", RUNC_ROOT, "state", name],
                                      capture_output=True, check=True).stdout)
    return state["pid"], f"/sys/fs/cgroup/memory/oxydra/{name}"


def pair_memory(driver):
    """KiB: summed VmRSS of the pair's processes, and the cgroups' memory usage."""
    rss = 0
    usage = 0
    for role in ("shell-vm", "oxydra-vm"):
        init_pid, cgroup = guest_state(driver, role)
        usage += int(open(f"{cgroup}/memory.usage_in_bytes").read()) // 1024
        pids = [int(p) for p in open(f"{cgroup}/cgroup.procs").read().split()]
        ppid = int(open(f"/proc/{init_pid}/stat").read().rsplit(")", 1)[1].split()[1])
        # The guest's host-side parent when it is a monitor kept for this guest
        # alone (containerd-shim); the oci driver's guests are the runner's own
        # children (runc exits once they run), and the runner is not counted.
        parent = open(f"/proc/{ppid}/comm").read().strip()
        if parent != "oxydra-runner":
            pids.append(ppid)
        for pid in pids:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
    return rss, usage


def main():
    args = parse_args()
    if os.geteuid() != 0:
        raise SystemExit("container_bench: needs root (runc with user namespaces)")
    if args.driver == "docker" and not os.environ.get("DOCKER_HOST"):
        raise SystemExit("container_bench: --driver docker needs DOCKER_HOST (eval \"$(scripts/dockerd env)\")")
    setup = Setup(args)
    try:
        shell_ready, gateway_ready, returned = [], [], []
        for _ in range(args.runs):
            s, g, r = setup.cold_start()
            shell_ready.append(s)
            gateway_ready.append(g)
            returned.append(r)
            setup.run("stop")
        setup.run("start", "--detach")
        if args.driver == "docker":
            baseline = docker_true_baseline(args.runs)
        else:
            baseline = runc_true_baseline(args.runs)
        container_exec = exec_round_trips(f"{setup.dir}/ws/bench/ipc/shell/shell.sock", args.execs)
        rss, usage = pair_memory(args.driver)
        setup.run("stop")

        host_dir = tempfile.mkdtemp(prefix="oxydra-bench-host-")
        host_socket = f"{host_dir}/shell.sock"
        daemon = subprocess.Popen([f"{args.bin_dir}/shell-daemon", "--socket", host_socket,
                                   "--log-level", "warn"])
        for _ in range(100):
            if os.path.exists(host_socket):
                break
            time.sleep(0.02)
        host_exec = exec_round_trips(host_socket, args.execs)
        daemon.terminate()
        daemon.wait()
        shutil.rmtree(host_dir, ignore_errors=True)
    finally:
        setup.cleanup()

    ms = lambda s: f"{s * 1000:.1f} ms"
    med = statistics.median
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores); {args.runs} cold starts, {args.execs} execs")
    d = args.driver
    if d == "docker":
        print(f"baseline docker run --rm --network none {SHELL_IMAGE} /bin/true: {ms(baseline)}")
    else:
        print(f"baseline runc run true (runner's shell-vm config): {ms(baseline)}")
    print(f"{d} cold start to shell ready:   {ms(med(shell_ready))}  ({med(shell_ready) / baseline:.2f}x baseline)")
    print(f"{d} cold start to gateway ready: {ms(med(gateway_ready))}  ({med(gateway_ready) / baseline:.2f}x baseline)")
    print(f"oxydra-runner start --detach returns after: {ms(med(returned))}")
    print(f"exec true round trip, daemon in shell-vm: {container_exec * 1e6:.0f} us")
    print(f"exec true round trip, daemon on the host: {host_exec * 1e6:.0f} us  "
          f"(container/host {container_exec / host_exec:.2f}x)")
    parent = "containerd-shim, " if d == "docker" else ""
    print(f"memory per user pair: {rss / 1024:.1f} MiB RSS ({parent}init, daemon, oxydra-vm); "
          f"cgroup usage {usage / 1024:.1f} MiB (incl. page cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
