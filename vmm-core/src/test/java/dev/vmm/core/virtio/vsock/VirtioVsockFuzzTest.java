// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.virtio.vsock.VsockDriver.Packet;
import dev.vmm.fuzz.FuzzSeed;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.vmm.core.virtio.vsock.VsockDriver.DEVICE_NEEDS_RESET;
import static dev.vmm.core.virtio.vsock.VsockDriver.HEADER;
import static dev.vmm.core.virtio.vsock.VsockDriver.HOST;
import static dev.vmm.core.virtio.vsock.VsockDriver.INDIRECT;
import static dev.vmm.core.virtio.vsock.VsockDriver.NEXT;
import static dev.vmm.core.virtio.vsock.VsockDriver.RXQ;
import static dev.vmm.core.virtio.vsock.VsockDriver.STATUS;
import static dev.vmm.core.virtio.vsock.VsockDriver.TXQ;
import static dev.vmm.core.virtio.vsock.VsockDriver.WRITE;
import static dev.vmm.fuzz.FuzzBytes.bytes;
import static dev.vmm.fuzz.FuzzBytes.u16;
import static dev.vmm.fuzz.FuzzBytes.u32;
import static dev.vmm.fuzz.FuzzBytes.u64;
import static dev.vmm.fuzz.FuzzBytes.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hostile vsock driver and hostile host programs in fuzz bytes, against one device: packets with
 * any CIDs, ports, types, ops, flags, lengths and credit, in chains of any shape (split headers,
 * indirect tables, too short for a header), receive buffers of any size, raw descriptors and
 * available indexes that jump, CONNECT lines of any bytes, host sockets that write, stop reading,
 * shut or close, resets in the middle, and pauses for a snapshot. What is checked is the device: its worker never fails
 * (an access outside guest memory would be such a failure), it takes every transmitted chain
 * unless the driver broke a queue rule, every packet it puts in a receive buffer fits the buffer
 * and is well formed, it writes nowhere outside the buffers it was given, its bounds hold
 * (connections, bytes held for host programs, packets owed to the guest), and a reset leaves no
 * connection and no thread.
 */
@Tag("fuzz")
class VirtioVsockFuzzTest {
    private static final long CID = 3;
    private static final VirtioVsock.Limits LIMITS = new VirtioVsock.Limits(8, 32 << 10,
            TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(200));
    private static final int[] LISTENING = {5000, 5001};
    private static final long TABLES = VsockDriver.BUFFERS;         // indirect tables, 256 bytes (16 descriptors) each
    private static final long TX_DATA = 0x200000, TX_END = 0x800000; // transmitted packets' buffers
    private static final long RX_DATA = 0x800000, RX_SLOT = 0x12000; // each receive chain's buffers, by its head
    private static final long CANARY = 0xf00000, CANARY_END = VsockDriver.MEMORY; // never given to the device

    /** One input against the device. */
    private static final class Rig {
        final VirtioVsock device;
        final GuestMemory memory;
        final List<ServerSocketChannel> listeners;
        final Path socket;
        final Random data;
        VsockDriver driver;
        long features;
        final List<SocketChannel> hosts = new ArrayList<>();
        final List<int[]> known = new ArrayList<>(); // {guest port, host port} of connections the guest heard of
        int lastRequestPort = -1;
        int lastRequestFrom;
        // Transmit queue: descriptors and buffer space, all free once the device took every chain.
        int txNext;
        long txData;
        boolean hostWrote;
        boolean refill; // used receive chains go back to the device at once
        boolean rawRx; // a raw descriptor or a jump on the receive queue: what comes back is no longer the rig's to check
        // Receive queue: the descriptors of each chain the device holds, by its head.
        final Map<Integer, int[]> rxChains = new HashMap<>();
        final Map<Integer, Long> rxWritable = new HashMap<>();
        final ArrayDeque<Integer> rxFreeDescriptors = new ArrayDeque<>();
        int rxSeen;
        int tablesUsed;
        long packetsChecked;
        long chainsSent;
        int brokenQueues;

        Rig(VirtioVsock device, GuestMemory memory, List<ServerSocketChannel> listeners, long seed) {
            this.device = device;
            this.memory = memory;
            this.listeners = listeners;
            this.socket = device.socket();
            this.data = new Random(seed);
        }

        void play(byte[] input) throws IOException {
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            int how = u8(in);
            features = VsockDriver.VERSION_1 | ((how & 1) != 0 ? VsockDriver.EVENT_IDX : 0) | ((how & 2) != 0 ? VsockDriver.INDIRECT_DESC : 0);
            memory.fill(GuestAddress.of(CANARY), CANARY_END - CANARY, (byte) 0xa5);
            driver = new VsockDriver(device, memory, CID);
            bringUp();
            refill = (how & 8) == 0;
            if ((how & 4) == 0) {
                offerRx(ByteBuffer.wrap(new byte[] {15, 0})); // sixteen buffers of a page and a header, as Linux offers
            }
            while (in.hasRemaining()) {
                int op = u8(in);
                if (op >= 0xf0 && u8(in) < 0xf0) {
                    continue; // the ops that break a queue take a second marker byte, so that they come seldom
                }
                if (op >= 0xf8) { // an available index that jumps
                    int q = (op & 1) != 0 ? RXQ : TXQ;
                    driver.setAvailIdx(q, u16(in));
                    rawRx |= q == RXQ;
                    txNext = VsockDriver.SIZE; // stale entries may name any descriptor: the next packet waits
                    continue;
                }
                if (op >= 0xf0) { // a raw descriptor
                    rawDescriptor(in);
                    continue;
                }
                switch (op % 11) {
                    case 0, 1 -> fuzzedPacket(in);
                    case 2 -> offerRx(in);
                    case 3 -> host(in);
                    case 4 -> process();
                    case 5 -> {
                        process();
                        bringUp();
                    }
                    case 6 -> answerRequest((u8(in) & 1) != 0);
                    case 7 -> knownData(in);
                    case 8 -> knownControl(in);
                    case 9 -> guestRequest(in);
                    default -> snapshotPause(in);
                }
            }
            process();
            Thread worker = device.workerThread();
            driver.write(STATUS, 0);
            assertTrue(worker == null || !worker.isAlive(), "the reset waited for the worker");
            check();
        }

        /** A pause for a snapshot and the resume, with what the driver does meanwhile; or the TRANSPORT_RESET a restored device owes. */
        private void snapshotPause(ByteBuffer in) throws IOException {
            int what = u8(in);
            if ((what & 1) != 0) {
                device.restored(); // an event into the next of the driver's event buffers, or owed until there is one
                return;
            }
            driver.mmio.pause();
            if ((what & 2) != 0) {
                fuzzedPacket(in);
            }
            driver.mmio.resume();
        }

        private void bringUp() {
            assertTrue(driver.bringUp(features, 0, HEADER));
            txNext = 0;
            txData = TX_DATA;
            rxChains.clear();
            rxWritable.clear();
            rxFreeDescriptors.clear();
            for (int i = 0; i < VsockDriver.SIZE; i++) {
                rxFreeDescriptors.add(i);
            }
            rxSeen = 0;
            rawRx = false;
            tablesUsed = 0;
            known.clear();
        }

        private boolean broken() {
            return (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0;
        }

        /** Lets the device take every chain sent, then reads and checks what it put in the receive queue. */
        private void process() throws IOException {
            int published = driver.availIdx(TXQ);
            driver.setUsedEvent(TXQ, published - 1); // an interrupt once the last is used
            driver.notifyTx();
            driver.write(VsockDriver.QUEUE_NOTIFY, RXQ);
            driver.await(() -> driver.usedIdx(TXQ) == published || broken(), "the device to take every transmitted chain, as it broke no rule");
            assertEquals(List.of(), driver.deviceFailures, "the worker never fails");
            if (!broken()) {
                txNext = 0;
                txData = TX_DATA;
                tablesUsed = 0;
                receive();
                // Host programs wrote: give the worker a moment to pass it on, so that the data path is
                // reached (only coverage depends on this wait, never a check).
                for (int rounds = 0; hostWrote && rounds < 50 && driver.awaitInterrupt(TimeUnit.MILLISECONDS.toNanos(2)); rounds++) {
                    receive();
                }
                hostWrote = false;
            } else {
                brokenQueues++;
                assertTrue(!driver.mmio.needsResetReason().orElseThrow().startsWith("The device failed"), driver.mmio.needsResetReason().orElseThrow());
            }
            acceptAll();
            VirtioVsock.Counters counters = device.counters();
            assertTrue(counters.connections() + counters.handshakes() <= LIMITS.maxConnections(), counters.toString());
            assertTrue(counters.maxHostBoundBytes() <= LIMITS.bufAlloc(), counters.toString());
            assertTrue(counters.maxPendingPackets() <= LIMITS.maxConnections() + VsockMuxer.MAX_ORPHAN_RESETS, counters.toString());
        }

        private void receive() {
            int used = driver.usedIdx(RXQ);
            while (rxSeen != used) {
                long[] e = driver.usedElement(RXQ, rxSeen);
                rxSeen = (rxSeen + 1) & 0xffff;
                int head = (int) e[0];
                int[] descriptors = rxChains.remove(head);
                Long writableBytes = rxWritable.remove(head);
                if (rawRx) {
                    if (descriptors != null) {
                        for (int d : descriptors) {
                            rxFreeDescriptors.add(d);
                        }
                    }
                    continue;
                }
                assertTrue(descriptors != null, "the used ring returns chain " + head + ", which the driver offered");
                long writable = writableBytes;
                assertTrue(e[1] >= HEADER && e[1] <= writable, "a used length of " + e[1] + " for a chain of " + writable + " writable bytes");
                byte[] header = readWritable(head, (int) e[1]);
                Packet p = Packet.parse(Arrays.copyOf(header, HEADER), new byte[0]);
                assertEquals(HOST, p.srcCid(), p.toString());
                assertEquals(CID, p.dstCid(), p.toString());
                assertEquals(1, p.type(), p.toString());
                assertEquals(e[1] - HEADER, Integer.toUnsignedLong(p.len()), p.toString());
                assertTrue(p.op() >= VsockDriver.REQUEST && p.op() <= VsockDriver.CREDIT_REQUEST, p.toString());
                assertTrue(p.len() <= VirtioVsock.MAX_PACKET, p.toString());
                if (p.op() == VsockDriver.REQUEST) {
                    lastRequestPort = p.dstPort();
                    lastRequestFrom = p.srcPort();
                } else if (p.op() == VsockDriver.RESPONSE) {
                    known.add(new int[] {p.dstPort(), p.srcPort()});
                }
                packetsChecked++;
                if (refill) { // the same chain again, as Linux refills its receive queue
                    memory.fill(GuestAddress.of(RX_DATA + RX_SLOT * head), writable, (byte) 0x5a);
                    rxChains.put(head, descriptors);
                    rxWritable.put(head, writable);
                    driver.publish(RXQ, head);
                } else {
                    for (int d : descriptors) {
                        rxFreeDescriptors.add(d);
                    }
                }
            }
            driver.setUsedEvent(RXQ, rxSeen);
            driver.write(VsockDriver.QUEUE_NOTIFY, RXQ);
        }

        /** The first {@code length} bytes of receive chain {@code head}'s writable run, which sits in its slot. */
        private byte[] readWritable(int head, int length) {
            return memory.read(GuestAddress.of(RX_DATA + RX_SLOT * head), length);
        }

        /** A packet with any header the input says, mostly near a valid one, in a chain of any shape. */
        private void fuzzedPacket(ByteBuffer in) {
            int select = u8(in);
            long src = switch (select & 3) {
                case 0, 1 -> CID;
                case 2 -> u64(in);
                default -> HOST;
            };
            long dst = switch ((select >> 2) & 3) {
                case 0, 1 -> HOST;
                case 2 -> CID;
                default -> u64(in);
            };
            int type = switch ((select >> 4) & 3) {
                case 0, 1 -> 1;
                case 2 -> 2;
                default -> u16(in);
            };
            int[] ports = port(in);
            int opCode = u8(in);
            int op = opCode < 240 ? opCode % 9 : u16(in);
            int flags = u8(in) % 5;
            int bufAlloc = switch (u8(in) % 4) {
                case 0 -> 0;
                case 1 -> 4096;
                case 2 -> 256 << 10;
                default -> u32(in);
            };
            int fwdCnt = (select & 0x80) != 0 ? u32(in) : 0;
            int payload = payloadLength(in);
            int len = (select & 0x40) != 0 ? u32(in) : payload;
            byte[] body = new byte[payload];
            data.nextBytes(body);
            Packet p = new Packet(src, dst, ports[0], ports[1], len, type, op, flags, bufAlloc, fwdCnt, body);
            sendChain(VsockDriver.concat(p.header(), body), u8(in));
        }

        private int payloadLength(ByteBuffer in) {
            int code = u16(in);
            return switch (code >> 14) {
                case 0 -> code & 0xff;
                case 1 -> code & 0x3fff;
                case 2 -> 65536 - 8 + (code & 15); // around the largest packet
                default -> 0;
            };
        }

        /** {guest port, host port}: a known connection's, a listening host port, or any. */
        private int[] port(ByteBuffer in) {
            int code = u8(in);
            if ((code & 3) == 0 && !known.isEmpty()) {
                return known.get((code >> 2) % known.size()).clone();
            }
            if ((code & 3) == 1 && lastRequestPort != -1) {
                return new int[] {lastRequestPort, lastRequestFrom};
            }
            int guestPort = 40_000 + ((code >> 2) & 7);
            int hostPort = (code & 3) == 2 ? LISTENING[(code >> 5) & 1] : (code & 3) == 3 ? u32(in) : 5002;
            return new int[] {guestPort, hostPort};
        }

        /**
         * {@code bytes} as a transmit chain: {@code shape} bits 0-1 pick one buffer, the header
         * cut at bits 2-6, header and payload apart, or three pieces; bit 7 an indirect table.
         * Each buffer is one descriptor; a trailing writable one is added when bits 2-6 are 31.
         */
        private void sendChain(byte[] bytes, int shape) {
            List<long[]> buffers = new ArrayList<>(); // address, length, flags
            int cut = Math.min(bytes.length, 1 + ((shape >> 2) & 31) * 3);
            switch (shape & 3) {
                case 0 -> buffers.add(new long[] {0, bytes.length, 0});
                case 1 -> {
                    buffers.add(new long[] {0, cut, 0});
                    buffers.add(new long[] {cut, bytes.length - cut, 0});
                }
                case 2 -> {
                    int h = Math.min(HEADER, bytes.length);
                    buffers.add(new long[] {0, h, 0});
                    buffers.add(new long[] {h, bytes.length - h, 0});
                }
                default -> {
                    int third = bytes.length / 3;
                    buffers.add(new long[] {0, third, 0});
                    buffers.add(new long[] {third, third, 0});
                    buffers.add(new long[] {2L * third, bytes.length - 2L * third, 0});
                }
            }
            if (((shape >> 2) & 31) == 31) {
                buffers.add(new long[] {-1, 16, WRITE}); // writable bytes after the packet: the device ignores them
            }
            boolean indirect = (shape & 0x80) != 0 && (features & VsockDriver.INDIRECT_DESC) != 0 && tablesUsed < 1024;
            int count = indirect ? 1 : buffers.size();
            if (txNext + count > VsockDriver.SIZE || txData + bytes.length + 64 > TX_END) {
                try {
                    process();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                if (broken()) {
                    return;
                }
            }
            long base = txData;
            memory.write(GuestAddress.of(base), bytes);
            txData = (txData + bytes.length + 16 + 15) & ~15L;
            long table = TABLES + 256L * tablesUsed;
            int head = txNext;
            for (int i = 0; i < buffers.size(); i++) {
                long[] b = buffers.get(i);
                long address = b[0] < 0 ? txData - 16 : base + b[0];
                int flags = (int) b[2] | (i < buffers.size() - 1 ? NEXT : 0);
                if (indirect) {
                    writeDescriptor(table, i, address, b[1], flags, i + 1);
                } else {
                    driver.descriptor(TXQ, txNext + i, address, b[1], flags, txNext + i + 1);
                }
            }
            if (indirect) {
                driver.descriptor(TXQ, head, table, 16L * buffers.size(), INDIRECT, 0);
                tablesUsed++;
            }
            txNext += count;
            driver.publish(TXQ, head);
            chainsSent++;
        }

        private void writeDescriptor(long table, int index, long address, long length, int flags, int next) {
            memory.write(GuestAddress.of(table + 16L * index), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(0, address).putInt(8, (int) length).putShort(12, (short) flags).putShort(14, (short) next).array());
        }

        /** Receive buffers: a count, a length (a whole packet, the header alone, less than a header, ...) and a shape. */
        private void offerRx(ByteBuffer in) {
            int count = 1 + u8(in) % 16;
            int code = u8(in);
            int length = switch (code % 16) {
                case 2 -> HEADER;
                case 3 -> HEADER + 1;
                case 4 -> HEADER + 65536;
                case 5 -> HEADER - 1 - (code >> 4) % 4; // too short: a broken rule
                case 6, 7 -> HEADER + u16(in) % 70_000;
                default -> HEADER + 4096;
            };
            int pieces = 1 + (code >> 6) % 3;
            boolean readableFirst = (code & 0x20) != 0;
            for (int c = 0; c < count; c++) {
                int needed = pieces + (readableFirst ? 1 : 0);
                if (rxFreeDescriptors.size() < needed) {
                    break;
                }
                int[] descriptors = new int[needed];
                for (int i = 0; i < needed; i++) {
                    descriptors[i] = rxFreeDescriptors.poll();
                }
                int head = descriptors[0];
                long slot = RX_DATA + RX_SLOT * head;
                int d = 0;
                if (readableFirst) {
                    driver.descriptor(RXQ, descriptors[d], slot + RX_SLOT - 64, 32, NEXT, descriptors[d + 1]); // ignored by the device
                    d++;
                }
                // The writable run is contiguous in the slot, so that the rig reads it back in one piece.
                long at = slot;
                for (int i = 0; i < pieces; i++) {
                    int part = i == pieces - 1 ? length - length / pieces * (pieces - 1) : length / pieces;
                    boolean last = i == pieces - 1;
                    driver.descriptor(RXQ, descriptors[d], at, part, WRITE | (last ? 0 : NEXT), last ? 0 : descriptors[d + 1]);
                    at += part;
                    d++;
                }
                memory.fill(GuestAddress.of(slot), length, (byte) 0x5a);
                rxChains.put(head, descriptors);
                rxWritable.put(head, (long) length);
                driver.publish(RXQ, head);
            }
            driver.write(VsockDriver.QUEUE_NOTIFY, RXQ);
        }

        /** A descriptor of any content put on a queue: mostly inside guest memory (never on the canary), sometimes anywhere. */
        private void rawDescriptor(ByteBuffer in) {
            int code = u8(in);
            int q = (code & 1) != 0 ? RXQ : TXQ;
            int index = u8(in) % VsockDriver.SIZE;
            long address = (code & 2) != 0 ? u64(in) : TX_DATA + u32(in) % (TX_END - TX_DATA);
            if (Long.compareUnsigned(address, CANARY_END) < 0 && Long.compareUnsigned(address + 0x20000, CANARY) > 0) {
                address = TX_DATA; // a writable buffer there would be the device's to write
            }
            long length = (code & 4) != 0 ? Integer.toUnsignedLong(u32(in)) : u16(in) % 0x10000;
            driver.descriptor(q, index, address, length, u8(in) & 7, u8(in) % 128);
            driver.publish(q, index);
            if (q == TXQ) {
                txNext = VsockDriver.SIZE; // its descriptors may be anyone's now: the next packet waits for the device
            } else {
                rawRx = true;
            }
            driver.notifyTx();
        }

        /** The guest answers the last REQUEST: RESPONSE, or RST when {@code refuse}. */
        private void answerRequest(boolean refuse) {
            if (lastRequestPort == -1) {
                return;
            }
            int op = refuse ? VsockDriver.RST : VsockDriver.RESPONSE;
            sendChain(Packet.of(CID, HOST, lastRequestPort, lastRequestFrom, op, 0, 64 << 10, 0, new byte[0]).header(), 0);
            if (!refuse) {
                known.add(new int[] {lastRequestPort, lastRequestFrom});
            }
        }

        private void knownData(ByteBuffer in) {
            if (known.isEmpty()) {
                return;
            }
            int[] c = known.get(u8(in) % known.size());
            byte[] body = new byte[payloadLength(in) % 16_385];
            data.nextBytes(body);
            sendChain(VsockDriver.concat(Packet.of(CID, HOST, c[0], c[1], VsockDriver.RW, 0, 64 << 10, 0, body).header(), body), u8(in) & 0x83);
        }

        private void knownControl(ByteBuffer in) {
            if (known.isEmpty()) {
                return;
            }
            int[] c = known.get(u8(in) % known.size());
            int code = u8(in);
            int op = new int[] {VsockDriver.SHUTDOWN, VsockDriver.CREDIT_REQUEST, VsockDriver.CREDIT_UPDATE, VsockDriver.RST}[code & 3];
            sendChain(Packet.of(CID, HOST, c[0], c[1], op, (code >> 2) & 3, 64 << 10, u32(in), new byte[0]).header(), 0);
        }

        private void guestRequest(ByteBuffer in) {
            int code = u8(in);
            int hostPort = (code & 3) == 3 ? 5002 : LISTENING[code & 1];
            int guestPort = 41_000 + (code >> 2);
            sendChain(Packet.of(CID, HOST, guestPort, hostPort, VsockDriver.REQUEST, 0, 64 << 10, 0, new byte[0]).header(), 0);
            known.add(new int[] {guestPort, hostPort});
        }

        /** A host program's move: connect with a line of any bytes, write, read, shut its output, close. */
        private void host(ByteBuffer in) throws IOException {
            int code = u8(in);
            if ((code & 7) <= 1 || hosts.isEmpty()) {
                if (hosts.size() >= 16) {
                    return;
                }
                SocketChannel h = SocketChannel.open(StandardProtocolFamily.UNIX);
                hosts.add(h);
                byte[] line = (code & 8) != 0 ? bytes(in, u8(in) % 40)
                        : ("CONNECT " + (52 + (code >> 4)) + "\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    h.configureBlocking(false); // a full backlog refuses at once rather than blocking
                    if (h.connect(UnixDomainSocketAddress.of(socket))) {
                        h.write(ByteBuffer.wrap(line));
                    }
                } catch (IOException e) {
                    // refused, or closed by the device at once (too many connections)
                }
                return;
            }
            SocketChannel h = hosts.get((code >> 3) % hosts.size());
            try {
                switch (code & 7) {
                    case 2, 3 -> {
                        byte[] body = new byte[payloadLength(in)];
                        data.nextBytes(body);
                        h.write(ByteBuffer.wrap(body));
                        hostWrote = true;
                    }
                    case 4, 5 -> {
                        ByteBuffer sink = ByteBuffer.allocate(64 << 10);
                        while (h.read(sink) > 0) {
                            sink.clear();
                        }
                    }
                    case 6 -> h.shutdownOutput();
                    default -> {
                        h.close();
                        hosts.remove(h);
                    }
                }
            } catch (IOException e) {
                // the device closed its end: a host program sees that too
            }
        }

        /** The device's connections to the host listeners, taken so that they can be written and read. */
        private void acceptAll() throws IOException {
            for (ServerSocketChannel l : listeners) {
                SocketChannel c;
                while ((c = l.accept()) != null) {
                    c.configureBlocking(false);
                    if (hosts.size() < 24) {
                        hosts.add(c);
                    } else {
                        c.close();
                    }
                }
            }
        }

        /** After the reset: no connection, the bounds held throughout, nothing written outside the buffers given. */
        private void check() throws IOException {
            VirtioVsock.Counters counters = device.counters();
            assertEquals(0, counters.connections(), counters.toString());
            assertEquals(0, counters.handshakes(), counters.toString());
            assertEquals(0, counters.hostBoundBytes(), counters.toString());
            assertTrue(counters.maxHostBoundBytes() <= LIMITS.bufAlloc(), counters.toString());
            assertTrue(counters.maxPendingPackets() <= LIMITS.maxConnections() + VsockMuxer.MAX_ORPHAN_RESETS, counters.toString());
            byte[] canary = memory.read(GuestAddress.of(CANARY), (int) (CANARY_END - CANARY));
            for (int i = 0; i < canary.length; i++) {
                if (canary[i] != (byte) 0xa5) {
                    fail("the device wrote at 0x" + Long.toHexString(CANARY + i) + ", in no buffer it was given");
                }
            }
            for (SocketChannel h : hosts) {
                h.close();
            }
            hosts.clear();
            acceptAll(); // the device's last connections, still in the backlogs
            for (SocketChannel h : hosts) {
                h.close();
            }
            hosts.clear();
        }
    }

    @Test
    void aHostileDriverAndHostileHostProgramsNeitherBreakNorGrowTheDevice() throws IOException {
        Path dir = Files.createTempDirectory("vmm-vsock-fuzz");
        VirtioVsockTest.loadTheJdksUnixSockets(dir);
        Map<String, Long> descriptorsBefore = VirtioVsockTest.socketDescriptors();
        long[] totals = new long[4]; // inputs, chains sent, packets checked, queues broken
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), VsockDriver.MEMORY);
             VirtioVsock device = VirtioVsock.open(CID, dir.resolve("v.sock"), LIMITS)) {
            for (int port : LISTENING) {
                ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                l.bind(UnixDomainSocketAddress.of(Path.of(device.socket() + "_" + port)));
                l.configureBlocking(false);
                listeners.add(l);
            }
            Fuzzer.Result result = Fuzzer.named("virtio-vsock").seeds(seeds()).inputs(400).maxLength(1024).run(input -> {
                Rig rig = new Rig(device, memory, listeners, input.length);
                try {
                    rig.play(input);
                } finally {
                    rig.driver.write(STATUS, 0);
                    for (SocketChannel h : rig.hosts) {
                        h.close();
                    }
                }
                totals[0]++;
                totals[1] += rig.chainsSent;
                totals[2] += rig.packetsChecked;
                totals[3] += rig.brokenQueues;
            });
            System.out.printf(Locale.ROOT, "virtio-vsock: %d inputs, %d chains sent, %d packets from the device checked, %d queues broken (%.0f inputs/s)%n",
                    totals[0], totals[1], totals[2], totals[3], result.perSecond());
            // Refusing everything would pass too: the inputs must reach the packet paths and the broken-queue one.
            assertTrue(totals[2] >= totals[0] && totals[3] >= 10, totals[2] + " packets checked, " + totals[3] + " queues broken");
        } finally {
            for (ServerSocketChannel l : listeners) {
                l.close();
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
        assertEquals(descriptorsBefore, VirtioVsockTest.socketDescriptors(), "every socket, selector and wake-up descriptor closed");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("vmm-virtio-vsock")), "no worker left");
    }

    /** Inputs as op streams (see {@link Rig#play}). */
    private static final class Ops extends FuzzSeed<Ops> {
        /** bit 0: EVENT_IDX; bit 1: INDIRECT_DESC; bit 2: no receive buffers at first; bit 3: used ones not given back. */
        Ops(int how) {
            put(how);
        }

        Ops rx(int count, int code) {
            return put(2, count, code);
        }

        Ops process() {
            return put(4);
        }
    }

    static List<byte[]> seeds() {
        return List.of(
                // The guest connects to a host listener, sends, shuts down; the host writes and reads.
                new Ops(3).rx(16, 0).put(9, 0).process().put(7, 0).le(200, 2).put(0).process()
                        .put(3, 2).le(300, 2).put(3, 4).process().put(8, 0, 3 << 2).le(0, 4).process().bytes(),
                // A host program's CONNECT, the guest's RESPONSE, bytes both ways, a close.
                new Ops(1).rx(16, 0).put(3, 0).process().put(6, 0).process().put(3, 2).le(100, 2).process()
                        .put(7, 0).le(50, 2).put(1).process().put(3, 7).process().bytes(),
                // A refused CONNECT, a line of garbage, and a guest REQUEST to nobody.
                new Ops(0).rx(8, 0).put(3, 0).process().put(6, 1).put(3, 8, 10).put(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
                        .put(9, 3).process().bytes(),
                // Packets with wrong CIDs, types and lengths, in odd chain shapes.
                new Ops(2).rx(4, 0).put(0, 0x02).le(99, 8).put(2, 1, 0, 0, 0).le(10, 2).put(1 | 5 << 2)
                        .put(0, 0x20, 6, 1, 0, 0).le(20, 2).put(0x80).put(0, 0x40, 2, 5, 0, 0).le(8, 2).le(100_000, 4).put(3).process().bytes(),
                // Receive buffers of a header alone, of a whole packet, of odd sizes; a reset; one too short.
                new Ops(1).rx(2, 2).rx(2, 4).rx(3, 6).le(1000, 2).put(9, 0).process().put(5).rx(1, 5).process().bytes(),
                // A host program writes much to a guest with few receive buffers, then stops reading what the guest sends.
                new Ops(1).rx(2, 0).put(3, 0).process().put(6, 0).process().put(3, 2).le(0x7fff, 2).put(3, 2).le(0x7fff, 2).process()
                        .rx(4, 0).process().put(7, 0).le(0x4000, 2).put(0).put(7, 0).le(0x4000, 2).put(0).process().bytes(),
                // The guest connects; the host program writes, shuts its output; the guest shuts down both ways.
                new Ops(1).put(9, 0).process().put(3, 2).le(0x3000, 2).process().put(3, 6).process()
                        .put(8, 0, 0 | 3 << 2).le(0, 4).process().bytes(),
                // Credit: the guest asks, updates, and sends more than it was given.
                new Ops(3).put(9, 1).process().put(8, 0, 1).le(0, 4).put(8, 0, 2).le(4096, 4).process()
                        .put(7, 0).le(0x3fff, 2).put(0).put(7, 0).le(0x3fff, 2).put(0).put(7, 0).le(0x3fff, 2).put(0).process().bytes(),
                // A raw descriptor and an available index that jumps.
                new Ops(3).rx(4, 0).put(0xf0, 0xf0, 0, 3).le(0x1000, 4).le(64, 2).put(0, 0).process().put(0xf8, 0xf0).le(999, 2).process().bytes());
    }
}
