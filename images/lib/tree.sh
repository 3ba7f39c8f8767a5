# shellcheck shell=bash disable=SC2154  # prog comes from the entry point
# Root filesystem trees are built in a temporary directory and renamed into
# place with their stamp, so an interrupted build never looks finished. A tree
# replaced while a guest still runs on it is retired, and removed once unused.

temp_dirs=()

# unmount_under DIR: everything mounted at or below DIR, deepest first.
# /proc/mounts escapes spaces as \040; our paths have none.
unmount_under() {
  local root=$1 m
  awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# For the EXIT trap: removes the temporary trees of this run.
remove_temp_trees() {
  local d
  for d in "${temp_dirs[@]+"${temp_dirs[@]}"}"; do
    [ -e "$d" ] || continue
    unmount_under "$d"
    rm -rf --one-file-system "$d"
  done
}

# remove_leftovers DIR...: temporary trees of a build that was killed outright
# (the caller holds the lock, so none is live).
remove_leftovers() {
  local parent d
  for parent in "$@"; do
    for d in "$parent"/.*.tmp.* "$parent"/.*.old.*; do
      [ -d "$d" ] || continue
      echo "$prog: removing leftover $d"
      unmount_under "$d"
      rm -rf --one-file-system "$d"
    done
  done
}

# new_temp PARENT NAME: sets $tmp (not via $(...), so temp_dirs survives).
new_temp() {
  tmp="$1/.$2.tmp.$$"
  rm -rf --one-file-system "$tmp"
  mkdir -p "$tmp"
  temp_dirs+=("$tmp")
}

# in_use DIR: a running guest has DIR as its root (seen through /proc/PID/root).
in_use() {
  local r
  for r in /proc/[0-9]*/root; do
    [ "$(readlink "$r" 2>/dev/null)" = "$1" ] && return 0
  done
  return 1
}

# sweep_retired DIR: retired trees in DIR whose guests are gone.
sweep_retired() {
  local d
  for d in "$1"/.retired.*; do
    [ -d "$d" ] || continue
    in_use "$d" || rm -rf --one-file-system "$d"
  done
}

# swap_into_place TMP FINAL STAMPFILE STAMPTEXT: the old stamp goes first and
# the new one last, so no moment exists where FINAL is half-built and a stamp
# says it is finished.
swap_into_place() {
  local tmp=$1 final=$2 stamp=$3 text=$4 old=""
  rm -f "$stamp"
  if [ -e "$final" ]; then
    old="$(dirname "$final")/.retired.$(basename "$final").$(date +%s).$$"
    mv "$final" "$old"
  fi
  mv "$tmp" "$final"
  printf '%s\n' "$text" >"$stamp.tmp.$$"
  mv "$stamp.tmp.$$" "$stamp"
  # A running guest keeps the old tree (deleting it would pull its files away).
  if [ -n "$old" ]; then
    if in_use "$old"; then
      say "$(basename "$final"): the previous root filesystem is still in use by a running guest; kept as $old until it stops"
    else
      rm -rf --one-file-system "$old"
    fi
  fi
}
