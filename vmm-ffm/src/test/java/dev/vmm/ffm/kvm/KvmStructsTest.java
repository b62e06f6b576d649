// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The accessors UapiLayoutTest cannot see: flexible arrays, nested slices and the exit union. */
class KvmStructsTest {
    @Test
    void cpuidAllocatesRoomForItsEntriesAndIndexesThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpuid = kvm_cpuid2.allocate(arena, 3);
            assertEquals(8 + 3 * 40, cpuid.byteSize());
            assertEquals(3, kvm_cpuid2.nent(cpuid));
            kvm_cpuid_entry2.eax(kvm_cpuid2.entry(cpuid, 2), 0x1234);
            assertEquals(0x1234, cpuid.get(JAVA_INT, 8 + 2 * 40 + 12));
            assertThrows(IndexOutOfBoundsException.class, () -> kvm_cpuid2.entry(cpuid, 3));
            assertThrows(IllegalArgumentException.class, () -> kvm_cpuid2.allocate(arena, -1));
        }
    }

    @Test
    void msrsAndMsrListIndexTheirEntries() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msrs = kvm_msrs.allocate(arena, 2);
            assertEquals(8 + 2 * 16, msrs.byteSize());
            kvm_msr_entry.data(kvm_msrs.entry(msrs, 1), -1L);
            assertEquals(-1L, msrs.get(JAVA_LONG, 8 + 16 + 8));

            MemorySegment list = kvm_msr_list.allocate(arena, 2);
            kvm_msr_list.indices(list, 1, 0xc0000080);
            assertEquals(0xc0000080, list.get(JAVA_INT, 4 + 4));
            assertThrows(IndexOutOfBoundsException.class, () -> kvm_msr_list.indices(list, 2));
        }
    }

    @Test
    void nestedSegmentsAndArraysAreSlicesOfTheirStruct() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sregs = kvm_sregs.allocate(arena);
            kvm_segment.selector(kvm_sregs.ss(sregs), (short) 0x18);
            assertEquals((short) 0x18, sregs.get(JAVA_SHORT, 5 * 24 + 12));
            kvm_dtable.limit(kvm_sregs.idt(sregs), (short) 0xfff);
            assertEquals((short) 0xfff, sregs.get(JAVA_SHORT, 8 * 24 + 16 + 8));
            kvm_sregs.interrupt_bitmap(sregs, 3, 1L << 63);
            assertEquals(1L << 63, sregs.get(JAVA_LONG, 312 - 8));
            assertThrows(IndexOutOfBoundsException.class, () -> kvm_sregs.interrupt_bitmap(sregs, 4));
        }
    }

    @Test
    void exitUnionMembersOverlap() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment run = kvm_run.allocate(arena);
            kvm_run.mmio_phys_addr(run, 0xfee00000L);
            assertEquals(0xfee00000L, kvm_run.hw_hardware_exit_reason(run));
            kvm_run.mmio_data(run).set(JAVA_INT, 0, 42);
            assertEquals(42, run.get(JAVA_INT, 32 + 8));
            kvm_run.io_port(run, (short) 0x3f8);
            assertEquals((short) 0x3f8, run.get(JAVA_SHORT, 32 + 2));
            assertEquals(256, kvm_run.s$OFFSET - kvm_run.padding$OFFSET - 16);
        }
    }

    @Test
    void irqchipUnionMembersOverlapAndIndexTheirArrays() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chip = kvm_irqchip.allocate(arena);
            kvm_pic_state.imr(kvm_irqchip.chip_pic(chip), (byte) 0xfb);
            assertEquals((byte) 0xfb, chip.get(JAVA_BYTE, 8 + 2), "imr, the third byte of the PIC state after chip_id and pad");
            MemorySegment ioapic = kvm_irqchip.chip_ioapic(chip);
            assertEquals((byte) 0xfb, ioapic.get(JAVA_BYTE, 2), "the PIC and the IOAPIC share the union");
            kvm_ioapic_state.redirtbl(ioapic, 23, 1L << 16);
            assertEquals(1L << 16, chip.get(JAVA_LONG, 8 + 24 + 23 * 8));
            assertThrows(IndexOutOfBoundsException.class, () -> kvm_ioapic_state.redirtbl(ioapic, 24));
            assertEquals(512, kvm_irqchip.chip(chip).byteSize());
        }
    }

    @Test
    void pitChannelsXcrsAndEventsAreSlicesOfTheirStruct() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pit = kvm_pit_state2.allocate(arena);
            kvm_pit_channel_state.count(kvm_pit_state2.channels(pit, 2), 0x10000);
            assertEquals(0x10000, pit.get(JAVA_INT, 2 * 24));
            assertThrows(IndexOutOfBoundsException.class, () -> kvm_pit_state2.channels(pit, 3));

            MemorySegment xcrs = kvm_xcrs.allocate(arena);
            kvm_xcr.value(kvm_xcrs.xcrs(xcrs, 15), 7);
            assertEquals(7, xcrs.get(JAVA_LONG, 8 + 15 * 16 + 8));

            MemorySegment events = kvm_vcpu_events.allocate(arena);
            kvm_vcpu_events.nmi_masked(events, (byte) 1);
            kvm_vcpu_events.exception_payload(events, -1L);
            assertEquals(1, events.get(JAVA_BYTE, 8 + 4 + 2));
            assertEquals(-1L, events.get(JAVA_LONG, 56));
        }
    }

    @Test
    void xsaveAllocatesTheSizeKvmReports() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(4096, kvm_xsave.allocate(arena).byteSize());
            assertEquals(11008, kvm_xsave.allocate(arena, 11008).byteSize());
            assertThrows(IllegalArgumentException.class, () -> kvm_xsave.allocate(arena, 4095));
            assertThrows(IllegalArgumentException.class, () -> kvm_xsave.allocate(arena, 4098));
        }
    }
}
