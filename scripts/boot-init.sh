#!/bin/busybox sh
# shellcheck shell=dash # busybox ash: dash is the nearest shell that shellcheck knows
# PID 1 of the tiny initramfs that ./vmm boot and the Linux boot tests boot (built by
# scripts/boot-assets.sh next to a static busybox and /bin/vmm-boot-complete). It shows the guest
# reached user space and what its kernel saw: one line on the console, then boot-complete (the byte
# 123 on I/O port 0x3f0, which the launcher times; written by /bin/vmm-boot-complete, from
# scripts/boot-complete.c, or else through /dev/port), then it ends the VM: reboot -f (the command
# line carries reboot=k, so the kernel resets through the i8042), or poweroff -f with
# vmm.exit=poweroff on the command line.
# With vmm.input=1 it first echoes one line read from the console.
# Nothing here may hang a boot: whatever fails on the way, the script goes on and ends the VM.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# A failed redirection of exec would end the shell (and panic the kernel): try the console first.
if (: >/dev/console) 2>/dev/null; then exec </dev/null >/dev/console 2>&1; fi

cpus=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)
mem_total_kib=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo 2>/dev/null)
# The firmware's memory map (E820) as the kernel got it: all the RAM the VMM gave the guest.
ram_bytes=0
for d in /sys/firmware/memmap/*/; do
  [ "$(cat "${d}type" 2>/dev/null)" = "System RAM" ] || continue
  start=$(cat "${d}start" 2>/dev/null) end=$(cat "${d}end" 2>/dev/null)
  # An arithmetic error would end the shell: only well-formed hex numbers are added.
  case "$start $end" in
    0x[0-9a-fA-F]*" "0x[0-9a-fA-F]*) ;;
    *) continue ;;
  esac
  case "$start$end" in *[!0-9a-fA-Fx]*) continue ;; esac
  ram_bytes=$((ram_bytes + end - start + 1))
done
echo "vmm-boot: init reached: cpus=${cpus:-0} mem_total_kib=${mem_total_kib:-0} ram_bytes=$ram_bytes"

# With vmm.input=1, one line typed at the console comes back (the serial input path's test).
case " $(cat /proc/cmdline 2>/dev/null) " in
  *" vmm.input=1 "*)
    # shellcheck disable=SC3045 # busybox ash's read has -t
    if read -t 60 -r line </dev/console; then echo "vmm-boot: input: $line"; else echo "vmm-boot: no input"; fi ;;
esac

# Boot-complete. The helper (ioperm and outb) needs no /dev/port, which some kernels lack (Debian's
# cloud flavour); dd to /dev/port is the fallback, silent unless both fail. Without /dev/port, dd
# would create a plain file of that name: check first.
helper_error="vmm-boot: no /bin/vmm-boot-complete in the initramfs"
if [ -x /bin/vmm-boot-complete ] && helper_error=$(/bin/vmm-boot-complete 2>&1); then :
elif [ -c /dev/port ] && printf '\173' | dd of=/dev/port bs=1 seek=1008 count=1 conv=notrunc 2>/dev/null; then :
else
  echo "${helper_error:-vmm-boot: /bin/vmm-boot-complete failed}"
  echo "vmm-boot: no /dev/port, cannot signal boot-complete"
fi

how=reboot
case " $(cat /proc/cmdline 2>/dev/null) " in
  *" vmm.exit=poweroff "*) how=poweroff ;;
esac
# Closing the last descriptor on the console waits until the line above has left the serial port.
exec 0<&- 1>&- 2>&-
/bin/busybox "$how" -f
/bin/busybox reboot -f
echo b >/proc/sysrq-trigger
# Last resort: init exiting panics the kernel, which restarts with panic=N.
exit 1
