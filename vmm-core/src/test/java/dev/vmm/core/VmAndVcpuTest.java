// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Tag;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed VM and vCPU calls against real KVM, each checked by what the guest or KVM does with it. */
class VmAndVcpuTest {
    /** JUnit tag of tests that need KVM to run real mode on the CPU (SVM, VMX), not in its emulator. */
    static final String REAL_MODE_IN_HARDWARE = "real-mode-in-hardware";
    private static final long CODE = 0x1000;
    private static final GuestMemory.Range RAM = new GuestMemory.Range(GuestAddress.of(0), 0x8000);
    private static final GuestMemory.Range ROM = new GuestMemory.Range(GuestAddress.of(0x8000), 0x1000);

    @KvmTest
    void dirtyLogAndReadOnlySlotsSeeTheGuestsWrites() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(RAM, ROM));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            enterRealMode(vcpu, memory, new byte[] {
                    (byte) 0xc6, 0x06, 0x00, 0x20, 0x42,        // mov byte [0x2000], 0x42 (page 2 of RAM)
                    (byte) 0xc6, 0x06, 0x00, (byte) 0x80, 0x43, // mov byte [0x8000], 0x43 (the read-only slot)
                    (byte) 0xf4});                              // hlt
            vm.setMemoryRegion(0, memory.regions().get(0), MemorySlot.Flag.LOG_DIRTY_PAGES);
            vm.setMemoryRegion(1, memory.regions().get(1), MemorySlot.Flag.READONLY);

            VcpuExit write = vcpu.run();
            assertEquals(GuestAddress.of(0x8000), assertInstanceOf(VcpuExit.MmioWrite.class, write).address());
            assertArrayEquals(new byte[] {0x43}, ((VcpuExit.MmioWrite) write).data());
            assertInstanceOf(VcpuExit.Hlt.class, vcpu.run());
            assertArrayEquals(new byte[] {0x42}, memory.read(GuestAddress.of(0x2000), 1));
            long[] dirty = vm.dirtyLog(0);
            assertEquals(1L << 2, dirty[0] & (1L << 2), "page 2 is dirty");
            assertEquals(0, dirty[0] & ~((1L << 2) | (1L << 1)), "only the written page (and maybe the code page) is dirty");

            vm.moveMemoryRegion(1, GuestAddress.of(0x10000));
            assertEquals(List.of(GuestAddress.of(0), GuestAddress.of(0x10000)), vm.memorySlots().stream().map(MemorySlot::start).toList());
            assertThrows(IllegalArgumentException.class, () -> vm.dirtyLog(1));
            assertThrows(IllegalArgumentException.class, () -> vm.deleteMemoryRegion(7));
        }
    }

    @KvmTest
    void registersCpuidMsrsAndFpuRoundTrip() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            vcpu.setRegisters(vcpu.registers().rax(0x1122334455667788L).rip(0x1234).rflags(0x2));
            assertEquals(0x1122334455667788L, vcpu.registers().rax());
            assertEquals(0x1234, vcpu.registers().rip());

            vcpu.setSpecialRegisters(vcpu.specialRegisters().cr3(0x5000));
            assertEquals(0x5000, vcpu.specialRegisters().cr3());

            List<CpuidEntry> supported = kvm.supportedCpuid();
            assertFalse(supported.isEmpty());
            vcpu.setCpuid(supported);
            // KVM keeps what it accepts, values adjusted, and may leave leaves out: seen on a PVM host
            // with AMX, whose leaves 0x1d and 0x1e were dropped (56 entries set, 54 read back).
            List<CpuidEntry> readBack = vcpu.cpuid();
            java.util.Set<String> set = new java.util.HashSet<>();
            supported.forEach(e -> set.add(e.function() + "/" + e.index()));
            assertTrue(readBack.size() <= supported.size(), readBack.size() + " entries read back, " + supported.size() + " set");
            readBack.forEach(e -> assertTrue(set.contains(e.function() + "/" + e.index()), "read back but never set: " + e));
            assertTrue(readBack.stream().anyMatch(e -> e.function() == 1), "leaf 1 (features) kept");

            int kernelGsBase = 0xc0000102; // in every x86-64 KVM's list, PVM's too (TSC_AUX is not in PVM's)
            assertTrue(java.util.Arrays.stream(kvm.msrIndexList()).anyMatch(i -> i == kernelGsBase), "KERNEL_GS_BASE is in KVM's MSR list");
            vcpu.setMsrs(new int[] {kernelGsBase}, new long[] {0x7000});
            assertArrayEquals(new long[] {0x7000}, vcpu.msrs(kernelGsBase));

            vcpu.setDefaultFpu();
            byte[] fpu = vcpu.fpu();
            assertEquals(0x37f, (fpu[128] & 0xff) | (fpu[129] & 0xff) << 8, "FCW (after the 8 x87 registers) in the default FPU state");
            assertTrue(kvm.maxVcpus() >= 1 && kvm.maxMemslots() >= 32, "limits " + kvm.maxVcpus() + " " + kvm.maxMemslots());
        }
    }

    @KvmTest
    void irqchipPitLapicAndEventFdsWork() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(RAM));
             Vm vm = kvm.createVm();
             EventFd doorbell = EventFd.create();
             EventFd interrupt = EventFd.create()) {
            vm.setTssAddress(GuestAddress.of(0xfffbd000L));
            vm.setIdentityMapAddress(GuestAddress.of(0xfffbc000L));
            vm.createIrqchip();
            vm.createPit();
            vm.map(memory);
            vm.setIrqLine(4, true);
            vm.setIrqLine(4, false);
            vm.registerIrqfd(interrupt, 5);
            vm.unregisterIrqfd(interrupt, 5);
            vm.registerIoeventfd(doorbell, IoEventAddress.port(0x510), 2, OptionalLong.empty());
            try (Vcpu vcpu = vm.createVcpu(0)) {
                byte[] lapic = vcpu.lapic();
                assertEquals(1024, lapic.length);
                assertEquals(0, lapic[0x23], "APIC ID register of vCPU 0"); // ID in bits 24..31 of the register at 0x20
                vcpu.setLapic(lapic);
                assertEquals(MpState.RUNNABLE, vcpu.mpState(), "the BSP is runnable");
                enterRealMode(vcpu, memory, new byte[] {
                        (byte) 0xba, 0x10, 0x05,  // mov dx, 0x510
                        0x66, (byte) 0x31, (byte) 0xc0, // xor eax, eax (operand-size prefix in real mode)
                        (byte) 0xef,              // out dx, ax: the ioeventfd takes it, no exit
                        (byte) 0xba, (byte) 0xf8, 0x03, // mov dx, 0x3f8
                        (byte) 0xee,              // out dx, al: an exit (HLT would stay in the in-kernel LAPIC)
                        (byte) 0xf4});            // hlt
                VcpuExit exit = vcpu.run();
                assertEquals(0x3f8, assertInstanceOf(VcpuExit.IoOut.class, exit).port(), "the first port write went to the eventfd, not to us");
                assertEquals(1, doorbell.take());
            }
        }
    }

    @KvmTest
    void kickStopsARunningGuestAndUseAfterCloseIsAClearError() throws Exception {
        try (Kvm kvm = Kvm.open(); GuestMemory memory = GuestMemory.anonymous(List.of(RAM)); Vm vm = kvm.createVm()) {
            vm.map(memory);
            Vcpu vcpu = vm.createVcpu(0);
            enterRealMode(vcpu, memory, new byte[] {(byte) 0xeb, (byte) 0xfe}); // jmp $
            var result = new java.util.concurrent.atomic.AtomicReference<VcpuExit>();
            Thread runner = Thread.ofPlatform().start(() -> result.set(vcpu.run()));
            Thread.sleep(100);
            vcpu.kick();
            runner.join(30_000);
            assertFalse(runner.isAlive(), "the kicked vCPU left KVM_RUN");
            assertInstanceOf(VcpuExit.Interrupted.class, result.get());

            vcpu.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, vcpu::registers);
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }

    @KvmTest
    void mmioReadsAreAnswered() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(RAM));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            enterRealMode(vcpu, memory, new byte[] {
                    (byte) 0xa0, 0x00, (byte) 0x90,             // mov al, [0x9000]: no slot there, an MMIO read
                    (byte) 0xe6, (byte) 0xf8,                   // out 0xf8, al: shows what the read returned
                    (byte) 0xf4});                              // hlt

            VcpuExit.MmioRead read = assertInstanceOf(VcpuExit.MmioRead.class, vcpu.run());
            assertEquals(GuestAddress.of(0x9000), read.address());
            assertEquals(1, read.length());
            read.reply(new byte[] {0x5a});
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, vcpu.run());
            assertEquals(0xf8, out.port());
            assertArrayEquals(new byte[] {0x5a}, out.data(), "the guest read the reply");
            assertThrows(IllegalArgumentException.class, () -> read.reply(new byte[9]), "a reply longer than the read");
            assertInstanceOf(VcpuExit.Hlt.class, vcpu.run());
        }
    }

    /**
     * Tagged: PVM runs real mode in KVM's instruction emulator, which delivers a real-mode interrupt
     * through the IVT without checking its limit, so there the guest never triple-faults.
     */
    @KvmTest
    @Tag(REAL_MODE_IN_HARDWARE)
    void aTripleFaultIsAShutdown() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(RAM));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            enterRealMode(vcpu, memory, new byte[] {
                    0x0f, 0x01, 0x1e, 0x00, 0x18,               // lidt [0x1800]: an empty IDT (zeros)
                    (byte) 0xcc});                              // int3: no handler, #GP, #DF, triple fault
            assertInstanceOf(VcpuExit.Shutdown.class, vcpu.run());
        }
    }

    /** Writes {@code code} at CODE and points the vCPU at it, in real mode. */
    private static void enterRealMode(Vcpu vcpu, GuestMemory memory, byte[] code) {
        memory.write(GuestAddress.of(CODE), code);
        vcpu.setSpecialRegisters(vcpu.specialRegisters().cs(Segment.realMode(0, true)).ds(Segment.realMode(0, false)));
        vcpu.setRegisters(vcpu.registers().rip(CODE).rflags(0x2));
    }
}
