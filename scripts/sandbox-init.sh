#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=dash # busybox ash: dash is the nearest shell that shellcheck knows
# PID 1 of the throwaway guest that scripts/sandbox.sh boots under QEMU TCG.
# Packed into the initramfs as /init next to a static busybox and the kernel modules it loads.
# It loads 9p (to reach the control folder) and kvm_amd, checks /dev/kvm, enters the host's root
# (read-only 9p) with the project folder writable, runs the command and leaves its exit status in
# the control folder. The command's stdout and stderr leave through two virtio serial ports named
# vmm.stdout and vmm.stderr (far faster than the emulated UART); the serial port ttyS0 carries
# this script's messages, ttyS1 is the kernel console (kept in a file by the host). Whatever happens, the guest powers off.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /host /ctl
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

con=/dev/ttyS0; [ -c "$con" ] || con=/dev/console
exec 0</dev/null 1>"$con" 2>&1
# No \n -> \r\n translation: the host receives exactly what was written.
stty -F "$con" raw -echo 2>/dev/null

say() { echo "vmm sandbox: $*" >&2; }
# Timestamps of the boot steps when the host sets VMM_SANDBOX_TRACE=1 (vmm.trace=1 on the kernel's command line).
mark() { [ "${TRACE:-0}" = 1 ] && echo "vmm sandbox: [$(cut -d' ' -f1 /proc/uptime)] $*" >&2; }

off() {
  sync
  # Closing the last file descriptor on a serial port waits until its output has left.
  exec 0<&- 1>&- 2>&-
  poweroff -f
  echo o >/proc/sysrq-trigger
  sleep 10
}

# Leaves the reason in the control folder (the host prints it) or, before that folder is
# mounted, on the console; then powers off without a status: the host exits 125.
fail() {
  if [ -w /ctl ] && echo "$*" >/ctl/error.tmp 2>/dev/null && mv /ctl/error.tmp /ctl/error; then :; else
    say "$*"
  fi
  off
}

load() { # load LIST-FILE [OPTIONS-FOR-KVM_AMD]
  local m
  while read -r m; do
    [ -n "$m" ] || continue # an empty list is one empty line
    if [ "$m" = kvm_amd ]; then
      # shellcheck disable=SC2086
      insmod "/lib/modules/$m.ko" $2 || fail "could not load kernel module $m ($(dmesg | tail -n 3 | tr '\n' ' '))."
    else
      insmod "/lib/modules/$m.ko" || fail "could not load kernel module $m ($(dmesg | tail -n 3 | tr '\n' ' '))."
    fi
    mark "loaded $m"
  done <"$1"
}

TRACE=0; grep -q 'vmm.trace=1' /proc/cmdline && TRACE=1
mark "init started"
load /etc/vmm-modules.9p
o9p=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$o9p" ctl /ctl || fail "could not mount the control folder (9p tag ctl)."
[ -r /ctl/guest.conf ] || fail "the control folder has no guest.conf."
# Sets PROFILE, KVM_AMD_OPTS, PROJ, HOSTNAME_, SHELL_
# shellcheck source=/dev/null # written by scripts/sandbox.sh at run time
. /ctl/guest.conf

mark "9p loaded, control folder mounted"
load /etc/vmm-modules.kvm "$KVM_AMD_OPTS"
mark "kvm loaded"
i=0
while [ ! -c /dev/kvm ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
[ -c /dev/kvm ] || fail "/dev/kvm did not appear in the guest although kvm_amd loaded (does the CPU model offer SVM?); the command was not run."
chmod 666 /dev/kvm
# Keeps a VM of each kind open so that the command's VMs never live-patch kernel text, which the
# emulated kernel does not always survive (see kvm-anchor.c).
/bin/kvm-anchor || fail "kvm-anchor could not create its VMs (see its message above); the command was not run."

npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)
say "guest kernel $(uname -r), kvm_amd npt=${npt:-?} (profile $PROFILE)"

mount -t 9p -o "$o9p,ro,cache=loose" hostroot /host || fail "could not mount the host's root (9p tag hostroot)."
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || fail "could not mount a tmpfs on /tmp."
# The host's /run is its own running state, and read-only here: ip netns needs a writable /run/netns.
mount -t tmpfs -o mode=755 tmpfs /host/run || fail "could not mount a tmpfs on /run."
if [ -n "$PROJ" ]; then
  mkdir -p "/host$PROJ" 2>/dev/null # only works below /tmp; elsewhere the folder exists already
  mount -t 9p -o "$o9p,cache=mmap" proj "/host$PROJ" || fail "could not mount the project folder $PROJ writable (9p tag proj)."
fi
mount -t proc proc /host/proc || fail "could not mount /proc in the host's root."
mount -t sysfs sysfs /host/sys || fail "could not mount /sys in the host's root."
mount -o bind /dev /host/dev || fail "could not bind /dev into the host's root."
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts 2>/dev/null && ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
[ -n "$HOSTNAME_" ] && hostname "$HOSTNAME_"
ifconfig lo 127.0.0.1 up 2>/dev/null

# The virtio ports appear shortly after the driver loaded.
i=0
while :; do
  out="" err=""
  for d in /sys/class/virtio-ports/*; do
    case $(cat "$d/name" 2>/dev/null) in
      vmm.stdout) out=/dev/${d##*/} ;;
      vmm.stderr) err=/dev/${d##*/} ;;
    esac
  done
  [ -c "$out" ] && [ -c "$err" ] && break
  [ $i -ge 50 ] && fail "the virtio serial ports vmm.stdout and vmm.stderr did not appear in the guest."
  sleep 0.1; i=$((i + 1))
done
# A virtio port can be open only once, so the command writes to FIFOs (reopening /dev/stdout
# works on those) and two cats copy them to the ports.
{ mkdir -p /run && mkfifo /run/out /run/err; } || fail "could not create FIFOs in the guest."
cat /run/out >"$out" &
c1=$!
cat /run/err >"$err" &
c2=$!

# cmd.sh (written by the host with printf %q) sets the environment, enters the working folder and
# execs the command; it is run by the host's bash inside the host's root, with an empty environment.
mark "mounts done; starting the command"
script=$(cat /ctl/cmd.sh) || fail "the control folder has no cmd.sh."
# Tells the host the command is about to run: from here on, a dead guest is not booted again.
: >/ctl/started
cd /
env -i /bin/busybox chroot /host "${SHELL_:-/bin/bash}" -c "$script" </dev/null >/run/out 2>/run/err
rc=$?
mark "command ended ($rc)"
# The cats end when the last writer is gone; background processes the command left may hold on.
i=0
while { kill -0 $c1 || kill -0 $c2; } 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done

# Whatever the command left running goes, but not kvm-anchor: closing its VMs is the kernel text
# patching it exists to avoid, and the emulated kernel has deadlocked in exactly that at this point.
# poweroff -f then ends the guest without tearing any process down.
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  [ "$pid" = 1 ] || [ "$(cat "$p/comm" 2>/dev/null)" = kvm-anchor ] || kill -9 "$pid" 2>/dev/null
done
sleep 0.1
sync
[ -n "$PROJ" ] && umount "/host$PROJ" 2>/dev/null
{ echo "$rc" >/ctl/status.tmp && mv /ctl/status.tmp /ctl/status; } || say "could not write the exit status ($rc) to the control folder."
umount /ctl 2>/dev/null
mark "powering off"
off
