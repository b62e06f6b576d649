#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm restore: restores, in a new process, a microVM that ./vmm boot --snapshot-after-boot DIR
# saved (dev.vmm.examples.boot.RestoreLauncher), runs it until the guest ends it, and reports the
# restore's latency: process start to main, the restore, and the first KVM_RUN after process start.
# Usage: ./vmm restore DIR [--prefault POLICY] [--working-set] [--record-working-set] [--copy] [--net tap=NAME]...
#                          [--vsock uds=PATH] [--timeout S] [--no-aot]
# It runs where ./vmm boot does (this machine's /dev/kvm, else the 6.12 sandbox; VMM_BOOT_WHERE
# overrides); inside the sandbox DIR must be in the project folder, the only one it sees whole and
# can write. The launcher's JVM starts from the AOT cache ./vmm boot trained for the same build
# (lib.sh, launcher_aot_file), when there is one; --no-aot starts it without. The launcher's options:
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAIN=dev.vmm.examples.boot.RestoreLauncher

# The snapshot directory is the one argument that is neither an option nor an option's value; it
# goes to the launcher as an absolute path, as does a relative --vsock uds=PATH (the launcher runs
# in the project folder), the others as they are.
args=() dir='' help=0 valued=0 aot=1
for a in "$@"; do
  if [ "$valued" = 1 ]; then valued=0; args+=("$a"); continue; fi
  if [ "$valued" = uds ]; then
    valued=0
    case $a in uds=/*|uds=) ;; uds=*) a="uds=$PWD/${a#uds=}" ;; esac
    args+=("$a"); continue
  fi
  case $a in
    -h|--help) help=1 ;;
    --no-aot) aot=0; continue ;;
    --prefault|--timeout|--net) valued=1 ;;
    --vsock) valued=uds ;;
    -*) ;;
    *) if [ -z "$dir" ]; then dir=$a; continue; fi ;;
  esac
  args+=("$a")
done
user_dir=$PWD

use_jdk
cd "$VMM_ROOT"
build_launcher
jvm=("$JAVA_HOME/bin/java" "${LAUNCHER_JVM_OPTS[@]}")
if [ "$help" = 1 ] || [ -z "$dir" ]; then
  script_help "${BASH_SOURCE[0]}"; echo
  "${jvm[@]}" -cp "$launcher_cp" "$MAIN" --help
  [ "$help" = 1 ] || die "No snapshot directory given: name the one ./vmm boot --snapshot-after-boot DIR wrote."
  exit 0
fi
case $dir in /*) ;; *) dir="$user_dir/$dir" ;; esac
[ -d "$dir" ] || die "The snapshot directory '$dir' does not exist: name the one ./vmm boot --snapshot-after-boot DIR wrote."
dir=$(cd -P "$dir" && pwd -P)

choose_where restoring
aot_opts=()
if [ "$aot" = 1 ]; then
  aot_file=$(launcher_aot_file "${jvm[@]}")
  if aot_intact "$aot_file"; then
    aot_opts=(-XX:AOTCache="$aot_file")
  elif [ -e "$aot_file" ]; then
    say "the AOT cache $aot_file is not as its training left it (changed or cut short since): the JVM starts without it (./vmm boot trains it anew)"
  else
    say "no AOT cache for this build yet (./vmm boot trains one): the JVM starts without it"
  fi
fi
run=("${jvm[@]}" "${aot_opts[@]}" -cp "$launcher_cp" "$MAIN" "$dir" "${args[@]}")
if [ "$where" = host ]; then
  exec "${run[@]}"
fi
case "$dir/" in
  "$VMM_ROOT"/*) ;;
  *) die "Inside the sandbox only the project folder ($VMM_ROOT) is seen whole and writable: keep the snapshot there (target/snapshots/NAME, say)." ;;
esac
# The sandbox holds the launcher's JVM beside the guest, whose memory is the memory file's size.
memory_mib=$(( $(stat -c %s "$dir/memory" 2>/dev/null || echo 0) >> 20 ))
mem=$(( memory_mib + 2048 > 4096 ? memory_mib + 2048 : 4096 ))
exec bash scripts/sandbox.sh --kernel 6.12 --timeout 3600 --mem "$mem" -- "${run[@]}"
