#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prepares what ./vmm boot and the Linux boot tests boot by default, and prints it on stdout:
#   VMM_BOOT_KERNEL=<the bzImage of the newest Debian 6.12 kernel, the sandbox's 6.12 profile's own>
#   VMM_BOOT_INITRD=<a cpio with a static busybox, scripts/boot-init.sh as /init and
#                    scripts/boot-complete.c built as /bin/vmm-boot-complete, scripts/guest-lib.sh
#                    as /lib/vmm-guest.sh>
#   VMM_BOOT_VMLINUX=<the uncompressed ELF vmlinux inside that bzImage>
#   VMM_BOOT_CLOUD_KERNEL=<with --cloud only: the bzImage of the newest Debian 12 6.1 cloud
#                          kernel, a second stock kernel for the tests, built without /dev/port,
#                          MP-table parsing and most drivers>
#   VMM_BOOT_ROOTFS=<a 64 MiB ext4 image (sparse) for a virtio-blk disk: the static busybox with its
#                    applet links, /bin/vmm-boot-complete, scripts/disk-bench.c built as
#                    /bin/vmm-disk-bench, scripts/vsock-tool.c built as /bin/vmm-vsock (vsock and
#                    TCP echo servers and clients), scripts/rootfs-init.sh as /sbin/init and
#                    scripts/guest-lib.sh as /lib/vmm-guest.sh.
#                    Made without root privileges (mkfs.ext4 -d, then debugfs). A guest that mounts
#                    it read-write changes it: boot the cached image with "ro" or boot a copy>
#   VMM_BOOT_ROOTFS_INITRD=<a cpio for VMM_BOOT_KERNEL that loads the modules the root needs
#                           (virtio_mmio, virtio_blk, ext4 and theirs, decompressed) and, when the
#                           VM has such devices, those of virtio-net and virtio-vsock (virtio_net,
#                           the virtio vsock transport and theirs), mounts root= (default /dev/vda)
#                           and switches to it: scripts/rootfs-initramfs-init.sh>
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
# The root file system image and the initramfs that mounts it (VMM_BOOT_ROOTFS*). Bump
# ROOTFS_FORMAT when the way either is built changes (scripts, sources and size are hashed anyway).
ROOTFS_INIT="$VMM_ROOT/scripts/rootfs-init.sh"
# What both inits share, installed in their images as /lib/vmm-guest.sh.
GUEST_LIB="$VMM_ROOT/scripts/guest-lib.sh"
ROOTFS_INITRD_INIT="$VMM_ROOT/scripts/rootfs-initramfs-init.sh"
ROOTFS_MIB=64
# The guest's disk benchmark (vmm.diskbench= in rootfs-init.sh): plain C, so static glibc.
DISK_BENCH_SOURCE="$VMM_ROOT/scripts/disk-bench.c"
DISK_BENCH_CFLAGS=(-static -O2 -s)
# The guest's socket tool (vmm.vsock.*= and vmm.net.*= in rootfs-init.sh): busybox has no AF_VSOCK.
VSOCK_TOOL_SOURCE="$VMM_ROOT/scripts/vsock-tool.c"
ROOTFS_FORMAT=2
# What mounting an ext4 root on a virtio-mmio disk needs, loaded in this order, each after the
# modules it depends on. crc32c_generic first: ext4 and jbd2 ask for the crc32c hash by name
# (softdep "pre: crypto-crc32c", not a symbol dependency) for metadata_csum, which mkfs.ext4 sets.
ROOTFS_MODULES=(crc32c_generic virtio_mmio virtio_blk ext4)
# Then, each with what it needs, only when virtio_mmio has found a device of that virtio device ID:
# eth0 (1, virtio-net) and the guest side of vsock (19, virtio-vsock). A VM without such devices
# boots as fast as before.
DEVICE_MODULES=(1:virtio_net 19:vmw_vsock_virtio_transport)

[ $# = 0 ] || [ "$1" = --cloud ] || die "usage: boot-assets.sh [--cloud]"
tmp_files=()
trap 'rm -rf "${tmp_files[@]}"' EXIT

# mkfs.ext4 and debugfs live in /usr/sbin, which a user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
ensure_debs cpio:cpio mkfs.ext4:e2fsprogs debugfs:e2fsprogs
ensure_static_busybox || die "/bin/busybox from busybox-static is missing after installing it."
for f in "$INIT_SCRIPT" "$HELPER_SOURCE" "$ROOTFS_INIT" "$ROOTFS_INITRD_INIT" "$GUEST_LIB" "$DISK_BENCH_SOURCE" "$VSOCK_TOOL_SOURCE"; do
  [ -r "$f" ] || die "$f is missing."
done

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
# The cloud kernel below sets kernel_pkg and kernel_dir anew: the root's initramfs needs these.
boot_kernel_pkg=$kernel_pkg boot_kernel_dir=$kernel_dir
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

# Compiles scripts/boot-complete.c into OUT.
build_helper() { # OUT
  ensure_debs gcc:gcc
  gcc "${HELPER_CFLAGS[@]}" -o "$1" "$HELPER_SOURCE" \
    || die "Could not compile $HELPER_SOURCE with gcc: see the messages above."
}

# ---- Initramfs: static busybox, /init and the boot-complete helper; keyed by their sources. ----
key=$( { echo "$INITRD_FORMAT"; printf '%s\n' "${HELPER_CFLAGS[@]}"; cat "$INIT_SCRIPT" "$HELPER_SOURCE" "$GUEST_LIB"; } | sha256sum | cut -c1-16)
initrd="$VMM_CACHE/initramfs/boot-$key.cpio"
# Builds PATH with BUILDER OUT unless it is cached: under a private name, then renamed, so that
# concurrent runs (the cache is shared) never see half of it.
cached_build() { # PATH WHAT BUILDER
  local path=$1 out
  if [ ! -s "$path" ]; then
    say "building $2 (cached under ${path%/*})"
    mkdir -p "${path%/*}"
    out=$(mktemp "$path.XXXXXX")
    tmp_files+=("$out")
    "$3" "$out"
    chmod 644 "$out" && mv "$out" "$path"
  fi
  # The sandbox drops images unused for a week: this one is in use.
  touch "$path"
}
build_initrd() { # OUT
  local out=$1 stage
  stage=$(mktemp -d "$VMM_CACHE/tmp.boot-initrd.XXXXXX")
  tmp_files+=("$stage")
  chmod 755 "$stage" && mkdir -p "$stage"/{bin,lib,proc,sys,dev}
  { cp /bin/busybox "$stage/bin/busybox" && cp "$INIT_SCRIPT" "$stage/init" && chmod 755 "$stage/init" \
      && cp "$GUEST_LIB" "$stage/lib/vmm-guest.sh"; } \
    || die "Could not stage the boot initramfs in $stage."
  build_helper "$stage/bin/vmm-boot-complete"
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out" \
    || die "Could not pack the boot initramfs with cpio."
}
cached_build "$initrd" "the boot initramfs" build_initrd

# ---- Root file system: an ext4 image with busybox, the helper and scripts/rootfs-init.sh. ----
busybox_version=$(/bin/busybox --help 2>&1 | sed -n 1p)
key=$( { echo "$ROOTFS_FORMAT $ROOTFS_MIB $busybox_version"; printf '%s\n' "${HELPER_CFLAGS[@]}" "${DISK_BENCH_CFLAGS[@]}";
         cat "$ROOTFS_INIT" "$HELPER_SOURCE" "$GUEST_LIB" "$DISK_BENCH_SOURCE" "$VSOCK_TOOL_SOURCE"; } | sha256sum | cut -c1-16)
rootfs="$VMM_CACHE/rootfs/rootfs-$key.ext4"
build_rootfs() { # OUT
  local out=$1 stage p cmds complaints
  stage=$(mktemp -d "$VMM_CACHE/tmp.rootfs.XXXXXX")
  tmp_files+=("$stage")
  { chmod 755 "$stage" && mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc} \
      && chmod 1777 "$stage/tmp" && chmod 700 "$stage/root" && cp /bin/busybox "$stage/bin/busybox" \
      && cp "$ROOTFS_INIT" "$stage/sbin/init" && chmod 755 "$stage/sbin/init" \
      && mkdir -p "$stage/lib" && cp "$GUEST_LIB" "$stage/lib/vmm-guest.sh"; } \
    || die "Could not stage the root file system in $stage."
  build_helper "$stage/bin/vmm-boot-complete"
  [ -r /usr/lib/x86_64-linux-gnu/libc.a ] || ensure_debs vmm-needs-libc6-dev:libc6-dev
  gcc "${DISK_BENCH_CFLAGS[@]}" -o "$stage/bin/vmm-disk-bench" "$DISK_BENCH_SOURCE" \
    || die "Could not compile $DISK_BENCH_SOURCE with gcc (static, glibc): see the messages above."
  gcc "${DISK_BENCH_CFLAGS[@]}" -o "$stage/bin/vmm-vsock" "$VSOCK_TOOL_SOURCE" \
    || die "Could not compile $VSOCK_TOOL_SOURCE with gcc (static, glibc): see the messages above."
  # Busybox's applets as links, made here: the guest's root may be mounted read-only.
  while read -r p; do
    case $p in sbin/init | linuxrc | bin/busybox) continue ;; esac
    { mkdir -p "$stage/${p%/*}" && ln -s /bin/busybox "$stage/$p"; } || die "Could not link $stage/$p to busybox."
  done < <(/bin/busybox --list-full)
  # Sparse: the blocks mkfs.ext4 does not write (it discards the rest) take no room on the host.
  { truncate -s "${ROOTFS_MIB}M" "$out" \
      && mkfs.ext4 -q -F -b 4096 -i 16384 -m 0 -L vmm-root -E root_owner=0:0 -d "$stage" "$out" >&2; } \
    || die "mkfs.ext4 could not make the root file system image $out: see the messages above."
  # mkfs.ext4 -d copies the builder's owner and cannot make device nodes; debugfs fixes both.
  # /dev/console and /dev/null serve a kernel that mounts this root itself (no initramfs).
  cmds=$(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | sed 's|^\.\(.*\)$|sif "\1" uid 0\nsif "\1" gid 0|'
         printf '%s\n' "cd /dev" "mknod console c 5 1" "sif console mode 020600" "mknod null c 1 3" "sif null mode 020666")
  debugfs -w -f - "$out" <<<"$cmds" >/dev/null 2>"$out.debugfs" \
    || die "debugfs could not finish the root file system image $out: $(tail -n 3 "$out.debugfs")"
  tmp_files+=("$out.debugfs")
  # debugfs goes on after a failed command (its messages go to stderr): none may fail.
  complaints=$(grep -v '^debugfs [0-9]' "$out.debugfs" || true)
  [ -z "$complaints" ] || die "debugfs could not finish the root file system image $out: $(head -n 3 <<<"$complaints")"
  e2fsck -fn "$out" >"$out.debugfs" 2>&1 || die "The new root file system image $out does not pass e2fsck -fn: $(tail -n 5 "$out.debugfs")"
}
if [ ! -s "$rootfs" ]; then
  # Images of other versions of the scripts: other clones of the project may still use some (the
  # cache is shared), so only those unused for a week go.
  find "$VMM_CACHE/rootfs" -maxdepth 1 -name 'rootfs-*.ext4' -mtime +7 -delete 2>/dev/null || true
  find "$VMM_CACHE/rootfs" -maxdepth 1 -name 'rootfs-*.ext4.*' -mmin +60 -delete 2>/dev/null || true
fi
cached_build "$rootfs" "the root file system image" build_rootfs

# ---- Initramfs for the root file system: the kernel's modules that mounting it needs. ----
kver=${vmlinuz##*/vmlinuz-}
moddir="$boot_kernel_dir/lib/modules/$kver"
key=$( { echo "$ROOTFS_FORMAT $boot_kernel_pkg $busybox_version ${ROOTFS_MODULES[*]} ${DEVICE_MODULES[*]}"; cat "$ROOTFS_INITRD_INIT"; } \
       | sha256sum | cut -c1-16)
rootfs_initrd="$VMM_CACHE/initramfs/boot-rootfs-$key.cpio"
build_rootfs_initrd() { # OUT
  local out=$1 stage f name m setting value
  local -A path=() seen=()
  local order=() group=() e from summary
  [ -d "$moddir" ] || die "$boot_kernel_pkg holds no lib/modules/$kver."
  # The kernel must have the virtio-mmio transport, which binds the DSDT's LNRO0005 devices
  # through ACPI (Debian's 6.12 has it as a module, without CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES).
  for setting in CONFIG_VIRTIO_MMIO:"mount a root on a virtio-mmio disk" CONFIG_VIRTIO_BLK:"mount a root on a virtio-mmio disk" \
      CONFIG_EXT4_FS:"mount a root on a virtio-mmio disk" CONFIG_VIRTIO_NET:"drive a virtio-net device" \
      CONFIG_VSOCKETS:"offer vsock sockets" CONFIG_VIRTIO_VSOCKETS:"drive a virtio-vsock device"; do
    value=$(sed -n "s/^${setting%%:*}=//p" "$boot_kernel_dir/boot/config-$kver" 2>/dev/null)
    case $value in
      y | m) ;;
      *) die "$boot_kernel_pkg is built without ${setting%%:*} (boot/config-$kver says '${value:-not set}'): it cannot ${setting#*:}." ;;
    esac
  done
  stage=$(mktemp -d "$VMM_CACHE/tmp.rootfs-initrd.XXXXXX")
  tmp_files+=("$stage")
  { chmod 755 "$stage" && mkdir -p "$stage"/{bin,etc,lib/modules,proc,sys,dev,newroot} \
      && cp /bin/busybox "$stage/bin/busybox" && cp "$ROOTFS_INITRD_INIT" "$stage/init" && chmod 755 "$stage/init"; } \
    || die "Could not stage the root file system's initramfs in $stage."

  # The package has no modules.dep (its postinst runs depmod): the modules are indexed by name (the
  # file name with - as _), and each one's "depends=" in its .modinfo, which modpost writes from the
  # same symbol resolution as depmod's modules.dep, gives what it needs.
  while IFS= read -r f; do
    name=${f##*/}; name=${name%%.ko*}; name=${name//-/_}
    path[$name]=$f
  done < <(find "$moddir/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
  # Decompressed here: busybox's insmod reads modules whole and hands them to init_module.
  unpack() { # NAME -> $stage/lib/modules/NAME.ko
    local src=${path[$1]} dst="$stage/lib/modules/$1.ko"
    case $src in
      *.ko.xz)  ensure_debs xz:xz-utils && xz -dc "$src" >"$dst" ;;
      *.ko.zst) ensure_debs zstd:zstd && zstd -qdc "$src" >"$dst" ;;
      *.ko.gz)  ensure_debs gzip:gzip && gzip -dc "$src" >"$dst" ;;
      *)        cp "$src" "$dst" ;;
    esac
  }
  modinfo_field() { # NAME FIELD: the field's values in the staged module's .modinfo
    tr '\0' '\n' <"$stage/lib/modules/$1.ko" | sed -n "s/^$2=//p"
  }
  # Depth first: a module's dependencies go before it. A module without a file must be built in.
  add() { # NAME
    local n=$1 d
    [ -z "${seen[$n]:-}" ] || return 0
    seen[$n]=1
    if [ -z "${path[$n]:-}" ]; then
      grep -q "/${n//_/[-_]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null \
        || die "$boot_kernel_pkg has no module $n, built in or not (looked in $moddir)."
      return 0
    fi
    unpack "$n" || die "Could not decompress ${path[$n]} into $stage."
    for d in $(modinfo_field "$n" depends | tr ',' ' '); do add "$d"; done
    order+=("$n")
  }
  for m in "${ROOTFS_MODULES[@]}"; do add "$m"; done
  printf '%s\n' "${order[@]}" >"$stage/etc/vmm-modules"
  summary="${order[*]:-no modules (all built in)}"
  for m in "${order[@]}"; do group+=(""); done
  # A device's list holds what the lists before it do not: each is loaded after the root's.
  for e in "${DEVICE_MODULES[@]}"; do
    from=${#order[@]}
    add "${e#*:}"
    printf '%s\n' "${order[@]:from}" >"$stage/etc/vmm-modules.virtio-${e%%:*}"
    while [ ${#group[@]} -lt ${#order[@]} ]; do group+=("${e%%:*}"); done
    summary+="; with virtio device ${e%%:*}: ${order[*]:from}"
  done
  # Their soft dependencies ("pre: crypto-crc32c") must be met by a module loaded earlier (its
  # name or one of its aliases) of the root's list or their own, else ext4 mounts nothing: checked
  # rather than trusted.
  local i j dep met
  for ((i = 0; i < ${#order[@]}; i++)); do
    for dep in $(modinfo_field "${order[i]}" softdep | sed -n '/^pre:/{s/^pre: *//; s/ *post:.*//; p}'); do
      met=0
      for ((j = 0; j < i; j++)); do
        [ -z "${group[j]}" ] || [ "${group[j]}" = "${group[i]}" ] || continue
        if [ "${order[j]}" = "${dep//-/_}" ] || grep -qxF "$dep" <<<"$(modinfo_field "${order[j]}" alias)"; then met=1; fi
      done
      [ "$met" = 1 ] || die "${order[i]} asks for $dep first (softdep), which no module loaded before it provides: add it to ROOTFS_MODULES in $0."
    done
  done
  say "the root's initramfs for $kver loads $summary"
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out" \
    || die "Could not pack the root file system's initramfs with cpio."
}
cached_build "$rootfs_initrd" "the initramfs that mounts the root file system" build_rootfs_initrd

echo "VMM_BOOT_KERNEL=$(readlink -f "$vmlinuz")"
echo "VMM_BOOT_INITRD=$(readlink -f "$initrd")"
echo "VMM_BOOT_VMLINUX=$(readlink -f "$vmlinux")"
if [ -n "$cloud_vmlinuz" ]; then echo "VMM_BOOT_CLOUD_KERNEL=$(readlink -f "$cloud_vmlinuz")"; fi
echo "VMM_BOOT_ROOTFS=$(readlink -f "$rootfs")"
echo "VMM_BOOT_ROOTFS_INITRD=$(readlink -f "$rootfs_initrd")"
