#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ./vmm bench --net: TCP over virtio-net (tap) and vsock throughput, both directions, this project's
# VMM and QEMU's microvm side by side, all in one run of the 6.12 sandbox (or on this machine's
# /dev/kvm when it boots stock kernels).
# Usage: ./vmm bench --net [--rounds N] [--seconds S] [--out DIR]
#   In a network namespace of its own: a persistent tap vmmb0 with 10.77.9.1/24 on the host's side.
#   Each VMM boots the cached ext4 root (read-only) with a virtio-net device on that tap (the guest:
#   10.77.9.2/24, the same MAC for both) and a vsock device (guest CID 3: ours with Firecracker's
#   hybrid vsock on a Unix socket; QEMU's vhost-vsock-device when the kernel has /dev/vhost-vsock),
#   and its init starts throughput servers (vmm.bench=5201: a sink on 5201, a source on 5202).
#   The host's side measures, S seconds per test (default 10), with scripts/vsock-tool.c built for
#   the host: TCP host -> guest and guest -> host, then vsock both ways. N rounds (default 3), each
#   one boot of ours then one of QEMU's, so that the machine's changing load weighs on both alike;
#   the summary gives each test's median (min to max) over the rounds. Not iperf3: see
#   BENCHMARKS.md (the guest root has no iperf3 and one tool on both sides covers vsock as well).
# Writes summary.md (also printed), results.txt, the consoles and the VMMs' messages (default:
# target/bench-net).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAIN=dev.vmm.examples.boot.BootLauncher
TAP=vmmb0 HOST_ADDR=10.77.9.1 GUEST_ADDR=10.77.9.2 PREFIX=24 MAC=52:54:00:77:09:02 CID=3 PORT=5201

# ---- Inside the sandbox (or on a KVM host): a network namespace of its own first. ----
if [ "${1:-}" = --in-guest ]; then
  shift
  if [ "$(id -u)" = 0 ]; then
    exec unshare --net -- bash "${BASH_SOURCE[0]}" --in-netns "$@"
  fi
  # Not root (a KVM host): a user namespace gives CAP_NET_ADMIN over the new network namespace.
  exec unshare --user --map-root-user --net -- bash "${BASH_SOURCE[0]}" --in-netns "$@"
fi

# ---- In the namespace: the tap, then each VMM in turn, measured from here. ----
if [ "${1:-}" = --in-netns ]; then
  shift
  dir=$1 kernel=$2 rootfs=$3 rootfs_initrd=$4 cmdline=$5 seconds=$6 cp=$7 tool=$8 rounds=$9
  status=0
  work=$(mktemp -d /tmp/vmm-bench-net.XXXXXX)
  vm_pid=""
  stop_vm() {
    [ -n "$vm_pid" ] || return 0
    kill "$vm_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$vm_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$vm_pid" 2>/dev/null || true
    wait "$vm_pid" 2>/dev/null || true
    vm_pid=""
  }
  trap 'stop_vm; rm -rf "$work"' EXIT
  {
    echo "date_utc=$(date -u '+%Y-%m-%d %H:%M')"
    echo "where_kernel=$(uname -r)"
    echo "cpus=$(nproc)"
    echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
    echo "vhost_vsock=$([ -c /dev/vhost-vsock ] && echo yes || echo no)"
  } >"$dir/environment.txt"
  ip link set lo up || die "Could not bring up lo in the benchmark's network namespace."
  # Persistent: both VMMs attach to it (ours leaves a tap it did not create), and its address stays.
  { ip tuntap add dev "$TAP" mode tap vnet_hdr && ip addr add "$HOST_ADDR/$PREFIX" dev "$TAP" && ip link set "$TAP" up; } \
    || die "Could not create tap $TAP with $HOST_ADDR/$PREFIX in the benchmark's network namespace (is the tun module loaded?)."
  say "network namespace: tap $TAP, host $HOST_ADDR/$PREFIX, guest $GUEST_ADDR"
  # Long enough for the boot and the tests; the VM is stopped once they are done.
  stay=$(( 8 * seconds + 900 ))
  [ "$stay" -le 3600 ] || stay=3600
  guest_cmdline="$cmdline root=/dev/vda ro vmm.net=$GUEST_ADDR/$PREFIX vmm.bench=$PORT vmm.stay=$stay"
  # Records "VMM TEST MBIT_S ROUND" in results.txt, or says why there is no number.
  measure() { # VMM TEST TOOL-ARGUMENTS...
    local vmm=$1 test=$2 line rate
    say "$vmm: round $round of $rounds: $test, $seconds s"
    if line=$(timeout $((seconds + 120)) "$tool" "${@:3}" 2>&1); then
      rate=$(sed -n 's/.* mbit_s=\([0-9.]*\).*/\1/p' <<<"$line")
      say "$vmm: $test: $rate Mbit/s ($line)"
      echo "$vmm $test $rate $round" >>"$dir/results.txt"
    else
      say "$vmm: $test failed: ${line:-no message (timed out?)}"
      echo "$vmm $test (round $round) failed: $(tr '\n' ' ' <<<"${line:-timed out}")" >>"$dir/failures.txt"
      status=1
    fi
  }
  # Starts a VMM in the background (its consoles and messages into NAME-ROUND.log) and waits until
  # the guest's servers are ready, at most 300 s by the clock (boots take about 30 s here; one of
  # QEMU's once hung in the nested guest): 0, or 1 after saying why not.
  start_vm() { # NAME COMMAND...
    local name=$1 log="$dir/$1-$round.log" started=$SECONDS waited=0 limit=300
    : >"$log"
    "${@:2}" >>"$log" 2>&1 </dev/null &
    vm_pid=$!
    say "$name: round $round of $rounds: booting (pid $vm_pid; console in $log)"
    while ! grep -a -q 'vmm-bench: servers ready' "$log"; do
      if ! kill -0 "$vm_pid" 2>/dev/null; then
        say "$name: the VMM ended before the guest's servers were ready: see $log."
        vm_pid=""; return 1
      fi
      if grep -a -q -E 'vmm-(bench|net): (could not|no |vmm\.)' "$log"; then
        say "$name: the guest could not set up its network or servers: $(grep -a -E 'vmm-(bench|net): (could not|no |vmm\.)' "$log" | head -n 1 | tr -d '\r')"
        stop_vm; return 1
      fi
      if [ "$waited" -ge "$limit" ]; then
        say "$name: the guest's servers were not ready within $limit s: see $log."
        stop_vm; return 1
      fi
      sleep 1
      waited=$((SECONDS - started))
    done
    say "$name: guest ready after about $waited s: $(grep -a -o 'vmm-bench: servers ready.*' "$log" | head -n 1 | tr -d '\r')"
  }
  # The vsock tests reach the guest through vsock_args (-u for a hybrid vsock socket, nothing for
  # AF_VSOCK) and vsock_target (the socket, or the guest's CID); vsock_target empty: no vsock tests.
  run_tests() { # VMM
    local vmm=$1
    measure "$vmm" tcp-host-to-guest -t send "$GUEST_ADDR" "$PORT" "$seconds"
    measure "$vmm" tcp-guest-to-host -t recv "$GUEST_ADDR" $((PORT + 1)) "$seconds"
    if [ -n "$vsock_target" ]; then
      measure "$vmm" vsock-host-to-guest "${vsock_args[@]}" send "$vsock_target" "$PORT" "$seconds"
      measure "$vmm" vsock-guest-to-host "${vsock_args[@]}" recv "$vsock_target" $((PORT + 1)) "$seconds"
    fi
  }

  # QEMU's microvm on the same tap, root and command line (as QemuBoot for --compare qemu).
  # shellcheck disable=SC2054 # the commas are inside QEMU options
  qemu=(qemu-system-x86_64 -M microvm -accel kvm -cpu host -m 256M -smp 1 -nodefaults -no-user-config
    -display none -no-reboot -serial stdio -device i8042 -global virtio-mmio.force-legacy=false
    -kernel "$kernel" -initrd "$rootfs_initrd" -append "$guest_cmdline"
    -drive "file=$rootfs,format=raw,if=none,id=disk0,readonly=on" -device virtio-blk-device,drive=disk0
    -netdev "tap,id=net0,ifname=$TAP,script=no,downscript=no" -device "virtio-net-device,netdev=net0,mac=$MAC")
  qemu_vsock=0
  if [ -c /dev/vhost-vsock ]; then
    qemu+=(-device "vhost-vsock-device,guest-cid=$CID")
    qemu_vsock=1
  else
    say "qemu: no /dev/vhost-vsock in this kernel: QEMU's vsock is not measured."
  fi
  for ((round = 1; round <= rounds; round++)); do
    # Ours: the launcher, with the tap and a hybrid vsock socket, and the JVM options of ./vmm boot
    # (C1 only: in the sandbox, QEMU's multi-threaded TCG mishandles tiered compilation's code patching).
    uds="$work/vsock-$round.sock"
    if start_vm ours "$JAVA_HOME/bin/java" "${LAUNCHER_JVM_OPTS[@]}" -cp "$cp" "$MAIN" \
        --kernel "$kernel" --initrd "$rootfs_initrd" --rootfs "$rootfs" --rootfs-ro --cmdline "$guest_cmdline" \
        --net "tap=$TAP,mac=$MAC" --vsock "cid=$CID,uds=$uds" --timeout $((stay + 300)); then
      vsock_args=(-u) vsock_target=$uds
      run_tests ours
      stop_vm
    else
      echo "ours boot failed (round $round): see ours-$round.log" >>"$dir/failures.txt"; status=1
    fi

    if start_vm qemu "${qemu[@]}"; then
      vsock_args=() vsock_target=""
      [ "$qemu_vsock" = 0 ] || vsock_target=$CID
      run_tests qemu
      stop_vm
    else
      echo "qemu boot failed (round $round): see qemu-$round.log" >>"$dir/failures.txt"; status=1
    fi
  done
  exit "$status"
fi

# ---- Here: options, images, the tools, then the run and its summary. ----
rounds=3 seconds=10 out="$VMM_ROOT/target/bench-net"
while [ $# -gt 0 ]; do
  case $1 in
    --net) shift ;;
    --rounds|--seconds|--out)
      [ $# -ge 2 ] || die "$1 needs a value (see ./vmm help)."
      case $1 in
        --rounds) [[ $2 =~ ^[1-9][0-9]?$ && $2 -le 20 ]] || die "--rounds takes a whole number from 1 to 20, not '$2'."; rounds=$2 ;;
        --seconds) [[ $2 =~ ^[1-9][0-9]{0,2}$ && $2 -le 300 ]] || die "--seconds takes a whole number from 1 to 300, not '$2'."; seconds=$2 ;;
        --out) out=$(mkdir -p "$2" && cd -P "$2" && pwd -P) || die "Cannot create the output folder '$2'." ;;
      esac
      shift 2 ;;
    *) die "Unknown option '$1' for ./vmm bench --net: use --rounds N, --seconds S or --out DIR." ;;
  esac
done

ensure_debs qemu-system-x86_64:qemu-system-x86 gcc:gcc unshare:util-linux
bench_images "$MAIN"
bench_run_dir "$out" bench-net
rm -f "$run_dir"/*.log "$run_dir"/results.txt "$run_dir"/failures.txt "$run_dir"/environment.txt "$run_dir"/summary.md
# The host's side of the measurements: the guest's tool, built for here.
tool="$VMM_ROOT/target/vmm-vsock-host"
gcc -static -O2 -s -o "$tool" "$VMM_ROOT/scripts/vsock-tool.c" \
  || die "Could not compile scripts/vsock-tool.c for the host's side with gcc: see the messages above."
bench_run --timeout $((1200 + rounds * (1800 + 8 * seconds))) --mem 3072 --cpus 2 -- bash "$VMM_ROOT/scripts/bench-net.sh" --in-guest \
  "$run_dir" "$kernel" "$rootfs" "$rootfs_initrd" "$cmdline" "$seconds" "$launcher_cp" "$tool" "$rounds"

# ---- Summary: written whatever is missing (a failed step leaves "-"). ----
set +e
trap - ERR
# A test's rates over the rounds: "median (min to max)", or the one value; "-" without any.
rate() { # VMM TEST
  awk -v v="$1" -v t="$2" '$1 == v && $2 == t { print $3 }' "$run_dir/results.txt" 2>/dev/null | sort -g | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    if (NR == 1) printf "%.1f\n", m; else printf "%.1f (%.1f to %.1f)\n", m, a[1], a[NR] }'
}
env_field() { sed -n "s/^$1=//p" "$run_dir/environment.txt" 2>/dev/null; }
{
  echo "# virtio-net and vsock: ./vmm bench --net"
  echo
  echo "Run on $where; kernel there $(env_field where_kernel); $(env_field date_utc) UTC; the run took $took s. Both VMMs boot ${kernel##*/}, 1 vCPU, 256 MiB, the cached ext4 root read-only, with the command line \`$cmdline root=/dev/vda ro vmm.net=$GUEST_ADDR/$PREFIX vmm.bench=$PORT vmm.stay=...\`."
  echo "Host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, load average $host_load before, $host_load_after after; other QEMU processes at the start: ${others:-unknown}."
  echo "Ours: the launcher (JVM options $(printf '%s ' "${LAUNCHER_JVM_OPTS[@]}" | sed 's/ $//'), as \`./vmm boot\`), \`--net tap=$TAP,mac=$MAC --vsock cid=$CID,uds=...\` (hybrid vsock). QEMU: $(env_field qemu), \`-M microvm -accel kvm -cpu host\`, \`-netdev tap,ifname=$TAP,script=no,downscript=no\` (no vhost-net) + \`-device virtio-net-device\`; vsock: $([ "$(env_field vhost_vsock)" = yes ] && echo "\`-device vhost-vsock-device,guest-cid=$CID\` (the kernel's vhost, AF_VSOCK on the host)" || echo "none: the kernel there has no /dev/vhost-vsock")."
  echo
  echo "## Throughput, Mbit/s, $seconds s per test, one stream, $rounds round(s)"
  echo
  echo "Measured on the host's side of the namespace (tap $TAP, $HOST_ADDR) with scripts/vsock-tool.c against its servers in the guest (vmm.bench=$PORT): \"send\" writes 64 KiB blocks of zeros for $seconds s, half-closes and counts until the guest's sink has read all; \"recv\" reads the guest's source for $seconds s. No warm-up is left out. Each round boots ours, then QEMU's; with more than one round, the median (min to max) and the ratio of the medians."
  echo
  echo "| test | ours | QEMU microvm | ours / QEMU |"
  echo "| --- | ---: | ---: | ---: |"
  for t in tcp-host-to-guest tcp-guest-to-host vsock-host-to-guest vsock-guest-to-host; do
    o=$(rate ours "$t") q=$(rate qemu "$t")
    ratio=$(awk -v a="${o%% *}" -v b="${q%% *}" 'BEGIN { if (a != "-" && b > 0) printf "%.2fx", a / b; else print "-" }')
    echo "| $t | $o | $q | $ratio |"
  done
  if [ -s "$run_dir/failures.txt" ]; then
    echo
    echo "Failed steps:"
    sed 's/^/- /' "$run_dir/failures.txt"
  fi
  echo
  echo "Files: results.txt (VMM, test, Mbit/s, round), ours-R.log and qemu-R.log (round R's consoles and messages), environment.txt."
} >"$run_dir/summary.md"

bench_publish "$out"
say "results in $out (summary.md, results.txt, *.log)"
exit "$status"
