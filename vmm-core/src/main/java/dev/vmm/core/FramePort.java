// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Where a network device's Ethernet frames go and come from: a {@link Tap} on the host, or a test
 * double in memory. Every frame, both ways, starts with a {@value #VNET_HEADER_SIZE}-byte
 * {@code struct virtio_net_hdr_v1} (virtio 1.2, 5.1.6: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers; little-endian), the checksum and segmentation metadata of
 * the {@linkplain Offload offloads} in use.
 *
 * <p>One thread at a time reads, writes and waits: the device's worker. {@link #setOffloads} is
 * called while that worker is stopped, and {@link #close()} from any thread.
 */
public interface FramePort extends AutoCloseable {
    /** The bytes of the vnet header before each frame, {@code sizeof(struct virtio_net_hdr_v1)}. */
    int VNET_HEADER_SIZE = 12;

    /**
     * What the port lets frames carry instead of doing the work itself: the port takes frames
     * that use it from the device (the guest's transmit offloads) and, once
     * {@linkplain #setOffloads set}, may hand the device frames that use it (the guest's receive
     * offloads). Linux's tun names them {@code TUN_F_*}.
     */
    enum Offload {
        /** A partial checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}), completed by the receiver. */
        CHECKSUM,
        /** Unsegmented TCP over IPv4 up to 64 KiB ({@code VIRTIO_NET_HDR_GSO_TCPV4}); needs {@link #CHECKSUM}. */
        TSO4,
        /** Unsegmented TCP over IPv6 up to 64 KiB ({@code VIRTIO_NET_HDR_GSO_TCPV6}); needs {@link #CHECKSUM}. */
        TSO6,
        /** Unsegmented TCP with the ECN CWR flag ({@code VIRTIO_NET_HDR_GSO_ECN}); needs {@link #TSO4} or {@link #TSO6}. */
        TSO_ECN
    }

    /** {@return the offloads the port supports, each with what it needs} */
    Set<Offload> supportedOffloads();

    /**
     * Sets which offloads the frames the port hands over may use; none until this is called.
     *
     * @param offloads the offloads, each with what it needs; empty for fully formed frames only
     * @return whether the port took them; when it did not, its frames keep the offloads they had
     */
    boolean setOffloads(Set<Offload> offloads);

    /**
     * Reads the next frame, vnet header first, into {@code into} from its position, and moves the
     * position past it; never blocks. A frame longer than the room is cut short (the rest is lost),
     * so give room for the longest frame and one byte more to tell.
     *
     * @param into receives the frame; a direct buffer for a {@link Tap}
     * @return the frame's length in {@code into}, or 0 when no frame is waiting
     * @throws IOException when the port cannot be read any more (a tap whose interface was deleted)
     */
    int read(ByteBuffer into) throws IOException;

    /**
     * Writes one frame, vnet header first: the bytes of {@code frame} from its position to its
     * limit, and moves the position past them; never blocks.
     *
     * @param frame the frame; a direct buffer for a {@link Tap}
     * @return whether the port took it; a frame it refused (a header it rejects, no room) is lost
     */
    boolean write(ByteBuffer frame);

    /**
     * Blocks until a frame is waiting to be read, the port failed (the next {@link #read} says
     * how), or {@code wake}'s counter is non-zero; reads none of them. Returns at once when one of
     * them holds already.
     *
     * @param wake the eventfd another thread signals to wake the caller
     * @throws IOException when waiting fails
     */
    void awaitReadable(EventFd wake) throws IOException;

    /** Releases the port; a tap's interface goes away unless it is persistent. */
    @Override
    void close();
}
