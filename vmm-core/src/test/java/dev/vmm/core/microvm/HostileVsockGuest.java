// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.virtio.vsock.VirtioVsock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The hostile guest "virtio-vsock-flood" of {@link HostileGuests}, CID {@link #CID}: a driver of
 * its virtio-vsock device ({@link VirtioScript}) that, with no receive buffers posted, floods the
 * device with 4096 credit requests for connections that do not exist, 4096 resets and 4096
 * connection requests to a host port where nothing listens (each request and credit request
 * deserves a reset back, which must wait for receive buffers without piling up), then posts 16
 * receive buffers and waits for 16 resets; then sends a chain too short for a packet header, which
 * must leave the device DEVICE_NEEDS_RESET; and last, after the reset, gets a reset back for one
 * connection request. It powers the VM off only if every round went so.
 */
final class HostileVsockGuest {
    static final String NAME = "virtio-vsock-flood";
    static final long CID = 3;
    /** A host port nothing listens on: no socket file {@code <path>_9999} exists. */
    private static final int NO_LISTENER = 9999;
    private static final int RX = 0, TX = 1, EVENT = 2;
    private static final int HEADER = 44, OP_REQUEST = 1, OP_RST = 3, OP_CREDIT_REQUEST = 7;
    private static final long PACKETS = VirtioScript.BUFFERS, RX_BUFFERS = VirtioScript.BUFFERS + 0x10000;
    private static final int RX_BUFFER = 256;

    private HostileVsockGuest() {}

    static byte[] kernel() {
        VirtioScript driver = new VirtioScript(VirtioVsock.DEVICE_TYPE, 3);
        driver.bringUp().descriptors(TX, VirtioScript.QUEUE_SIZE, i -> PACKETS + (long) HEADER * i, HEADER, 0);
        for (int op : new int[] {OP_CREDIT_REQUEST, OP_RST, OP_REQUEST}) {
            driver.script().write(PACKETS, packets(op));
            driver.flood(TX, 16).expectHealthy();
        }
        driver.descriptors(RX, 16, i -> RX_BUFFERS + (long) RX_BUFFER * i, RX_BUFFER, VirtioScript.WRITE)
                .offer(RX, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15).awaitUsed(RX, 16).expectHealthy();
        driver.bringUp().descriptor(TX, 0, PACKETS, HEADER - 24, 0, 0).offer(TX, 1, 0).expectBroken(TX);
        driver.bringUp().descriptor(RX, 0, RX_BUFFERS, RX_BUFFER, VirtioScript.WRITE, 0).offer(RX, 1, 0)
                .descriptor(TX, 0, PACKETS, HEADER, 0, 0).offer(TX, 1, 0).awaitUsed(TX, 1).awaitUsed(RX, 1).expectHealthy();
        // The event queue is set up and never used: the device has nothing to say there.
        driver.script().check32(VirtioScript.used(EVENT), -1, 0);
        return driver.kernel();
    }

    /**
     * The whole transmit ring of connection requests to {@link #NO_LISTENER} sent round after round
     * without end, and never a receive buffer for the resets they deserve: a guest a snapshot
     * catches mid-flood.
     */
    static byte[] floodingKernel() {
        VirtioScript driver = new VirtioScript(VirtioVsock.DEVICE_TYPE, 3);
        driver.script().write(PACKETS, packets(OP_REQUEST));
        driver.bringUp().descriptors(TX, VirtioScript.QUEUE_SIZE, i -> PACKETS + (long) HEADER * i, HEADER, 0).flood(TX, Integer.MAX_VALUE);
        return driver.kernel();
    }

    /** {@link VirtioScript#QUEUE_SIZE} stream packets of {@code op} from the guest's ports 0x1000 up to the host's {@link #NO_LISTENER}. */
    private static byte[] packets(int op) {
        ByteBuffer packets = ByteBuffer.allocate(HEADER * VirtioScript.QUEUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < VirtioScript.QUEUE_SIZE; i++) {
            packets.putLong(CID).putLong(2).putInt(0x1000 + i).putInt(NO_LISTENER).putInt(0).putShort((short) 1).putShort((short) op)
                    .putInt(0).putInt(256 << 10).putInt(0);
        }
        return packets.array();
    }
}
