// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One request from the driver: a chain of descriptors popped from a {@link Virtqueue}, already
 * checked. Its buffers are the device-readable ones, then the device-writable ones, each wholly
 * inside one region of guest memory; the device reads the readable buffers as one run of bytes
 * and writes the writable ones as another, then hands the chain back with
 * {@link Virtqueue#addUsed(DescriptorChain, int)}.
 *
 * <p>The bytes stay in guest memory, where the driver can change them at any moment: a device
 * that needs a value twice reads it once into its own memory.
 */
public final class DescriptorChain {
    /**
     * One buffer of the chain: {@code length} bytes of guest memory at {@code address}, length 1 to 2^32 - 1.
     *
     * @param address the buffer's first guest physical address
     * @param length its length in bytes
     */
    public record Buffer(GuestAddress address, long length) {
    }

    private final Virtqueue queue;
    private final int generation;
    private final GuestMemory memory;
    private final int head;
    private final List<Buffer> readable;
    private final List<Buffer> writable;
    private final long readableLength;
    private final long writableLength;

    DescriptorChain(Virtqueue queue, int generation, GuestMemory memory, int head, List<Buffer> readable, List<Buffer> writable) {
        this.queue = queue;
        this.generation = generation;
        this.memory = memory;
        this.head = head;
        this.readable = List.copyOf(readable);
        this.writable = List.copyOf(writable);
        this.readableLength = readable.stream().mapToLong(Buffer::length).sum();
        this.writableLength = writable.stream().mapToLong(Buffer::length).sum();
    }

    /** {@return the index of the chain's first descriptor: the id the used ring returns to the driver} */
    public int head() {
        return head;
    }

    /** {@return the device-readable buffers, in chain order} */
    public List<Buffer> readable() {
        return readable;
    }

    /** {@return the device-writable buffers, in chain order} */
    public List<Buffer> writable() {
        return writable;
    }

    /** {@return the bytes in all the readable buffers (at most 2^32, the spec's limit for a whole chain)} */
    public long readableLength() {
        return readableLength;
    }

    /** {@return the bytes in all the writable buffers (at most 2^32)} */
    public long writableLength() {
        return writableLength;
    }

    /**
     * Copies readable bytes, from {@code offset} into their run, to {@code into}: as many as both
     * hold.
     *
     * @param offset where to start in the run of readable bytes
     * @param into receives the bytes
     * @return the bytes copied, fewer than {@code into.length} where the readable buffers end
     * @throws IllegalArgumentException when {@code offset} is negative
     */
    public int read(long offset, byte[] into) {
        if (offset < 0) {
            throw new IllegalArgumentException("Offset " + offset + " into a chain's buffers is negative.");
        }
        int done = 0;
        long skip = offset;
        for (Buffer b : readable) {
            if (done == into.length) {
                break;
            }
            if (skip >= b.length()) {
                skip -= b.length();
                continue;
            }
            int n = (int) Math.min(b.length() - skip, into.length - done);
            System.arraycopy(memory.read(b.address().plus(skip), n), 0, into, done, n);
            done += n;
            skip = 0;
        }
        return done;
    }

    /**
     * Copies {@code from} into the writable buffers, from {@code offset} into their run: as much
     * as they hold.
     *
     * @param offset where to start in the run of writable bytes
     * @param from the bytes to write
     * @return the bytes written, fewer than {@code from.length} where the writable buffers end
     * @throws IllegalArgumentException when {@code offset} is negative
     */
    public int write(long offset, byte[] from) {
        if (offset < 0) {
            throw new IllegalArgumentException("Offset " + offset + " into a chain's buffers is negative.");
        }
        int done = 0;
        long skip = offset;
        for (Buffer b : writable) {
            if (done == from.length) {
                break;
            }
            if (skip >= b.length()) {
                skip -= b.length();
                continue;
            }
            int n = (int) Math.min(b.length() - skip, from.length - done);
            memory.write(b.address().plus(skip), ByteBuffer.wrap(from, done, n));
            done += n;
            skip = 0;
        }
        return done;
    }

    /**
     * Copies readable bytes, from {@code offset} into their run, into the remaining bytes of
     * {@code into}: as many as both hold, straight from guest memory with no array in between.
     * The buffer's position moves past them.
     *
     * @param offset where to start in the run of readable bytes
     * @param into receives the bytes
     * @return the bytes copied, fewer than {@code into.remaining()} where the readable buffers end
     * @throws IllegalArgumentException when {@code offset} is negative
     */
    public int read(long offset, ByteBuffer into) {
        return copy(readable, offset, into, true);
    }

    /**
     * Copies the remaining bytes of {@code from} into the writable buffers, from {@code offset}
     * into their run: as much as they hold. The buffer's position moves past the bytes written.
     *
     * @param offset where to start in the run of writable bytes
     * @param from the bytes to write, from its position to its limit
     * @return the bytes written, fewer than {@code from.remaining()} where the writable buffers end
     * @throws IllegalArgumentException when {@code offset} is negative
     */
    public int write(long offset, ByteBuffer from) {
        return copy(writable, offset, from, false);
    }

    private int copy(List<Buffer> buffers, long offset, ByteBuffer bytes, boolean toBytes) {
        if (offset < 0) {
            throw new IllegalArgumentException("Offset " + offset + " into a chain's buffers is negative.");
        }
        int done = 0;
        long skip = offset;
        int limit = bytes.limit();
        try {
            for (Buffer b : buffers) {
                if (!bytes.hasRemaining()) {
                    break;
                }
                if (skip >= b.length()) {
                    skip -= b.length();
                    continue;
                }
                int n = (int) Math.min(b.length() - skip, bytes.remaining());
                bytes.limit(bytes.position() + n);
                if (toBytes) {
                    memory.read(b.address().plus(skip), bytes);
                } else {
                    memory.write(b.address().plus(skip), bytes);
                }
                bytes.limit(limit);
                done += n;
                skip = 0;
            }
        } finally {
            bytes.limit(limit);
        }
        return done;
    }

    Virtqueue queue() {
        return queue;
    }

    /** Which activation of its queue the chain came from: a chain from before a reset is never returned. */
    int generation() {
        return generation;
    }

    @Override
    public String toString() {
        return "chain " + head + " (" + readable.size() + " readable, " + readableLength + " bytes; "
                + writable.size() + " writable, " + writableLength + " bytes)";
    }
}
