// SPDX-License-Identifier: Apache-2.0
/**
 * The kernel's ioctl number encoders ({@link dev.vmm.ffm.Ioctl}: {@code _IO}, {@code _IOR},
 * {@code _IOW}, {@code _IOWR}), with which {@link dev.vmm.ffm.tun.TunIoctls} computes tun/tap's
 * ioctl numbers ({@link dev.vmm.ffm.kvm.KvmIoctls} has KVM's written out, for a quicker start).
 * The struct layouts, constants and ioctl
 * numbers are in {@link dev.vmm.ffm.kvm} and {@link dev.vmm.ffm.tun}; the
 * downcalls themselves in {@code dev.vmm.ffm.libc}, which only this project's modules may use.
 */
package dev.vmm.ffm;
