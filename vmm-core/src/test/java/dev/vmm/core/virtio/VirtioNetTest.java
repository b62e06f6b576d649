// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.FramePort.Offload;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.NetNamespace;
import dev.vmm.core.Tap;
import dev.vmm.core.TestFrames;
import dev.vmm.core.virtio.NetDriver.Chain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.vmm.core.virtio.NetDriver.CSUM;
import static dev.vmm.core.virtio.NetDriver.DEVICE_NEEDS_RESET;
import static dev.vmm.core.virtio.NetDriver.EVENT_IDX;
import static dev.vmm.core.virtio.NetDriver.GUEST_CSUM;
import static dev.vmm.core.virtio.NetDriver.GUEST_ECN;
import static dev.vmm.core.virtio.NetDriver.GUEST_TSO4;
import static dev.vmm.core.virtio.NetDriver.GUEST_TSO6;
import static dev.vmm.core.virtio.NetDriver.HEADER;
import static dev.vmm.core.virtio.NetDriver.HOST_ECN;
import static dev.vmm.core.virtio.NetDriver.HOST_TSO4;
import static dev.vmm.core.virtio.NetDriver.HOST_TSO6;
import static dev.vmm.core.virtio.NetDriver.INDIRECT_DESC;
import static dev.vmm.core.virtio.NetDriver.LINUX;
import static dev.vmm.core.virtio.NetDriver.MAC;
import static dev.vmm.core.virtio.NetDriver.MRG_RXBUF;
import static dev.vmm.core.virtio.NetDriver.RX;
import static dev.vmm.core.virtio.NetDriver.STATUS;
import static dev.vmm.core.virtio.NetDriver.STATUS_FEATURE;
import static dev.vmm.core.virtio.NetDriver.TX;
import static dev.vmm.core.virtio.NetDriver.VERSION_1;
import static dev.vmm.core.virtio.NetDriver.eventually;
import static dev.vmm.core.virtio.NetDriver.frame;
import static dev.vmm.core.virtio.NetDriver.numBuffers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtio-net device driven through virtio-mmio as Linux drives it, on a {@link MemoryPort}
 * (a tap's test double) and once on a real tap: feature negotiation, configuration, frames both
 * ways in every buffer shape, what is dropped and what breaks the device, the link status, and
 * the worker's life.
 */
class VirtioNetTest {
    private static final MacAddress ADDRESS = MacAddress.parse("02:00:00:12:34:56");
    /** What a driver that takes no offloads and no merged buffers accepts. */
    private static final long PLAIN = VERSION_1 | INDIRECT_DESC | EVENT_IDX | MAC | STATUS_FEATURE;

    private final GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 32 << 20);
    private final List<VirtioNet> devices = new ArrayList<>();

    @AfterEach
    void close() {
        devices.forEach(VirtioNet::close); // the workers stop before the memory goes
        memory.close();
        assertEquals(0, netThreads(), "no worker left behind");
    }

    private VirtioNet device(MemoryPort port) {
        VirtioNet device = new VirtioNet(port, ADDRESS);
        devices.add(device);
        return device;
    }

    private NetDriver up(VirtioNet device, long features) {
        NetDriver driver = new NetDriver(device, memory);
        assertTrue(driver.bringUp(256, features), "FEATURES_OK");
        return driver;
    }

    static long netThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals("vmm-virtio-net")).count();
    }

    /** What the driver should find in its buffers: the frame, with num_buffers set and, without GUEST_CSUM, no flags. */
    private static byte[] expected(byte[] frame, int numBuffers, boolean guestChecksum) {
        byte[] e = frame.clone();
        e[10] = (byte) numBuffers;
        e[11] = (byte) (numBuffers >> 8);
        if (!guestChecksum) {
            e[0] = 0;
        }
        return e;
    }

    @Test
    void itOffersMacStatusMergedBuffersAndOnlyTheOffloadsThePortSupports() {
        long always = VERSION_1 | INDIRECT_DESC | EVENT_IDX | MAC | STATUS_FEATURE | MRG_RXBUF;
        NetDriver all = new NetDriver(device(new MemoryPort()), memory);
        assertEquals(1, all.read(NetDriver.DEVICE_ID));
        assertEquals(always | NetDriver.OFFLOADS, all.offeredFeatures());
        for (int queue : new int[] {RX, TX}) {
            all.write(NetDriver.QUEUE_SEL, queue);
            assertEquals(256, all.read(NetDriver.QUEUE_NUM_MAX));
        }
        all.write(NetDriver.QUEUE_SEL, 2);
        assertEquals(0, all.read(NetDriver.QUEUE_NUM_MAX), "no control queue");

        assertEquals(always, new NetDriver(device(new MemoryPort(Set.of())), memory).offeredFeatures());
        assertEquals(always | CSUM | GUEST_CSUM, new NetDriver(device(new MemoryPort(EnumSet.of(Offload.CHECKSUM))), memory).offeredFeatures());
        assertEquals(always, new NetDriver(device(new MemoryPort(EnumSet.of(Offload.TSO4, Offload.TSO_ECN))), memory).offeredFeatures(),
                "TSO is nothing without checksum offload");
        assertEquals(always | CSUM | GUEST_CSUM | HOST_TSO6 | GUEST_TSO6,
                new NetDriver(device(new MemoryPort(EnumSet.of(Offload.CHECKSUM, Offload.TSO6))), memory).offeredFeatures());
        assertEquals(always | CSUM | GUEST_CSUM, new NetDriver(device(new MemoryPort(EnumSet.of(Offload.CHECKSUM, Offload.TSO_ECN))), memory).offeredFeatures(),
                "ECN is nothing without TSO");
    }

    @Test
    void theConfigurationHasTheMacTheLinkAndOneQueuePair() {
        VirtioNet device = device(new MemoryPort());
        NetDriver driver = new NetDriver(device, memory);
        ByteBuffer config = driver.config(0, 10);
        assertEquals(ByteBuffer.wrap(new byte[] {2, 0, 0, 0x12, 0x34, 0x56}), config.slice(0, 6));
        assertEquals(1, config.getShort(6), "VIRTIO_NET_S_LINK_UP");
        assertEquals(1, config.getShort(8), "max_virtqueue_pairs");
        byte[] beyond = {0x5a};
        driver.mmio.read(NetDriver.CONFIG + 10, beyond);
        assertEquals(0x5a, beyond[0], "10 bytes of configuration, no more");
        driver.mmio.write(NetDriver.CONFIG, new byte[] {9, 9, 9, 9});
        assertEquals(config, driver.config(0, 10), "configuration writes are ignored");
        assertEquals(ADDRESS, device.mac());

        VirtioNet random = new VirtioNet(new MemoryPort());
        devices.add(random);
        assertTrue(random.mac().isLocallyAdministered() && !random.mac().isMulticast(), random.mac().toString());
        assertEquals("MAC address 01:00:5e:00:00:01 is a multicast address: give the device a unicast one, such as 02:00:00:00:00:01.",
                assertThrows(IllegalArgumentException.class, () -> new VirtioNet(new MemoryPort(), MacAddress.parse("01:00:5e:00:00:01"))).getMessage());
    }

    @Test
    void macAddressesParseAndPrint() {
        assertEquals("02:00:00:12:34:56", ADDRESS.toString());
        assertEquals(ADDRESS, MacAddress.parse("02-00-00-12-34-56"));
        assertEquals(ADDRESS, MacAddress.of(new byte[] {2, 0, 0, 0x12, 0x34, 0x56}));
        assertEquals(ADDRESS.hashCode(), MacAddress.parse("02:00:00:12:34:56").hashCode());
        for (String bad : new String[] {"", "02:00:00:12:34", "02:00:00:12:34:56:78", "02:00:00:12:34:5g", "2:00:00:12:34:56", "020000123456"}) {
            assertEquals("\"" + bad + "\" is not a MAC address: write six hexadecimal bytes separated by colons, such as 02:00:00:00:00:01.",
                    assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad)).getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }

    @Test
    void thePortsReceiveOffloadsFollowWhatTheDriverAccepted() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, LINUX);
        assertEquals(Set.of(Offload.CHECKSUM, Offload.TSO4, Offload.TSO6, Offload.TSO_ECN), port.offloads());
        assertTrue(driver.bringUp(256, PLAIN | CSUM | HOST_TSO4 | HOST_TSO6 | HOST_ECN));
        assertEquals(Set.of(), port.offloads(), "transmit offloads only: the port hands over whole frames");
        assertTrue(driver.bringUp(256, PLAIN | GUEST_CSUM | GUEST_TSO6));
        assertEquals(Set.of(Offload.CHECKSUM, Offload.TSO6), port.offloads());
        assertTrue(driver.bringUp(256, PLAIN | GUEST_TSO4 | GUEST_ECN));
        assertEquals(Set.of(), port.offloads(), "TSO without GUEST_CSUM, which it needs");
        assertTrue(driver.bringUp(256, PLAIN | GUEST_CSUM | GUEST_ECN));
        assertEquals(Set.of(Offload.CHECKSUM), port.offloads(), "ECN without TSO");
        assertFalse(driver.bringUp(256, PLAIN | MRG_RXBUF | (1L << 17)), "CTRL_VQ is not offered");
        driver.write(STATUS, 0); // its rings are about to be reused

        MemoryPort plain = new MemoryPort(Set.of());
        NetDriver plainDriver = up(device(plain), PLAIN | MRG_RXBUF);
        assertEquals(Set.of(), plain.offloads());
        assertFalse(plainDriver.bringUp(256, PLAIN | GUEST_CSUM), "not offered by a port without offloads");
    }

    @Test
    void framesTheDriverSendsReachThePortWhateverTheirBuffers() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, LINUX);
        byte[] small = frame(HEADER + 60, 1), mtu = frame(HEADER + 1514, 2), tso = frame(VirtioNet.MAX_FRAME, 3, 1, 1);
        List<Chain> chains = List.of(
                driver.transmitChain(small, 1, false),
                driver.transmitChain(mtu, 2, false), // the header and the frame apart, as Linux without any_header_sg
                driver.transmitChain(tso, 17, false), // a TSO frame in pages
                driver.transmitChain(mtu, 5, true)); // through an indirect table
        driver.send(chains.toArray(Chain[]::new));
        driver.awaitUsed(TX, 4);
        List<byte[]> sent = port.sent();
        assertEquals(4, sent.size());
        assertArrayEquals(small, sent.get(0));
        assertArrayEquals(mtu, sent.get(1));
        assertArrayEquals(tso, sent.get(2), "header and all, as the driver wrote it");
        assertArrayEquals(mtu, sent.get(3));
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(new long[] {chains.get(i).head(), 0}, driver.usedElement(TX, i), "used, with nothing written");
        }
        assertEquals(new VirtioNet.Counters(4, 0, 0, 0), device.counters());
        assertEquals(0, port.reads(), "no receive buffer, no read");
    }

    @Test
    void framesTooShortTooLongOrWithWritableBuffersAreDroppedAndCounted() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, LINUX);
        byte[] longest = frame(VirtioNet.MAX_FRAME, 4);
        Chain writable = driver.chain(TX, List.of(driver.buffer(TX, frame(100, 5))), true, false);
        driver.send(driver.transmitChain(frame(HEADER - 1, 6), 1, false),
                driver.transmitChain(frame(VirtioNet.MAX_FRAME + 1, 7), 3, false),
                writable,
                driver.transmitChain(longest, 2, true),
                driver.transmitChain(frame(HEADER, 8), 1, false)); // a header and no frame: the port's to judge
        driver.awaitUsed(TX, 5);
        assertEquals(2, port.sent().size());
        assertArrayEquals(longest, port.sent().get(0));
        assertEquals(new VirtioNet.Counters(2, 3, 0, 0), device.counters());

        port.refuseWrites(true);
        driver.transmit(frame(100, 9));
        assertEquals(new VirtioNet.Counters(2, 4, 0, 0), device.counters(), "refused by the port: lost, as on a wire");
        assertEquals(0, driver.read(STATUS) & DEVICE_NEEDS_RESET, "none of that breaks the device");
    }

    @Test
    void framesFromThePortFillOneBufferEachWithoutMergedBuffers() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN);
        byte[] a = frame(HEADER + 60, 10, 2, 0), b = frame(HEADER + 1514, 11), c = frame(HEADER + 200, 12);
        port.inject(a, b, c);
        Chain first = driver.receiveChain(1526), second = driver.receiveChain(100, 1426), third = driver.receiveChain(4096);
        driver.post(first, second, third);
        driver.awaitUsed(RX, 3);
        assertArrayEquals(expected(a, 1, false), driver.received(first, a.length), "DATA_VALID cleared without GUEST_CSUM");
        assertArrayEquals(expected(b, 1, false), driver.received(second, b.length), "across the chain's two buffers");
        assertArrayEquals(expected(c, 1, false), driver.received(third, c.length));
        assertArrayEquals(new long[] {first.head(), a.length}, driver.usedElement(RX, 0));
        assertArrayEquals(new long[] {second.head(), b.length}, driver.usedElement(RX, 1));
        assertArrayEquals(new long[] {third.head(), c.length}, driver.usedElement(RX, 2));
        byte[] after = driver.received(third, c.length + 10);
        assertArrayEquals(new byte[] {-18, -18, -18, -18, -18, -18, -18, -18, -18, -18}, Arrays.copyOfRange(after, c.length, after.length),
                "nothing written past the frame");
        assertEquals(new VirtioNet.Counters(0, 0, 3, 0), device.counters());
    }

    @Test
    void aFrameBiggerThanItsBufferIsDroppedAndTheBufferTakesTheNext() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN | GUEST_CSUM);
        Chain small = driver.receiveChain(100);
        byte[] big = frame(101, 13), fits = frame(100, 14, 1, 0);
        port.inject(big, fits);
        driver.post(small);
        driver.awaitUsed(RX, 1);
        assertArrayEquals(expected(fits, 1, true), driver.received(small, 100), "NEEDS_CSUM kept: the driver takes partial checksums");
        assertEquals(new VirtioNet.Counters(0, 0, 1, 1), device.counters());
        assertEquals(0, driver.read(STATUS) & DEVICE_NEEDS_RESET);
    }

    @Test
    void mergedBuffersTakeAFrameInSeveralAndTheHeaderSaysHowMany() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN | MRG_RXBUF);
        Chain[] buffers = new Chain[6];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = driver.receiveChain(1000);
        }
        byte[] big = frame(2500, 15), small = frame(300, 16), exact = frame(1000, 17);
        port.inject(big, small, exact);
        driver.post(buffers);
        driver.awaitUsed(RX, 5);
        byte[] got = new byte[2500];
        for (int i = 0; i < 3; i++) {
            byte[] part = driver.received(buffers[i], i < 2 ? 1000 : 500);
            System.arraycopy(part, 0, got, 1000 * i, part.length);
            assertArrayEquals(new long[] {buffers[i].head(), part.length}, driver.usedElement(RX, i));
        }
        assertEquals(3, numBuffers(got));
        assertArrayEquals(expected(big, 3, false), got);
        assertArrayEquals(expected(small, 1, false), driver.received(buffers[3], 300), "the next frame starts a buffer of its own");
        assertArrayEquals(expected(exact, 1, false), driver.received(buffers[4], 1000));
        assertEquals(new VirtioNet.Counters(0, 0, 3, 0), device.counters());

        port.inject(frame(1001 + 1000, 18)); // one buffer of 1000 left: too small, and then none
        driver.post(driver.receiveChain(500), driver.receiveChain(500));
        eventually(() -> device.counters().rxDropped() == 1, "the frame bigger than every buffer posted to be dropped");
        byte[] fits = frame(1900, 19);
        port.inject(fits);
        driver.awaitUsed(RX, 8);
        assertEquals(3, numBuffers(driver.received(buffers[5], HEADER)), "the buffers kept for the next frame took it");
    }

    @Test
    void withoutRoomForAFrameThePortIsNotRead() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN | MRG_RXBUF);
        port.inject(frame(100, 20), frame(100, 21));
        driver.transmit(frame(100, 22)); // the worker ran, and looked at the receive queue too
        driver.post(driver.receiveChain(700), driver.receiveChain(700)); // 1400 bytes: less than a full-size frame
        driver.transmit(frame(100, 23));
        assertEquals(0, port.reads(), "nothing read into too little room");
        assertEquals(2, port.waiting(), "the frames wait with the port");
        driver.post(driver.receiveChain(1000)); // 2400: the first frame takes 700, and 1700 is room for the second
        driver.awaitUsed(RX, 2);
        assertEquals(0, port.waiting());
        assertEquals(new VirtioNet.Counters(2, 0, 2, 0), device.counters());
        driver.write(STATUS, 0); // its rings are about to be reused

        MemoryPort other = new MemoryPort();
        VirtioNet singleDevice = device(other);
        NetDriver single = up(singleDevice, PLAIN); // without merged buffers: one chain is room enough
        other.inject(frame(100, 24));
        single.transmit(frame(100, 25));
        assertEquals(1, other.waiting(), "no buffer posted, nothing read");
        single.post(single.receiveChain(60)); // a frame that does not fit: read, dropped, the buffer kept
        other.inject(frame(50, 26));
        single.awaitUsed(RX, 1);
        assertEquals(50, single.usedElement(RX, 0)[1]);
        assertEquals(new VirtioNet.Counters(1, 0, 1, 1), singleDevice.counters());
    }

    /**
     * A pause for a snapshot gives back the receive buffers the worker held waiting for a frame:
     * the saved queue has them as available, frames wait in the port meanwhile, the resumed device
     * takes them again, and so does a device restored from the saved state on another port.
     */
    @Test
    void aPauseGivesTheHeldReceiveBuffersBackForTheResumedOrRestoredDevice() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN | MRG_RXBUF);
        Chain[] buffers = {driver.receiveChain(1000), driver.receiveChain(1000), driver.receiveChain(1000), driver.receiveChain(1000)};
        driver.post(buffers);
        driver.transmit(frame(60, 40)); // the worker has run and holds two buffers: room for a full-size frame
        eventually(() -> driver.mmio.state().queues().get(RX).nextAvail() == 2, "the worker to hold two receive buffers");
        driver.mmio.pause();
        assertEquals(null, device.workerThread(), "no worker while paused");
        assertEquals(0, driver.mmio.state().queues().get(RX).nextAvail(), "the held buffers are available again");
        port.inject(frame(300, 41));
        driver.send(driver.transmitChain(frame(60, 42), 1, false)); // a notification while paused
        assertEquals(1, port.waiting(), "the frame waits in the port while paused");
        driver.mmio.resume();
        driver.awaitUsed(RX, 1);
        assertArrayEquals(new long[] {buffers[0].head(), 300}, driver.usedElement(RX, 0), "the first buffer, taken again, has the frame");
        driver.awaitUsed(TX, 2);

        eventually(() -> driver.mmio.state().queues().get(RX).nextAvail() == 3, "the worker to hold two buffers again");
        driver.mmio.pause();
        VirtioMmio.State saved = driver.mmio.state();
        assertEquals(1, saved.queues().get(RX).nextAvail());
        MemoryPort otherPort = new MemoryPort();
        VirtioNet restored = device(otherPort);
        VirtioMmio transport = new VirtioMmio(restored, memory, () -> { }, driver.deviceFailures::add);
        transport.restore(saved);
        otherPort.inject(frame(1500, 43));
        eventually(() -> driver.usedIdx(RX) == 3, "the restored device to deliver a frame in two buffers");
        assertArrayEquals(new long[] {buffers[1].head(), 1000}, driver.usedElement(RX, 1), "the restored device took the buffers given back");
        assertArrayEquals(new long[] {buffers[2].head(), 500}, driver.usedElement(RX, 2));
        assertEquals(2, numBuffers(driver.received(buffers[1], HEADER)));
        assertTrue(driver.deviceFailures.isEmpty(), driver.deviceFailures.toString());
    }

    @Test
    void framesWithOffloadsTheDriverDidNotAcceptAreDropped() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN | GUEST_CSUM | GUEST_TSO4 | MRG_RXBUF);
        List<Chain> posted = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            posted.add(driver.receiveChain(1500)); // 120000 bytes: room for a 64 KiB frame
        }
        driver.post(posted.toArray(Chain[]::new));
        byte[] tso4 = frame(VirtioNet.MAX_FRAME, 27, 1, 1);
        port.inject(frame(200, 28, 0, 4), frame(200, 29, 0, 0x81), frame(200, 30, 0, 3), frame(200, 31, 0, 5), tso4);
        eventually(() -> device.counters().rxFrames() == 1, "the TSO frame");
        assertEquals(new VirtioNet.Counters(0, 0, 1, 4), device.counters(), "TCPv6, ECN, UDP and USO dropped");
        int buffers = (VirtioNet.MAX_FRAME + 1499) / 1500;
        driver.awaitUsed(RX, buffers);
        assertEquals(buffers, numBuffers(driver.received(posted.getFirst(), HEADER)));

        driver.write(STATUS, 0); // its rings are about to be reused
        MemoryPort other = new MemoryPort();
        NetDriver noChecksum = up(device(other), PLAIN);
        other.inject(frame(200, 32, 1, 0), frame(200, 33, 2, 0));
        Chain one = noChecksum.receiveChain(1526);
        noChecksum.post(one, noChecksum.receiveChain(1526));
        noChecksum.awaitUsed(RX, 1);
        assertArrayEquals(expected(frame(200, 33, 2, 0), 1, false), noChecksum.received(one, 200), "NEEDS_CSUM dropped, DATA_VALID cleared");
    }

    @Test
    void aReceiveChainWithoutRoomForTheHeaderBreaksTheDevice() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, PLAIN | MRG_RXBUF);
        Chain tiny = driver.receiveChain(4, 7);
        port.inject(frame(100, 34));
        driver.post(tiny);
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertEquals("Receive chain " + tiny.head() + " has 11 device-writable bytes, no room for the 12-byte virtio-net header.",
                driver.mmio.needsResetReason().orElseThrow());
        assertEquals(2, driver.read(NetDriver.INTERRUPT_STATUS) & 2, "a configuration change interrupt");
        Thread worker = device.workerThread();
        join(worker);
        assertFalse(worker.isAlive(), "the worker reported and ended");
        assertEquals(1, port.waiting());

        assertTrue(driver.bringUp(256, PLAIN | MRG_RXBUF), "a reset and a new bring-up");
        driver.post(driver.receiveChain(2000));
        driver.awaitUsed(RX, 1);
    }

    @Test
    void aBrokenTransmitRingBreaksTheDevice() {
        NetDriver driver = up(device(new MemoryPort()), LINUX);
        driver.ring(TX).descriptor(0, NetDriver.TX_DATA, 16, TestDriver.NEXT, 1).descriptor(1, NetDriver.TX_DATA, 16, TestDriver.NEXT, 0);
        driver.send(new Chain(0, List.of()));
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertTrue(driver.mmio.needsResetReason().orElseThrow().contains("more than 256 descriptors"), driver.mmio.needsResetReason().toString());
    }

    @Test
    void aPortThatFailsLeavesTheDeviceBrokenAndTellsTheTransportsOwner() {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, LINUX);
        driver.post(driver.receiveChain(2000));
        driver.transmit(frame(100, 35)); // the worker holds the buffer, and waits on the port
        Thread worker = device.workerThread();
        port.failReads(new IOException("Reading a frame from tap vmm0 failed (errno 77): was its interface deleted?"));
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        join(worker); // the owner hears of it after the transport marked the device
        assertEquals(1, driver.deviceFailures.size());
        assertInstanceOf(IOException.class, driver.deviceFailures.getFirst());
        assertTrue(driver.mmio.needsResetReason().orElseThrow().startsWith("The device failed: java.io.IOException: Reading a frame from tap vmm0"),
                driver.mmio.needsResetReason().toString());
    }

    @Test
    void theLinkStatusChangesWithAConfigurationChangeInterrupt() {
        VirtioNet device = device(new MemoryPort());
        NetDriver driver = up(device, LINUX);
        int generation = driver.read(NetDriver.CONFIG_GENERATION);
        assertTrue(device.linkUp());
        device.setLinkUp(false);
        assertFalse(device.linkUp());
        assertEquals(0, driver.config(6, 2).getShort(0), "the link is down");
        assertEquals(2, driver.read(NetDriver.INTERRUPT_STATUS), "a configuration change, and only that");
        assertEquals(generation + 1, driver.read(NetDriver.CONFIG_GENERATION));
        driver.write(NetDriver.INTERRUPT_ACK, 2);
        device.setLinkUp(false);
        assertEquals(0, driver.read(NetDriver.INTERRUPT_STATUS), "no change, no interrupt");
        synchronized (driver.mmio) { // a vCPU in the middle of an access: the change must not wait for it
            Thread other = Thread.ofPlatform().start(() -> device.setLinkUp(true));
            join(other);
            assertFalse(other.isAlive());
        }
        assertEquals(1, driver.config(6, 2).getShort(0));
        assertEquals(2, driver.read(NetDriver.INTERRUPT_STATUS));
        driver.transmit(frame(100, 36)); // frames flow whatever the link says
    }

    @Test
    void usedBufferInterruptsComeOnlyWhenTheDriverAsks() {
        MemoryPort port = new MemoryPort();
        NetDriver driver = up(device(port), LINUX);
        driver.ring(TX).setUsedEvent(1000); // far ahead: no interrupt for the next frames
        driver.publish(TX, driver.transmitChain(frame(100, 37), 1, false), driver.transmitChain(frame(100, 38), 1, false));
        driver.write(NetDriver.QUEUE_NOTIFY, TX);
        eventually(() -> driver.usedIdx(TX) == 2, "both frames sent");
        assertEquals(0, driver.pendingInterrupts(), "used_event not reached");
        driver.ring(TX).setUsedEvent(2); // one at the third
        driver.publish(TX, driver.transmitChain(frame(100, 39), 1, false));
        driver.write(NetDriver.QUEUE_NOTIFY, TX);
        eventually(() -> driver.pendingInterrupts() == 1, "the interrupt for the third frame");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        assertEquals(1, driver.pendingInterrupts(), "that one, and no other");
    }

    @Test
    void aResetInTheMiddleOfTrafficStopsTheWorkerBeforeItReturns() throws InterruptedException {
        MemoryPort port = new MemoryPort();
        VirtioNet device = device(port);
        NetDriver driver = up(device, LINUX | MRG_RXBUF);
        long framesBefore = 0;
        for (int round = 0; round < 20; round++) {
            Thread worker = device.workerThread();
            for (int i = 0; i < 100; i++) {
                port.inject(frame(1000 + i, i));
            }
            List<Chain> buffers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                buffers.add(driver.receiveChain(1526));
            }
            driver.post(buffers.toArray(Chain[]::new));
            Chain[] sends = new Chain[50];
            for (int i = 0; i < sends.length; i++) {
                sends[i] = driver.transmitChain(frame(1500, i), 3, false);
            }
            driver.send(sends);
            // Reset once the worker has taken up this round's traffic (on a busy machine it may not have yet): in the middle of it.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (frames(device) == framesBefore && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(frames(device) > framesBefore, "the worker took up round " + round + "'s traffic: " + device.counters());
            framesBefore = frames(device);
            driver.write(STATUS, 0); // whatever the worker is doing
            assertFalse(worker.isAlive(), "the reset waited for the worker");
            assertNull(device.workerThread());
            assertTrue(driver.bringUp(256, LINUX | MRG_RXBUF));
            assertNotSame(worker, device.workerThread());
        }
        device.close();
        assertTrue(port.closed(), "closing the device closes its port");
        assertEquals(0, netThreads());
        assertTrue(driver.bringUp(256, LINUX), "a closed device still answers the transport");
        assertNull(device.workerThread(), "but starts no worker");
        device.close(); // a second close does nothing
    }

    /** Frames the device has sent and received so far. */
    private static long frames(VirtioNet device) {
        VirtioNet.Counters counters = device.counters();
        return counters.rxFrames() + counters.txFrames();
    }

    @Test
    void theHeapAFrameTakesDoesNotGrowWithItsLength() {
        MemoryPort port = new MemoryPort();
        port.keepSent(false);
        VirtioNet device = device(port);
        NetDriver driver = up(device, LINUX);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] big = frame(VirtioNet.MAX_FRAME, 40, 1, 1);
        for (int i = 0; i < 200; i++) { // warm up: classes loaded, code compiled
            driver.transmit(i % 2 == 0 ? big : frame(100, 41));
        }
        long worker = device.workerThread().threadId();
        long[] perFrame = new long[2];
        for (int round = 0; round < 2; round++) { // 64 KiB frames, then small ones: the same bookkeeping
            byte[] frame = round == 0 ? big : frame(100, 41);
            long before = threads.getThreadAllocatedBytes(worker);
            for (int i = 0; i < 100; i++) {
                driver.transmit(frame);
            }
            perFrame[round] = (threads.getThreadAllocatedBytes(worker) - before) / 100;
        }
        assertTrue(perFrame[0] < 16 << 10 && perFrame[0] < perFrame[1] + (8 << 10), // growing with the length would be 64 KiB more
                perFrame[0] + " bytes of the worker's heap per frame of 64 KiB, " + perFrame[1] + " per frame of 100 bytes");
    }

    /**
     * The device on a real tap in a throwaway network namespace whose kernel has 10.77.0.1: the
     * driver's ARP request goes out through the transmit queue and the kernel's reply comes back
     * in a receive buffer, with the offloads Linux would take set on the tap.
     */
    @Test
    void onARealTapTheHostsKernelAnswersTheDriver() throws Exception {
        long tunFds = tunFds();
        try (NetNamespace ns = NetNamespace.create()) {
            Tap tap = ns.call(() -> Tap.open("vmmnet0"));
            VirtioNet device = new VirtioNet(tap, ADDRESS);
            devices.add(device);
            ns.ip("addr", "add", "10.77.0.1/24", "dev", "vmmnet0");
            ns.ip("link", "set", "vmmnet0", "up");
            NetDriver driver = up(device, LINUX | MRG_RXBUF);
            List<Chain> buffers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                buffers.add(driver.receiveChain(1526));
            }
            driver.post(buffers.toArray(Chain[]::new));
            byte[] ourIp = TestFrames.ipv4("10.77.0.2"), hostIp = TestFrames.ipv4("10.77.0.1");
            driver.transmit(TestFrames.arpRequest(ADDRESS.bytes(), ourIp, hostIp));
            int[] seen = {0};
            driver.await(() -> {
                for (; seen[0] < driver.usedIdx(RX); seen[0]++) { // the kernel sends IPv6 chatter too
                    long[] used = driver.usedElement(RX, seen[0]);
                    Chain chain = buffers.stream().filter(c -> c.head() == used[0]).findFirst().orElseThrow();
                    if (TestFrames.isArpReply(ByteBuffer.wrap(driver.received(chain, (int) used[1])).order(ByteOrder.BIG_ENDIAN), hostIp, ourIp)) {
                        return true;
                    }
                }
                driver.ring(RX).setUsedEvent(seen[0]);
                return false;
            }, "the kernel's ARP reply");
            assertEquals(0, device.counters().txDropped());
            device.close();
        }
        assertEquals(tunFds, tunFds(), "the tap's fd closed with the device");
    }

    private static long tunFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(Tap.TUN_DEVICE);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(NetDriver.TIMEOUT_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void receiveOffloadsTakeWhatTheyNeed() {
        assertEquals(Set.of(), VirtioNet.receiveOffloads(GUEST_TSO4 | GUEST_TSO6 | GUEST_ECN));
        assertEquals(Set.of(Offload.CHECKSUM, Offload.TSO4, Offload.TSO_ECN), VirtioNet.receiveOffloads(GUEST_CSUM | GUEST_TSO4 | GUEST_ECN));
        assertEquals(Set.of(Offload.CHECKSUM, Offload.TSO6), VirtioNet.receiveOffloads(GUEST_CSUM | GUEST_TSO6 | HOST_TSO4));
        assertEquals(Set.of(), VirtioNet.receiveOffloads(CSUM | HOST_TSO4 | HOST_TSO6 | HOST_ECN), "transmit offloads ask nothing of the port");
    }
}
