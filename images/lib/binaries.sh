# shellcheck shell=bash
# Installing the project's binaries into a guest tree, with their libraries.

# ldd_paths BINARY: every file the dynamic loader maps (loader included), as
# the absolute paths ldd reports; nothing for a static binary. Dies on "not found".
ldd_paths() {
  local out
  if out=$(ldd "$1" 2>&1); then :; else
    grep -q 'not a dynamic executable' <<<"$out" && return 0
    die "ldd $1 failed: $out"
  fi
  if grep -q 'not found' <<<"$out"; then
    die "$1 needs libraries the host lacks: $(grep 'not found' <<<"$out" | awk '{print $1}' | tr '\n' ' ')(hint: scripts/install-deps)"
  fi
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out" | sort -u
}

# owner_package PATH: the Debian package that ships PATH (merged /usr aware), or nothing.
owner_package() {
  local p=$1 real cand out
  real=$(readlink -f "$p")
  for cand in "$p" "$real" "/usr${p}" "${p#/usr}" "/usr${real}" "${real#/usr}"; do
    out=$(dpkg-query -S "$cand" 2>/dev/null | grep -v '^diversion' | head -n1) || true
    if [ -n "$out" ]; then
      echo "${out%%:*}" | cut -d, -f1
      return 0
    fi
  done
  return 0
}

# install_binary ROOT HOST_BINARY: into ROOT's guest bin dir, under its own name.
install_binary() {
  install -D -m 0755 "$2" "$1$OXYDRA_GUEST_BIN_DIR/$(basename "$2")"
}

# install_host_libraries ROOT HOST_BINARY: every library the binary maps,
# copied to the same absolute path in ROOT (the host's loader included).
install_host_libraries() {
  local root=$1 p
  ldd_paths "$2" | while read -r p; do
    mkdir -p "$root$(dirname "$p")"
    cp -L "$p" "$root$p"
  done
}

# install_missing_libraries ROOT GUEST_BINARY HOST_BINARY: copies the host
# libraries ROOT's loader cannot resolve into the guest lib dir and registers
# it with ROOT's ld.so (a fallback: normally guest packages provide them all).
install_missing_libraries() {
  local root=$1 gbin=$2 hbin=$3 lib host_path copied=0
  while read -r lib; do
    [ -n "$lib" ] || continue
    host_path=$(ldd "$hbin" | awk -v l="$lib" '$1 == l && $3 ~ /^\// { print $3 }')
    [ -n "$host_path" ] || die "$lib is missing in the guest and not found on the host"
    cp -L "$host_path" "$root$OXYDRA_GUEST_LIB_DIR/$lib"
    warn "$lib is not provided by a guest package; copied from $host_path into $OXYDRA_GUEST_LIB_DIR"
    copied=1
  done < <(chroot "$root" ldd "$gbin" 2>&1 | awk '/not found/ { print $1 }')
  if [ "$copied" -eq 1 ]; then
    echo "$OXYDRA_GUEST_LIB_DIR" >"$root/etc/ld.so.conf.d/oxydra.conf"
    chroot "$root" ldconfig
  fi
}

# check_resolves NAME ROOT GUEST_BINARY: ROOT's loader finds every library.
check_resolves() {
  local out
  out=$(chroot "$2" ldd "$3" 2>&1) || die "ldd in the $1 chroot failed: $out"
  ! grep -q 'not found' <<<"$out" ||
    die "$1: $(basename "$3") has unresolved libraries: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
}

# check_runs NAME ROOT GUEST_BINARY: '--help' works in ROOT as the guest user.
check_runs() {
  local out
  out=$(chroot --userspec=1000:1000 "$2" "$3" --help 2>&1) ||
    die "$1: '$(basename "$3") --help' fails in the chroot: $(head -n 3 <<<"$out")"
}
