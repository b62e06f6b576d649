#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm boot: boots a Linux microVM with dev.vmm.examples.boot.BootLauncher, on this machine's
# /dev/kvm, or inside the 6.12 sandbox where there is none or it is PVM (which cannot boot stock kernels).
# Usage: ./vmm boot [--kernel PATH] [--initrd PATH] [--rootfs IMAGE [--rootfs-ro]] [--disk IMAGE]...
#                   [--disk-ro IMAGE]... [--config FILE] [--cmdline S] [--mem MIB] [--cpus N]
#                   [--prefault POLICY] [--runs N] [--json] [--compare qemu] [--timeout S] [--jfr FILE] [--aot]
# Every option but --aot goes to the launcher. What is not given comes from scripts/boot-assets.sh:
# with no kernel, initrd or root disk given, the newest Debian 6.12 kernel boots to the cached ext4
# root file system (read-only, /dev/vda; --disk adds /dev/vdb and on) through the initramfs that
# loads its modules; a --rootfs with the default kernel gets that initramfs too; a --kernel of the
# user's own gets the busybox initramfs (unless it has a --rootfs: then no initramfs). --config
# FILE describes the whole machine: nothing is added to it. Inside the sandbox only the project
# folder is writable: a disk the guest may write, and --jfr's file, must be there.
# --aot starts the launcher's JVM from an AOT cache, trained by one extra boot and kept in
# target/boot-aot until the code changes. The options are checked before any sandbox boots.
# VMM_BOOT_WHERE=host|sandbox overrides where it runs. The launcher's options:
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAIN=dev.vmm.examples.boot.BootLauncher

args=() kernel="" initrd="" rootfs="" jfr="" rootfs_ro=0 config="" disks=() help=0 compare_qemu=0 mem="" cpus="" aot=0
while [ $# -gt 0 ]; do
  case $1 in
    --kernel|--initrd|--rootfs|--disk|--disk-ro|--config|--jfr|--cmdline|--mem|--cpus|--prefault|--runs|--compare|--timeout)
      [ $# -ge 2 ] || die "$1 needs a value (see ./vmm help)."
      opt=$1 val=$2; shift 2 ;;
    --kernel=*|--initrd=*|--rootfs=*|--disk=*|--disk-ro=*|--config=*|--jfr=*|--cmdline=*|--mem=*|--cpus=*|--prefault=*|--runs=*|--compare=*|--timeout=*)
      opt=${1%%=*} val=${1#*=}; shift ;;
    -h|--help) help=1; args+=("$1"); shift; continue ;; # this header, then the launcher's options
    --aot) aot=1; shift; continue ;;
    --rootfs-ro) rootfs_ro=1; shift; continue ;;
    *) args+=("$1"); shift; continue ;;
  esac
  case $opt in
    --kernel) kernel=$val; continue ;;
    --initrd) initrd=$val; continue ;;
    --rootfs) [ -z "$rootfs" ] || die "--rootfs is given twice: give one root disk (more disks with --disk)."
      rootfs=$val; continue ;;
    --disk|--disk-ro) disks+=("$opt" "$val"); continue ;;
    --config) config=$val; continue ;;
    --jfr) jfr=$val; continue ;;
    --mem) mem=$val ;;
    --cpus) cpus=$val ;;
    --compare) [ "$val" = qemu ] && compare_qemu=1 ;;
  esac
  args+=("$opt" "$val")
done

where=${VMM_BOOT_WHERE:-}
# Help needs no KVM: it is printed here rather than from a sandbox.
if [ "$help" = 1 ]; then
  where=help
  script_help "${BASH_SOURCE[0]}"; echo
fi
case $where in
  help) where=host ;;
  host) say "VMM_BOOT_WHERE=host: booting on this machine's /dev/kvm" ;;
  sandbox) say "VMM_BOOT_WHERE=sandbox: booting inside the 6.12 sandbox" ;;
  '')
    if host_kvm_usable && ! host_kvm_is_pvm; then
      where=host; say "booting on this machine's /dev/kvm"
    elif host_kvm_usable; then
      where=sandbox; say "this machine's /dev/kvm is PVM, which runs only PVM-enabled guest kernels: booting inside the 6.12 sandbox"
    else
      where=sandbox; say "this machine has no usable /dev/kvm: booting inside the 6.12 sandbox"
    fi ;;
  *) die "VMM_BOOT_WHERE must be host or sandbox, not '$where'." ;;
esac
staging="$VMM_ROOT/target/boot-staging"
staged=()
trap 'rm -f "${staged[@]}"' EXIT
# Sets REPLY to PATH made absolute. Inside the sandbox /tmp is a fresh tmpfs (where only the
# project folder is mounted, when it lies below /tmp) and only the project folder is writable: a
# file the guest only reads goes from /tmp through a copy in target/; one it may write must be
# in the project folder there.
guest_path() { # WHAT PATH [writable]
  local p
  [[ -f $2 && -r $2 ]] || die "The $1 '$2' is not a readable file."
  p=$(readlink -f -- "$2")
  if [ "$where" = sandbox ]; then
    case $p in
      "$VMM_ROOT"/*) ;;
      *) [ "${3:-}" != writable ] \
           || die "The $1 '$p' is writable, but inside the sandbox only the project folder ($VMM_ROOT) is: copy the image there, or give it read-only (--rootfs-ro, --disk-ro)." ;;&
      /tmp/*)
        mkdir -p "$staging" || die "Cannot create $staging."
        say "copying the $1 $p to $staging (the sandbox cannot see /tmp)"
        staged+=("$staging/$$-${#staged[@]}-${p##*/}")
        cp -f -- "$p" "${staged[-1]}" || die "Cannot copy $p to $staging."
        p=${staged[-1]} ;;
    esac
  fi
  REPLY=$p
}

# What the guest boots: --kernel, --initrd, the disks or --config, completed with the defaults.
machine=()
if [ "$help" = 0 ]; then
  if [ -n "$config" ]; then
    if [ -n "$kernel$initrd$rootfs" ] || [ ${#disks[@]} != 0 ] || [ "$rootfs_ro" = 1 ]; then
      die "--config FILE describes the kernel, initrd and disks: give them there, not beside it."
    fi
    # Its paths are read by the launcher: inside the sandbox they must lie outside /tmp.
    guest_path "machine description" "$config"; machine=(--config "$REPLY")
  else
    user_kernel=$kernel
    default_root=0
    [ -z "$kernel$initrd$rootfs" ] && [ "$rootfs_ro" = 0 ] && default_root=1 # --disk adds to it
    if [ -z "$kernel" ] || [ -z "$initrd" ]; then
      assets=$(bash "$VMM_ROOT/scripts/boot-assets.sh") || die "Could not prepare the default kernel and images: see the messages above."
      asset() { sed -n "s/^$1=//p" <<<"$assets"; }
      [ -n "$kernel" ] || kernel=$(asset VMM_BOOT_KERNEL)
      if [ "$default_root" = 1 ]; then
        rootfs=$(asset VMM_BOOT_ROOTFS) rootfs_ro=1 # shared by every boot: never written
        say "booting the Debian kernel to the cached ext4 root file system, read-only ($rootfs)"
      fi
      if [ -z "$initrd" ]; then
        if [ -z "$user_kernel" ] && [ -n "$rootfs" ]; then
          initrd=$(asset VMM_BOOT_ROOTFS_INITRD) # its modules are the default kernel's
        elif [ -z "$rootfs" ]; then
          initrd=$(asset VMM_BOOT_INITRD)
        fi
      fi
    fi
    guest_path kernel "$kernel"; machine=(--kernel "$REPLY")
    if [ -n "$initrd" ]; then guest_path initrd "$initrd"; machine+=(--initrd "$REPLY"); fi
    if [ -n "$rootfs" ]; then
      if [ "$rootfs_ro" = 1 ]; then guest_path "root disk" "$rootfs"; machine+=(--rootfs "$REPLY" --rootfs-ro)
      else guest_path "root disk" "$rootfs" writable; machine+=(--rootfs "$REPLY"); fi
    elif [ "$rootfs_ro" = 1 ]; then
      machine+=(--rootfs-ro) # the launcher says what is missing
    fi
    for ((i = 0; i < ${#disks[@]}; i += 2)); do
      if [ "${disks[i]}" = --disk-ro ]; then guest_path disk "${disks[i + 1]}"
      else guest_path disk "${disks[i + 1]}" writable; fi
      machine+=("${disks[i]}" "$REPLY")
    done
  fi
  if [ -n "$jfr" ]; then
    # The launcher runs in the project folder: the file is named from here. The sandbox can write only there.
    [[ $jfr = /* ]] || jfr="$PWD/$jfr"
    if [ "$where" = sandbox ] && [[ $(readlink -m -- "$jfr") != "$VMM_ROOT"/* ]]; then
      die "--jfr $jfr: inside the sandbox only the project folder ($VMM_ROOT) is writable: name a file there."
    fi
    machine+=(--jfr "$jfr")
  fi
  # --compare qemu runs QEMU too (the sandbox's guest sees the host's root, and so this install).
  [ "$compare_qemu" = 0 ] || ensure_debs qemu-system-x86_64:qemu-system-x86
fi
args=("${machine[@]}" "${args[@]}")

use_jdk
cd "$VMM_ROOT"
build_launcher
jar=$launcher_jar cp=$launcher_cp
jvm=("$JAVA_HOME/bin/java" "${LAUNCHER_JVM_OPTS[@]}")
train=()
if [ "$aot" = 1 ] && [ "$help" = 0 ]; then
  # JDK 25's AOT cache (JEP 483, 514) holds the classes a training boot loaded and linked; later
  # JVMs start with them ready. One cache per build of the project's jars and these JVM options.
  # The project's own jars (those below VMM_ROOT; the others are versioned in ~/.m2) go into the key.
  key=$( { "${jvm[0]}" -version 2>&1; printf '%s\n' "${jvm[@]}"; cat "$jar";
           tr ':' '\n' <examples/target/test-classpath.txt | root="$VMM_ROOT/" awk 'index($0, ENVIRON["root"]) == 1' \
             | xargs -r -d '\n' cat; } | sha256sum | cut -c1-16) \
    || die "Could not compute the key of the launcher's AOT cache from its jars (see the messages above): run ./vmm build and try again."
  aot_file="$VMM_ROOT/target/boot-aot/launcher-$key.aot"
  if [ ! -s "$aot_file" ]; then
    say "--aot: a training boot first, to build the launcher's AOT cache (kept in target/boot-aot until the code changes)"
    mkdir -p "${aot_file%/*}" && rm -f "${aot_file%/*}"/*.aot
    train=("${jvm[@]}" -XX:AOTCacheOutput="$aot_file" -cp "$cp" "$MAIN" "${machine[@]}" --json --timeout 300)
  fi
  jvm+=(-XX:AOTCache="$aot_file")
fi
if [ "$where" = sandbox ] && [ "$help" = 0 ]; then
  # A bad option or file is one sentence from here, not after the sandbox's boot.
  "${jvm[@]}" -cp "$cp" "$MAIN" --check "${args[@]}" || exit 2
fi
# One command line, for here or the sandbox: the training boot (output of no interest), then the launcher.
script="exec$(printf ' %q' "${jvm[@]}" -cp "$cp" "$MAIN" "${args[@]}")"
[ ${#train[@]} = 0 ] || script="$(printf '%q ' "${train[@]}")>/dev/null 2>&1; $script"
run_all=(bash -c "$script")

status=0
if [ "$where" = host ]; then
  "${run_all[@]}" || status=$?
else
  # The guest holds the JVM and the microVM (and QEMU's, with --compare qemu, one after the other):
  # the sandbox's 4 GiB unless the microVM needs more, and no fewer vCPUs than the microVM.
  smem=4096 scpus=2
  [[ $mem =~ ^[0-9]+$ ]] && [ "$((mem + 2048))" -gt "$smem" ] && smem=$((mem + 2048))
  [[ $cpus =~ ^[0-9]+$ ]] && [ "$cpus" -gt "$scpus" ] && scpus=$cpus
  bash scripts/sandbox.sh --kernel 6.12 --timeout 3600 --mem "$smem" --cpus "$scpus" -- "${run_all[@]}" || status=$?
fi
exit "$status"
