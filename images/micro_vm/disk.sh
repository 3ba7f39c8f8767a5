# shellcheck shell=bash disable=SC2154  # variables come from scripts/build-microvm-images
# A guest's read-only root disk: the container tier's finished tree of the
# same role (so both tiers run the same userland) copied into an ext4 image
# by mke2fs -d, without a journal or metadata checksums (read-only, and no
# crc32c module to load). Rebuilt when that tree's stamp changes.

# build_root_disk TREE OUT: an ext4 image of TREE, sized to fit with room
# for the filesystem's own metadata.
build_root_disk() {
  local tree=$1 out=$2 mib
  mib=$(du -sm --apparent-size "$tree" | cut -f1)
  mib=$((mib + mib / 4 + 64))
  rm -f "$out"
  : >"$out"  # an existing file: mke2fs then says nothing about creating it
  mkfs.ext4 -q -F -d "$tree" -O ^has_journal,^metadata_csum -m 0 -L oxydra-root -b 4096 \
    "$out" "${mib}M" || die "mkfs.ext4 -d $tree failed"
}
