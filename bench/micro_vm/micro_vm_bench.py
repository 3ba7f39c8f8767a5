#!/usr/bin/env python3
"""MicroVM tier figures, each beside its baselines in the same run.

Runs one user on the micro_vm tier (qemu driver; software emulation unless
--accel says otherwise) and on the container tier (oci driver), one after the
other, and reports: cold start to shell ready and to gateway ready (from the
runner's own log timestamps), the bare boot of the same kernel and initramfs
(QEMU start to exit, /init printing one line: the floor of any VM here),
`exec_command true` round trips through the VM link beside the container's,
and the memory of one running pair.

  sudo bench/micro_vm/micro_vm_bench.py [--bin-dir build/default/bin]
      [--images-dir build/images] [--runs 5] [--execs 200] [--accel tcg]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "container"))
from container_bench import exec_round_trips, log_time  # noqa: E402


def parse_args():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin-dir", default=os.path.join(root, "build/default/bin"))
    p.add_argument("--images-dir", default=os.path.join(root, "build/images"))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--execs", type=int, default=200)
    p.add_argument("--accel", choices=["auto", "kvm", "tcg"], default="tcg")
    return p.parse_args()


class User:
    """One bench user on one tier, in a directory of its own."""

    def __init__(self, args, tier):
        self.dir = tempfile.mkdtemp(prefix="oxb-")
        os.chmod(self.dir, 0o711)  # the VMM runs as the guest's uid
        extra = f'[micro_vm]\naccel = "{args.accel}"\n' if tier == "micro_vm" else '[container]\ndriver = "oci"\n'
        with open(f"{self.dir}/runner.toml", "w") as f:
            f.write(f'workspace_root = "ws"\nimages_dir = "{os.path.abspath(args.images_dir)}"\n'
                    f'default_tier = "{tier}"\n[users.bench]\nconfig_path = "bench.toml"\n'
                    '[policy]\ncredential_envs = ["OXYDRA_BENCH_KEY"]\n' + extra)
        with open(f"{self.dir}/bench.toml", "w") as f:
            f.write('agent_config = "agent.toml"\n[credential_refs]\nfake = "env:OXYDRA_BENCH_KEY"\n'
                    '[resources]\nmax_memory_mib = 256\n')
        with open(f"{self.dir}/agent.toml", "w") as f:
            f.write('provider = "fake"\n[providers.fake]\nbase_url = "http://127.0.0.1:9/v1"\n'
                    'model = "m"\ncredential = "fake"\n')
        self.runner = [f"{args.bin_dir}/oxydra-runner", "--config", f"{self.dir}/runner.toml"]
        self.env = dict(os.environ, OXYDRA_BENCH_KEY="sk-bench")

    def run(self, *argv):
        subprocess.run(self.runner + list(argv), env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cold_start(self):
        done = subprocess.run(self.runner + ["start", "--detach"], env=self.env, check=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = done.stderr.splitlines()
        first = log_time(next(l for l in lines if "starting user" in l))
        shell = log_time(next(l for l in lines if "shell ready" in l))
        ready = log_time(next(l for l in lines if "is ready" in l))
        return shell - first, ready - first

    def vmm_rss_kib(self):
        rss = 0
        for role in ("shell-vm", "oxydra-vm"):
            for pid in open(f"/sys/fs/cgroup/pids/oxydra/oxydra-bench-{role}/cgroup.procs").read().split():
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
        return rss

    def cleanup(self):
        subprocess.run(self.runner + ["stop"], env=self.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def bare_boot(args, runs):
    """QEMU start to exit: the project's kernel and initramfs, /init prints one line."""
    mhz = 0
    for line in open("/proc/cpuinfo"):
        if line.startswith("cpu MHz"):
            mhz = int(float(line.split(":")[1]))
            break
    images = os.path.abspath(args.images_dir) + "/micro_vm"
    argv = ["qemu-system-x86_64", "-M", "microvm,acpi=on", "-accel", "tcg,tb-size=64", "-cpu", "max",
            "-m", "256", "-smp", "1", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            "-serial", "stdio", "-kernel", f"{images}/vmlinux", "-initrd", f"{images}/initramfs.cpio.gz",
            "-append", f"console=ttyS0 quiet panic=-1 tsc_early_khz={mhz * 1000} oxydra.probe=1"]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    args = parse_args()
    if os.geteuid() != 0:
        raise SystemExit("micro_vm_bench: needs root (the VMM's uid and cgroups)")
    figures = {}
    for tier in ("micro_vm", "container"):
        user = User(args, tier)
        try:
            shell, gateway = [], []
            for _ in range(args.runs):
                s, g = user.cold_start()
                shell.append(s)
                gateway.append(g)
                user.run("stop")
            user.run("start", "--detach")
            execs = exec_round_trips(f"{user.dir}/ws/bench/ipc/shell/shell.sock", args.execs)
            rss = user.vmm_rss_kib() if tier == "micro_vm" else None
            user.run("stop")
        finally:
            user.cleanup()
        figures[tier] = (statistics.median(shell), statistics.median(gateway), execs, rss)
    boot = bare_boot(args, args.runs)

    ms = lambda s: f"{s * 1000:.0f} ms"
    vm, ct = figures["micro_vm"], figures["container"]
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores); {args.runs} cold starts, {args.execs} execs, accel {args.accel}")
    print(f"bare boot (QEMU start to exit, /init prints one line): {ms(boot)}")
    print(f"shell ready:   micro_vm {ms(vm[0])} ({vm[0] / boot:.2f}x the bare boot), container {ms(ct[0])} (micro_vm/container {vm[0] / ct[0]:.1f}x)")
    print(f"gateway ready: micro_vm {ms(vm[1])} ({vm[1] / boot:.2f}x the bare boot), container {ms(ct[1])} (micro_vm/container {vm[1] / ct[1]:.1f}x)")
    print(f"exec true round trip: micro_vm {vm[2] * 1e6:.0f} us, container {ct[2] * 1e6:.0f} us ({vm[2] / ct[2]:.1f}x)")
    print(f"memory: the two QEMU processes {vm[3] / 1024:.0f} MiB RSS (guest RAM touched, TCG cache, mapped kernel)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
