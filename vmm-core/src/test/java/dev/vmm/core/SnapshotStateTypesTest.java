// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snapshot state types without KVM: their size checks, copies and typed views. */
class SnapshotStateTypesTest {
    @Test
    void statesAreSizeCheckedCopies() {
        byte[] bytes = new byte[XsaveState.MIN_SIZE];
        XsaveState xsave = XsaveState.of(bytes);
        bytes[0] = 1;
        assertEquals(0, xsave.bytes()[0], "of() copies");
        xsave.bytes()[0] = 2;
        assertEquals(0, xsave.bytes()[0], "bytes() copies");
        assertEquals(XsaveState.of(new byte[XsaveState.MIN_SIZE]), xsave);
        assertEquals(8192, XsaveState.of(new byte[8192]).size());
        assertThrows(IllegalArgumentException.class, () -> XsaveState.of(new byte[4097]));

        assertEquals(512, IrqchipState.SIZE);
        assertEquals(112, PitState.SIZE);
        assertThrows(IllegalArgumentException.class, () -> IrqchipState.of(Irqchip.IOAPIC, new byte[511]));
        assertThrows(IllegalArgumentException.class, () -> PitState.of(new byte[113]));
        assertNotEquals(IrqchipState.of(Irqchip.PIC_MASTER, new byte[512]), IrqchipState.of(Irqchip.PIC_SLAVE, new byte[512]));
    }

    @Test
    void ioapicEntriesAndPitCountsAreLittleEndianAtTheKernelsOffsets() {
        IrqchipState ioapic = IrqchipState.of(Irqchip.IOAPIC, new byte[IrqchipState.SIZE]).withRedirectionEntry(1, 0x0100_0000_0001_0030L);
        byte[] bytes = ioapic.bytes();
        assertEquals(0x30, bytes[24 + 8]);           // redirtbl[1] after base_address, ioregsel, id, irr, pad
        assertEquals(0x01, bytes[24 + 8 + 2]);        // the mask bit, 16
        assertEquals(0x01, bytes[24 + 8 + 7]);        // destination
        assertEquals(0x0100_0000_0001_0030L, ioapic.redirectionEntry(1));
        assertEquals(0, ioapic.redirectionEntry(0));
        assertThrows(IllegalStateException.class, () -> IrqchipState.of(Irqchip.PIC_SLAVE, new byte[512]).withRedirectionEntry(0, 0));

        PitState pit = PitState.of(new byte[PitState.SIZE]).withCount(1, 0x10000);
        assertEquals(0x10000, pit.count(1));
        assertArrayEquals(new byte[] {0, 0, 1, 0}, java.util.Arrays.copyOfRange(pit.bytes(), 24, 28));
        assertThrows(IndexOutOfBoundsException.class, () -> pit.count(3));
        assertThrows(IllegalArgumentException.class, () -> pit.withCount(0, 0x10001));
    }

    @Test
    void clockFlagsAndEventsSetterValidity() {
        KvmClock clock = new KvmClock(5, EnumSet.of(KvmClock.Flag.REALTIME, KvmClock.Flag.HOST_TSC), 7, 9);
        assertEquals((1 << 2) | (1 << 3), clock.flagBits());
        assertEquals(clock.flags(), KvmClock.flagsOf(clock.flagBits()));
        assertEquals(Set.of(), KvmClock.of(3).flags());
        assertEquals(Set.of(KvmClock.Flag.TSC_STABLE), KvmClock.flagsOf(2 | (1 << 30)), "unknown bits are dropped");

        VcpuEvents events = new VcpuEvents().nmiPending(true).interruptShadow(VcpuEvents.SHADOW_MOV_SS).sipiVector(0x9a);
        assertEquals(0b111, dev.vmm.ffm.kvm.kvm_vcpu_events.flags(events.struct), "NMI_PENDING, SIPI_VECTOR and SHADOW marked valid");
        assertTrue(events.nmiPending());
        assertEquals(VcpuEvents.SHADOW_MOV_SS, events.interruptShadow());
        assertThrows(IllegalArgumentException.class, () -> events.interruptShadow(4));

        DebugRegisters regs = new DebugRegisters(0, 0, 0, 0, 0xffff0ff0L, 0x400).withBreakpoint(2, 0x1234);
        assertEquals(0x1234, regs.dr2());
        assertThrows(IndexOutOfBoundsException.class, () -> regs.withBreakpoint(4, 0));
    }
}
