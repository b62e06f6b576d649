// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ethernet frames for tests, built byte by byte from the RFCs (826 for ARP, 791 and 792 for IPv4
 * and ICMP echo), each after a 12-byte virtio_net_hdr_v1 of zeros: what a guest would send
 * through a virtio-net device to a host at the other end of a tap.
 */
public final class TestFrames {
    /** The vnet header's size. */
    public static final int HEADER = 12;
    /** Ethernet types: IPv4 and ARP. */
    public static final int IPV4 = 0x0800, ARP = 0x0806;

    private TestFrames() {}

    /** {@return the 4 bytes of dotted-quad {@code address}} */
    public static byte[] ipv4(String address) {
        String[] parts = address.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    /** {@return an ARP request (broadcast) from {@code mac} at {@code ip} asking who has {@code target}, after a zero vnet header} */
    public static byte[] arpRequest(byte[] mac, byte[] ip, byte[] target) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + 14 + 28).order(ByteOrder.BIG_ENDIAN);
        b.position(HEADER);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(mac).putShort((short) ARP);
        b.putShort((short) 1).putShort((short) IPV4).put((byte) 6).put((byte) 4).putShort((short) 1); // Ethernet, IPv4, request
        b.put(mac).put(ip).put(new byte[6]).put(target);
        return b.array();
    }

    /** {@return whether {@code frame} (vnet header first) is an ARP reply from {@code ip} to {@code to}} */
    public static boolean isArpReply(ByteBuffer frame, byte[] ip, byte[] to) {
        return frame.remaining() >= HEADER + 42 && frame.getShort(HEADER + 12) == ARP && frame.getShort(HEADER + 20) == 2
                && frame.slice(HEADER + 28, 4).equals(ByteBuffer.wrap(ip)) && frame.slice(HEADER + 38, 4).equals(ByteBuffer.wrap(to));
    }

    /** {@return the sender's hardware address of the ARP message {@code frame}} */
    public static byte[] arpSender(ByteBuffer frame) {
        byte[] mac = new byte[6];
        frame.get(HEADER + 22, mac);
        return mac;
    }

    /**
     * {@return an ICMP echo request from {@code mac}/{@code ip} to {@code toMac}/{@code to}, with
     * identifier {@code id} and {@code payload}, checksums filled in, after a zero vnet header}
     */
    public static byte[] icmpEcho(byte[] mac, byte[] ip, byte[] toMac, byte[] to, int id, byte[] payload) {
        int icmpLength = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 14 + 20 + icmpLength).order(ByteOrder.BIG_ENDIAN);
        b.position(HEADER);
        b.put(toMac).put(mac).putShort((short) IPV4);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + icmpLength)).putShort((short) id).putShort((short) 0x4000) // DF
                .put((byte) 64).put((byte) 1).putShort((short) 0).put(ip).put(to);
        b.putShort(ipStart + 10, checksum(b, ipStart, 20));
        int icmpStart = b.position();
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) 1).put(payload);
        b.putShort(icmpStart + 2, checksum(b, icmpStart, icmpLength));
        return b.array();
    }

    /** {@return whether {@code frame} (vnet header first) is an ICMP echo reply with identifier {@code id} and {@code payload}} */
    public static boolean isEchoReply(ByteBuffer frame, int id, byte[] payload) {
        int ip = HEADER + 14;
        if (frame.remaining() < ip + 20 || frame.getShort(HEADER + 12) != IPV4 || frame.get(ip + 9) != 1) {
            return false;
        }
        int icmp = ip + (frame.get(ip) & 0xf) * 4;
        return frame.remaining() >= icmp + 8 + payload.length && frame.get(icmp) == 0 && frame.getShort(icmp + 4) == (short) id
                && frame.slice(icmp + 8, payload.length).equals(ByteBuffer.wrap(payload))
                && checksum(frame, icmp, frame.remaining() - icmp) == 0;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes of {@code b} from {@code start}. */
    static short checksum(ByteBuffer b, int start, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = b.get(start + i) & 0xff;
            int low = i + 1 < length ? b.get(start + i + 1) & 0xff : 0;
            sum += high << 8 | low;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
