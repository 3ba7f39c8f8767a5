#!/bin/bash
# Conformance probes for shell-vm (../shared/design/tiers.md, "Properties every
# shell-vm must hold"). Runs INSIDE the guest, as the guest's shell user, through
# the shell daemon:
#
#   oxydra-runner --config runner.toml exec -- bash /shared/<dir>/probes.sh KEY=VALUE...
#
# and prints one line per probe:  <property#> TAB <pass|fail|n/a> TAB <detail>
# A property holds when it has at least one line and every line is `pass`; a
# probe that cannot run prints `n/a` with the reason, never `pass`.
#
# Arguments (KEY=VALUE; lists are comma separated; every value is optional):
#   probes        which properties to probe (default 1-10; 11 is host-side only)
#   secret_hex    the provider credential, hex encoded (so that this command
#                 line and this file never hold the value being searched for)
#   vault_hex     content of a marker file the test put into the user's vault
#   other_hex     content of a marker file in another user's workspace
#   vault_path    host path of the user's vault; other_path: the other user's workspace
#   control_socket  host path of the runner's control socket
#   shadow_sha256 sha256 of the host's /etc/shadow ("" when the host has none)
#   host_only     host paths under /root and /home that the guest image lacks
#   host_pids     host pids (the runner's, the test's)
#   host_pidns, host_netns, host_userns  the host's /proc/self/ns/* links
#   port          a TCP port the test listens on (all host addresses)
#   host_ips      the host's own addresses
#   max_processes, max_memory_mib, max_disk_mib  the user's [resources]
#   abstract_name an abstract Unix socket the test listens on in the host's namespace
#   baseline15    errnos the host saw without seccomp for personality(ADDR_NO_RANDOMIZE)
#                 and ioctl(TIOCSTI) on /dev/null ("0,25": the call works, ENOTTY)
#   log_marker    text written with terminal escapes to the guest's log (17)
#   host_boot_id  the host kernel's /proc/sys/kernel/random/boot_id: a guest
#                 with another one runs its own kernel (a microVM), where the
#                 namespace comparisons mean nothing (both kernels' initial
#                 namespaces have the same inode numbers)
#
# Everything that needs a system call, a socket or a scan is done by python3
# (the image's userland); when python3 is missing those probes say n/a.

# shellcheck disable=SC2317  # the probe_N functions are called indirectly
set -u
export LC_ALL=C
declare -A A=()
for kv in "$@"; do A[${kv%%=*}]=${kv#*=}; done
arg() { printf '%s' "${A[$1]:-}"; }

only=",$(arg probes),"
[[ $only == ",," ]] && only=",1,2,3,4,5,6,7,8,9,10,14,15,16,17,18,"
want() { [[ $only == *",$1,"* ]]; }
row() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
have() { command -v "$1" >/dev/null 2>&1; }
# The message of the last failing command, without the program's prefix.
reason() { local m=${1##*: }; printf '%s' "${m:-no error text}"; }

PY=$(command -v python3 || true)

# Runs embedded python with the probe arguments in sys.argv (KEY=VALUE).
py() {
  local code=$1
  shift
  if [[ -z $PY ]]; then
    return 127
  fi
  "$PY" -c "$code" "$@"
}

# Tries to create a file in each directory; prints the ones where it worked.
try_writes() {
  local d f out ok=() refused=()
  for d in "$@"; do
    [[ -d $d ]] || continue
    f="$d/.oxydra-conformance-$$"
    if out=$( (: >"$f") 2>&1); then
      ok+=("$d")
      rm -f "$f"
    else
      refused+=("$d ($(reason "$out"))")
    fi
  done
  WRITES_OK="${ok[*]:-}"
  WRITES_REFUSED="${refused[*]:-}"
}

probe_1() {
  try_writes / /etc /opt /var /var/tmp /home /root /usr /usr/local /bin /srv /mnt /run /media /boot
  if [[ -n $WRITES_OK ]]; then
    row 1 fail "writes outside /shared and /tmp succeeded in: $WRITES_OK"
  else
    row 1 pass "writes refused: $WRITES_REFUSED"
  fi
  try_writes /shared /tmp
  if [[ -n $WRITES_REFUSED ]]; then
    row 1 fail "own workspace not writable: $WRITES_REFUSED"
  else
    row 1 pass "own workspace writable: $WRITES_OK"
  fi
  # Every writable directory or file anywhere (access(2) knows read-only mounts).
  # /ipc is the user's own <ipc>/shell directory, which holds the daemon's
  # socket; /dev/shm and /dev/mqueue are private to the guest's ipc namespace;
  # the OCI default devices (null, zero, full, random, urandom, tty, the guest's
  # own devpts) are harmless to write (find sees the bind-mounted ones as files).
  local w unexpected=()
  while IFS= read -r w; do
    case $w in
      /shared | /shared/* | /tmp | /tmp/* | /ipc | /ipc/* | /dev/shm | /dev/shm/* | /dev/mqueue | /dev/mqueue/*) ;;
      /dev/null | /dev/zero | /dev/full | /dev/random | /dev/urandom | /dev/tty | /dev/ptmx | /dev/pts/*) ;;
      *) unexpected+=("$w") ;;
    esac
  done < <(find / \( -path /proc -o -path /sys \) -prune -o \( -type d -o -type f \) -writable -print 2>/dev/null)
  if ((${#unexpected[@]})); then
    row 1 fail "writable outside /shared, /tmp, /ipc: ${unexpected[*]:0:10}"
  else
    row 1 pass "filesystem sweep: writable only under /shared /tmp /ipc (+ private /dev/shm /dev/mqueue, default devices)"
  fi
  local ipc
  ipc=$(ls -A /ipc 2>&1 | tr '\n' ' ')
  if [[ $ipc == "shell.sock " || $ipc == "" ]]; then
    row 1 pass "/ipc holds only the daemon socket: ${ipc:-empty}"
  else
    row 1 fail "/ipc holds more than the daemon socket: $ipc"
  fi
  local other
  other=$(arg other_path)
  if [[ -z $other ]]; then
    row 1 n/a "no other user's workspace given"
  elif [[ -e $other ]]; then
    row 1 fail "other user's workspace $other is visible"
  else
    row 1 pass "other user's workspace path $other absent"
  fi
}

probe_2() {
  try_writes /usr /usr/bin /etc /lib /opt/oxydra/bin /
  local out existing=""
  if out=$( (: >>/etc/passwd) 2>&1); then
    existing="/etc/passwd"
  fi
  if [[ -n $WRITES_OK || -n $existing ]]; then
    row 2 fail "root filesystem writable: $WRITES_OK $existing"
  else
    row 2 pass "writes refused: $WRITES_REFUSED; append to /etc/passwd refused ($(reason "$out"))"
  fi
  local opts
  opts=$(awk '$5 == "/" { print $6 }' /proc/self/mountinfo | tail -n 1)
  if [[ ,$opts, == *,ro,* ]]; then
    row 2 pass "/ is mounted read-only ($opts)"
  else
    row 2 fail "/ is mounted with options '${opts:-unknown}'"
  fi
}

probe_3() {
  # /etc/shadow: unreadable, or at least not the host's.
  local out sum host_sum
  host_sum=$(arg shadow_sha256)
  if out=$(cat /etc/shadow 2>&1 >/dev/null); then
    sum=$(sha256sum </etc/shadow | cut -d' ' -f1)
    if [[ -n $host_sum && $sum == "$host_sum" ]]; then
      row 3 fail "/etc/shadow is readable and is the host's"
    else
      row 3 pass "/etc/shadow readable but is the image's, not the host's"
    fi
  else
    row 3 pass "/etc/shadow unreadable ($(reason "$out"))"
  fi
  # /root and /home: no host-only entry is visible.
  local p seen=() hl
  IFS=, read -r -a hl <<<"$(arg host_only)"
  for p in "${hl[@]}"; do
    [[ -n $p && -e $p ]] && seen+=("$p")
  done
  if ((${#seen[@]})); then
    row 3 fail "host entries visible: ${seen[*]}"
  else
    row 3 pass "/root, /home: none of ${#hl[@]} host-only entries visible (/root: $(ls -A /root 2>&1 | tr '\n' ' '); /home: $(ls -A /home 2>&1 | tr '\n' ' '))"
  fi
  # Host ssh keys.
  local k readable=()
  for k in /etc/ssh/ssh_host_*_key; do
    [[ -e $k && -r $k ]] && readable+=("$k")
  done
  if ((${#readable[@]})); then
    row 3 fail "ssh host keys readable: ${readable[*]}"
  else
    row 3 pass "no readable ssh host key"
  fi
  # Docker sockets, the runner's control socket, and any other socket.
  local s present=()
  for s in /var/run/docker.sock /run/docker.sock /run/containerd/containerd.sock /run/podman/podman.sock \
    "$(arg control_socket)" /ipc/runner-control.sock /ipc/gateway.sock /ipc/gateway/gateway.sock \
    /egress/egress.sock; do
    [[ -n $s && -e $s ]] && present+=("$s")
  done
  if ((${#present[@]})); then
    row 3 fail "host sockets visible: ${present[*]}"
  else
    row 3 pass "no docker/containerd/podman socket, no runner control socket or gateway socket"
  fi
  local sockets
  sockets=$(find / \( -path /proc -o -path /sys \) -prune -o -type s -print 2>/dev/null | grep -vx /ipc/shell.sock | tr '\n' ' ')
  if [[ -n $sockets ]]; then
    row 3 fail "unexpected sockets in the filesystem: $sockets"
  else
    row 3 pass "the only socket in the filesystem is /ipc/shell.sock"
  fi
  if [[ -n $PY ]]; then
    py '
import socket, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
path = args.get("control_socket", "")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(path)
    print("3\tfail\tconnected to the runner control socket " + path)
except OSError as e:
    print("3\tpass\tconnect to the runner control socket %s: %s" % (path, e.strerror))
' "$@"
  fi
}

probe_4() {
  local vault
  vault=$(arg vault_path)
  if [[ -n $vault && -e $vault ]]; then
    row 4 fail "vault path $vault is visible"
  else
    row 4 pass "vault path ${vault:-?} absent"
  fi
  # No mount's source is inside the vault (mountinfo field 4 is the mount's root
  # within its filesystem).
  local roots
  roots=$(awk -v v="$vault" 'v != "" && index($4, v) == 1 { print $5 " <- " $4 }' /proc/self/mountinfo)
  local vault_base=${vault##*/}
  roots+=$(awk '$4 ~ /\/(vault|internal)(\/|$)/ { print $5 " <- " $4 }' /proc/self/mountinfo)
  if [[ -n $roots ]]; then
    row 4 fail "mounts from vault/internal: $roots"
  else
    row 4 pass "no mount comes from ${vault_base:-vault} or internal"
  fi
  # The content scan is in scan_files (shared with 1 and 5).
}

# One pass over the filesystem for the vault marker (4), the other user's marker
# (1) and the credential (5); then the credential in environments and command
# lines (5).
scan_files() {
  if [[ -z $PY ]]; then
    want 1 && row 1 n/a "python3 missing: no content scan"
    want 4 && row 4 n/a "python3 missing: no content scan"
    want 5 && row 5 n/a "python3 missing: no content or /proc scan"
    return
  fi
  py '
import os, stat, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
wanted = set(("," + args.get("probes", "") + ",").split(",")) - {""}
if not wanted:
    wanted = {str(i) for i in range(1, 11)}
markers = {}
for prop, key, what in (("1", "other_hex", "other user marker"), ("4", "vault_hex", "vault marker"),
                        ("5", "secret_hex", "credential")):
    if prop in wanted:
        if args.get(key):
            markers[prop] = (what, bytes.fromhex(args[key]))
        else:
            print("%s\tn/a\tno %s given to search for" % (prop, what))
if not markers:
    sys.exit(0)

# 5: the environment and every process (this process holds the decoded value
# only in memory, never in its environment or command line).
if "5" in markers:
    secret = markers["5"][1]
    env_hits = [k for k, v in os.environb.items() if secret in v or secret in k]
    print("5\t%s\tshell environment: %s" % ("fail" if env_hits else "pass",
          "credential in " + ",".join(x.decode() for x in env_hits) if env_hits
          else "%d variables, no credential" % len(os.environb)))
    hits, scanned, unreadable = [], 0, 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        for name in ("environ", "cmdline"):
            try:
                with open("/proc/%s/%s" % (pid, name), "rb") as f:
                    data = f.read()
                scanned += 1
                if secret in data:
                    hits.append("/proc/%s/%s" % (pid, name))
            except OSError:
                unreadable += 1
    print("5\t%s\tprocess list: %s" % ("fail" if hits else "pass",
          "credential in " + " ".join(hits) if hits
          else "%d environ/cmdline files scanned (%d unreadable), no credential" % (scanned, unreadable)))

overlap = max(len(m[1]) for m in markers.values())
found = {p: [] for p in markers}
files = nbytes = denied = 0
for root, dirs, names in os.walk("/", followlinks=False):
    if root == "/":
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
    for n in names:
        path = os.path.join(root, n)
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                continue
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            denied += 1
            continue
        files += 1
        try:
            tail = b""
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                nbytes += len(chunk)
                buf = tail + chunk
                for p, (_, m) in markers.items():
                    if m in buf and path not in found[p]:
                        found[p].append(path)
                tail = buf[-overlap:]
        except OSError:
            denied += 1
        finally:
            os.close(fd)
summary = "%d files, %d MiB scanned outside /proc /sys /dev, %d unreadable" % (files, nbytes >> 20, denied)
for p, (what, _) in sorted(markers.items()):
    if found[p]:
        print("%s\tfail\t%s found in %s" % (p, what, " ".join(found[p][:5])))
    else:
        print("%s\tpass\t%s not found (%s)" % (p, what, summary))
' "$@"
}

# True in a guest with a kernel of its own (a microVM); says which in $KERNEL_NOTE.
own_kernel() {
  local mine host
  mine=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
  host=$(arg host_boot_id)
  KERNEL_NOTE="own kernel $(uname -r), boot id $mine (the host's: $host)"
  [[ -n $host && -n $mine && $mine != "$host" ]]
}

probe_6() {
  local init
  init=$(tr '\0' ' ' </proc/1/cmdline 2>/dev/null)
  if [[ $init == *oxydra-guest-init* ]]; then
    row 6 pass "pid 1 is the guest init: ${init:0:60}"
  else
    row 6 fail "pid 1 is not the guest init: ${init:-unreadable}"
  fi
  # In a VM, root's processes are the guest kernel's threads and its init.
  local n=0 p owner me vm=0 own=0 others=()
  me=$(id -u)
  own_kernel && vm=1
  for p in /proc/[0-9]*; do
    n=$((n + 1))
    owner=$(stat -c %u "$p" 2>/dev/null) || continue
    if [[ $owner == "$me" ]] || ((vm && owner == 0)); then
      own=$((own + 1))
    else
      others+=("${p#/proc/}:$owner")
    fi
  done
  if ((${#others[@]})); then
    row 6 fail "processes of other users visible: ${others[*]:0:10}"
  elif ((vm)); then
    row 6 pass "$n processes visible, the guest user's and its own kernel's ($KERNEL_NOTE)"
  else
    row 6 pass "$n processes visible, all the guest user's ($(ps -e -o comm= 2>/dev/null | sort -u | tr '\n' ' '))"
  fi
  local ns host_ns
  ns=$(readlink /proc/self/ns/pid)
  host_ns=$(arg host_pidns)
  if ((vm)); then
    row 6 pass "no pid namespace of the host's kernel to share: $KERNEL_NOTE"
  elif [[ -z $host_ns ]]; then
    row 6 n/a "the host's pid namespace was not given"
  elif [[ $ns == "$host_ns" ]]; then
    row 6 fail "same pid namespace as the host ($ns)"
  else
    row 6 pass "own pid namespace ($ns, host $host_ns)"
  fi
  local pids hp out
  IFS=, read -r -a pids <<<"$(arg host_pids)"
  if ((${#pids[@]} == 0)); then
    row 6 n/a "no host pid given"
  fi
  for hp in "${pids[@]}"; do
    # kill -0 only: a guest that could signal the host must not kill the test.
    if out=$(kill -0 "$hp" 2>&1); then
      row 6 fail "kill -0 of host pid $hp succeeded"
    elif [[ -e /proc/$hp ]]; then
      row 6 fail "host pid $hp is visible in /proc"
    else
      row 6 pass "kill -0 of host pid $hp refused ($(reason "$out"))"
    fi
  done
}

probe_7() {
  local ifaces
  ifaces=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | tr '\n' ' ')
  if [[ $ifaces == "lo " || -z $ifaces ]]; then
    row 7 pass "network interfaces: ${ifaces:-none}"
  else
    row 7 fail "network interfaces beyond lo: $ifaces"
  fi
  local ns host_ns
  ns=$(readlink /proc/self/ns/net)
  host_ns=$(arg host_netns)
  if own_kernel; then
    row 7 pass "no network namespace of the host's kernel to share: $KERNEL_NOTE"
  elif [[ -n $host_ns && $ns == "$host_ns" ]]; then
    row 7 fail "same network namespace as the host ($ns)"
  elif [[ -n $host_ns ]]; then
    row 7 pass "own network namespace ($ns, host $host_ns)"
  fi
  if [[ -z $(arg port) ]]; then
    row 7 n/a "no host listener port given"
    return
  fi
  py '
import socket, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
port = int(args["port"])
targets = [("127.0.0.1", port)] + [(ip, port) for ip in args.get("host_ips", "").split(",") if ip]
targets += [("1.1.1.1", 443), ("8.8.8.8", 53)]
for host, p in targets:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((host, p))
        print("7\tfail\tconnected to %s:%d" % (host, p))
    except OSError as e:
        print("7\tpass\tconnect to %s:%d failed: %s" % (host, p, e.strerror or e))
    finally:
        s.close()
' "$@" || row 7 n/a "python3 missing: no connect probe"
}

probe_8() {
  local caps bad=() line
  caps=$(grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status | tr -s '\t' ' ')
  while IFS= read -r line; do
    case $line in
      NoNewPrivs:*) [[ ${line##* } == 1 ]] || bad+=("$line") ;;
      Cap*) [[ ${line##* } == 0000000000000000 ]] || bad+=("$line") ;;
    esac
  done <<<"$caps"
  if ((${#bad[@]})) || [[ $caps != *NoNewPrivs* ]]; then
    row 8 fail "privileges: ${bad[*]:-NoNewPrivs missing}"
  else
    row 8 pass "$(tr '\n' ' ' <<<"$caps")"
  fi
  if [[ $(id -u) == 0 ]]; then
    row 8 fail "the shell runs as uid 0"
  else
    row 8 pass "shell uid $(id -u) ($(id -un))"
  fi
  # A setuid binary started by the guest keeps the guest's uids.
  local b sbin=""
  for b in /usr/bin/su /bin/su /usr/bin/passwd /usr/bin/mount /usr/bin/newgrp; do
    if [[ -u $b && -x $b ]]; then
      sbin=$b
      break
    fi
  done
  if [[ -z $sbin ]]; then
    row 8 n/a "no setuid binary in the image to try"
  else
    local pid uids
    # It waits on stdin (a password prompt) while its uids are read.
    # shellcheck disable=SC2034  # only the coprocess's pid is used
    coproc SETUID { exec "$sbin" root -c true 2>/dev/null; }
    pid=$SETUID_PID
    sleep 0.5
    uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status" 2>/dev/null)
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [[ -z $uids ]]; then
      row 8 n/a "setuid $sbin exited before its uids could be read"
    elif [[ " $uids " == *" 0 "* ]]; then
      row 8 fail "setuid $sbin runs with uids $uids"
    else
      row 8 pass "setuid $sbin runs with uids $uids (not elevated)"
    fi
  fi
  py '
import os
try:
    os.setuid(0)
    print("8\tfail\tsetuid(0) succeeded")
except OSError as e:
    print("8\tpass\tsetuid(0): %s" % e.strerror)
' || row 8 n/a "python3 missing: no setuid(0) probe"
}

probe_9() {
  local maxp maxm
  maxp=$(arg max_processes)
  maxm=$(arg max_memory_mib)
  if [[ -z $maxp ]]; then
    row 9 n/a "max_processes not given"
  else
    # A bounded fork bomb: sleepers until fork fails (or 4x the limit).
    py '
import os, sys, time
limit = int(sys.argv[1])
kids, err = [], None
try:
    while len(kids) < 4 * limit:
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        kids.append(pid)
except OSError as e:
    err = e.strerror
for k in kids:
    os.kill(k, 9)
for k in kids:
    os.waitpid(k, 0)
if err is None:
    print("9\tfail\tfork bomb made %d processes, the limit is %d" % (len(kids), limit))
elif len(kids) <= limit:
    print("9\tpass\tfork bomb stopped after %d processes (%s), max_processes %d" % (len(kids), err, limit))
else:
    print("9\tfail\tfork bomb made %d processes (%s), more than max_processes %d" % (len(kids), err, limit))
' "$maxp" || row 9 n/a "python3 missing: no fork bomb"
  fi
  if [[ -z $maxm ]]; then
    row 9 n/a "max_memory_mib not given"
  elif [[ -z $PY ]]; then
    row 9 n/a "python3 missing: no memory hog"
  else
    local out rc
    out=$("$PY" -c '
import sys
want, got = 3 * int(sys.argv[1]), []
try:
    for i in range(want):
        got.append(b"x" * (1 << 20))
    print("allocated %d MiB" % len(got))
except MemoryError:
    print("MemoryError after %d MiB" % len(got))
    sys.exit(3)
' "$maxm" 2>&1)
    rc=$?
    if ((rc == 137)) || [[ $out == MemoryError* ]]; then
      row 9 pass "memory hog of $((3 * maxm)) MiB stopped (exit $rc${out:+, $out}), max_memory_mib $maxm"
    else
      row 9 fail "memory hog of $((3 * maxm)) MiB was not stopped (exit $rc, $out), max_memory_mib $maxm"
    fi
  fi
}

probe_10() {
  py '
import ctypes, errno, os, signal, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
host_pid = int((args.get("host_pids", "") or "0").split(",")[0])
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
null = ctypes.c_void_p(0)
calls = [
    ("mount(tmpfs on /tmp)", 165, (b"none", b"/tmp", b"tmpfs", 0, null), {errno.EPERM}),
    ("umount2(/shared)", 166, (b"/shared", 0), {errno.EPERM}),
    ("ptrace(ATTACH, 1)", 101, (16, 1, 0, 0), {errno.EPERM}),
    ("kexec_load", 246, (0, 0, null, 0), {errno.EPERM}),
    ("bpf(MAP_CREATE)", 321, (0, null, 0), {errno.EPERM}),
    ("unshare(CLONE_NEWUSER)", 272, (CLONE_NEWUSER,), {errno.EPERM}),
    ("unshare(CLONE_NEWNS)", 272, (CLONE_NEWNS,), {errno.EPERM}),
    ("setns(0, 0)", 308, (0, 0), {errno.EPERM}),
    ("init_module", 175, (null, 0, b""), {errno.EPERM}),
    ("keyctl(GET_KEYRING_ID)", 250, (0, -3, 0), {errno.EPERM}),
    ("clone(CLONE_NEWUSER|CLONE_NEWNET)", 56, (CLONE_NEWUSER | CLONE_NEWNET | signal.SIGCHLD, 0, 0, 0, 0),
     {errno.EPERM}),
]
if host_pid:
    calls.append(("ptrace(ATTACH, host pid %d)" % host_pid, 101, (16, host_pid, 0, 0),
                  {errno.EPERM, errno.ESRCH}))
for name, nr, a, allowed in calls:
    ctypes.set_errno(0)
    r = libc.syscall(nr, *a)
    e = ctypes.get_errno()
    if r == 0 and nr == 56:
        os._exit(0)  # a clone that worked: this is the child
    if r > 0 and nr == 56:
        os.waitpid(r, 0)
    if r != -1:
        print("10\tfail\t%s succeeded (returned %d)" % (name, r))
    elif e in allowed:
        print("10\tpass\t%s: %s" % (name, errno.errorcode.get(e, e)))
    else:
        print("10\tfail\t%s failed with %s, expected %s" % (name, errno.errorcode.get(e, e),
              "/".join(errno.errorcode[x] for x in sorted(allowed))))
' "$@" || row 10 n/a "python3 missing: no syscall probes"
  if have unshare; then
    local out
    if out=$(unshare -U true 2>&1); then
      row 10 fail "unshare -U true succeeded"
    else
      row 10 pass "unshare -U refused ($(reason "$out"))"
    fi
  fi
}

# 14: nothing on the host over the network: host loopback and addresses,
# link-local metadata, the host's abstract Unix sockets; no egress proxy
# unless the shell has network.
probe_14() {
  py '
import socket, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
port = int(args.get("port") or 0)
targets = [("169.254.169.254", 80)]
if port:
    targets += [("127.0.0.1", port)] + [(ip, port) for ip in args.get("host_ips", "").split(",") if ip]
for host, p in targets:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((host, p))
        print("14\tfail\tconnected to %s:%d" % (host, p))
    except OSError as e:
        print("14\tpass\tconnect to %s:%d refused: %s" % (host, p, e.strerror or e))
    finally:
        s.close()
name = args.get("abstract_name", "")
if not name:
    print("14\tn/a\tno host abstract socket given")
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + name)
        print("14\tfail\tconnected to the host abstract socket @%s" % name)
    except OSError as e:
        print("14\tpass\thost abstract socket @%s unreachable: %s" % (name, e.strerror or e))
    finally:
        s.close()
' "$@" || row 14 n/a "python3 missing: no connect probe"
  if [[ -e /egress/egress.sock ]]; then
    row 14 fail "the egress proxy socket is mounted although the shell has no network"
  else
    row 14 pass "no egress proxy in the shell (network not allowed)"
  fi
}

# 15: the seccomp profile is an allow list: harmless calls outside it fail.
probe_15() {
  py '
import ctypes, errno, os, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
base = [int(x) for x in (args.get("baseline15") or "").split(",") if x != ""]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(nr, *a):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *a)
    return 0 if r != -1 else ctypes.get_errno()
cases = [("personality(ADDR_NO_RANDOMIZE)", lambda: call(135, 0x0040000)),
         ("ioctl(/dev/null, TIOCSTI)", lambda: call(16, os.open("/dev/null", os.O_RDONLY), 0x5412, b"x")),
         ("ioctl(/dev/null, TIOCSTI | 1 << 32)",
          lambda: call(16, os.open("/dev/null", os.O_RDONLY), 0x100005412, b"x"))]
for i, (name, fn) in enumerate(cases):
    b = base[min(i, 1)] if len(base) >= 2 else None
    if b is None:
        print("15\tn/a\t%s: no host baseline given" % name)
        continue
    if b == errno.EPERM:
        print("15\tn/a\t%s: already EPERM without seccomp on this kernel" % name)
        continue
    e = fn()
    if e == errno.EPERM:
        print("15\tpass\t%s: EPERM (without seccomp: %s)" % (name, errno.errorcode.get(b, b) if b else "works"))
    else:
        print("15\tfail\t%s: %s, expected EPERM" % (name, errno.errorcode.get(e, e) if e else "worked"))
call(135, 0xffffffff)
' "$@" || row 15 n/a "python3 missing: no syscall probe"
}

# 16: shared/ and tmp/ are bounded: writing 3x the allowance stops at it.
probe_16() {
  local mib d f out written
  mib=$(arg max_disk_mib)
  if [[ -z $mib ]]; then
    row 16 n/a "no max_disk_mib given"
    return
  fi
  for d in /shared /tmp; do
    f="$d/.conformance-fill"
    out=$(dd if=/dev/zero of="$f" bs=1M count=$((mib * 3)) 2>&1)
    written=$(stat -c %s "$f" 2>/dev/null || echo 0)
    rm -f "$f"
    if [[ $out == *"No space left"* || $out == *"quota exceeded"* ]] && ((written <= mib * 1048576)); then
      row 16 pass "$d: writing $((mib * 3)) MiB stopped at $((written / 1048576)) MiB ($(reason "$(grep -m1 -i 'space\|quota' <<<"$out")"))"
    else
      row 16 fail "$d: wrote $((written / 1048576)) MiB of $((mib * 3)) MiB, allowance $mib MiB"
    fi
  done
}

# 17: what a guest writes to its log (here PID 1's stderr, the pipe the runner
# reads) carries terminal escapes; the host checks they arrive escaped.
probe_17() {
  local marker
  marker=$(arg log_marker)
  if [[ -z $marker ]]; then
    row 17 n/a "no log marker given"
    return
  fi
  # PID 1's stderr where it is ours (a container); else the shell daemon's
  # (in a VM, init is root's and both write to the console).
  local target=/proc/1/fd/2 p
  if ! : 2>/dev/null >>"$target"; then
    for p in /proc/[0-9]*; do
      [[ -O $p && $(cat "$p/comm" 2>/dev/null) == shell-daemon ]] && target=$p/fd/2
    done
  fi
  if printf '%s \033]0;owned\007\033[2J\033[31m\302\233red\r\n' "$marker" >"$target" 2>/dev/null; then
    row 17 pass "wrote OSC, CSI, C1 and CR to the guest log through $target (the host checks them)"
  else
    row 17 n/a "cannot write to PID 1's or the shell daemon's stderr"
  fi
}

# 18: no core dumps: RLIMIT_CORE is 0 and cannot be raised.
probe_18() {
  local soft hard
  read -r soft hard < <(awk '/^Max core file size/ { print $5, $6 }' /proc/self/limits)
  if [[ $soft == 0 && $hard == 0 ]]; then
    row 18 pass "RLIMIT_CORE soft 0, hard 0"
  else
    row 18 fail "RLIMIT_CORE soft $soft, hard $hard"
  fi
  if (ulimit -c unlimited) 2>/dev/null; then
    row 18 fail "ulimit -c unlimited succeeded"
  else
    row 18 pass "raising RLIMIT_CORE refused"
  fi
}

for p in 1 2 3 4 6 7 8 10 14 15 16 17 18 9; do
  if want "$p"; then
    "probe_$p" "$@" 2>/dev/null
  fi
done
if want 1 || want 4 || want 5; then
  scan_files "$@" 2>/dev/null
fi
exit 0
