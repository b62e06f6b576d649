#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=dash # busybox ash: dash is the nearest shell that shellcheck knows
# PID 1 of the tiny initramfs that ./vmm boot and the Linux boot tests boot (built by
# scripts/boot-assets.sh next to a static busybox and /bin/vmm-boot-complete). It shows the guest
# reached user space and what its kernel saw: one line on the console, then boot-complete (the byte
# 123 on I/O port 0x3f0, which the launcher times; written by /bin/vmm-boot-complete, from
# scripts/boot-complete.c, or else through /dev/port), then it ends the VM: reboot -f (the command
# line carries reboot=k, so the kernel resets through the i8042), or poweroff -f with
# vmm.exit=poweroff on the command line.
# With vmm.input=1 it first echoes one line read from the console. With vmm.count=N (1 to 999999),
# after boot-complete it prints "vmm-count: K" for K = 1 to N, five a second, and echoes each line
# typed at the console as "vmm-echo: LINE" meanwhile: a guest the snapshot tests save while it
# counts, and whose clones count on and answer.
# Nothing here may hang a boot: whatever fails on the way, the script goes on and ends the VM.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# A failed redirection of exec would end the shell (and panic the kernel): try the console first.
if (: >/dev/console) 2>/dev/null; then exec </dev/null >/dev/console 2>&1; fi

# The shared steps (marker line, boot-complete); without them the init still ends the VM.
# shellcheck source=guest-lib.sh
if [ -r /lib/vmm-guest.sh ]; then . /lib/vmm-guest.sh; fi
if command -v report_machine >/dev/null; then report_machine; else echo "vmm-boot: no /lib/vmm-guest.sh in this image"; fi

# With vmm.input=1, one line typed at the console comes back (the serial input path's test).
case " $(cat /proc/cmdline 2>/dev/null) " in
  *" vmm.input=1 "*)
    # shellcheck disable=SC3045 # busybox ash's read has -t
    if read -t 60 -r line </dev/console; then echo "vmm-boot: input: $line"; else echo "vmm-boot: no input"; fi ;;
esac

if command -v signal_boot_complete >/dev/null; then signal_boot_complete; fi

count=0 cmdline=''
read -r cmdline </proc/cmdline 2>/dev/null
for w in $cmdline; do
  case $w in vmm.count=*) count=${w#vmm.count=} ;; esac
done
case $count in
  ''|*[!0-9]*|???????*) echo "vmm-boot: vmm.count=$count is not a number from 1 to 999999; not counting"; count=0 ;;
esac
if [ "$count" -gt 0 ]; then
  (while read -r line; do echo "vmm-echo: $line"; done </dev/console) &
  echoer=$!
  k=1
  while [ "$k" -le "$count" ]; do
    echo "vmm-count: $k"
    k=$((k + 1))
    sleep 0.2
  done
  kill "$echoer" 2>/dev/null
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
