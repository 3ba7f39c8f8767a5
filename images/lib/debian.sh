# shellcheck shell=bash
# Debian trees from the mirror this host already reaches: the suite, the
# sources, and debootstrap plus updates with a shared .deb cache.

# The host's Debian codename (bookworm when unknown).
debian_suite() {
  local c=""
  if [ -r /etc/os-release ]; then c=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"'); fi
  echo "${c:-bookworm}"
}

# host_debian_sources SUITE: "URI SUITE COMPONENTS" for each Debian source of
# this host whose suite is SUITE, SUITE-updates or SUITE-security (one-line and
# deb822 formats).
host_debian_sources() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk -v s="$suite" '
      /^[[:space:]]*deb[[:space:]]/ {
        i = 2
        if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
        uri = $i; su = $(i + 1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
        if (su == s || su == s "-updates" || su == s "-security") print uri, su, comps
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v s="$suite" '
      function flush(   n, m, i, j, us, ss) {
        if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && uris != "" && enabled != "no") {
          n = split(uris, us, /[[:space:]]+/); m = split(suites, ss, /[[:space:]]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
            if (us[i] != "" && (ss[j] == s || ss[j] == s "-updates" || ss[j] == s "-security"))
              print us[i], ss[j], comps
        }
        types = uris = suites = comps = enabled = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      {
        key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[[:space:]]*/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "components") comps = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { flush() }' "$f"
  done
}

# guest_sources SUITE [MIRROR]: the guest's sources.list lines (MIRROR alone
# when given, else the host's Debian sources).
guest_sources() {
  local suite=$1 mirror=${2:-} uri su comps
  if [ -n "$mirror" ]; then
    echo "deb $mirror $suite main"
    return
  fi
  host_debian_sources "$suite" | awk '!seen[$0]++' | while read -r uri su comps; do
    echo "deb $uri $su ${comps:-main}"
  done
}

# debootstrap_updated NAME TREE SUITE SOURCES DEBS_DIR LOG PACKAGE...: a minbase
# Debian in TREE (the image NAME's) with PACKAGE... and the suite's updates applied. Downloaded
# .debs stay in DEBS_DIR (debootstrap's cache and apt's archive alike).
debootstrap_updated() {
  local name=$1 tree=$2 suite=$3 sources=$4 debs=$5 log=$6 first_uri
  shift 6
  command -v debootstrap >/dev/null || die "debootstrap not found (hint: apt-get install debootstrap)"
  first_uri=$(awk -v s="$suite" '$3 == s { print $2; exit }' <<<"$sources")
  [ -n "$first_uri" ] || die "no Debian '$suite' source in /etc/apt/sources.list{,.d/*} (hint: --mirror http://deb.debian.org/debian)"

  say "debootstrap $name (takes a few minutes): $suite from $first_uri, log $log"
  if ! debootstrap --variant=minbase --cache-dir="$debs" \
    --include="$(IFS=,; echo "$*")" "$suite" "$tree" "$first_uri" >"$log" 2>&1; then
    tail -n 15 "$log" >&2
    if [ -f "$tree/debootstrap/debootstrap.log" ]; then tail -n 15 "$tree/debootstrap/debootstrap.log" >&2; fi
    die "debootstrap failed (see $log; hint: check the mirror is reachable, or --mirror URL)"
  fi

  say "$name: applying $suite updates (apt-get dist-upgrade in the chroot)"
  printf '%s\n' "$sources" >"$tree/etc/apt/sources.list"
  cp -L /etc/resolv.conf "$tree/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$tree/usr/sbin/policy-rc.d"
  chmod 0755 "$tree/usr/sbin/policy-rc.d"
  mkdir -p "$debs/partial"
  mount -t proc proc "$tree/proc"
  mount --bind "$debs" "$tree/var/cache/apt/archives"
  if ! chroot "$tree" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C sh -c \
    'apt-get update -qq && apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade' >>"$log" 2>&1; then
    unmount_under "$tree"
    tail -n 15 "$log" >&2
    die "apt-get in the $name chroot failed (see $log)"
  fi
  umount "$tree/var/cache/apt/archives" "$tree/proc"
  rm -f "$tree/usr/sbin/policy-rc.d"
}

# debian_trim TREE: drops apt's lists, caches and logs (they only grow the image).
debian_trim() {
  chroot "$1" apt-get clean
  rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/debconf/*-old \
    "$1"/var/log/apt/* "$1"/var/log/dpkg.log "$1"/var/log/bootstrap.log
}

# package_version_drift NAME TREE PACKAGE...: warns for each package whose version
# in TREE differs from the host's (the binaries were linked on the host).
package_version_drift() {
  local name=$1 tree=$2 p hv gv
  shift 2
  for p in "$@"; do
    [ -n "$p" ] || continue
    hv=$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || true)
    gv=$(dpkg-query --admindir="$tree/var/lib/dpkg" -W -f '${Version}' "$p" 2>/dev/null || true)
    [ "$hv" = "$gv" ] || warn "$name has $p $gv, the host built against $hv"
  done
}
