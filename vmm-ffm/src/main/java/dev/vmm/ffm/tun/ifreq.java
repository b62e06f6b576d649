// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.tun;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@snippet lang=c :
 * struct ifreq {
 *     union {
 *         char ifrn_name[IFNAMSIZ];
 *     } ifr_ifrn;
 *     union {
 *         short ifru_flags;
 *         int ifru_ivalue;
 *         int ifru_mtu;
 *         void *ifru_data;
 *         // ... addresses, struct ifmap and others: 24 bytes in all
 *     } ifr_ifru;
 * };
 * }
 * An interface request, as far as tun/tap uses it: {@code TUNSETIFF} reads the name and flags from
 * it and writes the name back; {@code TUNGETIFF} fills both. C reaches the members through macros,
 * {@code ifr_name} for {@code ifr_ifrn.ifrn_name} and {@code ifr_flags} for
 * {@code ifr_ifru.ifru_flags}; the accessors here are named after those macros.
 */
public final class ifreq {
    private ifreq() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.unionLayout(
                    MemoryLayout.sequenceLayout(TunConstants.IFNAMSIZ, JAVA_BYTE).withName("ifrn_name")
            ).withName("ifr_ifrn"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("ifru_flags"),
                    JAVA_INT.withName("ifru_ivalue"),
                    JAVA_INT.withName("ifru_mtu"),
                    ADDRESS.withName("ifru_data"),
                    MemoryLayout.paddingLayout(24) // the largest members, struct ifmap and struct sockaddr's kin
            ).withName("ifr_ifru")
    ).withName("ifreq");

    /** {@return the layout of {@code struct ifreq}, its members named as in C} */
    public static GroupLayout layout() {
        return $LAYOUT;
    }

    /** Byte offset of {@code ifr_ifrn.ifrn_name} ({@code ifr_name}), the interface's name, NUL-terminated. */
    public static final long ifr_name$OFFSET = $LAYOUT.byteOffset(groupElement("ifr_ifrn"), groupElement("ifrn_name"));
    /** Byte offset of {@code ifr_ifru.ifru_flags} ({@code ifr_flags}), the {@code IFF_*} flags. */
    public static final long ifr_flags$OFFSET = $LAYOUT.byteOffset(groupElement("ifr_ifru"), groupElement("ifru_flags"));

    /**
     * {@return {@code ifr_name}, the interface's name, NUL-terminated, as a {@link TunConstants#IFNAMSIZ}-byte
     * slice of {@code struct}}
     *
     * @param struct a {@code struct ifreq}
     */
    public static MemorySegment ifr_name(MemorySegment struct) {
        return struct.asSlice(ifr_name$OFFSET, TunConstants.IFNAMSIZ);
    }

    /**
     * {@return {@code ifr_flags}, the {@code IFF_*} flags}
     *
     * @param struct a {@code struct ifreq}
     */
    public static short ifr_flags(MemorySegment struct) {
        return struct.get(JAVA_SHORT, ifr_flags$OFFSET);
    }

    /**
     * Sets {@code ifr_flags}, the {@code IFF_*} flags.
     *
     * @param struct a {@code struct ifreq}
     * @param value the new value
     */
    public static void ifr_flags(MemorySegment struct, short value) {
        struct.set(JAVA_SHORT, ifr_flags$OFFSET, value);
    }

    /** {@return {@code sizeof(struct ifreq)} in bytes} */
    public static long sizeof() {
        return $LAYOUT.byteSize();
    }

    /**
     * Allocates a zeroed {@code struct ifreq}.
     *
     * @param allocator where to allocate it, such as an {@link java.lang.foreign.Arena}
     * @return the struct, {@link #sizeof()} bytes
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate($LAYOUT);
    }
}
