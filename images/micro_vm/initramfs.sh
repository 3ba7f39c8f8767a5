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
#                           share "root", /shared and /tmp = the shares "shared"
#                           and "tmp", then the shell daemon on the
#                           virtio-serial port org.oxydra.shell
#   oxydra.role=oxydra-vm   the same root; shared, tmp, vault (read-only) and
#                           internal under /workspace; the envelope read from
#                           the port org.oxydra.bootstrap
# Either runs as uid 1000 under oxydra-guest-init --user (no capabilities,
# no_new_privs).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do insmod "/modules/$m.ko" || echo "oxydra-initramfs: insmod $m failed"; done
fail() { echo "oxydra-initramfs: $*"; poweroff -f; }
if grep -q 'oxydra.probe=1' /proc/cmdline; then
  echo "oxydra-initramfs: up $(cut -d' ' -f1 /proc/uptime) kernel $(uname -r) ports $(ls /sys/class/virtio-ports 2>/dev/null | wc -l)"
  poweroff -f
fi
role=$(sed -n 's/.*oxydra\.role=\([a-z-]*\).*/\1/p' /proc/cmdline)
case "$role" in shell-vm | oxydra-vm) ;; *) fail "no oxydra.role=shell-vm|oxydra-vm on the kernel command line" ;; esac
p9='trans=virtio,version=9p2000.L,msize=262144'
# The root: a read-only disk when the VMM gives one, else the 9p share "root".
if [ -b /dev/vda ]; then
  mount -t ext4 -o ro,noload /dev/vda /mnt || fail "cannot mount the root disk /dev/vda"
else
  mount -t 9p -o "$p9,ro" root /mnt || fail "cannot mount the root share"
fi
# port NAME: the device of the virtio-serial port NAME, given to uid 1000.
port() {
  for p in /sys/class/virtio-ports/*; do
    if [ "$(cat "$p/name" 2>/dev/null)" = "$1" ]; then
      chown 1000:1000 "/dev/$(basename "$p")"
      echo "/dev/$(basename "$p")"
      return
    fi
  done
  fail "no virtio-serial port named $1"
}
if [ "$role" = shell-vm ]; then
  mount -t 9p -o "$p9,rw,nosuid,nodev" shared /mnt/shared || fail "cannot mount the shared share"
  mount -t 9p -o "$p9,rw,nosuid,nodev" tmp /mnt/tmp || fail "cannot mount the tmp share"
  shell=$(port org.oxydra.shell)
  set -- /opt/oxydra/bin/shell-daemon --serial "$shell"
else
  # oxydra-vm: the user's directories under /workspace (vault read-only);
  # ipc/ is the guest's own until the gateway leaves the VM.
  w=/mnt/workspace
  mount -t 9p -o "$p9,rw,nosuid,nodev" shared $w/shared || fail "cannot mount the shared share"
  mount -t 9p -o "$p9,rw,nosuid,nodev" tmp $w/tmp || fail "cannot mount the tmp share"
  mount -t 9p -o "$p9,ro,nosuid,nodev" vault $w/vault || fail "cannot mount the vault share"
  # SQLite (WAL) maps its -shm file: 9p needs cache=mmap for that.
  mount -t 9p -o "$p9,rw,nosuid,nodev,cache=mmap" internal $w/internal || fail "cannot mount the internal share"
  mount -t tmpfs -o mode=0700,uid=1000,gid=1000,size=1m ipc $w/ipc
  # The envelope arrives on its own port, read once as standard input: never
  # on the kernel command line or a disk.
  bootstrap=$(port org.oxydra.bootstrap)
  exec <"$bootstrap"
  set -- /opt/oxydra/bin/oxydra-vm --bootstrap-stdin
fi
mount --move /dev /mnt/dev
mount --move /proc /mnt/proc
mount --move /sys /mnt/sys
exec switch_root /mnt /opt/oxydra/bin/oxydra-guest-init --user 1000:1000 -- "$@"
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
