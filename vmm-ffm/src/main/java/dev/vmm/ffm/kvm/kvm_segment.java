// SPDX-License-Identifier: Apache-2.0
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

    /** {@return the layout of {@code struct kvm_segment}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code base}, the segment's linear base address, from its hidden descriptor cache. */
    public static final long base$OFFSET = $LAYOUT.byteOffset(groupElement("base"));
    /** Byte offset of {@code limit}, the segment's limit in bytes (already scaled when {@code g} is set). */
    public static final long limit$OFFSET = $LAYOUT.byteOffset(groupElement("limit"));
    /** Byte offset of {@code selector}, the visible selector. */
    public static final long selector$OFFSET = $LAYOUT.byteOffset(groupElement("selector"));
    /**
     * Byte offset of {@code type}, the descriptor's 4-bit type field (code or data, accessed, readable or
     * writable, ...).
     */
    public static final long type$OFFSET = $LAYOUT.byteOffset(groupElement("type"));
    /** Byte offset of {@code present}, the descriptor's present bit (P). */
    public static final long present$OFFSET = $LAYOUT.byteOffset(groupElement("present"));
    /** Byte offset of {@code dpl}, the descriptor privilege level, 0 to 3. */
    public static final long dpl$OFFSET = $LAYOUT.byteOffset(groupElement("dpl"));
    /** Byte offset of {@code db}, the descriptor's D/B bit: 1 for a 32-bit default operand size. */
    public static final long db$OFFSET = $LAYOUT.byteOffset(groupElement("db"));
    /**
     * Byte offset of {@code s}, the descriptor's S bit: 1 for a code or data segment, 0 for a system segment.
     */
    public static final long s$OFFSET = $LAYOUT.byteOffset(groupElement("s"));
    /** Byte offset of {@code l}, the descriptor's L bit: 1 for a 64-bit code segment. */
    public static final long l$OFFSET = $LAYOUT.byteOffset(groupElement("l"));
    /** Byte offset of {@code g}, the descriptor's G bit: 1 when the limit counts 4 KiB units. */
    public static final long g$OFFSET = $LAYOUT.byteOffset(groupElement("g"));
    /** Byte offset of {@code avl}, the descriptor's AVL bit, free for software. */
    public static final long avl$OFFSET = $LAYOUT.byteOffset(groupElement("avl"));
    /**
     * Byte offset of {@code unusable}, 1 when the segment is unusable (as VMX marks one loaded with a null
     * selector).
     */
    public static final long unusable$OFFSET = $LAYOUT.byteOffset(groupElement("unusable"));
    /** Byte offset of {@code padding}, padding. */
    public static final long padding$OFFSET = $LAYOUT.byteOffset(groupElement("padding"));

    /**
     * {@return {@code base}, the segment's linear base address, from its hidden descriptor cache}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static long base(MemorySegment struct) {
        return struct.get(JAVA_LONG, base$OFFSET);
    }

    /**
     * Sets {@code base}, the segment's linear base address, from its hidden descriptor cache.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void base(MemorySegment struct, long value) {
        struct.set(JAVA_LONG, base$OFFSET, value);
    }

    /**
     * {@return {@code limit}, the segment's limit in bytes (already scaled when {@code g} is set)}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static int limit(MemorySegment struct) {
        return struct.get(JAVA_INT, limit$OFFSET);
    }

    /**
     * Sets {@code limit}, the segment's limit in bytes (already scaled when {@code g} is set).
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void limit(MemorySegment struct, int value) {
        struct.set(JAVA_INT, limit$OFFSET, value);
    }

    /**
     * {@return {@code selector}, the visible selector}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static short selector(MemorySegment struct) {
        return struct.get(JAVA_SHORT, selector$OFFSET);
    }

    /**
     * Sets {@code selector}, the visible selector.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void selector(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, selector$OFFSET, value);
    }

    /**
     * {@return {@code type}, the descriptor's 4-bit type field (code or data, accessed, readable or writable,
     * ...)}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte type(MemorySegment struct) {
        return struct.get(JAVA_BYTE, type$OFFSET);
    }

    /**
     * Sets {@code type}, the descriptor's 4-bit type field (code or data, accessed, readable or writable,
     * ...).
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void type(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, type$OFFSET, value);
    }

    /**
     * {@return {@code present}, the descriptor's present bit (P)}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte present(MemorySegment struct) {
        return struct.get(JAVA_BYTE, present$OFFSET);
    }

    /**
     * Sets {@code present}, the descriptor's present bit (P).
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void present(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, present$OFFSET, value);
    }

    /**
     * {@return {@code dpl}, the descriptor privilege level, 0 to 3}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte dpl(MemorySegment struct) {
        return struct.get(JAVA_BYTE, dpl$OFFSET);
    }

    /**
     * Sets {@code dpl}, the descriptor privilege level, 0 to 3.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void dpl(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, dpl$OFFSET, value);
    }

    /**
     * {@return {@code db}, the descriptor's D/B bit: 1 for a 32-bit default operand size}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte db(MemorySegment struct) {
        return struct.get(JAVA_BYTE, db$OFFSET);
    }

    /**
     * Sets {@code db}, the descriptor's D/B bit: 1 for a 32-bit default operand size.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void db(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, db$OFFSET, value);
    }

    /**
     * {@return {@code s}, the descriptor's S bit: 1 for a code or data segment, 0 for a system segment}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte s(MemorySegment struct) {
        return struct.get(JAVA_BYTE, s$OFFSET);
    }

    /**
     * Sets {@code s}, the descriptor's S bit: 1 for a code or data segment, 0 for a system segment.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void s(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, s$OFFSET, value);
    }

    /**
     * {@return {@code l}, the descriptor's L bit: 1 for a 64-bit code segment}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte l(MemorySegment struct) {
        return struct.get(JAVA_BYTE, l$OFFSET);
    }

    /**
     * Sets {@code l}, the descriptor's L bit: 1 for a 64-bit code segment.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void l(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, l$OFFSET, value);
    }

    /**
     * {@return {@code g}, the descriptor's G bit: 1 when the limit counts 4 KiB units}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte g(MemorySegment struct) {
        return struct.get(JAVA_BYTE, g$OFFSET);
    }

    /**
     * Sets {@code g}, the descriptor's G bit: 1 when the limit counts 4 KiB units.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void g(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, g$OFFSET, value);
    }

    /**
     * {@return {@code avl}, the descriptor's AVL bit, free for software}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte avl(MemorySegment struct) {
        return struct.get(JAVA_BYTE, avl$OFFSET);
    }

    /**
     * Sets {@code avl}, the descriptor's AVL bit, free for software.
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void avl(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, avl$OFFSET, value);
    }

    /**
     * {@return {@code unusable}, 1 when the segment is unusable (as VMX marks one loaded with a null
     * selector)}
     *
     * @param struct a {@code struct kvm_segment}
     */
    public static byte unusable(MemorySegment struct) {
        return struct.get(JAVA_BYTE, unusable$OFFSET);
    }

    /**
     * Sets {@code unusable}, 1 when the segment is unusable (as VMX marks one loaded with a null selector).
     *
     * @param struct a {@code struct kvm_segment}
     * @param value the new value
     */
    public static void unusable(MemorySegment struct, byte value) {
        struct.set(JAVA_BYTE, unusable$OFFSET, value);
    }

    /** {@return {@code sizeof(struct kvm_segment)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct kvm_segment}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
