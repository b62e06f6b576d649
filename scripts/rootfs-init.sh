#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=dash # busybox ash: dash is the nearest shell that shellcheck knows
# /sbin/init of the ext4 root file system that scripts/boot-assets.sh builds for the virtio-blk disk
# (VMM_BOOT_ROOTFS: a static busybox with its applet links, /bin/vmm-boot-complete, this script).
# It starts after scripts/rootfs-initramfs-init.sh has mounted the disk and switched to it, or
# straight from the kernel (root=/dev/vda) on a kernel with virtio-mmio, virtio-blk and ext4 built in.
# Like scripts/boot-init.sh it prints what the guest saw, then a line saying where the root comes
# from (out of /proc/mounts), signals boot-complete and ends the VM: reboot -f, or poweroff -f with
# vmm.exit=poweroff on the command line. A root mounted read-write is synced and remounted read-only
# first, so that the image is left clean.
#
# vmm.write=N (1 <= N <= 1048576): after boot-complete, writes N KiB to /vmm-write.bin on the root
# (or, with vmm.write.to=PATH, to that file or the start of that block device, e.g. /dev/vdb),
# fsyncs it, syncs, prints "vmm-boot: wrote N KiB to TARGET" and powers off at once (poweroff -f,
# no unmount): what the host then finds on the disk is what the device made durable. KiB number k
# (from 0) is the 19 bytes "vmm-write %08d\n" (k), 1004 dots and a newline: 1024 bytes that say
# where they belong.
# vmm.diskbench=DEVICE[,SECONDS] (after vmm.write, if both are given): after boot-complete, runs
# /bin/vmm-disk-bench (scripts/disk-bench.c) on DEVICE, a block device such as /dev/vdb whose
# contents it overwrites: sequential and random 4 KiB reads and writes, O_DIRECT, queue depth 1,
# SECONDS (1 to 600, default 10) per test after a 2 s warm-up, one "vmm-disk-bench: ..." line per
# test on the console; then powers off. The benchmark gets 4 x SECONDS + 60 s; after that the init
# powers off anyway.
# Network and vsock (before vmm.write and vmm.diskbench, all after boot-complete; each prints one
# line saying what it did or why it could not; /bin/vmm-vsock is scripts/vsock-tool.c):
# vmm.net=ADDR/PREFIX: gives eth0 (virtio-net) that IPv4 address and brings it (and lo) up; then
# prints "vmm-net: carrier 1" (or 0), and that line again each time eth0's link changes (checked
# twice a second, in the background: the host's MicroVm.setLinkUp is seen this way).
# vmm.net.echo=PORT: a TCP echo server on PORT, in the background (vmm-vsock -t listen).
# vmm.vsock.echo=PORT: a vsock echo server on PORT, in the background (vmm-vsock listen). Both
# serve many connections at once; each is echoed until the peer half-closes, then half-closed back.
# vmm.vsock.send=PORT,KIB and vmm.net.send=ADDR:PORT,KIB (KIB 1 to 1048576): connects to the host
# (vsock CID 2, or TCP), sends KIB KiB of the test pattern (vmm-vsock pattern: splitmix64's words
# from seed 0, little-endian), half-closes, reads what comes back until the host closes and prints
# "vmm-vsock: sent KIB KiB to port PORT, echo sha256 X, expected Y" (or "vmm-net: sent KIB KiB to
# ADDR:PORT, ..."): X = Y when the host echoed every byte. Each gets 60 s + 10 ms per KiB.
# vmm.bench=PORT (1 to 65534): throughput servers for ./vmm bench --net, in the background: TCP
# (every address) and, when the VM has a vsock device, vsock, each with a sink on PORT (reads each
# connection to its end) and a source on PORT+1 (writes zeros until the peer closes); then prints
# "vmm-bench: servers ready on ports PORT and PORT+1 (tcp[ vsock])". The host measures.
# vmm.stay=SECONDS (1 to 3600): after the above, prints "vmm-boot: staying up for at most SECONDS s"
# and keeps the VM running that long (for a host test to talk to the echo servers; the host may end
# the VM earlier), then goes on as usual.
# vmm.count=N (1 to 1000000, after all the above): counts from 1 to N, five times a second: appends
# "vmm-count K" to /vmm-count.log on the root and syncs, then prints "vmm-count: K" (so a count on
# the console is on the disk); then powers off. A snapshot test saves the guest mid-count: its clone
# counts on, and the file on the clone's disk holds every count once, in order.
# Nothing here may hang a boot: whatever fails on the way, the script goes on and ends the VM.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
# After switch_root these are already mounted (moved from the initramfs); the root may be read-only.
[ -e /proc/self ] || /bin/busybox mount -t proc proc /proc
[ -d /sys/kernel ] || /bin/busybox mount -t sysfs sysfs /sys
# The image's own /dev holds only console and null: devtmpfs brings the disks.
grep -q '^[^ ]* /dev ' /proc/mounts 2>/dev/null || /bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
# A failed redirection of exec would end the shell (and panic the kernel): try the console first
# (a character device: on a /dev without devtmpfs the test would make a plain file of that name).
if [ -c /dev/console ] && (: >/dev/console) 2>/dev/null; then exec </dev/null >/dev/console 2>&1; fi

# The shared steps (marker line, boot-complete); without them the init still ends the VM.
# shellcheck source=guest-lib.sh
if [ -r /lib/vmm-guest.sh ]; then . /lib/vmm-guest.sh; fi
if command -v report_machine >/dev/null; then report_machine; else echo "vmm-boot: no /lib/vmm-guest.sh in this image"; fi

# Where / comes from: the last /proc/mounts entry on / is the one on top.
root_line=$(awk '$2 == "/" { line = $1 " fstype=" $3 " options=" $4 } END { print line }' /proc/mounts 2>/dev/null)
echo "vmm-boot: root=${root_line:-unknown (no / in /proc/mounts)}"
root_rw=0
case ",$(awk '$2 == "/" { o = $4 } END { print o }' /proc/mounts 2>/dev/null)," in *,rw,*) root_rw=1 ;; esac

if command -v signal_boot_complete >/dev/null; then signal_boot_complete; fi

how=reboot write_kib="" write_to=/vmm-write.bin diskbench="" count=""
net="" net_echo="" vsock_echo="" vsock_send="" net_send="" bench="" stay="" servers=""
cmdline=$(cat /proc/cmdline 2>/dev/null)
set -f # the command line is split into words, never globbed
for w in $cmdline; do
  case $w in
    vmm.exit=poweroff) how=poweroff ;;
    vmm.write=*) write_kib=${w#vmm.write=} ;;
    vmm.write.to=*) write_to=${w#vmm.write.to=} ;;
    vmm.diskbench=*) diskbench=${w#vmm.diskbench=} ;;
    vmm.net=*) net=${w#vmm.net=} ;;
    vmm.net.echo=*) net_echo=${w#vmm.net.echo=} ;;
    vmm.net.send=*) net_send=${w#vmm.net.send=} ;;
    vmm.vsock.echo=*) vsock_echo=${w#vmm.vsock.echo=} ;;
    vmm.vsock.send=*) vsock_send=${w#vmm.vsock.send=} ;;
    vmm.bench=*) bench=${w#vmm.bench=} ;;
    vmm.stay=*) stay=${w#vmm.stay=} ;;
    vmm.count=*) count=${w#vmm.count=} ;;
  esac
done
set +f

# Whether $1 is a decimal number from 1 to $2 (no leading zero, at most 10 digits).
in_range() { # VALUE MAX
  case $1 in "" | *[!0-9]* | 0* | ???????????*) return 1 ;; esac
  [ "$1" -le "$2" ]
}

# vmm.net=ADDR/PREFIX on eth0.
net_up() {
  local error
  case $net in
    *.*.*.*/*) ;;
    *) echo "vmm-net: vmm.net=$net is not ADDR/PREFIX (an IPv4 address and a prefix length); eth0 left down"; return ;;
  esac
  if [ ! -e /sys/class/net/eth0 ]; then
    local names="" d
    for d in /sys/class/net/*; do [ -e "$d" ] && names="$names ${d##*/}"; done
    echo "vmm-net: no eth0 (network interfaces:${names:- none}); vmm.net=$net not applied"
    return
  fi
  ip link set lo up 2>/dev/null
  if error=$( { ip addr add "$net" dev eth0 && ip link set eth0 up; } 2>&1); then
    echo "vmm-net: eth0 $net up (mac $(cat /sys/class/net/eth0/address 2>/dev/null))"
    carrier_watch &
  else
    echo "vmm-net: could not bring eth0 up with $net: $(echo "${error:-no message}" | tail -n 1)"
  fi
}

# Says eth0's carrier now and at each change (the read is the shell's own: no process per look).
carrier_watch() {
  local last="" now
  while :; do
    read -r now </sys/class/net/eth0/carrier 2>/dev/null || now="unknown"
    [ "$now" = "$last" ] || echo "vmm-net: carrier $now"
    last=$now
    sleep 0.5
  done
}

# Starts an echo server in the background: PREFIX OPTION PORT MAXPORT [-t].
echo_server() {
  local prefix=$1 option=$2 port=$3 max=$4 pid
  shift 4
  if ! in_range "$port" "$max"; then
    echo "$prefix: $option=$port is not a port from 1 to $max; no echo server"
  elif [ ! -x /bin/vmm-vsock ]; then
    echo "$prefix: no /bin/vmm-vsock in this image; no echo server"
  # -b: the server listens before the pid comes back, so it is ready once this line is printed.
  elif pid=$(/bin/vmm-vsock "$@" listen -b "$port"); then
    servers="$servers $pid"
    echo "$prefix: echo server on port $port (pid $pid)"
  else
    echo "$prefix: could not start the echo server on port $port (see the line above)"
  fi
}

# Sends KIB KiB of the pattern to the host and prints the sha256 of what came back: PREFIX OPTION
# VALUE TARGET CONNECT-ARGUMENTS...
send_pattern() {
  local prefix=$1 option=$2 value=$3 target=$4 kib=${3##*,} limit result sum expected errors
  shift 4
  if ! in_range "$kib" 1048576; then
    echo "$prefix: $option=$value: KIB must be a number from 1 to 1048576; nothing sent"; return
  fi
  [ -x /bin/vmm-vsock ] || { echo "$prefix: no /bin/vmm-vsock in this image; nothing sent"; return; }
  limit=$((60 + kib / 100))
  # The tool's errors join the checksum on stdout (fd 3); pipefail gives its status (137: killed).
  result=$( { set -o pipefail; /bin/vmm-vsock pattern "$kib" 2>/dev/null \
              | timeout -s KILL "$limit" /bin/vmm-vsock "$@" 2>&3 | sha256sum; } 3>&1; echo "status $?")
  sum=$(echo "$result" | sed -n 's/^\([0-9a-f]\{64\}\)  -$/\1/p')
  errors=$(echo "$result" | grep -v -e '^[0-9a-f]\{64\}  -$' -e '^status ' | tail -n 1)
  case $result in
    *"status 0") expected=$(/bin/vmm-vsock pattern "$kib" | sha256sum | cut -c1-64)
      echo "$prefix: sent $kib KiB to $target, echo sha256 $sum, expected $expected" ;;
    *"status 137") echo "$prefix: sending $kib KiB to $target did not end within $limit s" ;;
    *) errors=${errors#vmm-vsock: }
      echo "$prefix: could not send $kib KiB to $target: ${errors:-no message} (exit status ${result##*status })" ;;
  esac
}

# vmm.bench=PORT: sink and source servers, TCP and (with a vsock device) vsock.
bench_servers() {
  local kinds="" kind flag mode port pid ok=1
  if ! in_range "$bench" 65534; then
    echo "vmm-bench: vmm.bench=$bench is not a port from 1 to 65534; no servers"; return
  fi
  [ -x /bin/vmm-vsock ] || { echo "vmm-bench: no /bin/vmm-vsock in this image; no servers"; return; }
  for kind in tcp vsock; do
    flag=""
    if [ "$kind" = tcp ]; then flag=-t; elif [ ! -e /dev/vsock ]; then continue; fi
    for mode in sink source; do
      port=$bench
      [ "$mode" = sink ] || port=$((bench + 1))
      # shellcheck disable=SC2086 # flag is empty or -t
      if pid=$(/bin/vmm-vsock $flag "$mode" -b "$port"); then
        servers="$servers $pid"
      else
        echo "vmm-bench: could not start the $kind $mode server on port $port (see the line above)"; ok=0
      fi
    done
    kinds="$kinds $kind"
  done
  [ "$ok" = 0 ] || echo "vmm-bench: servers ready on ports $bench and $((bench + 1)) (${kinds# })"
}

# The network and vsock options, in the order the header gives.
network() {
  local port
  [ -z "$net" ] || net_up
  [ -z "$net_echo" ] || echo_server vmm-net vmm.net.echo "$net_echo" 65535 -t
  [ -z "$vsock_echo" ] || echo_server vmm-vsock vmm.vsock.echo "$vsock_echo" 4294967294
  if [ -n "$vsock_send" ]; then
    port=${vsock_send%%,*}
    if [ "$port" = "$vsock_send" ] || ! in_range "$port" 4294967294; then
      echo "vmm-vsock: vmm.vsock.send=$vsock_send is not PORT,KIB; nothing sent"
    else
      send_pattern vmm-vsock vmm.vsock.send "$vsock_send" "port $port" connect 2 "$port"
    fi
  fi
  if [ -n "$net_send" ]; then
    port=${net_send%%,*}
    port=${port##*:}
    case $net_send in
      *.*.*.*:*,*) ;;
      *) port="" ;;
    esac
    if ! in_range "$port" 65535; then
      echo "vmm-net: vmm.net.send=$net_send is not ADDR:PORT,KIB; nothing sent"
    else
      send_pattern vmm-net vmm.net.send "$net_send" "${net_send%%,*}" -t connect "${net_send%%:*}" "$port"
    fi
  fi
  [ -z "$bench" ] || bench_servers
  if [ -n "$stay" ]; then
    if in_range "$stay" 3600; then
      echo "vmm-boot: staying up for at most $stay s"
      sleep "$stay"
    else
      echo "vmm-boot: vmm.stay=$stay is not a number of seconds from 1 to 3600; not staying"
    fi
  fi
}
if [ -n "$net$net_echo$vsock_echo$vsock_send$net_send$bench$stay" ]; then network; fi

# KiB 0 to N-1 of the pattern described at the top.
write_pattern() { # N
  local pad k=0
  pad=$(printf '%1004s' '' | tr ' ' '.')
  while [ "$k" -lt "$1" ]; do
    printf 'vmm-write %08d\n%s\n' "$k" "$pad" || return 1
    k=$((k + 1))
  done
}

# Prints why vmm.write cannot be done, or nothing.
write_problem() {
  case $write_kib in
    "" | *[!0-9]* | 0*) echo "vmm.write=$write_kib is not a number of KiB from 1 to 1048576" ; return ;;
  esac
  if [ "${#write_kib}" -gt 7 ] || [ "$write_kib" -gt 1048576 ]; then
    echo "vmm.write=$write_kib is not a number of KiB from 1 to 1048576"
  fi
  case $write_to in
    /dev/*) [ -b "$write_to" ] || echo "vmm.write.to=$write_to is not a block device" ;;
    /*) ;;
    *) echo "vmm.write.to=$write_to is not an absolute path" ;;
  esac
}

if [ -n "$write_kib" ]; then
  how=poweroff
  problem=$(write_problem)
  if [ -n "$problem" ]; then
    echo "vmm-boot: $problem; nothing written"
  # conv=fsync: dd's fsync commits the file (ext4's journal) or flushes the device's write cache;
  # sync then flushes everything else. A file is truncated first, a device is not.
  elif conv=fsync && { [ ! -b "$write_to" ] || conv=notrunc,fsync; } \
      && error=$( { write_pattern "$write_kib" | dd of="$write_to" bs=4096 conv=$conv; } 2>&1 >/dev/null) \
      && { [ -b "$write_to" ] || [ "$(stat -c %s "$write_to" 2>/dev/null)" = $((write_kib * 1024)) ]; } && sync; then
    echo "vmm-boot: wrote $write_kib KiB to $write_to"
  else
    echo "vmm-boot: could not write $write_kib KiB to $write_to: $(echo "${error:-short write}" | tail -n 1)"
  fi
fi

# Runs the disk benchmark of vmm.diskbench=DEVICE[,SECONDS] in the background and waits for it,
# at most 4 x SECONDS + 60 s: a request that never completes must not keep the VM running.
disk_bench() {
  local device=${diskbench%%,*} seconds=10 pid waited=0 limit status
  case $diskbench in *,*) seconds=${diskbench#*,} ;; esac
  case $seconds in
    "" | *[!0-9]* | 0* | ????*) echo "vmm-boot: vmm.diskbench=$diskbench: SECONDS must be a number from 1 to 600; no benchmark run"; return ;;
  esac
  if [ "$seconds" -gt 600 ]; then
    echo "vmm-boot: vmm.diskbench=$diskbench: SECONDS must be a number from 1 to 600; no benchmark run"; return
  fi
  [ -b "$device" ] || { echo "vmm-boot: vmm.diskbench=$diskbench: $device is not a block device; no benchmark run"; return; }
  [ -x /bin/vmm-disk-bench ] || { echo "vmm-boot: no /bin/vmm-disk-bench in this image; no benchmark run"; return; }
  # What the driver negotiated (bit 0 first), to compare the devices of two VMMs.
  echo "vmm-boot: diskbench device $device virtio features $(cat "/sys/class/block/${device#/dev/}/device/features" 2>/dev/null || echo unknown)"
  /bin/vmm-disk-bench "$device" "$seconds" &
  pid=$!
  limit=$((4 * seconds + 60))
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$limit" ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null
    echo "vmm-boot: the disk benchmark did not end within $limit s; powering off"
    return
  fi
  wait "$pid"
  status=$?
  [ "$status" = 0 ] || echo "vmm-boot: the disk benchmark ended with status $status"
}

if [ -n "$diskbench" ]; then
  how=poweroff
  disk_bench
fi

if [ -n "$count" ]; then
  how=poweroff
  if in_range "$count" 1000000; then
    k=1
    while [ "$k" -le "$count" ]; do
      if ! { echo "vmm-count $k" >>/vmm-count.log && sync; }; then
        echo "vmm-boot: could not append count $k to /vmm-count.log (a read-only root?); not counting on"
        break
      fi
      echo "vmm-count: $k"
      sleep 0.2
      k=$((k + 1))
    done
  else
    echo "vmm-boot: vmm.count=$count is not a number from 1 to 1000000; not counting"
  fi
fi

if [ -z "$write_kib" ] && [ "$root_rw" = 1 ]; then
  # Leave the disk image clean (no journal to replay) for the next boot.
  sync
  mount -o remount,ro / 2>/dev/null
fi

# The echo servers hold the console too: once they are gone, closing it below waits again.
# Each is a session of its own (setsid): its group holds its connections as well.
for pid in $servers; do kill -- "-$pid" 2>/dev/null; done
# Closing the last descriptor on the console waits until the line above has left the serial port.
exec 0<&- 1>&- 2>&-
/bin/busybox "$how" -f
/bin/busybox reboot -f
echo b >/proc/sysrq-trigger
# Last resort: init exiting panics the kernel, which restarts with panic=N.
exit 1
