# shellcheck shell=bash disable=SC2154  # variables come from scripts/build-microvm-images
# The microVM kernel: Debian's linux-image package for this suite, downloaded
# and unpacked (never installed on the host), its bzImage's xz payload
# extracted into an uncompressed vmlinux (the ELF with the PVH note that
# QEMU's microvm machine boots directly: about 1.7 s to init under TCG here,
# against 4.6 s for the compressed bzImage), and the virtio modules the
# initramfs needs.

# The versioned package linux-image-amd64 points at (linux-image-6.1.0-NN-amd64).
kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# The package's version as the mirror has it, for the cache key.
kernel_package_version() {
  apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2; exit }'
}

# fetch_kernel_deb PACKAGE DIR: the .deb in DIR (downloaded once).
fetch_kernel_deb() {
  local package=$1 dir=$2 deb
  deb=$(find "$dir" -maxdepth 1 -name "${package}_*.deb" | head -n1)
  if [ -z "$deb" ]; then
    say "micro_vm: downloading $package" >&2
    (cd "$dir" && apt-get download "$package" >/dev/null 2>&1) ||
      die "apt-get download $package failed (hint: apt-get update; the mirror must be reachable)"
    deb=$(find "$dir" -maxdepth 1 -name "${package}_*.deb" | head -n1)
  fi
  [ -n "$deb" ] || die "no .deb for $package in $dir"
  echo "$deb"
}

# extract_vmlinux BZIMAGE OUT: the first xz stream of the bzImage that
# decompresses to an ELF file.
extract_vmlinux() {
  local bzimage=$1 out=$2 offset
  for offset in $(LC_ALL=C grep -abo $'\xfd7zXZ' "$bzimage" | cut -d: -f1); do
    tail -c +$((offset + 1)) "$bzimage" | xz -dc 2>/dev/null >"$out" || true
    if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = "177ELF" ]; then return 0; fi
  done
  die "no xz-compressed ELF kernel in $bzimage"
}

# The modules the initramfs loads, in dependency order (tiers.md: console
# and 9p; virtio_blk and ext4 for the root disks; vsock for Firecracker's link).
microvm_modules=(virtio_ring virtio virtio_mmio virtio_console virtio_blk 9pnet 9pnet_virtio
  netfs fscache 9p crc16 crc32c_generic mbcache jbd2 ext4
  vsock vmw_vsock_virtio_transport_common vmw_vsock_virtio_transport)

# unpack_kernel DEB OUT_DIR: OUT_DIR/vmlinux, OUT_DIR/modules/*.ko, OUT_DIR/release.
unpack_kernel() {
  local deb=$1 out=$2 tree release m file
  tree="$out/.deb"
  mkdir -p "$tree" "$out/modules"
  dpkg-deb -x "$deb" "$tree"
  release=$(ls "$tree/lib/modules")
  extract_vmlinux "$tree/boot/vmlinuz-$release" "$out/vmlinux"
  for m in "${microvm_modules[@]}"; do
    file=$(find "$tree/lib/modules/$release" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
    [ -n "$file" ] || die "module $m not in $deb"
    case "$file" in
      *.xz) xz -dc "$file" >"$out/modules/$m.ko" ;;
      *) cp "$file" "$out/modules/$m.ko" ;;
    esac
  done
  echo "$release" >"$out/release"
  rm -rf "$tree"
}
