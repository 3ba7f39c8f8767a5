# shellcheck shell=bash disable=SC2154  # the options and directories come from the entry point
# shell-vm's base tree, the slow part (minutes): Debian minbase, the userland
# the model's commands expect, the project's runtime libraries, user oxydra
# (1000:1000, home /shared) and the mount points. Kept in
# DIR/cache/shell-vm-base/ and rebuilt only when its hash changes.

# shell_vm_packages SHELL_DAEMON: the Debian packages of the base, one a line.
shell_vm_packages() {
  local p
  printf '%s\n' bash coreutils findutils grep sed gawk diffutils procps python3 git curl \
    ca-certificates tar gzip xz-utils bzip2 unzip less patch file jq passwd
  # Runtime libraries of the project's binaries (docs/architecture.md), so a
  # new link dependency does not force a rebuild of the base.
  printf '%s\n' libstdc++6 libgcc-s1 libc6 libspdlog1.10 libfmt9 libseccomp2 libcurl4 libsqlite3-0
  # Whatever shell-daemon links today, by the host package that ships it.
  ldd_paths "$1" | while read -r p; do owner_package "$p"; done
}

# shell_vm_base_hash SOURCES PACKAGE...: the suite, the sources, the packages
# and this recipe.
shell_vm_base_hash() {
  local sources=$1
  shift
  {
    echo "suite=$suite"
    printf '%s\n' "$sources" "$@"
    recipe_digest names.env lib/debian.sh container/shell-vm-base.sh
  } | sha
}

# build_shell_vm_base HASH SOURCES PACKAGE...
build_shell_vm_base() {
  local hash=$1 sources=$2 tmp
  shift 2
  new_temp "$cache_dir" shell-vm-base
  debootstrap_updated shell-vm "$tmp" "$suite" "$sources" "$cache_dir/debs" "$cache_dir/debootstrap.log" "$@"

  say "shell-vm: user oxydra (1000:1000, home /shared), mount points"
  chroot "$tmp" groupadd -g 1000 oxydra
  chroot "$tmp" useradd -u 1000 -g 1000 -d /shared -M -s /bin/bash -c Oxydra oxydra
  mkdir -p "$tmp/shared" "$tmp/ipc" "$tmp/tmp" "$tmp$OXYDRA_GUEST_BIN_DIR" "$tmp$OXYDRA_GUEST_LIB_DIR"
  chown 1000:1000 "$tmp/shared"
  chmod 1777 "$tmp/tmp"
  : >"$tmp/etc/resolv.conf"
  echo shell-vm >"$tmp/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tmp/etc/hosts"
  debian_trim "$tmp"
  swap_into_place "$tmp" "$cache_dir/shell-vm-base" "$cache_dir/shell-vm-base.stamp" "base=$hash"
}
