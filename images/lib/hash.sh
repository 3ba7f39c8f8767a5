# shellcheck shell=bash disable=SC2154  # prog and images_root come from the entry point
# Input hashing and stamps: a tree is rebuilt only when the hash of its inputs
# differs from the one its stamp records.

sha() { sha256sum | cut -d' ' -f1; }

# stamp_value FILE KEY: the value of KEY=... in a stamp, or nothing.
stamp_value() {
  if [ -f "$1" ]; then sed -n "s/^$2=//p" "$1" | head -n1; fi
}

# recipe_digest FILE...: the content of recipe files, named relative to
# images/ (so the checkout's location does not matter).
recipe_digest() {
  (cd "$images_root" && sha256sum "$@") | sha
}

# binaries_hash BIN...: the content of the binaries and of every library they map.
binaries_hash() {
  local b p
  for b in "$@"; do
    sha256sum "$b" | cut -d' ' -f1
    ldd_paths "$b" | while read -r p; do
      printf '%s ' "$p"
      sha256sum <"$p" | cut -d' ' -f1
    done
  done | sha
}
