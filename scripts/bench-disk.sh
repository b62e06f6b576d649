#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm bench --disk: virtio-blk in the guest and boot time to an ext4 root, this project's VMM
# and QEMU's microvm (--compare qemu) side by side, all in one run of the 6.12 sandbox (or on this
# machine's /dev/kvm when it boots stock kernels).
# Usage: ./vmm bench --disk [--runs N] [--seconds S] [--size MIB] [--out DIR]
#   1. One boot of each VMM with the root file system image read-only (/dev/vda) and a scratch raw
#      image (/dev/vdb) made in /tmp, whose init runs scripts/disk-bench.c (vmm.diskbench=/dev/vdb,S):
#      4 KiB sequential and random reads and writes, O_DIRECT, queue depth 1, S seconds each.
#   2. N boots of each to the busybox initramfs only and N to the ext4 root on virtio-blk (the
#      root's initramfs loads the modules, mounts /dev/vda read-only and switches to it), taking
#      turns, so that a change in the machine's load over the run weighs on both alike.
# Writes summary.md (also printed), the launcher's JSON lines and the consoles (default: target/bench-disk).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAIN=dev.vmm.examples.boot.BootLauncher

# ---- Inside the sandbox (or on a KVM host): the boots. Arguments come from the part below. ----
if [ "${1:-}" = --in-guest ]; then
  shift
  dir=$1 kernel=$2 initrd=$3 rootfs=$4 rootfs_initrd=$5 cmdline=$6 runs=$7 seconds=$8 size=$9 cp=${10}
  launcher() { "$JAVA_HOME/bin/java" "${LAUNCHER_JVM_OPTS[@]}" -cp "$cp" "$MAIN" "$@"; }
  status=0
  scratch_dir=$(mktemp -d /tmp/vmm-bench-disk.XXXXXX)
  trap 'rm -rf "$scratch_dir"' EXIT
  scratch="$scratch_dir/scratch.img"
  {
    echo "date_utc=$(date -u '+%Y-%m-%d %H:%M')"
    echo "where_kernel=$(uname -r)"
    echo "cpus=$(nproc)"
    echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
    echo "scratch_fs=$(stat -f -c %T /tmp)"
  } >"$dir/environment.txt"
  # Written in full, not sparse: both VMMs find every block allocated.
  dd if=/dev/zero of="$scratch" bs=1M count="$size" conv=fsync status=none \
    || die "Could not write the $size MiB scratch image $scratch: give a smaller --size."
  if [ "$(stat -f -c %T /tmp)" = tmpfs ]; then
    say "scratch disk: $scratch, $size MiB on a tmpfs: the backing store is this machine's RAM, for both VMMs"
  else
    say "scratch disk: $scratch, $size MiB on $(stat -f -c %T /tmp)"
  fi
  # Each step adds the launcher's JSON lines (stdout) and its messages and the consoles (stderr)
  # to the step's files.
  step() { # NAME WHAT ARGS...
    local name=$1
    say "$2"
    if ! { launcher "${@:3}" --json --compare qemu >>"$dir/$name.jsonl"; } 2>&1 | tee -a "$dir/$name.log" >&2; then status=1; fi
  }
  step diskbench "disk benchmark: one boot of each VMM, $seconds s per test" \
    --kernel "$kernel" --initrd "$rootfs_initrd" --rootfs "$rootfs" --rootfs-ro --disk "$scratch" \
    --cmdline "$cmdline vmm.diskbench=/dev/vdb,$seconds" --runs 1
  for ((i = 1; i <= runs; i++)); do
    step boot-initramfs "boot time to the initramfs only: boot $i of $runs of each VMM" \
      --kernel "$kernel" --initrd "$initrd" --cmdline "$cmdline" --runs 1
    step boot-rootfs "boot time to the ext4 root on virtio-blk: boot $i of $runs of each VMM" \
      --kernel "$kernel" --initrd "$rootfs_initrd" --rootfs "$rootfs" --rootfs-ro --cmdline "$cmdline" --runs 1
  done
  exit "$status"
fi

# ---- Here: options, images, the launcher, then the run and its summary. ----
runs=5 seconds=10 size=256 out="$VMM_ROOT/target/bench-disk"
while [ $# -gt 0 ]; do
  case $1 in
    --disk) shift ;;
    --runs|--seconds|--size|--out)
      [ $# -ge 2 ] || die "$1 needs a value (see ./vmm help)."
      case $1 in
        --runs) [[ $2 =~ ^[1-9][0-9]?$ ]] || die "--runs takes a whole number from 1 to 99, not '$2'."; runs=$2 ;;
        --seconds) [[ $2 =~ ^[1-9][0-9]{0,2}$ && $2 -le 600 ]] || die "--seconds takes a whole number from 1 to 600, not '$2'."; seconds=$2 ;;
        --size) [[ $2 =~ ^[1-9][0-9]{0,3}$ && $2 -ge 16 && $2 -le 2048 ]] || die "--size takes a whole number of MiB from 16 to 2048, not '$2'."; size=$2 ;;
        --out) out=$(mkdir -p "$2" && cd -P "$2" && pwd -P) || die "Cannot create the output folder '$2'." ;;
      esac
      shift 2 ;;
    *) die "Unknown option '$1' for ./vmm bench --disk: use --runs N, --seconds S, --size MIB or --out DIR." ;;
  esac
done

ensure_debs qemu-system-x86_64:qemu-system-x86
bench_images "$MAIN"
bench_run_dir "$out" bench-disk
rm -f "$run_dir"/*.jsonl "$run_dir"/*.log "$run_dir"/environment.txt "$run_dir"/summary.md
# In the sandbox: the JVM, a 256 MiB microVM (or QEMU's) and the scratch image in the guest's tmpfs.
bench_run --timeout 3600 --mem $((3072 + size)) --cpus 2 -- bash "$VMM_ROOT/scripts/bench-disk.sh" --in-guest "$run_dir" "$kernel" "$initrd" \
  "$rootfs" "$rootfs_initrd" "$cmdline" "$runs" "$seconds" "$size" "$launcher_cp"

# ---- Summary: written whatever is missing (a failed boot leaves gaps, shown as "-"). ----
set +e
trap - ERR
# Prints the values of a JSON number field of one VMM's runs, one a line (null values left out).
values() { # FILE VMM KEY
  { grep -F "\"vmm\": \"$2\"" "$1" 2>/dev/null || true; } | sed -n "s/.*\"$3\": \([0-9][0-9.]*\).*/\1/p"
}
# Our guest's own part: boot-complete minus first KVM_RUN, per run.
guest_time() { # FILE
  paste -d' ' <(values "$1" java boot_complete_at_ms) <(values "$1" java first_kvm_run_at_ms) | awk 'NF == 2 { print $1 - $2 }'
}
# "median (min to max)" of numbers on stdin, in whole ms; "-" without any.
median() {
  sort -g | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.0f (%.0f to %.0f)\n", m, a[1], a[NR] }'
}
median_only() { sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.0f\n", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# The disk benchmark's lines of each VMM: ours come before the launcher's progress line for our
# boot, QEMU's before the one for its boot.
bench_lines() { # VMM
  tr -d '\r' <"$run_dir/diskbench.log" 2>/dev/null | awk -v want="$1" '
    /^vmm boot: run [0-9]+\/[0-9]+ \(java\)/ { who = "qemu"; next }
    /^vmm boot: run [0-9]+\/[0-9]+ \(qemu\)/ { who = "done"; next }
    /vmm-(disk-bench|boot): / { if ((who == "" ? "java" : who) == want) print substr($0, index($0, "vmm-")) }'
}
bench_field() { # VMM TEST FIELD
  bench_lines "$1" | sed -n "s/^vmm-disk-bench: test=$2 .*[ ]$3=\([0-9.]*\).*/\1/p" | head -n 1
}
# The negotiated virtio feature bits as numbers, with the names of those that matter here.
features() { # VMM
  bench_lines "$1" | sed -n 's/^vmm-boot: diskbench device .* virtio features \([01]*\)$/\1/p' | head -n 1 | awk '{
    split("1:SIZE_MAX 2:SEG_MAX 4:GEOMETRY 5:RO 6:BLK_SIZE 9:FLUSH 10:TOPOLOGY 11:CONFIG_WCE 12:MQ 13:DISCARD 14:WRITE_ZEROES 28:INDIRECT_DESC 29:EVENT_IDX 32:VERSION_1 33:ACCESS_PLATFORM 34:RING_PACKED", known, " ")
    for (i in known) { split(known[i], kv, ":"); name[kv[1]] = kv[2] }
    s = ""
    for (b = 0; b < length($0); b++) if (substr($0, b + 1, 1) == "1") s = s (s == "" ? "" : ", ") (b in name ? name[b] : "bit " b)
    print s == "" ? "-" : s }'
}
env_field() { sed -n "s/^$1=//p" "$run_dir/environment.txt" 2>/dev/null; }
unclean() { # FILE: the boots that did not end cleanly, as "FILE: vmm: exit"
  { grep -F '"clean": false' "$1" 2>/dev/null || true; } | sed -n "s|.*\"vmm\": \"\([a-z]*\)\",.*\"exit\": \"\([^\"]*\)\".*|${1##*/}: \1: \2|p"
}

init=$run_dir/boot-initramfs.jsonl root=$run_dir/boot-rootfs.jsonl
{
  echo "# virtio-blk: ./vmm bench --disk"
  echo
  echo "Run on $where; kernel there $(env_field where_kernel); $(env_field date_utc) UTC. Both VMMs boot ${kernel##*/}, 1 vCPU, 256 MiB, with the command line \`$cmdline\`."
  echo "Host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, load average $host_load before, $host_load_after after; other QEMU processes at the start: ${others:-unknown}."
  echo "QEMU: $(env_field qemu), \`-M microvm -accel kvm -cpu host -global virtio-mmio.force-legacy=false\`, each disk \`-drive format=raw,if=none\` (cache=writeback, aio=threads: QEMU's defaults) + \`-device virtio-blk-device\`."
  echo
  echo "## Disk: 4 KiB requests, O_DIRECT, queue depth 1, $seconds s per test"
  echo
  scratch_fs=$(env_field scratch_fs)
  echo "The scratch disk (/dev/vdb) is a $size MiB raw image, written in full before the first boot, on ${scratch_fs:-?}$([ "$scratch_fs" = tmpfs ] && echo ": its backing store is RAM, for both VMMs"). Each test follows a 2 s warm-up (random reads, then writes, not counted); write tests end with fsync, counted in their time. One boot of each VMM; the root (/dev/vda) is the image read-only."
  echo
  echo "| test | ours: MiB/s | ours: IOPS | QEMU microvm: MiB/s | QEMU microvm: IOPS | ours / QEMU (IOPS) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for t in seq-read seq-write rand-read rand-write; do
    jm=$(bench_field java "$t" mib_s) ji=$(bench_field java "$t" iops) qm=$(bench_field qemu "$t" mib_s) qi=$(bench_field qemu "$t" iops)
    ratio=$(awk -v a="$ji" -v b="$qi" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else print "-" }')
    echo "| $t | ${jm:--} | ${ji:--} | ${qm:--} | ${qi:--} | $ratio |"
  done
  echo
  echo "Negotiated virtio features: ours $(features java); QEMU's $(features qemu)."
  for v in java qemu; do
    errors=$(bench_lines "$v" | grep -E 'error|did not end|ended with status|no benchmark run' || true)
    [ -z "$errors" ] || echo "$([ "$v" = java ] && echo Ours || echo QEMU): $errors"
  done
  echo
  echo "## Boot time: initramfs only against an ext4 root on virtio-blk"
  echo
  echo "Median of $runs boots (min to max), ms; \"at\" counts from the spawn of the process (JVM or QEMU). The two kinds of boot took turns (each time ours, then QEMU's)."
  echo "Initramfs only: the busybox initramfs's /init. Ext4 root: the root's initramfs loads virtio_mmio, virtio_blk and ext4 (with their dependencies), mounts /dev/vda read-only and switches to its /sbin/init."
  echo "Boot-complete: ours is the guest's write to port 0x3f0; QEMU's is the init's marker line, printed just before."
  echo
  echo "| phase | ours: initramfs | ours: ext4 root | QEMU microvm: initramfs | QEMU microvm: ext4 root |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for row in "first KVM_RUN, at:first_kvm_run_at_ms" "first console byte, at:first_console_byte_at_ms" \
      "boot-complete, at:boot_complete_at_ms" "VM exit, at:vm_exit_at_ms"; do
    k=${row#*:}
    echo "| ${row%%:*} | $(values "$init" java "$k" | median) | $(values "$root" java "$k" | median) | $(values "$init" qemu "$k" | median) | $(values "$root" qemu "$k" | median) |"
  done
  echo "| guest: first KVM_RUN to boot-complete | $(guest_time "$init" | median) | $(guest_time "$root" | median) | - | - |"
  echo
  ji=$(values "$init" java boot_complete_at_ms | median_only) jr=$(values "$root" java boot_complete_at_ms | median_only)
  qi=$(values "$init" qemu boot_complete_at_ms | median_only) qr=$(values "$root" qemu boot_complete_at_ms | median_only)
  if [ -n "$ji" ] && [ -n "$jr" ] && [ -n "$qi" ] && [ -n "$qr" ]; then
    echo "Boot-complete medians, ext4 root minus initramfs only: ours $((jr - ji)) ms, QEMU's $((qr - qi)) ms (mind the ranges above)."
  fi
  bad=$( { unclean "$init"; unclean "$root"; unclean "$run_dir/diskbench.jsonl"; } | sed 's/^/- /')
  if [ -n "$bad" ]; then echo; echo "Boots that did not end cleanly:"; echo "$bad"; fi
  echo
  echo "Files: diskbench.jsonl/.log (the benchmark boots: JSON lines, consoles), boot-initramfs.*, boot-rootfs.*, environment.txt."
} >"$run_dir/summary.md"

bench_publish "$out"
say "results in $out (summary.md, *.jsonl, *.log)"
exit "$status"
