// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.EventFd;
import dev.vmm.core.FramePort;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A test double of a tap: frames to hand the device wait in a queue ({@link #inject}), frames the
 * device writes are kept ({@link #sent()}), and readiness is an eventfd of its own, so that the
 * device's worker waits in poll(2) exactly as on a tap. It counts reads, can refuse writes and can
 * fail reads, and takes offloads as Linux's tun does: each only with what it needs.
 */
final class MemoryPort implements FramePort {
    private final Set<Offload> supported;
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private final List<byte[]> sent = new ArrayList<>();
    private final List<Integer> sentLengths = new ArrayList<>();
    private final EventFd ready = EventFd.create(); // non-zero while a frame waits
    private Set<Offload> offloads = Set.of();
    private long reads;
    private boolean refuseWrites;
    private boolean keepSent = true;
    private IOException readFailure;
    private boolean closed;

    MemoryPort(Set<Offload> supported) {
        this.supported = Set.copyOf(supported);
    }

    MemoryPort() {
        this(EnumSet.allOf(Offload.class));
    }

    /** Queues frames (vnet header first) for the device to read. */
    synchronized void inject(byte[]... frames) {
        for (byte[] frame : frames) {
            inbound.add(frame.clone());
        }
        if (frames.length > 0) {
            ready.signal(1);
        }
    }

    /** Forgets the frames waiting and sent, the counts and the failure to come: a fresh port for the next fuzz input. */
    synchronized void clear() {
        inbound.clear();
        sent.clear();
        sentLengths.clear();
        reads = 0;
        readFailure = null;
        refuseWrites = false;
        ready.take();
    }

    /** {@return the frames still waiting to be read} */
    synchronized int waiting() {
        return inbound.size();
    }

    /** {@return the lengths of the frames the device wrote, in order, whether or not they were kept} */
    synchronized List<Integer> sentLengths() {
        return List.copyOf(sentLengths);
    }

    /** {@return the frames the device wrote, in order} */
    synchronized List<byte[]> sent() {
        return List.copyOf(sent);
    }

    /** {@return how many times the device read (whether or not a frame was waiting)} */
    synchronized long reads() {
        return reads;
    }

    /** {@return the receive offloads the device set} */
    synchronized Set<Offload> offloads() {
        return offloads;
    }

    /**
     * Whether written frames are kept for {@link #sent()}, or only counted: a test double that kept
     * 64 KiB per frame would be most of what the device's worker allocates.
     */
    synchronized void keepSent(boolean keep) {
        keepSent = keep;
    }

    synchronized void refuseWrites(boolean refuse) {
        refuseWrites = refuse;
    }

    /** Makes the next read fail with {@code failure}, as a tap whose interface was deleted. */
    synchronized void failReads(IOException failure) {
        readFailure = failure;
        ready.signal(1);
    }

    synchronized boolean closed() {
        return closed;
    }

    @Override
    public Set<Offload> supportedOffloads() {
        return supported;
    }

    @Override
    public synchronized boolean setOffloads(Set<Offload> requested) {
        boolean valid = supported.containsAll(requested)
                && (requested.contains(Offload.CHECKSUM) || requested.isEmpty())
                && (!requested.contains(Offload.TSO_ECN) || requested.contains(Offload.TSO4) || requested.contains(Offload.TSO6));
        if (valid) {
            offloads = Set.copyOf(requested);
        }
        return valid;
    }

    @Override
    public synchronized int read(ByteBuffer into) throws IOException {
        check();
        reads++;
        if (readFailure != null) {
            throw readFailure;
        }
        byte[] frame = inbound.poll();
        if (inbound.isEmpty()) {
            ready.take();
        }
        if (frame == null) {
            return 0;
        }
        int n = Math.min(frame.length, into.remaining()); // cut short, as tun does
        into.put(frame, 0, n);
        return n;
    }

    @Override
    public synchronized boolean write(ByteBuffer frame) {
        check();
        if (refuseWrites) {
            return false;
        }
        sentLengths.add(frame.remaining());
        if (!keepSent) {
            frame.position(frame.limit());
            return true;
        }
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        sent.add(bytes);
        return true;
    }

    @Override
    public void awaitReadable(EventFd wake) {
        EventFd.awaitAny(wake, ready);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ready.close();
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("The memory port is closed.");
        }
    }
}
