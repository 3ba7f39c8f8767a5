# shellcheck shell=bash disable=SC2154  # variables come from scripts/build-microvm-images
# The microVM initramfs: busybox-static, the virtio modules, and /init. Today
# /init brings the devices up and, booted with oxydra.probe=1, prints one line
# ("oxydra-initramfs: up <uptime>") on the console and powers off: the bare
# boot-to-init baseline the microVM figures are measured against.

write_init() {
  cat >"$1" <<'INIT'
#!/bin/busybox sh
# PID 1 until switch_root. Kernel command line:
#   oxydra.probe=1          print one line and power off (the bare boot baseline)
#   oxydra.role=shell-vm    root = /dev/vda (ext4, read-only) or else the 9p
#                           share "root"; /shared and /tmp = the shares
#                           "shared" and "tmp"; the shell daemon on /ipc/shell.sock,
#                           reached from the host over the VM link (service "shell")
#   oxydra.role=oxydra-vm   the same root; shared, tmp, vault (read-only) and
#                           internal under /workspace; the envelope read from the
#                           port org.oxydra.bootstrap; the gateway offered to the
#                           host (service "gateway"), the shell daemon and the
#                           egress proxy reached through the host
#   oxydra.link=vsock:PORT  the VM link on a vsock port (Firecracker) instead of
#                           the virtio-serial port org.oxydra.link (QEMU)
#   oxydra.uid=N            the guest's user (default 1000); the runner gives
#                           the host uid that owns the user's directories, so
#                           the 9p shares need no id mapping
#   oxydra.max_processes=N  RLIMIT_NPROC of the guest's user, and pids.max of
#                           the cgroup its program runs in
#   oxydra.memory_mib=N     memory.max of that cgroup (the VM has some more, so
#                           the kernel, init and the link keep room when the
#                           user's processes hit the limit)
#   oxydra.shell_network=1  shell-vm: the egress proxy at /egress/egress.sock
# The VM link is the virtio-serial port org.oxydra.link (docs/protocol.md).
# The program runs as that uid under oxydra-guest-init --user (no capabilities,
# no_new_privs) with the same seccomp allow list as on the container tier
# (--seccomp); the link is init's lifeline to the host.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# What a container runtime gives every guest and no udev makes here.
ln -s /proc/self/fd /dev/fd
ln -s fd/0 /dev/stdin
ln -s fd/1 /dev/stdout
ln -s fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev shm /dev/shm
for m in $(cat /modules/order); do insmod "/modules/$m.ko" || echo "oxydra-initramfs: insmod $m failed"; done
fail() { echo "oxydra-initramfs: $*"; poweroff -f; }
if grep -q 'oxydra.probe=1' /proc/cmdline; then
  echo "oxydra-initramfs: up $(cut -d' ' -f1 /proc/uptime) kernel $(uname -r) ports $(ls /sys/class/virtio-ports 2>/dev/null | wc -l)"
  poweroff -f
fi
arg() { sed -n "s/.*oxydra\.$1=\([a-z0-9:-]*\).*/\1/p" /proc/cmdline; }
role=$(arg role)
case "$role" in shell-vm | oxydra-vm) ;; *) fail "no oxydra.role=shell-vm|oxydra-vm on the kernel command line" ;; esac
uid=$(arg uid)
[ -n "$uid" ] || uid=1000
p9='trans=virtio,version=9p2000.L,msize=262144'
# The root: a read-only disk when the VMM gives one, else the 9p share "root".
if [ -b /dev/vda ]; then
  mount -t ext4 -o ro,noload /dev/vda /mnt || fail "cannot mount the root disk /dev/vda"
else
  mount -t 9p -o "$p9,ro" root /mnt || fail "cannot mount the root share"
fi
# port NAME: the device of the virtio-serial port NAME, given to the guest's user.
port() {
  for p in /sys/class/virtio-ports/*; do
    if [ "$(cat "$p/name" 2>/dev/null)" = "$1" ]; then
      chown "$uid:$uid" "/dev/$(basename "$p")"
      echo "/dev/$(basename "$p")"
      return
    fi
  done
  fail "no virtio-serial port named $1"
}
share() { mount -t 9p -o "$p9,$3,nosuid,nodev" "$1" "$2" || fail "cannot mount the $1 share"; }
own_tmpfs() { mount -t tmpfs -o "mode=0700,uid=$uid,gid=$uid,size=1m,nosuid,nodev,noexec" "$1" "$2"; }
# The link: a virtio-serial port (QEMU), or oxydra.link=vsock:PORT (Firecracker).
link=$(arg link)
[ -n "$link" ] || link=$(port org.oxydra.link)
init=/opt/oxydra/bin/oxydra-guest-init
set -- --user "$uid:$uid" --power-off --link "$link"
nproc=$(arg max_processes)
[ -n "$nproc" ] && set -- "$@" --max-processes "$nproc"
# The program and everything it starts run in a cgroup of their own.
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2"
echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/guest
memory=$(arg memory_mib)
[ -n "$memory" ] && echo $((memory * 1024 * 1024)) >/sys/fs/cgroup/guest/memory.max
[ -n "$nproc" ] && echo "$nproc" >/sys/fs/cgroup/guest/pids.max
set -- "$@" --cgroup /sys/fs/cgroup/guest
if [ "$role" = shell-vm ]; then
  share shared /mnt/shared rw
  share tmp /mnt/tmp rw
  own_tmpfs ipc /mnt/ipc
  env="HOME=/shared TMPDIR=/tmp"
  if [ "$(arg shell_network)" = 1 ]; then
    own_tmpfs egress /mnt/egress
    set -- "$@" --link-forward /egress/egress.sock=egress
    env="$env ALL_PROXY=socks5h://localhost/egress/egress.sock all_proxy=socks5h://localhost/egress/egress.sock"
  fi
  set -- "$@" --seccomp guest --link-service shell=/ipc/shell.sock --cwd /shared -- \
    /opt/oxydra/bin/shell-daemon --socket /ipc/shell.sock
else
  w=/mnt/workspace
  share shared $w/shared rw
  share tmp $w/tmp rw
  share vault $w/vault ro
  # SQLite (WAL) maps its -shm file: 9p needs cache=mmap for that.
  share internal $w/internal rw,cache=mmap
  own_tmpfs ipc $w/ipc
  mkdir -p $w/ipc/gateway $w/ipc/shell && chown "$uid:$uid" $w/ipc/gateway $w/ipc/shell
  own_tmpfs egress /mnt/egress
  env="HOME=/workspace/internal TMPDIR=/workspace/tmp"
  set -- "$@" --link-service gateway=/workspace/ipc/gateway/gateway.sock \
    --link-forward /workspace/ipc/shell/shell.sock=shell \
    --link-forward /egress/egress.sock=egress --seccomp runtime --cwd /workspace
  # The envelope arrives on its own port, read once as standard input: never
  # on the kernel command line or a disk.
  bootstrap=$(port org.oxydra.bootstrap)
  exec <"$bootstrap"
  set -- "$@" -- /opt/oxydra/bin/oxydra-vm --bootstrap-stdin
fi
mount --move /dev /mnt/dev
mount --move /proc /mnt/proc
mount --move /sys /mnt/sys
# shellcheck disable=SC2086  # $env is words on purpose
exec env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 USER=oxydra $env switch_root /mnt $init "$@"
INIT
  chmod 0755 "$1"
}

# build_initramfs KERNEL_DIR OUT: a gzip'd newc cpio.
build_initramfs() {
  local kernel_dir=$1 out=$2 root busybox
  busybox=$(command -v busybox) || die "busybox not found (hint: apt-get install busybox-static)"
  file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
    die "$busybox is not statically linked (hint: apt-get install busybox-static)"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/modules" "$root/mnt"
  cp "$busybox" "$root/bin/busybox"
  cp "$kernel_dir"/modules/*.ko "$root/modules/"
  printf '%s\n' "${microvm_modules[@]}" >"$root/modules/order"
  write_init "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out"
  rm -rf "$root"
}
