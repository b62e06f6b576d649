// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.Vcpu;
import dev.vmm.core.VcpuExit;
import dev.vmm.core.x86.LongMode;

/**
 * The guest of the first-touch and restore benchmarks: a 64-bit loop that reads or writes one byte
 * in each 4 KiB page of a range, then halts, or, in a VM with an in-kernel irqchip (where KVM keeps
 * a HLT to itself), writes to port {@value #DONE_PORT}. Its code and page tables live in a small low region.
 */
final class TouchGuest {
    /** The low region: code at 0x1000, page tables from 0x2000. */
    static final GuestMemory.Range LOW = new GuestMemory.Range(GuestAddress.of(0), 64 * 1024);
    /** Where the touched region starts: 1 GiB, 2 MiB aligned so huge pages can back it. */
    static final GuestAddress REGION_START = GuestAddress.of(1L << 30);

    private static final GuestAddress CODE = GuestAddress.of(0x1000);
    private static final GuestAddress TABLES = GuestAddress.of(0x2000);
    static final int DONE_PORT = 0xe9;

    /** How the guest touches each page. */
    enum Access { READ, WRITE }

    /** How the guest says it is done. */
    enum End {
        /** HLT, which exits to user space without an in-kernel irqchip. */
        HLT,
        /** OUT to {@link #DONE_PORT}, for a VM with an in-kernel irqchip (a snapshot needs one). */
        OUT
    }

    private TouchGuest() {}

    /** Writes the program for {@code access} over {@code region}, ending in HLT, and points the vCPU at it, in long mode. */
    static void load(Kvm kvm, Vcpu vcpu, GuestMemory memory, GuestMemory.Range region, Access access) {
        load(kvm, vcpu, memory, region, access, End.HLT);
    }

    /** Writes the program for {@code access} over {@code region}, ending as {@code end} says, and points the vCPU at it, in long mode. */
    static void load(Kvm kvm, Vcpu vcpu, GuestMemory memory, GuestMemory.Range region, Access access, End end) {
        byte[] touch = access == Access.READ
                ? new byte[] {(byte) 0x8a, 0x07}  // loop: mov al, [rdi]
                : new byte[] {(byte) 0x88, 0x07}; // loop: mov [rdi], al
        byte[] rest = {
                0x48, (byte) 0x81, (byte) 0xc7, 0x00, 0x10, 0x00, 0x00, // add rdi, 4096
                0x48, (byte) 0xff, (byte) 0xce,                         // dec rsi
                0x75, (byte) 0xf2,                                      // jnz loop
        };
        byte[] done = end == End.HLT
                ? new byte[] {(byte) 0xf4}                              // hlt
                : new byte[] {(byte) 0xe6, (byte) DONE_PORT};          // out DONE_PORT, al
        byte[] code = new byte[touch.length + rest.length + done.length];
        System.arraycopy(touch, 0, code, 0, touch.length);
        System.arraycopy(rest, 0, code, touch.length, rest.length);
        System.arraycopy(done, 0, code, touch.length + rest.length, done.length);
        memory.write(CODE, code);
        vcpu.setCpuid(kvm.supportedCpuid());
        LongMode.enter(vcpu, memory, TABLES, LOW, region);
        vcpu.setRegisters(vcpu.registers().rip(CODE.value()).rflags(0x2)
                .rdi(region.start().value()).rsi(region.size() / GuestMemory.PAGE_SIZE).rax(0x5a));
    }

    /** Runs the loaded program to its end, HLT or OUT. */
    static void run(Vcpu vcpu) {
        VcpuExit exit = vcpu.run();
        if (!(exit instanceof VcpuExit.Hlt || exit instanceof VcpuExit.IoOut out && out.port() == DONE_PORT)) {
            throw new IllegalStateException("The touch guest stopped with " + exit + " instead of its HLT or OUT.");
        }
    }
}
