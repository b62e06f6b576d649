// SPDX-License-Identifier: Apache-2.0
/**
 * KVM's uapi in jextract style, checked against the Linux 6.12 headers: one class per struct
 * ({@link dev.vmm.ffm.kvm.kvm_run}, {@link dev.vmm.ffm.kvm.kvm_regs}, ...) with its layout, field
 * offsets and static accessors over a {@link java.lang.foreign.MemorySegment};
 * {@link dev.vmm.ffm.kvm.KvmIoctls}, the ioctl numbers, written out with the kernel's definition of
 * each beside it; and {@link dev.vmm.ffm.kvm.KvmConstants}, the capabilities, exit reasons and flags,
 * named as the C macros. Fields keep their C names; those of {@code kvm_run}'s exit union are named
 * {@code <member>_<field>}. Nothing here checks values or owns resources: {@code dev.vmm.core}
 * builds its typed {@code Kvm}, {@code Vm} and {@code Vcpu} on these classes.
 */
package dev.vmm.ffm.kvm;
