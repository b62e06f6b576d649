// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_segment;

import java.lang.foreign.MemorySegment;

/**
 * A segment register as KVM sees it ({@code kvm_segment}): the hidden descriptor cache included.
 *
 * @param base the linear base address
 * @param limit the limit in bytes (already scaled when {@code g} is set)
 * @param selector the visible selector, 0 to 0xffff
 * @param type the descriptor's 4-bit type (e.g. 0xb: code, execute/read, accessed; 0x3: data,
 *     read/write, accessed)
 * @param present the present bit
 * @param dpl the descriptor privilege level, 0 to 3
 * @param db the D/B bit: 32-bit default operand size
 * @param s the S bit: a code or data segment rather than a system one
 * @param l the L bit: 64-bit code
 * @param g the G bit: the descriptor's limit counts 4 KiB units
 * @param avl the AVL bit, free for software
 * @param unusable whether the segment is unusable (as after loading a null selector)
 */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /**
     * {@return a real-mode data or code segment: base = selector * 16, 64 KiB limit}
     *
     * @param selector the segment, 0 to 0xffff
     * @param code true for a code segment (CS), false for a data segment
     */
    public static Segment realMode(int selector, boolean code) {
        return new Segment((long) selector << 4, 0xffff, selector, code ? 0xb : 0x3, true, 0, false, true, false, false, false, false);
    }

    static Segment read(MemorySegment struct) {
        return new Segment(kvm_segment.base(struct), kvm_segment.limit(struct), Short.toUnsignedInt(kvm_segment.selector(struct)),
                Byte.toUnsignedInt(kvm_segment.type(struct)), kvm_segment.present(struct) != 0, Byte.toUnsignedInt(kvm_segment.dpl(struct)),
                kvm_segment.db(struct) != 0, kvm_segment.s(struct) != 0, kvm_segment.l(struct) != 0, kvm_segment.g(struct) != 0,
                kvm_segment.avl(struct) != 0, kvm_segment.unusable(struct) != 0);
    }

    void write(MemorySegment struct) {
        kvm_segment.base(struct, base);
        kvm_segment.limit(struct, limit);
        kvm_segment.selector(struct, (short) selector);
        kvm_segment.type(struct, (byte) type);
        kvm_segment.present(struct, flag(present));
        kvm_segment.dpl(struct, (byte) dpl);
        kvm_segment.db(struct, flag(db));
        kvm_segment.s(struct, flag(s));
        kvm_segment.l(struct, flag(l));
        kvm_segment.g(struct, flag(g));
        kvm_segment.avl(struct, flag(avl));
        kvm_segment.unusable(struct, flag(unusable));
    }

    private static byte flag(boolean value) {
        return (byte) (value ? 1 : 0);
    }
}
