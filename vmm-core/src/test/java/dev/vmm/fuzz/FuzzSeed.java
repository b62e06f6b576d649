// SPDX-License-Identifier: Apache-2.0
package dev.vmm.fuzz;

import java.io.ByteArrayOutputStream;

/**
 * Writing a fuzz seed, the other side of {@link FuzzBytes}: bytes and little-endian values, one
 * after the other. A target's test extends it with the operations its input encodes, each made of
 * these, so that a seed reads as what it does: {@code new Ops(how).request(...).complete().bytes()}.
 *
 * @param <S> the test's own builder, which every method returns so that a chain goes on with its operations
 */
public abstract class FuzzSeed<S extends FuzzSeed<S>> {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Appends the low byte of each value. */
    public final S put(int... values) {
        for (int v : values) {
            out.write(v);
        }
        return self();
    }

    /** Appends {@code data} as it is. */
    public final S put(byte[] data) {
        out.writeBytes(data);
        return self();
    }

    /** Appends the low {@code width} bytes of {@code value}, least significant first. */
    public final S le(long value, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return self();
    }

    /** {@return the seed written so far} */
    public final byte[] bytes() {
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked") // S is the subclass itself, as its declaration says
    private S self() {
        return (S) this;
    }
}
