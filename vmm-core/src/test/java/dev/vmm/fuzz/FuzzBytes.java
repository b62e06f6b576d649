// SPDX-License-Identifier: Apache-2.0
package dev.vmm.fuzz;

import java.nio.ByteBuffer;

/**
 * Reading a fuzz input as a stream of little values that never runs dry: a value the input has too
 * few bytes left for is read narrower, and an empty input reads zeros, so that every input, however
 * short, decodes to something.
 */
public final class FuzzBytes {
    private FuzzBytes() {}

    /** {@return the next byte, unsigned, or 0 when none is left} */
    public static int u8(ByteBuffer in) {
        return in.hasRemaining() ? in.get() & 0xff : 0;
    }

    /** {@return the next 16 bits, unsigned, or less when fewer bytes are left} */
    public static int u16(ByteBuffer in) {
        return in.remaining() >= 2 ? in.getShort() & 0xffff : u8(in);
    }

    /** {@return the next 32 bits, or less when fewer bytes are left} */
    public static int u32(ByteBuffer in) {
        return in.remaining() >= 4 ? in.getInt() : u16(in);
    }

    /** {@return the next 64 bits, or less when fewer bytes are left} */
    public static long u64(ByteBuffer in) {
        return in.remaining() >= 8 ? in.getLong() : Integer.toUnsignedLong(u32(in));
    }

    /** {@return the next {@code n} bytes, or as many as are left} */
    public static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[Math.min(n, in.remaining())];
        in.get(b);
        return b;
    }
}
