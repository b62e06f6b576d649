// SPDX-License-Identifier: Apache-2.0
/**
 * The kernel's ioctl number encoders ({@link dev.vmm.ffm.Ioctl}: {@code _IO}, {@code _IOR},
 * {@code _IOW}, {@code _IOWR}), from which {@link dev.vmm.ffm.kvm.KvmIoctls} computes KVM's ioctl
 * numbers, and {@link dev.vmm.ffm.tun.TunIoctls} tun/tap's. The struct layouts, constants and ioctl
 * numbers are in {@link dev.vmm.ffm.kvm} and {@link dev.vmm.ffm.tun}; the
 * downcalls themselves in {@code dev.vmm.ffm.libc}, which only this project's modules may use.
 */
package dev.vmm.ffm;
