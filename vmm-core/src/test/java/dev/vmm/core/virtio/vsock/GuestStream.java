// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.virtio.vsock.VsockDriver.Packet;

import java.io.ByteArrayOutputStream;

import static dev.vmm.core.virtio.vsock.VsockDriver.CREDIT_REQUEST;
import static dev.vmm.core.virtio.vsock.VsockDriver.CREDIT_UPDATE;
import static dev.vmm.core.virtio.vsock.VsockDriver.HOST;
import static dev.vmm.core.virtio.vsock.VsockDriver.RST;
import static dev.vmm.core.virtio.vsock.VsockDriver.RW;
import static dev.vmm.core.virtio.vsock.VsockDriver.SHUTDOWN;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guest's end of one stream, as Linux's virtio_transport_common keeps it: the credit both
 * ways (virtio 1.2, 5.10.6.3), the bytes received, the shutdown flags heard. It checks on every
 * packet that the device never sent more than the credit allowed.
 */
final class GuestStream {
    final VsockDriver driver;
    final int guestPort;
    final int hostPort;
    final int bufAlloc;
    /** Whether received bytes are taken at once (a reading application) or left in the buffer. */
    boolean consuming = true;
    final ByteArrayOutputStream in = new ByteArrayOutputStream();
    int shutdownFlags;
    boolean reset;
    int creditRequests;
    int creditUpdates;

    private long received;     // RW bytes from the device
    private long consumed;     // fwd_cnt
    private long consumedTold; // fwd_cnt as the device last heard it
    private long sent;
    private int deviceBufAlloc;
    private int deviceFwdCnt;

    GuestStream(VsockDriver driver, int guestPort, int hostPort, int bufAlloc) {
        this.driver = driver;
        this.guestPort = guestPort;
        this.hostPort = hostPort;
        this.bufAlloc = bufAlloc;
    }

    boolean owns(Packet p) {
        return p.dstPort() == guestPort && p.srcPort() == hostPort;
    }

    /** Takes in a packet of this stream's from the device. */
    void absorb(Packet p) {
        deviceBufAlloc = p.bufAlloc();
        deviceFwdCnt = p.fwdCnt();
        switch (p.op()) {
            case RW -> {
                received += p.len();
                assertTrue(received - consumed <= bufAlloc, "the device sent " + (received - consumed) + " unread bytes into a buffer of " + bufAlloc);
                in.writeBytes(p.data());
                if (consuming) {
                    consume(p.len());
                }
            }
            case SHUTDOWN -> shutdownFlags |= p.flags();
            case RST -> reset = true;
            case CREDIT_REQUEST -> {
                creditRequests++;
                send(CREDIT_UPDATE, 0, new byte[0]);
            }
            case CREDIT_UPDATE -> creditUpdates++;
            default -> {
            }
        }
    }

    /** The application read {@code n} bytes: tell the device when its view of our free space is down to a quarter. */
    void consume(long n) {
        consumed += n;
        if (bufAlloc - (received - consumedTold) < bufAlloc / 4) {
            send(CREDIT_UPDATE, 0, new byte[0]);
        }
    }

    /** {@return the bytes the device can take now} */
    long credit() {
        return Integer.toUnsignedLong(deviceBufAlloc) - (sent - Integer.toUnsignedLong(deviceFwdCnt) & 0xffffffffL);
    }

    /** Sends as much of {@code data} from {@code offset} as the credit allows, in packets of at most {@code chunk}; {@return the bytes sent} */
    int sendSome(byte[] data, int offset, int chunk) {
        int done = 0;
        while (offset + done < data.length && credit() > 0) {
            int n = (int) Math.min(Math.min(chunk, credit()), data.length - offset - done);
            byte[] piece = java.util.Arrays.copyOfRange(data, offset + done, offset + done + n);
            send(RW, 0, piece);
            done += n;
        }
        return done;
    }

    /** A packet of this stream's, with the guest's credit in it. */
    Packet packet(int op, int flags, byte[] data) {
        return Packet.of(driver.cid, HOST, guestPort, hostPort, op, flags, bufAlloc, (int) consumed, data);
    }

    void send(int op, int flags, byte[] data) {
        if (op == RW) {
            sent += data.length;
        }
        consumedTold = consumed;
        driver.send(packet(op, flags, data));
    }

    /** Sends RW bytes regardless of credit, as a guest that ignores it would. */
    void sendIgnoringCredit(byte[] data) {
        send(RW, 0, data);
    }

    boolean shutdown() {
        return shutdownFlags != 0;
    }
}
