#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm boot: boots a Linux microVM with dev.vmm.examples.boot.BootLauncher, on this machine's
# /dev/kvm, or inside the 6.12 sandbox where there is none or it is PVM (which cannot boot stock kernels).
# Usage: ./vmm boot [--kernel PATH] [--initrd PATH] [--rootfs IMAGE [--rootfs-ro]] [--disk IMAGE]...
#                   [--disk-ro IMAGE]... [--config FILE] [--cmdline S] [--mem MIB] [--cpus N]
#                   [--prefault POLICY] [--runs N] [--json] [--compare qemu] [--timeout S] [--jfr FILE]
#                   [--snapshot-after-boot DIR] [--no-aot]
# Every option but --no-aot is the launcher's: it checks them all, in a JVM on this machine, before
# any sandbox boots. What is not given comes from scripts/boot-assets.sh: with no kernel, initrd or
# root disk given, the newest Debian 6.12 kernel boots to the cached ext4 root file system
# (read-only, /dev/vda; --disk adds /dev/vdb and on) through the initramfs that loads its modules;
# a --rootfs with the default kernel gets that initramfs too; a --kernel of the user's own gets the
# busybox initramfs (unless it has a --rootfs: then no initramfs). --config FILE describes the
# whole machine: nothing is added to it. Inside the sandbox only the project folder is writable:
# a disk the guest may write, and --jfr's file, must be there (files in /tmp are copied for it).
# The launcher's JVM starts from an AOT cache, trained by one extra boot the first time and kept in
# target/boot-aot until the jars, the JVM or its options change; --no-aot starts it without one.
# VMM_BOOT_WHERE=host|sandbox overrides where it runs. The launcher's options:
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAIN=dev.vmm.examples.boot.BootLauncher

# The launcher parses the options; this script takes only its own.
args=() help=0 aot=1
for a in "$@"; do
  case $a in
    -h|--help) help=1 ;;
    --no-aot) aot=0; continue ;;
    --aot) continue ;; # the default now; still accepted
  esac
  args+=("$a")
done
user_dir=$PWD # relative paths are the user's

use_jdk
cd "$VMM_ROOT"
build_launcher
cp=$launcher_cp
jvm=("$JAVA_HOME/bin/java" "${LAUNCHER_JVM_OPTS[@]}")
if [ "$help" = 1 ]; then # this header, then the launcher's options; no KVM needed
  script_help "${BASH_SOURCE[0]}"; echo
  exec "${jvm[@]}" -cp "$cp" "$MAIN" --help
fi

choose_where booting

# The launcher's plan (BootPlan): the options completed with the defaults and checked, files
# placed where the boot can read them, as bash assignments. Status 3: it needs the default images.
plan_file=$(mktemp) plan_run=() plan_training=() plan_staged=() plan_sandbox_mem=4096 plan_sandbox_cpus=2 plan_qemu=0
trap 'rm -f "$plan_file" "${plan_staged[@]}"' EXIT
plan() { (cd "$user_dir" && "${jvm[@]}" -cp "$cp" "$MAIN" --plan "$where" "$VMM_ROOT" "${args[@]}") >"$plan_file"; }
status=0; plan || status=$?
if [ "$status" = 3 ]; then
  assets=$(bash "$VMM_ROOT/scripts/boot-assets.sh") || die "Could not prepare the default kernel and images: see the messages above."
  while IFS='=' read -r name value; do
    case $name in VMM_BOOT_KERNEL|VMM_BOOT_INITRD|VMM_BOOT_ROOTFS|VMM_BOOT_ROOTFS_INITRD) export "$name=$value" ;; esac
  done <<<"$assets"
  status=0; plan || status=$?
fi
[ "$status" = 0 ] || exit 2 # the launcher said why, in one sentence
# shellcheck source=/dev/null # written by the launcher just now
. "$plan_file"
# --compare qemu runs QEMU too (the sandbox's guest sees the host's root, and so this install).
[ "$plan_qemu" = 0 ] || ensure_debs qemu-system-x86_64:qemu-system-x86

train=() aot_file=""
if [ "$aot" = 1 ]; then
  aot_file=$(launcher_aot_file "${jvm[@]}") # see lib.sh
  if [ -e "$aot_file" ] && ! aot_intact "$aot_file"; then
    say "the AOT cache $aot_file is not as its training left it (changed or cut short since): training it anew"
    rm -f "$aot_file" "$aot_file.stamp"
  fi
  if [ ! -s "$aot_file" ]; then
    say "a training boot first, to build the launcher's AOT cache (kept in target/boot-aot until the code changes; --no-aot goes without)"
    mkdir -p "${aot_file%/*}" && rm -f "${aot_file%/*}"/*.aot "${aot_file%/*}"/*.aot.stamp
    train=("${jvm[@]}" -XX:AOTCacheOutput="$aot_file" -cp "$cp" "$MAIN" "${plan_training[@]}")
  fi
fi
# One command line, for here or the sandbox: the training boot (output of no interest), then the
# launcher, from the cache; without it when the training failed (the boot itself will say why).
launch() { printf 'exec'; printf ' %q' "${jvm[@]}" "$@" -cp "$cp" "$MAIN" "${plan_run[@]}"; }
script=$(launch)
[ -z "$aot_file" ] || script=$(launch -XX:AOTCache="$aot_file")
[ ${#train[@]} = 0 ] || script="if $(printf '%q ' "${train[@]}")>/dev/null 2>&1 && [ -s $(printf '%q' "$aot_file") ]; then
    stat -c $(printf '%q' "$AOT_STAMP_FORMAT") $(printf '%q' "$aot_file") >$(printf '%q' "$aot_file.stamp"); $script;
  else echo 'vmm boot: the training boot for the AOT cache failed; booting without the cache.' >&2; rm -f $(printf '%q' "$aot_file"); $(launch); fi"
run_all=(bash -c "$script")

status=0
if [ "$where" = host ]; then
  "${run_all[@]}" || status=$?
else
  bash scripts/sandbox.sh --kernel 6.12 --timeout 3600 --mem "$plan_sandbox_mem" --cpus "$plan_sandbox_cpus" -- "${run_all[@]}" || status=$?
fi
exit "$status"
