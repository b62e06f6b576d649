// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.x86.LongMode;

import java.util.ArrayList;
import java.util.List;

/**
 * A 64-bit guest that reads the first 4 bytes of each 4 KiB page in a range and reports each value
 * with a 4-byte {@code out} to {@link #PORT}, then halts. Code and page tables live in a small
 * low region the caller provides.
 */
public final class PageReaderGuest {
    public static final int PORT = 0xe9;
    public static final long CODE = 0x1000;
    public static final long TABLES = 0x2000;
    public static final long LOW_SIZE = 64 * 1024;

    private PageReaderGuest() {}

    /** Loads the program, enters long mode and sets rdi/rsi/rdx for {@code pages} pages from {@code first}. */
    public static void load(Kvm kvm, Vcpu vcpu, GuestMemory memory, GuestAddress first, long pages, GuestMemory.Range... mapped) {
        byte[] code = {
                (byte) 0x8b, 0x07,                                        // loop: mov eax, [rdi]
                (byte) 0xef,                                              // out dx, eax
                0x48, (byte) 0x81, (byte) 0xc7, 0x00, 0x10, 0x00, 0x00,   // add rdi, 4096
                0x48, (byte) 0xff, (byte) 0xce,                           // dec rsi
                0x75, (byte) 0xf1,                                        // jnz loop
                (byte) 0xf4,                                              // hlt
        };
        memory.write(GuestAddress.of(CODE), code);
        vcpu.setCpuid(kvm.supportedCpuid());
        LongMode.enter(vcpu, memory, GuestAddress.of(TABLES), mapped);
        vcpu.setRegisters(vcpu.registers().rip(CODE).rflags(0x2).rdi(first.value()).rsi(pages).rdx(PORT));
    }

    /** Runs to HLT and returns the values the guest reported, failing on any other exit. */
    public static List<Integer> run(Vcpu vcpu, long expectedReports) {
        List<Integer> values = new ArrayList<>();
        while (true) {
            VcpuExit exit = vcpu.run();
            switch (exit) {
                case VcpuExit.IoOut out when out.port() == PORT && out.size() == 4 ->
                        values.add((out.data()[0] & 0xff) | (out.data()[1] & 0xff) << 8 | (out.data()[2] & 0xff) << 16 | (out.data()[3] & 0xff) << 24);
                case VcpuExit.Hlt hlt -> {
                    return values;
                }
                default -> throw new AssertionError("unexpected exit " + exit + " after " + values.size() + " reports");
            }
            if (values.size() > expectedReports) {
                throw new AssertionError("guest reported more than " + expectedReports + " values");
            }
        }
    }
}
