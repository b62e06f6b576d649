#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=dash # busybox ash: dash is the nearest shell that shellcheck knows
# PID 1 of the initramfs that boots the stock Debian kernel from the virtio-blk disk
# (VMM_BOOT_ROOTFS_INITRD, built by scripts/boot-assets.sh next to a static busybox, the kernel's
# modules decompressed into /lib/modules/NAME.ko and /etc/vmm-modules, their names in load order;
# /etc/vmm-modules.virtio-ID, what a virtio device of that ID needs besides).
# It loads the modules (virtio_mmio binds the DSDT's LNRO0005 devices, virtio_blk makes /dev/vda,
# ext4), then those of the virtio devices virtio_mmio found (virtio_net for a network interface,
# the virtio vsock transport for a vsock device), waits up to 10 s (vmm.rootwait=S) for the root device, mounts it (root=, default
# /dev/vda; rootfstype=, default ext4; read-only with "ro" on the command line) and switch_root's
# to its init (init=, else /sbin/init, else /init): scripts/rootfs-init.sh on the project's image.
# When something is missing it prints one line saying what ("vmm-boot: cannot mount the root: ...")
# and ends the VM as scripts/boot-init.sh does: reboot -f, or poweroff -f with vmm.exit=poweroff.
# Nothing here may hang a boot: every step is bounded, and every failure ends the VM.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /newroot
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
[ -e /proc/self ] || mount -t proc proc /proc
[ -d /sys/kernel ] || mount -t sysfs sysfs /sys
grep -q '^[^ ]* /dev ' /proc/mounts 2>/dev/null || mount -t devtmpfs devtmpfs /dev 2>/dev/null
# A failed redirection of exec would end the shell (and panic the kernel): try the console first
# (a character device: on a /dev without devtmpfs the test would make a plain file of that name).
if [ -c /dev/console ] && (: >/dev/console) 2>/dev/null; then exec </dev/null >/dev/console 2>&1; fi

cmdline=$(cat /proc/cmdline 2>/dev/null)
root=/dev/vda fstype=ext4 mode=rw init="" wait=10 how=reboot
set -f # the command line is split into words, never globbed
for w in $cmdline; do
  case $w in
    root=*) root=${w#root=} ;;
    rootfstype=*) fstype=${w#rootfstype=} ;;
    ro | rw) mode=$w ;;
    init=*) init=${w#init=} ;;
    vmm.rootwait=*) wait=${w#vmm.rootwait=} ;;
    vmm.exit=poweroff) how=poweroff ;;
  esac
done
set +f
case $wait in "" | *[!0-9]* | ??????*) wait=10 ;; esac

# One line saying what is missing, then the end of the VM.
fail() {
  echo "vmm-boot: cannot mount the root: $*"
  # Closing the last descriptor on the console waits until the line above has left the serial port.
  exec 0<&- 1>&- 2>&-
  /bin/busybox "$how" -f
  /bin/busybox reboot -f
  echo b >/proc/sysrq-trigger
  # Last resort: init exiting panics the kernel, which restarts with panic=N.
  exit 1
}
# "; kernel: " and the kernel's last two log lines, if it has any to say.
kernel_says() {
  local log
  log=$(dmesg 2>/dev/null | tail -n 2 | tr '\n' ' ')
  [ -z "$log" ] || echo "; kernel: ${log% }"
}
case $root in
  /dev/*) ;;
  *) fail "root=$root is not a /dev path (LABEL= and UUID= are not supported here)" ;;
esac

# Modules, in dependency order; a module that fails stops the boot with the kernel's last words.
loaded=""
load() { # LIST-FILE
  while read -r m; do
    [ -n "$m" ] || continue
    error=$(insmod "/lib/modules/$m.ko" 2>&1) \
      || fail "insmod $m failed (${error:-no message}$(kernel_says))"
    loaded="$loaded $m"
  done <"$1"
}
if [ -r /etc/vmm-modules ]; then load /etc/vmm-modules; fi
# virtio_mmio registers the devices it finds as it loads: their IDs say what else to load, once.
for d in /sys/bus/virtio/devices/*; do
  id=$(cat "$d/device" 2>/dev/null)
  case $id in 0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;; *) continue ;; esac
  list=/etc/vmm-modules.virtio-$((id))
  if [ -r "$list" ]; then
    load "$list"
    mv "$list" "$list.loaded"
  fi
done

# virtio_blk creates the disk as it probes; devtmpfs makes its node. Bounded wait all the same.
i=0
while [ ! -b "$root" ] && [ "$i" -lt $((wait * 10)) ]; do
  sleep 0.1
  i=$((i + 1))
done
if [ ! -b "$root" ]; then
  acpi=0 virtio="" blocks=""
  for d in /sys/bus/acpi/devices/LNRO0005:*; do [ -e "$d" ] && acpi=$((acpi + 1)); done
  for d in /sys/bus/virtio/devices/*; do
    [ -e "$d/device" ] && virtio="$virtio ${d##*/}:$(cat "$d/device" 2>/dev/null)"
  done
  for d in /sys/class/block/*; do [ -e "$d" ] && blocks="$blocks ${d##*/}"; done
  fail "no $root after $wait s (modules loaded:${loaded:- none}; LNRO0005 devices in ACPI: $acpi; virtio devices (id 0x0002 is a disk):${virtio:- none}; block devices:${blocks:- none})"
fi

error=$(mount -t "$fstype" -o "$mode" "$root" /newroot 2>&1) \
  || fail "mount -t $fstype -o $mode $root failed (${error:-no message}$(kernel_says))"
new_init=""
for c in "$init" /sbin/init /init; do
  # A link (busybox's) may point outside this initramfs: -L as well as -x.
  if [ -n "$c" ] && { [ -x "/newroot$c" ] || [ -L "/newroot$c" ]; }; then new_init=$c; break; fi
done
if [ -z "$new_init" ]; then
  umount /newroot 2>/dev/null
  fail "$root ($fstype) has no ${init:+$init, }/sbin/init or /init"
fi

# The real root keeps /dev (the console is open on it), /proc and /sys; switch_root empties this
# initramfs, makes /newroot the root and runs its init as PID 1. Its own failures end PID 1 and
# so panic the kernel (restart with panic=N): everything it checks is checked above.
for d in dev proc sys; do
  [ -d "/newroot/$d" ] && mount --move "/$d" "/newroot/$d" 2>/dev/null
done
exec /bin/busybox switch_root /newroot "$new_init"
