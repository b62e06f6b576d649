#!/usr/bin/env bash
# Prepares what ./vmm boot and the Linux boot tests boot by default, and prints it on stdout:
#   VMM_BOOT_KERNEL=<the bzImage of the newest Debian 6.12 kernel, the sandbox's 6.12 profile's own>
#   VMM_BOOT_INITRD=<a cpio with a static busybox, scripts/boot-init.sh as /init and
#                    scripts/boot-complete.c built as /bin/vmm-boot-complete>
#   VMM_BOOT_VMLINUX=<the uncompressed ELF vmlinux inside that bzImage>
#   VMM_BOOT_CLOUD_KERNEL=<with --cloud only: the bzImage of the newest Debian 12 6.1 cloud
#                          kernel, a second stock kernel for the tests, built without /dev/port,
#                          MP-table parsing and most drivers>
# Everything is cached under $VMM_CACHE (default ~/.cache/vmm); progress and errors go to stderr.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INIT_SCRIPT="$VMM_ROOT/scripts/boot-init.sh"
# Boot-complete where the kernel has no /dev/port (see the source); no libc, so a KiB and only gcc.
HELPER_SOURCE="$VMM_ROOT/scripts/boot-complete.c"
HELPER_CFLAGS=(-static -nostdlib -Os -fno-stack-protector -fno-asynchronous-unwind-tables -s
  -z noseparate-code)
# Bump when the layout of the initramfs built below changes (the init script, the helper's source
# and its flags are hashed anyway).
INITRD_FORMAT=2

[ $# = 0 ] || [ "$1" = --cloud ] || die "usage: boot-assets.sh [--cloud]"
tmp_files=()
trap 'rm -rf "${tmp_files[@]}"' EXIT

ensure_debs cpio:cpio
ensure_static_busybox || die "/bin/busybox from busybox-static is missing after installing it."
[ -r "$INIT_SCRIPT" ] || die "$INIT_SCRIPT is missing."
[ -r "$HELPER_SOURCE" ] || die "$HELPER_SOURCE is missing."

# Sets bzimage to the bzImage of the newest kernel of a series, downloaded once (lib.sh).
kernel_image() { # SERIES WHAT
  fetch_kernel "$1" \
    || die "Could not find or download $2 (apt-cache search '$(kernel_regex "$1")'): check the access to Debian's package mirror."
  if [ "$kernel_cached" = 1 ]; then
    say "using the cached $kernel_pkg (could not get the newest from the package mirror)."
  fi
  local images=("$kernel_dir"/boot/vmlinuz-*)
  bzimage=${images[0]}
  [ -f "$bzimage" ] || die "$kernel_pkg holds no boot/vmlinuz-*."
}

# ---- Kernels: the same package as the sandbox's 6.12 profile, and the 6.1 cloud one. ----
kernel_image 6.12 "a Debian 6.12 kernel package"
vmlinuz=$bzimage
vmlinux="$kernel_dir/boot/vmlinux-${vmlinuz##*/vmlinuz-}"
cloud_vmlinuz=""
if [ "${1:-}" = --cloud ]; then
  kernel_image cloud "a Debian 6.1 cloud kernel package"
  cloud_vmlinuz=$bzimage
fi

# ---- vmlinux: the bzImage's compressed payload, decompressed. ----
u8() { od -An -tu1 -j"$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j"$2" -N4 "$1" | tr -d ' '; }
starts_with() { # FILE HEX: whether the file's first bytes are these
  [ "$(head -c $((${#2} / 2)) "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "$2" ]
}
extract_vmlinux() { # BZIMAGE OUT
  local img=$1 out=$2 sects start len tool payload
  # The setup header (boot protocol 2.08+) says where the payload is: payload_offset and
  # payload_length at 0x248, counted from the protected-mode code after the setup sectors.
  [ "$(dd if="$img" bs=1 skip=$((0x202)) count=4 status=none)" = HdrS ] \
    || { say "$img is not a bzImage (no HdrS setup header)."; return 1; }
  sects=$(u8 "$img" $((0x1f1)))
  if [ "$sects" -eq 0 ]; then sects=4; fi # the oldest convention
  start=$(( (sects + 1) * 512 + $(u32 "$img" $((0x248))) ))
  len=$(u32 "$img" $((0x24c)))
  payload="$out.payload"
  tmp_files+=("$payload")
  dd if="$img" of="$payload" bs=1M iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none || return 1
  # Told apart by their magic numbers, as the kernel's scripts/extract-vmlinux does.
  if starts_with "$payload" 1f8b08; then tool="gzip -dc"; ensure_debs gzip:gzip
  elif starts_with "$payload" fd377a585a00; then tool="xz -dc"; ensure_debs xz:xz-utils
  elif starts_with "$payload" 425a68; then tool="bzip2 -dc"; ensure_debs bzip2:bzip2
  elif starts_with "$payload" 5d000000; then tool="xz -dc --format=lzma"; ensure_debs xz:xz-utils
  elif starts_with "$payload" 894c5a; then tool="lzop -dc"; ensure_debs lzop:lzop
  elif starts_with "$payload" 02214c18; then tool="lz4 -dc"; ensure_debs lz4:lz4
  elif starts_with "$payload" 28b52ffd; then tool="zstd -dc"; ensure_debs zstd:zstd
  else
    say "the payload of $img has no compression magic known to extract-vmlinux."; return 1
  fi
  # The payload ends with the uncompressed size (read by the kernel's own decompressor), which
  # some tools take for trailing garbage: their status says nothing, the result is checked instead.
  $tool <"$payload" >"$out" 2>/dev/null || true
  starts_with "$out" 7f454c46 || { say "decompressing the payload of $img with '$tool' gave no ELF file."; return 1; }
  [ "$(stat -c %s "$out")" = "$(u32 "$payload" $((len - 4)))" ] \
    || { say "decompressing the payload of $img with '$tool' gave a truncated vmlinux."; return 1; }
}
if ! starts_with "$vmlinux" 7f454c46; then
  say "extracting the uncompressed vmlinux from $kernel_pkg"
  # Under a private name, then renamed: concurrent runs (the cache is shared) never see half of it.
  tmp=$(mktemp "$vmlinux.XXXXXX")
  tmp_files+=("$tmp")
  extract_vmlinux "$vmlinuz" "$tmp" || die "Could not extract the vmlinux from $vmlinuz: see the message above."
  chmod 644 "$tmp" && mv "$tmp" "$vmlinux"
fi

# ---- Initramfs: static busybox, /init and the boot-complete helper; keyed by their sources. ----
key=$( { echo "$INITRD_FORMAT"; printf '%s\n' "${HELPER_CFLAGS[@]}"; cat "$INIT_SCRIPT" "$HELPER_SOURCE"; } | sha256sum | cut -c1-16)
initrd="$VMM_CACHE/initramfs/boot-$key.cpio"
if [ ! -s "$initrd" ]; then
  say "building the boot initramfs (cached under $VMM_CACHE/initramfs)"
  mkdir -p "${initrd%/*}"
  stage=$(mktemp -d "$VMM_CACHE/tmp.boot-initrd.XXXXXX")
  out=$(mktemp "$initrd.XXXXXX")
  tmp_files+=("$stage" "$out")
  chmod 755 "$stage" && mkdir -p "$stage"/{bin,proc,sys,dev}
  { cp /bin/busybox "$stage/bin/busybox" && cp "$INIT_SCRIPT" "$stage/init" && chmod 755 "$stage/init"; } \
    || die "Could not stage the boot initramfs in $stage."
  ensure_debs gcc:gcc
  gcc "${HELPER_CFLAGS[@]}" -o "$stage/bin/vmm-boot-complete" "$HELPER_SOURCE" \
    || die "Could not compile $HELPER_SOURCE with gcc: see the messages above."
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out" \
    || die "Could not pack the boot initramfs with cpio."
  chmod 644 "$out" && mv "$out" "$initrd"
fi
# The sandbox drops images unused for a week (the cache is shared): this one is in use.
touch "$initrd"

echo "VMM_BOOT_KERNEL=$(readlink -f "$vmlinuz")"
echo "VMM_BOOT_INITRD=$(readlink -f "$initrd")"
echo "VMM_BOOT_VMLINUX=$(readlink -f "$vmlinux")"
if [ -n "$cloud_vmlinuz" ]; then echo "VMM_BOOT_CLOUD_KERNEL=$(readlink -f "$cloud_vmlinuz")"; fi
