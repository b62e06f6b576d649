// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct kvm_fpu {
 *     __u8 fpr[8][16];
 *     __u16 fcw;
 *     __u16 fsw;
 *     __u8 ftwx;
 *     __u8 pad1;
 *     __u16 last_opcode;
 *     __u64 last_ip;
 *     __u64 last_dp;
 *     __u8 xmm[16][16];
 *     __u32 mxcsr;
 *     __u32 pad2;
 * };
 * }
 * The x87 and SSE state in fxsave format, for {@code KVM_GET_FPU} and {@code KVM_SET_FPU}.
 */
public final class kvm_fpu {
    private kvm_fpu() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, MemoryLayout.sequenceLayout(16, JAVA_BYTE)).withName("fpr"),
            JAVA_SHORT.withName("fcw"),
            JAVA_SHORT.withName("fsw"),
            JAVA_BYTE.withName("ftwx"),
            JAVA_BYTE.withName("pad1"),
            JAVA_SHORT.withName("last_opcode"),
            JAVA_LONG.withName("last_ip"),
            JAVA_LONG.withName("last_dp"),
            MemoryLayout.sequenceLayout(16, MemoryLayout.sequenceLayout(16, JAVA_BYTE)).withName("xmm"),
            JAVA_INT.withName("mxcsr"),
            JAVA_INT.withName("pad2")
    ).withName("kvm_fpu");

    /** {@return the layout of {@code struct kvm_fpu}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /**
     * Byte offset of {@code fpr}, the eight x87 registers ST0 to ST7 (MM0 to MM7), 16 bytes each of which the
     * low 10 are used.
     */
    public static final long fpr$OFFSET = $LAYOUT.byteOffset(groupElement("fpr"));
    /** Byte offset of {@code fcw}, the x87 control word (FCW). */
    public static final long fcw$OFFSET = $LAYOUT.byteOffset(groupElement("fcw"));
    /** Byte offset of {@code fsw}, the x87 status word (FSW). */
    public static final long fsw$OFFSET = $LAYOUT.byteOffset(groupElement("fsw"));
    /**
     * Byte offset of {@code ftwx}, the abridged x87 tag word, one bit per register (1: valid), as FXSAVE
     * stores it.
     */
    public static final long ftwx$OFFSET = $LAYOUT.byteOffset(groupElement("ftwx"));
    /** Byte offset of {@code pad1}, padding. */
    public static final long pad1$OFFSET = $LAYOUT.byteOffset(groupElement("pad1"));
    /** Byte offset of {@code last_opcode}, the opcode of the last x87 instruction (FOP). */
    public static final long last_opcode$OFFSET = $LAYOUT.byteOffset(groupElement("last_opcode"));
    /** Byte offset of {@code last_ip}, the address of the last x87 instruction (FIP). */
    public static final long last_ip$OFFSET = $LAYOUT.byteOffset(groupElement("last_ip"));
    /** Byte offset of {@code last_dp}, the address of the last x87 instruction's memory operand (FDP). */
    public static final long last_dp$OFFSET = $LAYOUT.byteOffset(groupElement("last_dp"));
    /** Byte offset of {@code xmm}, the sixteen SSE registers XMM0 to XMM15, 16 bytes each. */
    public static final long xmm$OFFSET = $LAYOUT.byteOffset(groupElement("xmm"));
    /** Byte offset of {@code mxcsr}, the SSE control and status register (MXCSR). */
    public static final long mxcsr$OFFSET = $LAYOUT.byteOffset(groupElement("mxcsr"));
    /** Byte offset of {@code pad2}, padding. */
    public static final long pad2$OFFSET = $LAYOUT.byteOffset(groupElement("pad2"));

    private static final SequenceLayout fpr$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("fpr"));
    private static final SequenceLayout xmm$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("xmm"));

    /**
     * {@return {@code fpr}, the eight x87 registers ST0 to ST7 (MM0 to MM7), 16 bytes each of which the low
     * 10 are used, as a slice of {@code struct}}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static MemorySegment fpr(MemorySegment struct) {
        return struct.asSlice(fpr$OFFSET, fpr$LAYOUT.byteSize());
    }

    /**
     * {@return {@code fcw}, the x87 control word (FCW)}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static short fcw(MemorySegment struct) {
        return struct.get(JAVA_SHORT, fcw$OFFSET);
    }

    /**
     * Sets {@code fcw}, the x87 control word (FCW).
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void fcw(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, fcw$OFFSET, value);
    }

    /**
     * {@return {@code fsw}, the x87 status word (FSW)}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static short fsw(MemorySegment struct) {
        return struct.get(JAVA_SHORT, fsw$OFFSET);
    }

    /**
     * Sets {@code fsw}, the x87 status word (FSW).
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void fsw(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, fsw$OFFSET, value);
    }

    /**
     * {@return {@code ftwx}, the abridged x87 tag word, one bit per register (1: valid), as FXSAVE stores it}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static byte ftwx(MemorySegment struct) {
        return struct.get(JAVA_BYTE, ftwx$OFFSET);
    }

    /**
     * Sets {@code ftwx}, the abridged x87 tag word, one bit per register (1: valid), as FXSAVE stores it.
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void ftwx(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, ftwx$OFFSET, value);
    }

    /**
     * {@return {@code last_opcode}, the opcode of the last x87 instruction (FOP)}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static short last_opcode(MemorySegment struct) {
        return struct.get(JAVA_SHORT, last_opcode$OFFSET);
    }

    /**
     * Sets {@code last_opcode}, the opcode of the last x87 instruction (FOP).
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void last_opcode(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, last_opcode$OFFSET, value);
    }

    /**
     * {@return {@code last_ip}, the address of the last x87 instruction (FIP)}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static long last_ip(MemorySegment struct) {
        return struct.get(JAVA_LONG, last_ip$OFFSET);
    }

    /**
     * Sets {@code last_ip}, the address of the last x87 instruction (FIP).
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void last_ip(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, last_ip$OFFSET, value);
    }

    /**
     * {@return {@code last_dp}, the address of the last x87 instruction's memory operand (FDP)}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static long last_dp(MemorySegment struct) {
        return struct.get(JAVA_LONG, last_dp$OFFSET);
    }

    /**
     * Sets {@code last_dp}, the address of the last x87 instruction's memory operand (FDP).
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void last_dp(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, last_dp$OFFSET, value);
    }

    /**
     * {@return {@code xmm}, the sixteen SSE registers XMM0 to XMM15, 16 bytes each, as a slice of
     * {@code struct}}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static MemorySegment xmm(MemorySegment struct) {
        return struct.asSlice(xmm$OFFSET, xmm$LAYOUT.byteSize());
    }

    /**
     * {@return {@code mxcsr}, the SSE control and status register (MXCSR)}
     *
     * @param struct a {@code struct kvm_fpu}
     */
    public static int mxcsr(MemorySegment struct) {
        return struct.get(JAVA_INT, mxcsr$OFFSET);
    }

    /**
     * Sets {@code mxcsr}, the SSE control and status register (MXCSR).
     *
     * @param struct a {@code struct kvm_fpu}
     * @param value the new value
     */
    public static void mxcsr(MemorySegment struct, int value) {
        struct.set(JAVA_INT, mxcsr$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_fpu)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_fpu}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
