# shellcheck shell=bash disable=SC2154  # variables come from scripts/build-microvm-images
# The microVM initramfs: busybox-static, the virtio modules, and /init. Today
# /init brings the devices up and, booted with oxydra.probe=1, prints one line
# ("oxydra-initramfs: up <uptime>") on the console and powers off: the bare
# boot-to-init baseline the microVM figures are measured against.

write_init() {
  cat >"$1" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do insmod "/modules/$m.ko" || echo "oxydra-initramfs: insmod $m failed"; done
if grep -q 'oxydra.probe=1' /proc/cmdline; then
  echo "oxydra-initramfs: up $(cut -d' ' -f1 /proc/uptime) kernel $(uname -r) ports $(ls /sys/class/virtio-ports 2>/dev/null | wc -l)"
  poweroff -f
fi
echo "oxydra-initramfs: nothing to boot yet (the microVM tier is being built)"
poweroff -f
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
