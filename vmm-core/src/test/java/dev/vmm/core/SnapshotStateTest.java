// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vCPU and VM state a snapshot saves, each get/set pair checked by a round trip on real KVM:
 * get, change something meaningful, set, get again.
 */
class SnapshotStateTest {
    private static final GuestMemory.Range RAM = new GuestMemory.Range(GuestAddress.of(0), 0x8000);

    @KvmTest
    void xsaveRoundTripsAndIsWhatTheFpuSees() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            vcpu.setCpuid(kvm.supportedCpuid());
            XsaveState state = vcpu.xsave();
            assertEquals(Math.max(vm.checkExtension(Capability.XSAVE2), XsaveState.MIN_SIZE), state.size());

            ByteBuffer bytes = ByteBuffer.wrap(state.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            bytes.putLong(512, bytes.getLong(512) | 0b11); // XSTATE_BV: x87 and SSE state present
            bytes.putInt(24, 0x9f80);                      // MXCSR: the default with flush-to-zero
            bytes.putLong(160, 0x0123456789abcdefL);       // XMM0's low half
            XsaveState changed = XsaveState.of(bytes.array());
            vcpu.setXsave(changed);

            ByteBuffer readBack = ByteBuffer.wrap(vcpu.xsave().bytes()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x9f80, readBack.getInt(24), "MXCSR");
            assertEquals(0x0123456789abcdefL, readBack.getLong(160), "XMM0");
            // KVM_GET_FPU shows the same registers, but for MXCSR: x86.c leaves kvm_fpu.mxcsr 0, so only
            // XSAVE carries it.
            ByteBuffer fpu = ByteBuffer.wrap(vcpu.fpu()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x0123456789abcdefL, fpu.getLong(152), "KVM_GET_FPU's XMM0 is the one KVM_SET_XSAVE wrote");
            assertEquals(0, fpu.getInt(408), "KVM_GET_FPU does not report MXCSR");

            assertThrows(IllegalArgumentException.class, () -> XsaveState.of(new byte[4095]));
            assertThrows(IllegalArgumentException.class, () -> vcpu.setXsave(XsaveState.of(new byte[state.size() + 4])),
                    "a state larger than this VM's XSAVE area");
        }
    }

    @KvmTest
    void fpuRoundTrips() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            vcpu.setDefaultFpu();
            ByteBuffer fpu = ByteBuffer.wrap(vcpu.fpu()).order(ByteOrder.LITTLE_ENDIAN);
            fpu.putShort(128, (short) 0x27f);                // FCW: 53-bit precision
            fpu.putLong(152 + 16, 0x1122334455667788L);      // XMM1's low half
            fpu.putInt(408, 0x1fc0);                         // MXCSR: DAZ set
            vcpu.setFpu(fpu.array());
            byte[] readBack = vcpu.fpu();
            assertEquals(0, ByteBuffer.wrap(readBack).order(ByteOrder.LITTLE_ENDIAN).getInt(408), "KVM_GET_FPU does not report MXCSR");
            fpu.putInt(408, 0);
            assertArrayEquals(fpu.array(), readBack, "everything else round-trips");
            // x86.c (6.12) copies MXCSR neither way: the vCPU keeps its reset value, as XSAVE shows.
            assertEquals(0x1f80, ByteBuffer.wrap(vcpu.xsave().bytes()).order(ByteOrder.LITTLE_ENDIAN).getInt(24),
                    "KVM_SET_FPU ignores kvm_fpu.mxcsr");
            assertThrows(IllegalArgumentException.class, () -> vcpu.setFpu(new byte[415]));
        }
    }

    @KvmTest
    void xcr0RoundTripsAndAnInvalidOneIsRefused() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            vcpu.setCpuid(kvm.supportedCpuid()); // XCR0 may enable only what the guest's CPUID offers
            List<Xcr> xcrs = vcpu.xcrs();
            Xcr xcr0 = xcrs.stream().filter(x -> x.index() == Xcr.XCR0).findFirst().orElseThrow();
            assertEquals(1, xcr0.value() & 1, "x87 is always enabled");
            long other = xcr0.value() == 0b11 ? 0b1 : 0b11;  // x87 alone, or x87 and SSE
            vcpu.setXcrs(List.of(new Xcr(Xcr.XCR0, other)));
            assertEquals(List.of(new Xcr(Xcr.XCR0, other)), vcpu.xcrs());

            KvmException refused = assertThrows(KvmException.class, () -> vcpu.setXcrs(List.of(new Xcr(Xcr.XCR0, 0b10))));
            assertEquals("KVM_SET_XCRS", refused.call(), "XCR0 without x87 is invalid: " + refused.getMessage());
            assertTrue(refused.is(Errno.EINVAL), refused.getMessage());
            assertThrows(IllegalArgumentException.class, () -> vcpu.setXcrs(java.util.Collections.nCopies(17, xcr0)));
        }
    }

    @KvmTest
    void vcpuEventsRoundTrip() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            VcpuEvents events = vcpu.vcpuEvents();
            assertTrue(!events.nmiMasked() && !events.nmiPending() && !events.exceptionInjected(), "a new vCPU has no events: " + events);
            vcpu.setVcpuEvents(events.nmiMasked(true).nmiPending(true).interruptShadow(VcpuEvents.SHADOW_STI).sipiVector(0x12));
            VcpuEvents readBack = vcpu.vcpuEvents();
            assertTrue(readBack.nmiMasked() && readBack.nmiPending(), "an NMI pending while NMIs are blocked: " + readBack);
            // VMX keeps the STI and MOV SS shadows apart; SVM has one shadow bit, which KVM reports as both (svm_get_interrupt_shadow).
            assertTrue(readBack.interruptShadow() == VcpuEvents.SHADOW_STI
                    || readBack.interruptShadow() == (VcpuEvents.SHADOW_STI | VcpuEvents.SHADOW_MOV_SS), "the shadow set: " + readBack);
            assertEquals(0, readBack.sipiVector(), "KVM takes the SIPI vector on set but always reports 0");
            assertThrows(IllegalArgumentException.class, () -> readBack.sipiVector(256));
        }
    }

    @KvmTest
    void debugRegistersRoundTripAndHighBitsAreRefused() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            DebugRegisters initial = vcpu.debugRegisters();
            assertEquals(0x400, initial.dr7(), "DR7's reset value");
            DebugRegisters breakpoint = initial.withBreakpoint(0, 0x1000).withBreakpoint(3, 0xfff0).withDr7(0x400 | 0b1); // L0: DR0 enabled
            vcpu.setDebugRegisters(breakpoint);
            assertEquals(breakpoint, vcpu.debugRegisters());

            KvmException refused = assertThrows(KvmException.class, () -> vcpu.setDebugRegisters(breakpoint.withDr7(1L << 32)));
            assertTrue(refused.is(Errno.EINVAL), refused.getMessage());
        }
    }

    @KvmTest
    void irqchipStateRoundTripsAndIsAClearErrorWithoutTheIrqchip() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            KvmException none = assertThrows(KvmException.class, () -> vm.irqchip(Irqchip.IOAPIC));
            assertTrue(none.is(Errno.ENXIO) && none.getMessage().contains("createIrqchip()"), none.getMessage());

            vm.createIrqchip();
            try (Vcpu vcpu = vm.createVcpu(0)) {
                for (Irqchip chip : Irqchip.values()) {
                    IrqchipState state = vm.irqchip(chip);
                    assertEquals(chip, state.chip());
                    vm.setIrqchip(state);
                    assertEquals(state, vm.irqchip(chip), chip + " unchanged by its own state");
                }
                IrqchipState ioapic = vm.irqchip(Irqchip.IOAPIC);
                long entry = 0x35 | 1L << 15 | 1L << 56; // vector 0x35, level-triggered, unmasked, to APIC 1
                vm.setIrqchip(ioapic.withRedirectionEntry(5, entry));
                assertEquals(entry, vm.irqchip(Irqchip.IOAPIC).redirectionEntry(5));
                assertEquals(ioapic.redirectionEntry(6), vm.irqchip(Irqchip.IOAPIC).redirectionEntry(6), "the other pins unchanged");
                assertThrows(IllegalStateException.class, () -> vm.irqchip(Irqchip.PIC_MASTER).redirectionEntry(0));
                assertThrows(IndexOutOfBoundsException.class, () -> ioapic.redirectionEntry(24));
            }
        }
    }

    @KvmTest
    void pitStateRoundTripsAndIsAClearErrorWithoutThePit() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            vm.createIrqchip();
            KvmException none = assertThrows(KvmException.class, vm::pitState);
            assertTrue(none.is(Errno.ENXIO) && none.getMessage().contains("createPit()"), none.getMessage());

            vm.createPit();
            PitState state = vm.pitState();
            vm.setPitState(state.withCount(0, 0x1234));
            PitState readBack = vm.pitState();
            assertEquals(0x1234, readBack.count(0));
            assertEquals(state.count(2), readBack.count(2), "channel 2 unchanged");
            assertThrows(IllegalArgumentException.class, () -> state.withCount(0, 0));
        }
    }

    @KvmTest
    void clockRoundTrips() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            long tenSeconds = 10_000_000_000L;
            vm.setClock(KvmClock.of(tenSeconds));
            long now = vm.clock().nanoseconds();
            assertTrue(now >= tenSeconds && now < tenSeconds + 60_000_000_000L, "the clock runs on from 10 s: " + now);

            KvmClock saved = vm.clock();
            vm.setClock(saved); // as a restore does: with REALTIME (when KVM reported it), the time since is added
            long restored = vm.clock().nanoseconds();
            assertTrue(restored >= saved.nanoseconds() && restored < saved.nanoseconds() + 60_000_000_000L,
                    "restored " + restored + " from " + saved);

            // A clock saved five seconds ago at 1 s, restored with REALTIME: it resumes at 6 s or later.
            // Built by hand, as this machine's KVM reports no REALTIME (it has no master clock).
            java.time.Instant wallClock = java.time.Instant.now();
            long fiveSecondsAgo = wallClock.getEpochSecond() * 1_000_000_000L + wallClock.getNano() - 5_000_000_000L;
            vm.setClock(new KvmClock(1_000_000_000L, java.util.Set.of(KvmClock.Flag.REALTIME), fiveSecondsAgo, 0));
            long resumed = vm.clock().nanoseconds();
            assertTrue(resumed >= 6_000_000_000L && resumed < 66_000_000_000L, "the downtime was added: " + resumed);
        }
    }

    @KvmTest
    void tscFrequencyRoundTrips() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            int khz = vcpu.tscKhz();
            assertTrue(khz > 100_000, "a TSC of at least 100 MHz: " + khz + " kHz");
            vcpu.setTscKhz(khz);
            assertEquals(khz, vcpu.tscKhz());
            vcpu.setTscKhz(khz + 1000); // higher: scaled, or caught up in software without scaling
            assertEquals(khz + 1000, vcpu.tscKhz());
            if (vm.checkExtension(Capability.TSC_CONTROL) > 0) {
                vcpu.setTscKhz(khz / 2);
                assertEquals(khz / 2, vcpu.tscKhz());
            } else {
                // This machine's PVM KVM has no TSC scaling: a lower frequency is refused.
                KvmException refused = assertThrows(KvmException.class, () -> vcpu.setTscKhz(khz / 2));
                assertTrue(refused.is(Errno.EINVAL) && refused.getMessage().contains("without TSC scaling"), refused.getMessage());
                // KVM records the frequency before it finds it cannot scale to it (seen here, and so
                // kvm_set_tsc_khz in x86.c has it): after a refusal, KVM_GET_TSC_KHZ reports the refused one.
                assertEquals(khz / 2, vcpu.tscKhz(), "the refused frequency, as KVM reports it");
                vcpu.setTscKhz(khz);
                assertEquals(khz, vcpu.tscKhz(), "a frequency that works puts it right");
            }
            assertThrows(IllegalArgumentException.class, () -> vcpu.setTscKhz(0));
        }
    }

    @KvmTest
    void kvmclockCtrlNeedsTheGuestsKvmclock() {
        try (Kvm kvm = Kvm.open(); GuestMemory memory = GuestMemory.anonymous(List.of(RAM)); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            KvmException refused = assertThrows(KvmException.class, vcpu::notifyGuestPaused);
            assertTrue(refused.is(Errno.EINVAL), refused.getMessage());

            int msrKvmSystemTimeNew = 0x4b564d01;
            vcpu.setMsrs(new int[] {msrKvmSystemTimeNew}, new long[] {0x2000 | 1}); // as a guest enables kvmclock: its page, enabled
            vcpu.notifyGuestPaused();
        }
    }
}
