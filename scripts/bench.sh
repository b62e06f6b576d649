#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm bench: the JMH benchmarks on real KVM, in the sandbox when this machine has no /dev/kvm:
# pre-fault policies against lazy faulting, host references, and against C the FFM call overhead
# and a VM's whole life (create, map, run, close); and, in fresh processes rather than JMH, the
# time from process start to the first KVM_RUN: Java without and with an AOT cache, and C.
# Usage: ./vmm bench [--quick] [--forks N] [--kernel PROFILE] [--out DIR] [--only REGEX]
#   --quick           the short preset (4 minutes in the sandbox instead of 21, measured before
#                     the start-up benchmark was added: its fresh JVMs add to both)
#   --forks N         JMH forks per combination (default 1)
#   --kernel PROFILE  host, 6.12, 6.12-nonpt or 6.1 (default: this machine's /dev/kvm, else 6.12)
#   --out DIR         where jmh-result.json, summary.md, summary.svg and startup.json go
#                     (default target/bench)
#   --only REGEX      the benchmarks whose name matches (--only Startup: the start-up one alone)
#        ./vmm bench --disk [--runs N] [--seconds S] [--size MIB] [--out DIR]   (scripts/bench-disk.sh)
#   not JMH: virtio-blk and boot to an ext4 root, this VMM and QEMU's microvm side by side in one
#   sandbox run: 4 KiB sequential and random reads and writes in the guest (O_DIRECT, queue depth 1,
#   S s each, default 10) on a scratch disk of MIB (default 256) in /tmp, then N boots each
#   (default 5) to the initramfs only and to the ext4 root; summary.md, the JSON lines and the
#   consoles go to DIR (default target/bench-disk).
#        ./vmm bench --net [--rounds N] [--seconds S] [--out DIR]   (scripts/bench-net.sh)
#   not JMH: TCP over virtio-net (a tap in a network namespace) and vsock throughput, both
#   directions, S s each (default 10), this VMM and QEMU's microvm side by side in one sandbox run,
#   N rounds of one boot each (default 3); summary.md and the consoles go to DIR (default
#   target/bench-net).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --disk: virtio-blk and boot to an ext4 root against QEMU's microvm, not JMH; --net: network and vsock.
for arg in "$@"; do
  case $arg in -h|--help) script_help "${BASH_SOURCE[0]}"; exit 0 ;; esac
done
for arg in "$@"; do
  if [ "$arg" = --disk ]; then exec bash "$VMM_ROOT/scripts/bench-disk.sh" "$@"; fi
  if [ "$arg" = --net ]; then exec bash "$VMM_ROOT/scripts/bench-net.sh" "$@"; fi
done

preset=() forks=() kernel=() out="$VMM_ROOT/target/bench" only=() timeout=10800
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) preset=(--quick); timeout=3600; shift ;;
    --kernel|--out|--only|--forks)
      [ $# -ge 2 ] || die "$1 needs a value (see ./vmm help)."
      case "$1" in
        --kernel) kernel=(--kernel "$2") ;;
        --out) out=$(mkdir -p "$2" && cd -P "$2" && pwd -P) || die "Cannot create the output folder '$2'." ;;
        --only) only=(--only "$2") ;;
        --forks) forks=(--forks "$2") ;;
      esac
      shift 2 ;;
    *) die "Unknown option '$1' for ./vmm bench: use --quick, --forks N, --kernel PROFILE, --out DIR or --only REGEX (or --disk or --net, see ./vmm help)." ;;
  esac
done

use_jdk
cd "$VMM_ROOT"
say "building the benchmarks (JDK: $JAVA_HOME)"
mvn -B -q -ntp -DskipTests package -pl vmm-bench -am || die "The build failed: see the messages above."
cp="$VMM_ROOT/vmm-bench/target/classes:$(cat vmm-bench/target/test-classpath.txt)"

# The guest cannot see the host's CPU; the results name it.
VMM_BENCH_HOST="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, Linux $(uname -r)"
export VMM_BENCH_HOST
mkdir -p "$out"
# A sandbox guest can write only inside the project: results for a folder elsewhere go through target/.
run_dir=$out
case "$out/" in
  "$VMM_ROOT"/*) ;;
  *) run_dir="$VMM_ROOT/target/bench-staging.$$"; rm -rf "$run_dir" ;;
esac
say "running the ${preset:+quick }benchmarks ${kernel:+on kernel profile ${kernel[1]} }(results go to $out)"
# The runner itself does no measuring: a light JIT and GC keep it quick under emulation. JMH's
# forked JVMs, which measure, get their own flags (see BenchMain).
# No --kernel: this machine's /dev/kvm when it has one, else the 6.12 sandbox.
status=0
bash scripts/sandbox.sh "${kernel[@]}" --mem 6144 --timeout "$timeout" -- \
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -cp "$cp" dev.vmm.bench.BenchMain "${preset[@]}" "${forks[@]}" "${only[@]}" --out "$run_dir" || status=$?
if [ "$run_dir" != "$out" ] && [ -d "$run_dir" ]; then
  cp -r "$run_dir"/. "$out"/ && rm -rf "$run_dir"
  [ "$status" -ne 0 ] || say "results moved to $out (summary.md, summary.svg, jmh-result.json, startup.json)"
fi
exit "$status"
