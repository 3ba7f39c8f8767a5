# shellcheck shell=bash disable=SC2154  # the options and directories come from the entry point
# shell-vm: the cached base (shell-vm-base.sh) plus shell-daemon and the guest
# init, assembled in seconds as a hard-link copy of the base. A new binary only
# reassembles.

# The host's local CAs (so HTTPS through a TLS-inspecting egress proxy works
# when shell-vm gets a network): their content, empty when none or --no-host-ca.
host_ca_digest() {
  [ "$host_ca" -eq 1 ] && [ -d /usr/local/share/ca-certificates ] || return 0
  find /usr/local/share/ca-certificates -name '*.crt' -type f -print0 | sort -z |
    xargs -0 -r sha256sum
}

# build_shell_vm SHELL_DAEMON GUEST_INIT
build_shell_vm() {
  local shell_bin=$1 init_bin=$2 packages sources base_hash bin_hash rootfs_hash tmp p
  local final="$out_dir/shell-vm" stamp="$out_dir/shell-vm.stamp" base_stamp="$cache_dir/shell-vm-base.stamp"
  local guest_daemon="$OXYDRA_GUEST_BIN_DIR/shell-daemon"
  mapfile -t packages < <(shell_vm_packages "$shell_bin" | awk 'NF' | sort -u)
  sources=$(guest_sources "$suite" "$mirror")
  base_hash=$(shell_vm_base_hash "$sources" "${packages[@]}")
  if [ "$force" -eq 1 ] || [ "$(stamp_value "$base_stamp" base)" != "$base_hash" ] || [ ! -d "$cache_dir/shell-vm-base" ]; then
    build_shell_vm_base "$base_hash" "$sources" "${packages[@]}"
  else
    say "shell-vm base up to date (${base_hash:0:12}; --force rebuilds it)"
  fi

  bin_hash=$(binaries_hash "$shell_bin" "$init_bin")
  rootfs_hash=$({
    printf '%s %s\n' "$base_hash" "$bin_hash"
    host_ca_digest
    recipe_digest lib/binaries.sh container/shell-vm.sh
  } | sha)
  if [ "$force" -eq 0 ] && [ -d "$final" ] && [ "$(stamp_value "$stamp" rootfs)" = "$rootfs_hash" ]; then
    say "shell-vm up to date: $final (${rootfs_hash:0:12})"
    return
  fi
  say "shell-vm: assembling $final"
  new_temp "$out_dir" shell-vm
  rmdir "$tmp"
  # Hard links: seconds instead of copying ~300 MB. Files are only ever
  # replaced (new inode), never written in place, so the cached base stays intact.
  cp -al "$cache_dir/shell-vm-base" "$tmp"
  # Mount point of the runner's egress proxy (ipc/egress/), used with shell_network.
  mkdir -p "$tmp/egress"
  install_binary "$tmp" "$shell_bin"
  install_binary "$tmp" "$init_bin"
  install_missing_libraries "$tmp" "$guest_daemon" "$shell_bin"
  if [ "$host_ca" -eq 1 ] && [ -n "$(host_ca_digest)" ]; then
    cp -a /usr/local/share/ca-certificates/. "$tmp/usr/local/share/ca-certificates/"
    # Replaces the bundle and links by rename, so the hard-linked base is untouched.
    chroot "$tmp" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates in the shell-vm chroot failed"
    say "shell-vm: added the host's local CAs: $(cd /usr/local/share/ca-certificates && find . -name '*.crt' -printf '%P ')"
  fi
  mapfile -t packages < <(ldd_paths "$shell_bin" | while read -r p; do owner_package "$p"; done | sort -u)
  package_version_drift shell-vm "$tmp" "${packages[@]}"
  check_resolves shell-vm "$tmp" "$guest_daemon"
  check_runs shell-vm "$tmp" "$guest_daemon"
  swap_into_place "$tmp" "$final" "$stamp" "rootfs=$rootfs_hash
base=$base_hash
bin=$bin_hash"
  say "shell-vm ready: $final (${rootfs_hash:0:12})"
}
