# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=dash # busybox ash: dash is the nearest shell that shellcheck knows
# What the guest inits share (scripts/boot-init.sh, scripts/rootfs-init.sh): sourced from
# /lib/vmm-guest.sh, where scripts/boot-assets.sh puts it in each image. Nothing here may end the
# shell: an init that ends panics the kernel.

# Prints the marker line: what the guest's kernel saw. ram_bytes is the firmware's memory map
# (E820) as the kernel got it: all the RAM the VMM gave the guest.
report_machine() {
  cpus=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)
  mem_total_kib=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo 2>/dev/null)
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
}

# Boot-complete: the byte 123 to port 0x3f0. The helper (ioperm and outb) needs no /dev/port,
# which some kernels lack (Debian's cloud flavour); dd to /dev/port is the fallback, silent unless
# both fail. Without /dev/port, dd would create a plain file of that name: check first.
signal_boot_complete() {
  helper_error="vmm-boot: no /bin/vmm-boot-complete in this image"
  if [ -x /bin/vmm-boot-complete ] && helper_error=$(/bin/vmm-boot-complete 2>&1); then :
  elif [ -c /dev/port ] && printf '\173' | dd of=/dev/port bs=1 seek=1008 count=1 conv=notrunc 2>/dev/null; then :
  else
    echo "${helper_error:-vmm-boot: /bin/vmm-boot-complete failed}"
    echo "vmm-boot: no /dev/port, cannot signal boot-complete"
  fi
}
