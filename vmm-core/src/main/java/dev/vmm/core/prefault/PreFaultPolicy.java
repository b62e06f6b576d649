// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.prefault;

/** What to do before the guest first touches its memory, so that first touches are fast. */
public enum PreFaultPolicy {
    /** Nothing: every first touch faults in the host and in KVM (lazy). */
    NONE,
    /** Host page tables only (MADV_POPULATE_WRITE): the guest's first touch still builds stage-2 entries. */
    POPULATE,
    /**
     * KVM's stage-2 tables only (KVM_PRE_FAULT_MEMORY). KVM maps as for a guest read: untouched
     * anonymous memory may map to the shared zero page, and a guest write then still faults.
     */
    STAGE2,
    /** POPULATE, then STAGE2: both page tables built, writable pages mapped writable. */
    FULL,
    /** FULL where the VM's probe allows stage-2 pre-faulting, else POPULATE. Never fails for lack of support. */
    AUTO
}
