# shellcheck shell=bash disable=SC2154  # the options and directories come from the entry point
# oxydra-vm: minimal, no package manager. oxydra-vm and the guest init, every
# library ldd reports (same absolute paths, loader included), the host's CA
# certificates, passwd/group (oxydra 1000), nsswitch.conf, hosts, an empty
# resolv.conf and the mount points.

# build_oxydra_vm OXYDRA_VM GUEST_INIT
build_oxydra_vm() {
  local vm_bin=$1 init_bin=$2 bin_hash rootfs_hash tmp d f
  local final="$out_dir/oxydra-vm" stamp="$out_dir/oxydra-vm.stamp"
  bin_hash=$(binaries_hash "$vm_bin" "$init_bin")
  rootfs_hash=$({
    echo "$bin_hash"
    recipe_digest names.env lib/binaries.sh container/oxydra-vm.sh
    sha256sum </etc/ssl/certs/ca-certificates.crt
  } | sha)
  if [ "$force" -eq 0 ] && [ -d "$final" ] && [ "$(stamp_value "$stamp" rootfs)" = "$rootfs_hash" ]; then
    say "oxydra-vm up to date: $final (${rootfs_hash:0:12})"
    return
  fi
  [ -r /etc/ssl/certs/ca-certificates.crt ] || die "/etc/ssl/certs/ca-certificates.crt missing (hint: apt-get install ca-certificates)"
  say "oxydra-vm: assembling $final"
  new_temp "$out_dir" oxydra-vm
  # Same merged-/usr layout as the host, so ldd's paths exist as they are.
  mkdir -p "$tmp/usr/bin" "$tmp/usr/sbin" "$tmp/usr/lib" "$tmp/usr/lib64"
  for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$tmp/$d"; else mkdir -p "$tmp/$d"; fi
  done
  # /egress: mount point of the runner's egress proxy, its only way out.
  mkdir -p "$tmp/etc/ssl" "$tmp/tmp" "$tmp/ipc" "$tmp/egress" "$tmp/workspace" "$tmp/proc" "$tmp/dev" "$tmp/sys" \
    "$tmp$OXYDRA_GUEST_BIN_DIR" "$tmp/usr/lib/ssl" "$tmp/usr/share"
  chmod 1777 "$tmp/tmp"
  install_binary "$tmp" "$vm_bin"
  install_binary "$tmp" "$init_bin"
  # Mount points of the user's directories (the root is read-only at run time).
  mkdir -p "$tmp/workspace/shared" "$tmp/workspace/tmp" "$tmp/workspace/vault" \
    "$tmp/workspace/ipc" "$tmp/workspace/internal"
  install_host_libraries "$tmp" "$vm_bin"
  # CA certificates: libcurl's bundle is /etc/ssl/certs/ca-certificates.crt
  # (curl-config --ca); the hashed directory links into /usr/share/ca-certificates.
  cp -a /etc/ssl/certs "$tmp/etc/ssl/"
  if [ -d /usr/share/ca-certificates ]; then cp -a /usr/share/ca-certificates "$tmp/usr/share/"; fi
  if [ -f /etc/ssl/openssl.cnf ]; then cp /etc/ssl/openssl.cnf "$tmp/etc/ssl/"; fi
  ln -s /etc/ssl/certs "$tmp/usr/lib/ssl/certs"
  ln -s /etc/ssl/certs/ca-certificates.crt "$tmp/usr/lib/ssl/cert.pem"
  ln -s /etc/ssl/openssl.cnf "$tmp/usr/lib/ssl/openssl.cnf"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\noxydra:x:1000:1000:Oxydra:/workspace:/usr/sbin/nologin\n' >"$tmp/etc/passwd"
  printf 'root:x:0:\noxydra:x:1000:\n' >"$tmp/etc/group"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' >"$tmp/etc/nsswitch.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tmp/etc/hosts"
  echo oxydra-vm >"$tmp/etc/hostname"
  : >"$tmp/etc/resolv.conf"
  for f in services protocols; do
    if [ -f "/etc/$f" ]; then cp "/etc/$f" "$tmp/etc/$f"; fi
  done
  chown 1000:1000 "$tmp/workspace"
  check_runs oxydra-vm "$tmp" "$OXYDRA_GUEST_BIN_DIR/oxydra-vm"
  swap_into_place "$tmp" "$final" "$stamp" "rootfs=$rootfs_hash
bin=$bin_hash"
  say "oxydra-vm ready: $final (${rootfs_hash:0:12})"
}
