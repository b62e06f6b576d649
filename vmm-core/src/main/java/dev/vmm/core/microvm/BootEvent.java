// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

/** The moments of a {@link MicroVm}'s life that boot latency is measured between, in order. */
public enum BootEvent {
    /** Kernel image and initrd read and checked; the boot planned. */
    IMAGES_CHECKED,
    /** /dev/kvm opened; VM, irqchip, PIT and vCPUs created and configured. */
    VM_CREATED,
    /** Guest memory mapped and registered with KVM. */
    MEMORY_READY,
    /** The pre-fault policy applied (immediately after MEMORY_READY for NONE). */
    PRE_FAULTED,
    /** Kernel, initrd, command line and boot tables written; the bootstrap vCPU at the kernel's entry. */
    KERNEL_LOADED,
    /** The bootstrap vCPU's first KVM_RUN is about to enter the guest. */
    FIRST_RUN,
    /** The guest's first byte on the serial console. */
    FIRST_CONSOLE_BYTE,
    /** The guest wrote the boot-complete signal. */
    BOOT_COMPLETE,
    /** Every vCPU has stopped. */
    VM_EXIT
}
