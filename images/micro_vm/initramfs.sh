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
#                           share "root", /shared and
#                           /tmp = the shares "shared" and "tmp", then the shell
#                           daemon on the virtio-serial port org.oxydra.shell as
#                           uid 1000 under oxydra-guest-init
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
grep -q 'oxydra.role=shell-vm' /proc/cmdline || fail "no oxydra.role on the kernel command line"
p9='trans=virtio,version=9p2000.L,msize=262144'
# The root: a read-only disk when the VMM gives one, else the 9p share "root".
if [ -b /dev/vda ]; then
  mount -t ext4 -o ro,noload /dev/vda /mnt || fail "cannot mount the root disk /dev/vda"
else
  mount -t 9p -o "$p9,ro" root /mnt || fail "cannot mount the root share"
fi
mount -t 9p -o "$p9,rw,nosuid,nodev" shared /mnt/shared || fail "cannot mount the shared share"
mount -t 9p -o "$p9,rw,nosuid,nodev" tmp /mnt/tmp || fail "cannot mount the tmp share"
port=""
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = org.oxydra.shell ] && port=/dev/$(basename "$p")
done
[ -n "$port" ] || fail "no virtio-serial port named org.oxydra.shell"
chown 1000:1000 "$port"
mount --move /dev /mnt/dev
mount --move /proc /mnt/proc
mount --move /sys /mnt/sys
exec switch_root /mnt /opt/oxydra/bin/oxydra-guest-init -- \
  /usr/bin/setpriv --reuid=1000 --regid=1000 --init-groups --no-new-privs --inh-caps=-all \
  --bounding-set=-all -- /opt/oxydra/bin/shell-daemon --serial "$port"
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
