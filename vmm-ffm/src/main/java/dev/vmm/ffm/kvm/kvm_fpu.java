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

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long fpr$OFFSET = $LAYOUT.byteOffset(groupElement("fpr"));
    public static final long fcw$OFFSET = $LAYOUT.byteOffset(groupElement("fcw"));
    public static final long fsw$OFFSET = $LAYOUT.byteOffset(groupElement("fsw"));
    public static final long ftwx$OFFSET = $LAYOUT.byteOffset(groupElement("ftwx"));
    public static final long pad1$OFFSET = $LAYOUT.byteOffset(groupElement("pad1"));
    public static final long last_opcode$OFFSET = $LAYOUT.byteOffset(groupElement("last_opcode"));
    public static final long last_ip$OFFSET = $LAYOUT.byteOffset(groupElement("last_ip"));
    public static final long last_dp$OFFSET = $LAYOUT.byteOffset(groupElement("last_dp"));
    public static final long xmm$OFFSET = $LAYOUT.byteOffset(groupElement("xmm"));
    public static final long mxcsr$OFFSET = $LAYOUT.byteOffset(groupElement("mxcsr"));
    public static final long pad2$OFFSET = $LAYOUT.byteOffset(groupElement("pad2"));

    private static final SequenceLayout fpr$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("fpr"));
    private static final SequenceLayout xmm$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("xmm"));

    /** The {@code fpr} array, as a slice of {@code struct}. */
    public static MemorySegment fpr(MemorySegment struct) {
        return struct.asSlice(fpr$OFFSET, fpr$LAYOUT.byteSize());
    }

    public static short fcw(MemorySegment struct) {
        return struct.get(JAVA_SHORT, fcw$OFFSET);
    }

    public static void fcw(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, fcw$OFFSET, value);
    }

    public static short fsw(MemorySegment struct) {
        return struct.get(JAVA_SHORT, fsw$OFFSET);
    }

    public static void fsw(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, fsw$OFFSET, value);
    }

    public static byte ftwx(MemorySegment struct) {
        return struct.get(JAVA_BYTE, ftwx$OFFSET);
    }

    public static void ftwx(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, ftwx$OFFSET, value);
    }

    public static short last_opcode(MemorySegment struct) {
        return struct.get(JAVA_SHORT, last_opcode$OFFSET);
    }

    public static void last_opcode(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, last_opcode$OFFSET, value);
    }

    public static long last_ip(MemorySegment struct) {
        return struct.get(JAVA_LONG, last_ip$OFFSET);
    }

    public static void last_ip(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, last_ip$OFFSET, value);
    }

    public static long last_dp(MemorySegment struct) {
        return struct.get(JAVA_LONG, last_dp$OFFSET);
    }

    public static void last_dp(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, last_dp$OFFSET, value);
    }

    /** The {@code xmm} array, as a slice of {@code struct}. */
    public static MemorySegment xmm(MemorySegment struct) {
        return struct.asSlice(xmm$OFFSET, xmm$LAYOUT.byteSize());
    }

    public static int mxcsr(MemorySegment struct) {
        return struct.get(JAVA_INT, mxcsr$OFFSET);
    }

    public static void mxcsr(MemorySegment struct, int value) {
        struct.set(JAVA_INT, mxcsr$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
