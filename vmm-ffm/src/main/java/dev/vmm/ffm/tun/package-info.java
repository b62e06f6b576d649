// SPDX-License-Identifier: Apache-2.0
/**
 * Linux's tun/tap uapi (include/uapi/linux/if_tun.h and the part of if.h it uses) in the style of
 * {@link dev.vmm.ffm.kvm}, checked against the kernel's headers: {@link dev.vmm.ffm.tun.ifreq},
 * the struct {@code TUNSETIFF} reads and writes; {@link dev.vmm.ffm.tun.TunIoctls}, the ioctl
 * numbers on a {@code /dev/net/tun} fd; and {@link dev.vmm.ffm.tun.TunConstants}, the interface
 * and offload flags, named as the C macros. Nothing here owns a file descriptor:
 * {@code dev.vmm.core.Tap} builds the typed tap device on these classes.
 */
package dev.vmm.ffm.tun;
