// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;

/**
 * One of the in-kernel interrupt controllers {@link Vm#createIrqchip()} creates, whose state
 * {@link Vm#irqchip} reads ({@code kvm_irqchip.chip_id}).
 */
public enum Irqchip {
    /** The master i8259 PIC, IRQs 0 to 7. */
    PIC_MASTER(KvmConstants.KVM_IRQCHIP_PIC_MASTER),
    /** The slave i8259 PIC, IRQs 8 to 15, cascaded on the master's IRQ 2. */
    PIC_SLAVE(KvmConstants.KVM_IRQCHIP_PIC_SLAVE),
    /** The IOAPIC, 24 pins. */
    IOAPIC(KvmConstants.KVM_IRQCHIP_IOAPIC);

    private final int id;

    Irqchip(int id) {
        this.id = id;
    }

    /** {@return the {@code KVM_IRQCHIP_*} id, {@code kvm_irqchip.chip_id}} */
    public int id() {
        return id;
    }
}
