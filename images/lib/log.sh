# shellcheck shell=bash disable=SC2154  # prog and images_root come from the entry point
# Messages of the image recipes. $prog names the entry point that sourced us.

say() { echo "== $*"; }
warn() { echo "$prog: warning: $*" >&2; }
die() {
  echo "$prog: error: $1" >&2
  exit 1
}
