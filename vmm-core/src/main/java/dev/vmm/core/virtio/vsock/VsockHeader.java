// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of every vsock packet, struct virtio_vsock_hdr (virtio 1.2, 5.10.6): 44 bytes,
 * little-endian, packed. Ports, the length and the credit counters are unsigned 32-bit values
 * held in ints; the type and op are 16-bit, held unsigned.
 *
 * @param srcCid the sender's context ID
 * @param dstCid the receiver's context ID
 * @param srcPort the sender's port
 * @param dstPort the receiver's port
 * @param length the payload bytes after the header
 * @param type the socket type: {@link #TYPE_STREAM}
 * @param op what the packet says: {@link #OP_REQUEST} to {@link #OP_CREDIT_REQUEST}
 * @param flags for {@link #OP_SHUTDOWN}: {@link #SHUTDOWN_RCV}, {@link #SHUTDOWN_SEND}
 * @param bufAlloc the sender's receive buffer for this connection
 * @param fwdCnt the bytes the sender has taken out of that buffer since the connection began
 */
record VsockHeader(long srcCid, long dstCid, int srcPort, int dstPort, int length, int type, int op, int flags, int bufAlloc, int fwdCnt) {
    /** The header's bytes. */
    static final int SIZE = 44;
    /** The host's context ID: where every packet from the guest must go. */
    static final long HOST_CID = 2;
    /** The only socket type offered: a stream (VIRTIO_VSOCK_F_SEQPACKET is not). */
    static final int TYPE_STREAM = 1;
    /** Ops. */
    static final int OP_REQUEST = 1, OP_RESPONSE = 2, OP_RST = 3, OP_SHUTDOWN = 4, OP_RW = 5, OP_CREDIT_UPDATE = 6, OP_CREDIT_REQUEST = 7;
    /** SHUTDOWN flags: the sender will receive no more, will send no more. */
    static final int SHUTDOWN_RCV = 1, SHUTDOWN_SEND = 2;

    /** {@return the header in the first 44 bytes of {@code bytes}, read as they are now} */
    static VsockHeader decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new VsockHeader(b.getLong(0), b.getLong(8), b.getInt(16), b.getInt(20), b.getInt(24),
                Short.toUnsignedInt(b.getShort(28)), Short.toUnsignedInt(b.getShort(30)), b.getInt(32), b.getInt(36), b.getInt(40));
    }

    /** Writes the header into the first 44 bytes of {@code into}. */
    void encode(byte[] into) {
        ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN).putLong(0, srcCid).putLong(8, dstCid).putInt(16, srcPort).putInt(20, dstPort)
                .putInt(24, length).putShort(28, (short) type).putShort(30, (short) op).putInt(32, flags).putInt(36, bufAlloc).putInt(40, fwdCnt);
    }

    @Override
    public String toString() {
        return "vsock " + opName(op) + " " + srcCid + ":" + Integer.toUnsignedString(srcPort) + " -> " + dstCid + ":" + Integer.toUnsignedString(dstPort)
                + " len " + Integer.toUnsignedString(length) + " type " + type + " flags 0x" + Integer.toHexString(flags)
                + " buf_alloc " + Integer.toUnsignedString(bufAlloc) + " fwd_cnt " + Integer.toUnsignedString(fwdCnt);
    }

    private static String opName(int op) {
        return switch (op) {
            case OP_REQUEST -> "REQUEST";
            case OP_RESPONSE -> "RESPONSE";
            case OP_RST -> "RST";
            case OP_SHUTDOWN -> "SHUTDOWN";
            case OP_RW -> "RW";
            case OP_CREDIT_UPDATE -> "CREDIT_UPDATE";
            case OP_CREDIT_REQUEST -> "CREDIT_REQUEST";
            default -> "op " + op;
        };
    }
}
