// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.virtio.VirtioMmio;
import dev.vmm.core.virtio.Virtqueue;
import dev.vmm.core.virtio.vsock.VsockDriver.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static dev.vmm.core.virtio.vsock.VsockDriver.CREDIT_REQUEST;
import static dev.vmm.core.virtio.vsock.VsockDriver.CREDIT_UPDATE;
import static dev.vmm.core.virtio.vsock.VsockDriver.DEVICE_NEEDS_RESET;
import static dev.vmm.core.virtio.vsock.VsockDriver.HEADER;
import static dev.vmm.core.virtio.vsock.VsockDriver.HOST;
import static dev.vmm.core.virtio.vsock.VsockDriver.REQUEST;
import static dev.vmm.core.virtio.vsock.VsockDriver.RESPONSE;
import static dev.vmm.core.virtio.vsock.VsockDriver.RST;
import static dev.vmm.core.virtio.vsock.VsockDriver.RW;
import static dev.vmm.core.virtio.vsock.VsockDriver.SHUTDOWN;
import static dev.vmm.core.virtio.vsock.VsockDriver.SHUTDOWN_RCV;
import static dev.vmm.core.virtio.vsock.VsockDriver.SHUTDOWN_SEND;
import static dev.vmm.core.virtio.vsock.VsockDriver.STATUS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtio-vsock device driven through virtio-mmio as Linux drives it, against host programs on
 * Unix sockets in a temporary folder: both handshakes, data both ways under credit, half-closes,
 * refusals, the bounds on connections, buffers and control packets, resets, and the descriptors
 * and threads left afterwards.
 */
class VirtioVsockTest {
    private static final long CID = 3;
    private static final int BUFFER = VirtioVsock.BUFFER_SIZE;
    /** Timeouts of a second, not 2 and 5: long enough for a loaded machine to answer in time, short enough to wait for. */
    private static final VirtioVsock.Limits SHORT = new VirtioVsock.Limits(VirtioVsock.MAX_CONNECTIONS, BUFFER,
            TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));

    @TempDir
    Path dir;
    private final GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), VsockDriver.MEMORY);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Map<String, Long> fdsBefore;

    /** A condition that may do socket I/O. */
    @FunctionalInterface
    interface IoCondition {
        boolean test() throws IOException;
    }

    /** The JDK keeps a socket of its own open from its first Unix socket on: opened here, before anything is counted. */
    @BeforeAll
    static void loadTheJdksUnixSockets(@TempDir Path dir) throws IOException {
        try (ServerSocketChannel listener = HostSocket.listen(dir.resolve("warm-up"));
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("warm-up")));
             SocketChannel server = listener.accept()) {
            client.write(ByteBuffer.wrap(new byte[1]));
        }
    }

    @BeforeEach
    void countDescriptors() throws IOException {
        fdsBefore = socketDescriptors();
    }

    @AfterEach
    void closeAndCheckNothingLeaks() throws Exception {
        for (AutoCloseable c : toClose.reversed()) { // sockets first, then devices: their workers stop before the memory goes
            c.close();
        }
        memory.close();
        assertEquals(fdsBefore, socketDescriptors(), "every socket, selector and wake-up descriptor closed");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("vmm-virtio-vsock")), "no worker left");
    }

    private VirtioVsock open(VirtioVsock.Limits limits) {
        VirtioVsock device = VirtioVsock.open(CID, dir.resolve("v.sock"), limits);
        toClose.add(device);
        return device;
    }

    private VirtioVsock open() {
        return open(VirtioVsock.Limits.DEFAULT);
    }

    private VsockDriver up(VirtioVsock device) {
        VsockDriver driver = new VsockDriver(device, memory, CID);
        assertTrue(driver.bringUp(), "FEATURES_OK");
        return driver;
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private HostSocket hostConnect(VirtioVsock device) throws IOException {
        return closing(HostSocket.connect(device.socket()));
    }

    /** A host program's connection to guest port {@code port}, accepted by the guest with a buffer of {@code bufAlloc}. */
    private Connected connectFromHost(VirtioVsock device, VsockDriver driver, int port, int bufAlloc) throws IOException {
        HostSocket host = hostConnect(device);
        host.write("CONNECT " + port + "\n");
        Packet request = driver.await(p -> p.op() == REQUEST && p.dstPort() == port, "REQUEST to port " + port);
        GuestStream guest = new GuestStream(driver, port, request.srcPort(), bufAlloc);
        guest.absorb(request);
        guest.send(RESPONSE, 0, new byte[0]);
        assertEquals("OK " + Integer.toUnsignedString(request.srcPort()), host.readLine());
        return new Connected(host, guest, request);
    }

    /** The guest's connection from {@code guestPort} to the host program listening at {@code <socket>_<hostPort>}. */
    private Connected connectFromGuest(VirtioVsock device, VsockDriver driver, int guestPort, int hostPort) throws IOException {
        ServerSocketChannel listener = closing(HostSocket.listen(Path.of(device.socket() + "_" + hostPort)));
        GuestStream guest = new GuestStream(driver, guestPort, hostPort, BUFFER);
        guest.send(REQUEST, 0, new byte[0]);
        Packet response = driver.await(guest::owns, "an answer to the REQUEST");
        assertEquals(RESPONSE, response.op(), response.toString());
        guest.absorb(response);
        return new Connected(closing(HostSocket.accept(listener)), guest, response);
    }

    private record Connected(HostSocket host, GuestStream guest, Packet first) {
    }

    private static void dispatch(List<Packet> packets, GuestStream... streams) {
        for (Packet p : packets) {
            for (GuestStream s : streams) {
                if (s.owns(p)) {
                    s.absorb(p);
                }
            }
        }
    }

    /** Hands {@code guest} what the device sends it until {@code done}. */
    private static void awaitGuest(VsockDriver driver, GuestStream guest, BooleanSupplier done, String what) {
        driver.await(() -> {
            dispatch(driver.receive(), guest);
            return done.getAsBoolean();
        }, what);
    }

    private static void await(VsockDriver driver, IoCondition done, String what) {
        driver.await(() -> {
            try {
                return done.test();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, what);
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void itIsASocketDeviceWithThreeQueuesAndTheGuestCidInItsConfiguration() {
        VirtioVsock device = VirtioVsock.open(0xfedcba98L, dir.resolve("v.sock"));
        toClose.add(device);
        VsockDriver driver = new VsockDriver(device, memory, 0xfedcba98L);
        assertEquals(19, driver.read(VsockDriver.DEVICE_ID));
        assertEquals(VsockDriver.VERSION_1 | VsockDriver.INDIRECT_DESC | VsockDriver.EVENT_IDX, driver.offeredFeatures(),
                "nothing of its own: a stream socket needs no feature bit in virtio 1.x");
        for (int q = 0; q < 3; q++) {
            driver.write(VsockDriver.QUEUE_SEL, q);
            assertEquals(256, driver.read(VsockDriver.QUEUE_NUM_MAX), "queue " + q);
        }
        driver.write(VsockDriver.QUEUE_SEL, 3);
        assertEquals(0, driver.read(VsockDriver.QUEUE_NUM_MAX), "no fourth queue");
        assertEquals(0xfedcba98L, driver.config(0, 8).getLong(0), "guest_cid, little-endian");
        driver.mmio.write(VsockDriver.CONFIG, new byte[] {1, 2, 3, 4});
        assertEquals(0xfedcba98L, driver.config(0, 8).getLong(0), "configuration writes are ignored");
        assertEquals(0xfedcba98L, device.guestCid());
        assertEquals(dir.resolve("v.sock"), device.socket());
    }

    @Test
    void aHostProgramConnectsWithAConnectLineAndBytesFlowBothWaysUnderCredit() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromHost(device, driver, 1234, 64 << 10);
        Packet request = c.first();
        assertEquals(0, request.len());
        assertEquals(1234, request.dstPort());
        assertTrue(Integer.toUnsignedLong(request.srcPort()) >= 1L << 30, "a local port of the device's choosing: " + request);
        assertEquals(BUFFER, request.bufAlloc(), "buf_alloc");
        assertEquals(0, request.fwdCnt());

        // Host to guest: 1 MiB through a guest buffer of 64 KiB, so the device waits for credit
        // (GuestStream fails if it ever sends more than the guest has room for).
        byte[] down = bytes(1 << 20, 1);
        ByteBuffer out = ByteBuffer.wrap(down);
        GuestStream guest = c.guest();
        await(driver, () -> {
            c.host().writeSome(out);
            dispatch(driver.receive(), guest);
            return guest.in.size() == down.length;
        }, "1 MiB from the host");
        assertArrayEquals(down, guest.in.toByteArray());

        // Guest to host: 1 MiB, four times the device's buffer, in packets of 4 KiB as Linux sends.
        byte[] up = bytes(1 << 20, 2);
        int[] sent = {0};
        await(driver, () -> {
            dispatch(driver.receive(), guest);
            sent[0] += guest.sendSome(up, sent[0], 4096);
            c.host().readSome();
            return c.host().received().length == up.length;
        }, "1 MiB from the guest");
        assertArrayEquals(up, c.host().received());
        assertTrue(guest.creditUpdates > 0, "the device told the guest of the room its host program made");
        assertEquals(1, device.counters().connections());
        assertTrue(device.counters().maxHostBoundBytes() <= BUFFER, device.counters().toString());
        assertTrue(driver.eventsUntouched(), "the event queue is never used");
    }

    @Test
    void theDeviceSendsTheGuestNoMoreThanItsCreditAndAsksForMore() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromHost(device, driver, 99, 10_000);
        GuestStream guest = c.guest();
        guest.consuming = false; // an application that does not read
        c.host().writeAll(bytes(50_000, 3));
        awaitGuest(driver, guest, () -> guest.creditRequests > 0, "a CREDIT_REQUEST");
        assertEquals(10_000, guest.in.size(), "exactly the credit, not a byte more");
        guest.consume(10_000); // sends a CREDIT_UPDATE: room for 10 000 more
        awaitGuest(driver, guest, () -> guest.in.size() == 20_000, "the next 10 000 bytes");
        guest.consuming = true;
        guest.consume(10_000);
        awaitGuest(driver, guest, () -> guest.in.size() == 50_000, "the rest");
        assertArrayEquals(bytes(50_000, 3), guest.in.toByteArray());
    }

    @Test
    void withoutReceiveBuffersTheDeviceReadsNothingFromTheHostProgram() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = new VsockDriver(device, memory, CID);
        driver.refill = false;
        assertTrue(driver.bringUp(VsockDriver.VERSION_1 | VsockDriver.EVENT_IDX, 1, HEADER + 4096)); // one buffer: for the REQUEST
        Connected c = connectFromHost(device, driver, 55, 64 << 20);
        HostSocket host = c.host();
        GuestStream guest = c.guest();

        // The guest's credit is 64 MiB, but it offers no buffer: the host program can write only what
        // its socket holds, as the device reads nothing it could not hand on at once.
        byte[] data = bytes(8 << 20, 8);
        ByteBuffer out = ByteBuffer.wrap(data);
        int[] idle = {0};
        await(driver, () -> {
            idle[0] = host.writeSome(out) == 0 ? idle[0] + 1 : 0;
            return idle[0] == 20; // twenty tries in a row, at least 10 ms apart, found the socket full
        }, "the host's socket to fill");
        int written = out.position();
        assertTrue(written < 4 << 20, written + " bytes written into a stream that nobody reads");
        assertEquals(List.of(), driver.drain(), "nothing for the guest");

        driver.refill = true;
        driver.offerRx(VsockDriver.SIZE);
        await(driver, () -> {
            host.writeSome(out);
            dispatch(driver.receive(), guest);
            return guest.in.size() == data.length;
        }, "everything once there are buffers");
        assertArrayEquals(data, guest.in.toByteArray());
    }

    @Test
    void aGuestConnectsToTheHostProgramListeningAtThePathWithThePort() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromGuest(device, driver, 40_000, 5000);
        assertEquals(5000, c.first().srcPort());
        assertEquals(40_000, c.first().dstPort());
        assertEquals(BUFFER, c.first().bufAlloc());
        c.guest().send(RW, 0, "hello".getBytes());
        assertArrayEquals("hello".getBytes(), c.host().read(5));
        c.host().write("world");
        awaitGuest(driver, c.guest(), () -> c.guest().in.size() == 5, "the host's answer");
        assertEquals("world", c.guest().in.toString(StandardCharsets.US_ASCII));
        assertEquals(1, device.counters().connections());
    }

    @Test
    void aGuestConnectingWhereNothingListensIsReset() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Files.writeString(Path.of(device.socket() + "_5002"), "a regular file, not a socket");
        for (int port : new int[] {5001, 5002, -1}) {
            GuestStream guest = new GuestStream(driver, 40_001, port, BUFFER);
            guest.send(REQUEST, 0, new byte[0]);
            Packet answer = driver.await(guest::owns, "an answer to the REQUEST to port " + port);
            assertEquals(RST, answer.op(), answer.toString());
            assertEquals(0, answer.len());
        }
        assertEquals(0, device.counters().connections());
    }

    @Test
    void aHostConnectionTheGuestRefusesOrLeavesUnansweredIsClosed() throws IOException {
        VirtioVsock device = open(SHORT);
        VsockDriver driver = up(device);
        HostSocket refused = hostConnect(device);
        refused.write("CONNECT 77\n");
        Packet request = driver.await(p -> p.op() == REQUEST, "REQUEST");
        driver.send(Packet.of(CID, HOST, 77, request.srcPort(), RST, 0, 0, 0, new byte[0]));
        assertArrayEquals(new byte[0], refused.awaitEnd(), "closed without an OK");

        HostSocket unanswered = hostConnect(device);
        unanswered.write("CONNECT 78\n");
        Packet second = driver.await(p -> p.op() == REQUEST && p.dstPort() == 78, "REQUEST");
        assertArrayEquals(new byte[0], unanswered.awaitEnd(), "closed once the guest took too long to answer");
        Packet reset = driver.await(p -> p.op() == RST, "the RST that ends the request");
        assertEquals(second.srcPort(), reset.srcPort());
        assertEquals(78, reset.dstPort());
        assertEquals(0, device.counters().connections());
    }

    @Test
    void badConnectLinesCloseTheirSocketAndNothingElse() throws IOException {
        VirtioVsock device = open(SHORT);
        VsockDriver driver = up(device);
        Connected good = connectFromHost(device, driver, 7, BUFFER);
        List<String> lines = List.of("HELLO 5\n", "CONNECT x\n", "CONNECT 4294967296\n", "CONNECT -1\n", "CONNECT 5 6\n", "CONNECT\n",
                "\n", "A".repeat(40), "CONNECT 5", "CONNECT 000000000005 \n");
        List<HostSocket> bad = new ArrayList<>();
        for (String line : lines) {
            HostSocket h = hostConnect(device);
            h.write(line);
            bad.add(h);
        }
        bad.add(hostConnect(device)); // says nothing at all
        HostSocket gone = HostSocket.connect(device.socket());
        gone.close(); // and one that leaves at once
        for (int i = 0; i < bad.size(); i++) {
            assertArrayEquals(new byte[0], bad.get(i).awaitEnd(), i < lines.size() ? lines.get(i) : "silent");
        }
        assertEquals(List.of(), driver.drain(), "the guest heard of none of them");
        assertEquals(0, device.counters().handshakes());

        HostSocket lower = hostConnect(device);
        lower.write(" connect\t4294967295 \r\n"); // any case, blanks around, the highest port
        Packet request = driver.await(p -> p.op() == REQUEST, "REQUEST");
        assertEquals(-1, request.dstPort());

        good.host().write("still here");
        awaitGuest(driver, good.guest(), () -> good.guest().in.size() == 10, "the good connection's bytes");
        assertEquals("still here", good.guest().in.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void theGuestShutsItsSendingSideThenTheHostItsOwn() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromGuest(device, driver, 40_002, 5003);
        GuestStream guest = c.guest();
        guest.send(RW, 0, "last words".getBytes());
        guest.send(SHUTDOWN, SHUTDOWN_SEND, new byte[0]);
        assertArrayEquals("last words".getBytes(), c.host().awaitEnd(), "the host reads the guest's bytes, then the end");
        c.host().write("the host goes on");
        awaitGuest(driver, guest, () -> guest.in.size() == 16, "the host's bytes after the guest's shutdown");
        assertEquals("the host goes on", guest.in.toString(StandardCharsets.US_ASCII));
        assertFalse(guest.reset);
        c.host().channel.shutdownOutput();
        awaitGuest(driver, guest, () -> guest.reset, "the RST once both sides are done");
        assertEquals(SHUTDOWN_SEND, guest.shutdownFlags, "a SHUTDOWN(SEND) for the host's end of file came first");
        assertEquals(0, device.counters().connections());
    }

    @Test
    void theHostShutsItsSendingSideThenTheGuestCloses() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromHost(device, driver, 8, BUFFER);
        GuestStream guest = c.guest();
        c.host().write("bye");
        c.host().channel.shutdownOutput();
        awaitGuest(driver, guest, guest::shutdown, "SHUTDOWN");
        assertEquals("bye", guest.in.toString(StandardCharsets.US_ASCII), "the bytes before the end");
        assertEquals(SHUTDOWN_SEND, guest.shutdownFlags);
        guest.send(RW, 0, "the guest goes on".getBytes());
        assertArrayEquals("the guest goes on".getBytes(), c.host().read(17));
        assertFalse(guest.reset);
        guest.send(SHUTDOWN, SHUTDOWN_SEND | SHUTDOWN_RCV, new byte[0]); // what Linux sends on close()
        awaitGuest(driver, guest, () -> guest.reset, "the RST that ends the connection");
        assertArrayEquals("the guest goes on".getBytes(), c.host().awaitEnd());
        assertEquals(0, device.counters().connections());
    }

    @Test
    void aCloseTheHostProgramDoesNotFinishIsResetInTime() throws IOException {
        VirtioVsock device = open(SHORT);
        VsockDriver driver = up(device);
        Connected c = connectFromGuest(device, driver, 40_008, 5010);
        GuestStream guest = c.guest();
        byte[] data = bytes(2 << 20, 7);
        int[] sent = {0};
        await(driver, () -> { // the host reads nothing, so bytes stay in the device's buffer
            dispatch(driver.receive(), guest);
            sent[0] += guest.sendSome(data, sent[0], 64 << 10);
            return guest.credit() == 0 && device.counters().hostBoundBytes() > 0;
        }, "bytes held for the host");
        guest.send(SHUTDOWN, SHUTDOWN_SEND | SHUTDOWN_RCV, new byte[0]);
        driver.awaitTransmitted();
        dispatch(driver.receive(), guest);
        assertFalse(guest.reset, "not at once: the host may still take the bytes");
        assertEquals(1, device.counters().connections());
        awaitGuest(driver, guest, () -> guest.reset, "the RST once the close timeout passed");
        byte[] got = c.host().awaitEnd();
        assertTrue(got.length < sent[0], "the bytes the host did not take in time are dropped");
        assertArrayEquals(Arrays.copyOf(data, got.length), got);
        assertEquals(0, device.counters().hostBoundBytes());
    }

    @Test
    void fiftyConnectionsAtOnceEachGetTheirOwnBytes() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        List<Connected> all = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            all.add(connectFromHost(device, driver, 1000 + i, 32 << 10));
            all.add(connectFromGuest(device, driver, 2000 + i, 3000 + i));
        }
        assertEquals(50, device.counters().connections());
        GuestStream[] streams = all.stream().map(Connected::guest).toArray(GuestStream[]::new);
        List<ByteBuffer> down = new ArrayList<>();
        List<byte[]> up = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            down.add(ByteBuffer.wrap(bytes(40_000, 100 + i)));
            up.add(bytes(40_000, 200 + i));
        }
        int[] sent = new int[all.size()];
        await(driver, () -> {
            boolean done = true;
            dispatch(driver.receive(), streams);
            for (int i = 0; i < all.size(); i++) {
                Connected c = all.get(i);
                c.host().writeSome(down.get(i));
                sent[i] += c.guest().sendSome(up.get(i), sent[i], 4096);
                c.host().readSome();
                done &= c.guest().in.size() == 40_000 && c.host().received().length == 40_000;
            }
            return done;
        }, "40 000 bytes each way on each connection");
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(bytes(40_000, 100 + i), all.get(i).guest().in.toByteArray(), "connection " + i);
            assertArrayEquals(bytes(40_000, 200 + i), all.get(i).host().received(), "connection " + i);
        }
    }

    @Test
    void aHostProgramThatStopsReadingThrottlesTheGuestThroughCreditAndTheDeviceHoldsAtMostItsBuffer() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromGuest(device, driver, 40_003, 5004);
        GuestStream guest = c.guest();
        byte[] data = bytes(4 << 20, 4);
        int[] sent = {0};
        // The host reads nothing: the guest sends until it has no credit left, and the device's
        // buffer is then (nearly) full, so that no more credit is owed.
        await(driver, () -> {
            dispatch(driver.receive(), guest);
            sent[0] += guest.sendSome(data, sent[0], 64 << 10);
            return guest.credit() == 0 && device.counters().hostBoundBytes() > BUFFER * 3 / 4;
        }, "the guest out of credit");
        assertTrue(sent[0] < data.length, "the guest could not send it all: " + sent[0]);
        dispatch(driver.drain(), guest);
        assertEquals(0, guest.sendSome(data, sent[0], 64 << 10), "still no credit");
        VirtioVsock.Counters counters = device.counters();
        assertTrue(counters.maxHostBoundBytes() <= BUFFER, counters.toString());
        assertTrue(counters.hostBoundBytes() <= BUFFER, counters.toString());

        await(driver, () -> { // the host reads again: the rest flows
            dispatch(driver.receive(), guest);
            sent[0] += guest.sendSome(data, sent[0], 64 << 10);
            c.host().readSome();
            return c.host().received().length == data.length;
        }, "all 4 MiB");
        assertArrayEquals(data, c.host().received());
        assertTrue(device.counters().maxHostBoundBytes() <= BUFFER, device.counters().toString());
        assertEquals(0, device.counters().hostBoundBytes());
    }

    @Test
    void aGuestThatIgnoresCreditIsReset() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromGuest(device, driver, 40_004, 5005);
        GuestStream guest = c.guest();
        for (int i = 0; i < 40 && !guest.reset; i++) { // 2.5 MiB: far more than the device's buffer and the socket's
            guest.sendIgnoringCredit(bytes(64 << 10, i));
            dispatch(driver.receive(), guest);
        }
        awaitGuest(driver, guest, () -> guest.reset, "the RST");
        c.host().awaitEnd();
        VirtioVsock.Counters counters = device.counters();
        assertEquals(0, counters.connections());
        assertEquals(0, counters.hostBoundBytes());
        assertTrue(counters.maxHostBoundBytes() <= BUFFER, counters.toString());
    }

    @Test
    void floodsOfResetsAndCreditRequestsDoNotGrowWhatWaitsForTheGuest() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = new VsockDriver(device, memory, CID);
        driver.refill = false;
        assertTrue(driver.bringUp(VsockDriver.VERSION_1 | VsockDriver.EVENT_IDX, 1, HEADER + 4096)); // one RX buffer: for the RESPONSE
        Connected c = connectFromGuest(device, driver, 40_005, 5006);
        for (int i = 0; i < 3000; i++) {
            c.guest().send(CREDIT_REQUEST, 0, new byte[0]);
            driver.send(Packet.of(CID, HOST, 50_000 + i, 6000 + i, RST, 0, 0, 0, new byte[0])); // RSTs of no connection: no answer
            driver.send(Packet.of(CID, HOST, 50_000 + i, 6000 + i, RW, 0, 0, 0, new byte[] {1})); // RWs of no connection: an RST each
        }
        driver.awaitTransmitted();
        VirtioVsock.Counters counters = device.counters();
        assertTrue(counters.pendingPackets() <= VsockMuxer.MAX_ORPHAN_RESETS + 1, counters.toString());
        assertTrue(counters.maxPendingPackets() <= VsockMuxer.MAX_ORPHAN_RESETS + 1, counters.toString());
        assertTrue(counters.droppedPackets() >= 3000 - VsockMuxer.MAX_ORPHAN_RESETS, "the oldest RSTs owed were dropped: " + counters);

        driver.refill = true;
        driver.offerRx(VsockDriver.SIZE);
        driver.await(() -> {
            driver.receive();
            return device.counters().pendingPackets() == 0;
        }, "everything owed delivered");
        List<Packet> got = driver.drain();
        assertEquals(VsockMuxer.MAX_ORPHAN_RESETS, got.stream().filter(p -> p.op() == RST).count(), got.toString());
        assertEquals(List.of(CREDIT_UPDATE), got.stream().filter(c.guest()::owns).map(Packet::op).toList(), "3000 requests, one update");
        assertEquals(1, device.counters().connections());
    }

    @Test
    void aResetInTheMiddleOfTrafficClosesEveryConnectionAndStopsTheWorkerButKeepsTheListener() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected fromHost = connectFromHost(device, driver, 11, 64 << 10);
        Connected fromGuest = connectFromGuest(device, driver, 40_006, 5007);
        HostSocket handshaking = hostConnect(device);
        handshaking.write("CONN");
        // Held by the device, not still in the listener's backlog, which a reset keeps (as tested below).
        driver.await(() -> device.counters().handshakes() == 1, "the device taking the host socket's handshake");
        fromHost.host().writeSome(ByteBuffer.wrap(bytes(1 << 20, 5)));
        fromGuest.guest().sendSome(bytes(1 << 20, 6), 0, 64 << 10);
        Thread worker = device.workerThread();
        assertTrue(worker.isAlive());

        driver.write(STATUS, 0);
        assertFalse(worker.isAlive(), "the reset waited for the worker");
        assertNull(device.workerThread());
        fromHost.host().awaitEnd();
        fromGuest.host().awaitEnd();
        handshaking.awaitEnd();
        VirtioVsock.Counters counters = device.counters();
        assertEquals(0, counters.connections());
        assertEquals(0, counters.handshakes());
        assertEquals(0, counters.hostBoundBytes());

        HostSocket early = hostConnect(device); // while the device is reset: it waits in the listener's backlog
        early.write("CONNECT 12\n");
        assertTrue(driver.bringUp());
        Packet request = driver.await(p -> p.op() == REQUEST, "REQUEST after the new bring-up");
        assertEquals(12, request.dstPort());
    }

    /**
     * A pause for a snapshot holds the worker without closing anything: the receive buffers it held
     * go back to the ring, the host program's bytes wait in its socket, and after the resume the
     * same connection carries them. A device restored from the saved state has none of the
     * connections: it sends the guest TRANSPORT_RESET on the event queue, and answers a packet of
     * the old connection with an RST.
     */
    @Test
    void aPauseKeepsTheConnectionsAndARestoredDeviceTellsTheGuestToResetItsOwn() throws Exception {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromHost(device, driver, 1234, 64 << 10);
        GuestStream guest = c.guest();
        driver.mmio.pause();
        Virtqueue.State rx = driver.mmio.state().queues().get(VsockDriver.RXQ);
        assertEquals(rx.nextUsed(), rx.nextAvail(), "the receive buffers the worker held are available again");
        int used = driver.usedIdx(VsockDriver.RXQ);
        byte[] during = bytes(1000, 7);
        c.host().writeAll(during);
        Thread.sleep(100); // time the worker would take to pass them on, were it not held
        assertEquals(used, driver.usedIdx(VsockDriver.RXQ), "nothing reaches the guest while paused");
        driver.mmio.resume();
        awaitGuest(driver, guest, () -> guest.in.size() == during.length, "the bytes written while paused");
        assertArrayEquals(during, guest.in.toByteArray());
        assertEquals(1, device.counters().connections(), "the connection outlived the pause");

        driver.mmio.pause();
        VirtioMmio.State saved = driver.mmio.state();
        memory.fill(GuestAddress.of(VsockDriver.EVENTS), 32, (byte) 0xff);
        VirtioVsock restored = VirtioVsock.open(CID, dir.resolve("clone.sock"));
        toClose.add(restored);
        VirtioMmio transport = new VirtioMmio(restored, memory, () -> { }, driver.deviceFailures::add);
        transport.restore(saved);
        driver.await(() -> driver.usedIdx(VsockDriver.EVQ) == 1, "the restored device's event");
        assertArrayEquals(new byte[4], driver.event(0), "VIRTIO_VSOCK_EVENT_TRANSPORT_RESET, id 0, 4 bytes");
        guest.send(RW, 0, bytes(10, 8));
        transport.write(VsockDriver.QUEUE_NOTIFY, new byte[] {VsockDriver.TXQ, 0, 0, 0});
        Packet reset = driver.await(p -> guest.owns(p) && p.op() == RST, "an RST for the old connection");
        assertEquals(CID, reset.dstCid(), reset.toString());
        assertEquals(0, restored.counters().connections());
        assertTrue(driver.deviceFailures.isEmpty(), driver.deviceFailures.toString());
    }

    @Test
    void chainsTooShortForAHeaderOrAnEventBreakTheDeviceUntilAReset() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        driver.rawChain(VsockDriver.TXQ, 0, 43, false);
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertEquals("Chain 0 of the vsock transmit queue has 43 device-readable bytes, fewer than the 44 of a packet header.",
                driver.mmio.needsResetReason().orElseThrow());
        Thread worker = device.workerThread();
        driver.await(() -> !worker.isAlive(), "the worker to end");

        assertTrue(driver.bringUp(VsockDriver.VERSION_1, 0, HEADER + 4096), "a reset and a new bring-up");
        driver.rawChain(VsockDriver.RXQ, 5, 43, true);
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertEquals("Chain 5 of the vsock receive queue has 43 device-writable bytes, fewer than the 44 of a packet header.",
                driver.mmio.needsResetReason().orElseThrow());
        assertTrue(driver.bringUp(), "a reset and a new bring-up");
        // The event queue, read only for the TRANSPORT_RESET a restored device owes: a buffer too short for an event.
        driver.descriptor(VsockDriver.EVQ, 0, VsockDriver.EVENTS, 3, VsockDriver.WRITE, 0);
        device.restored();
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertEquals("Chain 0 of the vsock event queue has 3 device-writable bytes, fewer than the 4 of an event.",
                driver.mmio.needsResetReason().orElseThrow());
        assertTrue(driver.bringUp(), "a reset and a new bring-up");
        Connected c = connectFromGuest(device, driver, 40_030, 5030);
        c.guest().send(RW, 0, "works".getBytes());
        assertArrayEquals("works".getBytes(), c.host().read(5));
        assertEquals(0, driver.deviceFailures.size());
    }

    @Test
    void packetsWithTheWrongAddressTypeLengthOrOpAreDroppedOrReset() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromGuest(device, driver, 40_007, 5008);
        closing(HostSocket.listen(Path.of(device.socket() + "_5009")));
        // Dropped without a word: not from the guest's CID, or not to the host's.
        driver.send(Packet.of(4, HOST, 40_010, 5009, REQUEST, 0, BUFFER, 0, new byte[0]));
        driver.send(Packet.of(CID, 1, 40_010, 5009, REQUEST, 0, BUFFER, 0, new byte[0]));
        driver.send(Packet.of(CID, HOST | 1L << 32, 40_010, 5009, REQUEST, 0, BUFFER, 0, new byte[0]));
        // Answered with an RST: a type other than stream, a length beyond the chain or the largest packet.
        driver.send(new Packet(CID, HOST, 40_011, 5009, 0, 2, REQUEST, 0, BUFFER, 0, new byte[0]));
        driver.send(new Packet(CID, HOST, 40_012, 5009, 10, 1, REQUEST, 0, BUFFER, 0, new byte[9]));
        driver.send(new Packet(CID, HOST, 40_013, 5009, 66_000, 1, RW, 0, BUFFER, 0, new byte[66_000]));
        List<Integer> resets = new ArrayList<>();
        await(driver, () -> {
            for (Packet p : driver.receive()) {
                assertEquals(RST, p.op(), p.toString());
                resets.add(p.dstPort());
            }
            return resets.size() == 3;
        }, "three RSTs");
        assertEquals(List.of(40_011, 40_012, 40_013), resets);
        assertEquals(1, device.counters().connections(), "no connection from the dropped REQUESTs");
        assertTrue(device.counters().droppedPackets() >= 6, device.counters().toString());

        c.guest().send(99, 0, new byte[0]); // an op that does not exist resets the connection
        awaitGuest(driver, c.guest(), () -> c.guest().reset, "the RST");
        c.host().awaitEnd();
        assertEquals(0, device.counters().connections());
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws IOException {
        VirtioVsock device = open(new VirtioVsock.Limits(3, BUFFER, SHORT.connectLineNanos(), SHORT.requestNanos(), SHORT.closeNanos()));
        VsockDriver driver = up(device);
        connectFromHost(device, driver, 20, BUFFER);
        connectFromGuest(device, driver, 40_020, 5020);
        HostSocket third = hostConnect(device);
        driver.await(() -> device.counters().handshakes() == 1, "the third, handshaking"); // counts as a connection
        HostSocket fourth = hostConnect(device);
        assertArrayEquals(new byte[0], fourth.awaitEnd(), "closed at once");
        GuestStream refused = new GuestStream(driver, 40_021, 5021, BUFFER);
        closing(HostSocket.listen(Path.of(device.socket() + "_5021")));
        refused.send(REQUEST, 0, new byte[0]);
        assertEquals(RST, driver.await(refused::owns, "an answer").op());
        third.write("CONNECT 21\n");
        assertEquals(21, driver.await(p -> p.op() == REQUEST, "REQUEST").dstPort());
        assertEquals(3, device.counters().connections());
    }

    @Test
    void closingRemovesTheSocketFileAndRefusesHostPrograms() throws IOException {
        VirtioVsock device = open();
        VsockDriver driver = up(device);
        Connected c = connectFromHost(device, driver, 30, BUFFER);
        Thread worker = device.workerThread();
        assertTrue(Files.exists(device.socket()));
        device.close();
        assertFalse(worker.isAlive(), "the close waited for the worker");
        assertFalse(Files.exists(device.socket()), "the socket file is gone");
        c.host().awaitEnd();
        assertThrows(IOException.class, () -> HostSocket.connect(device.socket()).close());
        device.close(); // twice is harmless
        assertTrue(driver.bringUp());
        assertNull(device.workerThread(), "a closed device starts no worker");
    }

    @Test
    void aBadCidOrSocketPathIsRefusedInOneSentence() throws IOException {
        for (long cid : new long[] {0, 1, 2, 0xffffffffL, 1L << 32, -1}) {
            String message = assertThrows(IllegalArgumentException.class, () -> VirtioVsock.open(cid, dir.resolve("x.sock"))).getMessage();
            assertEquals("A guest CID is 3 to 4294967294 (0 to 2 are the hypervisor's, loopback's and the host's, and only 32 bits are used), not "
                    + Long.toUnsignedString(cid) + ": give another.", message);
        }
        Path existing = Files.writeString(dir.resolve("taken"), "");
        assertEquals("Vsock socket " + existing + " already exists: remove it if an earlier run left it, or give another path.", refusal(existing));
        Path noFolder = dir.resolve("missing/v.sock");
        assertEquals("Vsock socket " + noFolder + " cannot be created because its folder " + dir.resolve("missing")
                + " does not exist: create it or give another path.", refusal(noFolder));
        Path tooLong = dir.resolve("x".repeat(120));
        assertEquals("Vsock socket " + tooLong + " is " + tooLong.toString().length()
                + " bytes long, more than the 107 of a Unix socket path: give a shorter path.", refusal(tooLong));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(existing), files.toList(), "nothing created");
        }
    }

    private static String refusal(Path socket) {
        String message = assertThrows(BootException.class, () -> VirtioVsock.open(CID, socket)).getMessage();
        assertTrue(message.endsWith(".") && message.lines().count() == 1, message);
        return message;
    }

    /** Open descriptors of the kinds the device opens: sockets, and a selector's epoll and wake-up descriptors. */
    static Map<String, Long> socketDescriptors() throws IOException {
        Map<String, Long> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // the listing's own descriptor, closed by now
                }
                if (target.startsWith("socket:") || target.equals("anon_inode:[eventpoll]") || target.equals("anon_inode:[eventfd]")) {
                    kinds.merge(target.replaceAll(":\\[\\d+\\]$", ""), 1L, Long::sum);
                }
            }
        }
        return kinds;
    }
}
