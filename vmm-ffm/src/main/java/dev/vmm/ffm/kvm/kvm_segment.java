package dev.vmm.ffm.kvm;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct kvm_segment {
 *     __u64 base;
 *     __u32 limit;
 *     __u16 selector;
 *     __u8  type;
 *     __u8  present, dpl, db, s, l, g, avl;
 *     __u8  unusable;
 *     __u8  padding;
 * };
 * }
 * A segment register with its hidden descriptor cache, nested in {@link kvm_sregs}.
 */
public final class kvm_segment {
    private kvm_segment() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_INT.withName("limit"),
            JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"),
            JAVA_BYTE.withName("present"),
            JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"),
            JAVA_BYTE.withName("l"),
            JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"),
            JAVA_BYTE.withName("padding")
    ).withName("kvm_segment");

    public static GroupLayout layout() {
        return $LAYOUT;
    }

    public static final long base$OFFSET = $LAYOUT.byteOffset(groupElement("base"));
    public static final long limit$OFFSET = $LAYOUT.byteOffset(groupElement("limit"));
    public static final long selector$OFFSET = $LAYOUT.byteOffset(groupElement("selector"));
    public static final long type$OFFSET = $LAYOUT.byteOffset(groupElement("type"));
    public static final long present$OFFSET = $LAYOUT.byteOffset(groupElement("present"));
    public static final long dpl$OFFSET = $LAYOUT.byteOffset(groupElement("dpl"));
    public static final long db$OFFSET = $LAYOUT.byteOffset(groupElement("db"));
    public static final long s$OFFSET = $LAYOUT.byteOffset(groupElement("s"));
    public static final long l$OFFSET = $LAYOUT.byteOffset(groupElement("l"));
    public static final long g$OFFSET = $LAYOUT.byteOffset(groupElement("g"));
    public static final long avl$OFFSET = $LAYOUT.byteOffset(groupElement("avl"));
    public static final long unusable$OFFSET = $LAYOUT.byteOffset(groupElement("unusable"));
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    public static long base(MemorySegment struct) {
        return struct.get(JAVA_LONG, base$OFFSET);
    }

    public static void base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, base$OFFSET, value);
    }

    public static int limit(MemorySegment struct) {
        return struct.get(JAVA_INT, limit$OFFSET);
    }

    public static void limit(MemorySegment struct, int value) {
        struct.set(JAVA_INT, limit$OFFSET, value);
    }

    public static short selector(MemorySegment struct) {
        return struct.get(JAVA_SHORT, selector$OFFSET);
    }

    public static void selector(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, selector$OFFSET, value);
    }

    public static byte type(MemorySegment struct) {
        return struct.get(JAVA_BYTE, type$OFFSET);
    }

    public static void type(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, type$OFFSET, value);
    }

    public static byte present(MemorySegment struct) {
        return struct.get(JAVA_BYTE, present$OFFSET);
    }

    public static void present(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, present$OFFSET, value);
    }

    public static byte dpl(MemorySegment struct) {
        return struct.get(JAVA_BYTE, dpl$OFFSET);
    }

    public static void dpl(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, dpl$OFFSET, value);
    }

    public static byte db(MemorySegment struct) {
        return struct.get(JAVA_BYTE, db$OFFSET);
    }

    public static void db(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, db$OFFSET, value);
    }

    public static byte s(MemorySegment struct) {
        return struct.get(JAVA_BYTE, s$OFFSET);
    }

    public static void s(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, s$OFFSET, value);
    }

    public static byte l(MemorySegment struct) {
        return struct.get(JAVA_BYTE, l$OFFSET);
    }

    public static void l(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, l$OFFSET, value);
    }

    public static byte g(MemorySegment struct) {
        return struct.get(JAVA_BYTE, g$OFFSET);
    }

    public static void g(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, g$OFFSET, value);
    }

    public static byte avl(MemorySegment struct) {
        return struct.get(JAVA_BYTE, avl$OFFSET);
    }

    public static void avl(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, avl$OFFSET, value);
    }

    public static byte unusable(MemorySegment struct) {
        return struct.get(JAVA_BYTE, unusable$OFFSET);
    }

    public static void unusable(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, unusable$OFFSET, value);
    }

    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /** A zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
