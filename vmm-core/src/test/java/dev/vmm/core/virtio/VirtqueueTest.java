// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static dev.vmm.core.virtio.TestDriver.INDIRECT;
import static dev.vmm.core.virtio.TestDriver.NEXT;
import static dev.vmm.core.virtio.TestDriver.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Split virtqueues built by hand in guest memory: chains, indirect tables, notifications, and every broken rule. */
class VirtqueueTest {
    private static final long MIB = 1 << 20;
    private static final long RING_FEATURES = Virtqueue.INDIRECT_DESC | Virtqueue.EVENT_IDX;

    private final GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), MIB);
    private final TestDriver driver = TestDriver.at(memory, 8, 0x1000);

    @AfterEach
    void close() {
        memory.close();
    }

    private static DescriptorChain.Buffer buffer(long address, long length) {
        return new DescriptorChain.Buffer(GuestAddress.of(address), length);
    }

    @Test
    void aChainIsPoppedReadWrittenAndReturnedInTheUsedRing() throws VirtqueueException {
        memory.write(GuestAddress.of(0x10000), "hello".getBytes());
        driver.descriptor(3, 0x10000, 5, NEXT, 5).descriptor(5, 0x20000, 16, WRITE, 0).publish(3);
        Virtqueue queue = driver.queue(8, 0);

        DescriptorChain chain = queue.pop().orElseThrow();
        assertEquals(3, chain.head());
        assertEquals(List.of(buffer(0x10000, 5)), chain.readable());
        assertEquals(List.of(buffer(0x20000, 16)), chain.writable());
        byte[] into = new byte[8];
        assertEquals(5, chain.read(0, into));
        assertEquals("hello", new String(into, 0, 5));
        assertEquals(3, chain.read(2, into), "from offset 2 to the end of the readable bytes");
        assertEquals(16, chain.write(0, new byte[20]), "as much as the writable buffer holds");
        assertEquals(3, chain.write(10, "abc".getBytes()));
        assertArrayEquals("abc".getBytes(), memory.read(GuestAddress.of(0x2000a), 3));
        assertEquals(0, chain.write(16, new byte[1]));

        queue.addUsed(chain, 13);
        assertEquals(1, driver.usedIdx());
        assertArrayEquals(new long[] {3, 13}, driver.usedElement(0));
        assertTrue(queue.pop().isEmpty());
    }

    @Test
    void readsAndWritesRunAcrossTheBuffersOfAChain() throws VirtqueueException {
        memory.write(GuestAddress.of(0x10000), "abc".getBytes());
        memory.write(GuestAddress.of(0x30000), "defg".getBytes());
        driver.descriptor(0, 0x10000, 3, NEXT, 1).descriptor(1, 0x30000, 4, NEXT, 2)
                .descriptor(2, 0x20000, 2, WRITE | NEXT, 3).descriptor(3, 0x40000, 2, WRITE, 0).publish(0);
        DescriptorChain chain = driver.queue(8, 0).pop().orElseThrow();
        assertEquals(7, chain.readableLength());
        assertEquals(4, chain.writableLength());
        byte[] into = new byte[5];
        assertEquals(5, chain.read(1, into));
        assertEquals("bcdef", new String(into));
        assertEquals(3, chain.write(1, "xyz".getBytes()));
        assertEquals("x", new String(memory.read(GuestAddress.of(0x20001), 1)));
        assertEquals("yz", new String(memory.read(GuestAddress.of(0x40000), 2)));

        ByteBuffer buffer = ByteBuffer.allocate(10).position(1);
        assertEquals(6, chain.read(1, buffer), "the same run through a buffer: as much as the readable bytes hold");
        assertEquals(7, buffer.position());
        assertEquals("bcdefg", new String(buffer.array(), 1, 6));
        ByteBuffer from = ByteBuffer.wrap("12345".getBytes()).limit(4);
        assertEquals(3, chain.write(1, from), "as much as the writable bytes hold after the offset");
        assertEquals(3, from.position());
        assertEquals(4, from.limit(), "the limit is left as it was");
        assertEquals("1", new String(memory.read(GuestAddress.of(0x20001), 1)));
        assertEquals("23", new String(memory.read(GuestAddress.of(0x40000), 2)));
        assertEquals(0, chain.write(4, ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> chain.read(-1, ByteBuffer.allocate(1)));
    }

    @Test
    void chainsComeInRingOrderAndTheIndexesWrapAt65536() throws VirtqueueException {
        Virtqueue queue = driver.queue(8, 0);
        for (int i = 0; i < 8; i++) {
            driver.descriptor(i, 0x10000 + 0x100L * i, 0x100, WRITE, 0);
        }
        for (int round = 0; round < 70_000 / 8; round++) {
            driver.publish(7, 6, 5, 4, 3, 2, 1, 0);
            for (int expected = 7; expected >= 0; expected--) {
                DescriptorChain chain = queue.pop().orElseThrow();
                assertEquals(expected, chain.head());
                queue.addUsed(chain, expected);
            }
            assertTrue(queue.pop().isEmpty());
            assertEquals((8 * (round + 1)) & 0xffff, driver.usedIdx());
        }
        assertArrayEquals(new long[] {0, 0}, driver.usedElement(driver.usedIdx() - 1));
    }

    @Test
    void anIndirectTableIsFollowedAndTheWriteFlagOfItsPointerIgnored() throws VirtqueueException {
        GuestAddress table = GuestAddress.of(0x3000);
        TestDriver.descriptor(memory, table, 0, 0x10000, 4, NEXT, 2);
        TestDriver.descriptor(memory, table, 2, 0x20000, 8, WRITE, 0);
        driver.descriptor(0, table.value(), 48, INDIRECT | WRITE, 0).publish(0);
        DescriptorChain chain = driver.queue(8, RING_FEATURES).pop().orElseThrow();
        assertEquals(0, chain.head());
        assertEquals(List.of(buffer(0x10000, 4)), chain.readable());
        assertEquals(List.of(buffer(0x20000, 8)), chain.writable());
    }

    @Test
    void directDescriptorsMayEndInAnIndirectTable() throws VirtqueueException {
        GuestAddress table = GuestAddress.of(0x3000);
        TestDriver.descriptor(memory, table, 0, 0x20000, 8, WRITE, 0);
        driver.descriptor(4, 0x10000, 4, NEXT, 6).descriptor(6, table.value(), 16, INDIRECT, 0).publish(4);
        DescriptorChain chain = driver.queue(8, RING_FEATURES).pop().orElseThrow();
        assertEquals(List.of(buffer(0x10000, 4)), chain.readable());
        assertEquals(List.of(buffer(0x20000, 8)), chain.writable());
    }

    @Test
    void aZeroLengthDescriptorIsSkippedWhereverItPoints() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, NEXT, 1).descriptor(1, -0x10000L, 0, WRITE | NEXT, 2)
                .descriptor(2, 0x10004, 4, 0, 0).publish(0);
        DescriptorChain chain = driver.queue(8, 0).pop().orElseThrow();
        assertEquals(List.of(buffer(0x10000, 4), buffer(0x10004, 4)), chain.readable());
        assertEquals(List.of(), chain.writable());
    }

    @Test
    void aQueueTheDriverDidNotEnablePopsNothing() throws VirtqueueException {
        Virtqueue queue = new Virtqueue(8);
        queue.activate(memory, RING_FEATURES);
        driver.descriptor(0, 0x10000, 4, 0, 0).publish(0);
        assertTrue(queue.pop().isEmpty());
        assertFalse(queue.needsNotification());
    }

    @Test
    void withoutEventIdxTheDriverIsNotifiedUnlessItSetNoInterrupt() throws VirtqueueException {
        Virtqueue queue = driver.queue(8, Virtqueue.INDIRECT_DESC);
        driver.descriptor(0, 0x10000, 4, WRITE, 0);
        assertFalse(queue.needsNotification(), "nothing used yet");
        useOne(queue);
        assertTrue(queue.needsNotification());
        assertFalse(queue.needsNotification(), "nothing used since");
        driver.setAvailFlags(1); // VIRTQ_AVAIL_F_NO_INTERRUPT
        useOne(queue);
        assertFalse(queue.needsNotification());
    }

    @Test
    void withEventIdxTheDriverIsNotifiedWhenTheUsedIndexPassesUsedEvent() throws VirtqueueException {
        Virtqueue queue = driver.queue(8, RING_FEATURES);
        driver.descriptor(0, 0x10000, 4, WRITE, 0);
        driver.setUsedEvent(0);
        useOne(queue); // used idx 0 -> 1 writes entry 0
        assertTrue(queue.needsNotification());
        useOne(queue); // 1 -> 2: entry 0 was already past
        assertFalse(queue.needsNotification());
        driver.setUsedEvent(3);
        useOne(queue); // 2 -> 3
        assertFalse(queue.needsNotification());
        useOne(queue); // 3 -> 4 writes entry 3
        assertTrue(queue.needsNotification());
        driver.setUsedEvent(5);
        useOne(queue);
        useOne(queue); // 4 -> 6 passes 5 in one step
        assertTrue(queue.needsNotification());
        driver.setAvailFlags(1); // ignored with EVENT_IDX
        driver.setUsedEvent(6);
        useOne(queue);
        assertTrue(queue.needsNotification());
    }

    @Test
    void withEventIdxAnEmptyRingAsksForANotificationAtTheNextChain() throws VirtqueueException {
        Virtqueue queue = driver.queue(8, RING_FEATURES);
        driver.descriptor(0, 0x10000, 4, WRITE, 0);
        memory.writeU16(driver.used.plus(4 + 8L * 8), 0x1234);
        assertTrue(queue.pop().isEmpty());
        assertEquals(0, driver.availEvent());
        driver.publish(0, 0);
        queue.pop().orElseThrow();
        assertEquals(0, driver.availEvent(), "not rewritten while there is work");
        queue.pop().orElseThrow();
        assertTrue(queue.pop().isEmpty());
        assertEquals(2, driver.availEvent());
    }

    @Test
    void severalChainsAreReturnedWithOneMoveOfTheUsedIndex() throws VirtqueueException {
        Virtqueue queue = driver.queue(8, RING_FEATURES);
        for (int i = 0; i < 4; i++) {
            driver.descriptor(i, 0x10000 + 0x100L * i, 64, WRITE, 0);
        }
        driver.publish(0, 1, 2, 3);
        List<DescriptorChain> chains = List.of(queue.pop().orElseThrow(), queue.pop().orElseThrow(), queue.pop().orElseThrow());
        driver.setUsedEvent(1);
        assertThrows(IllegalArgumentException.class, () -> queue.addUsed(chains, new int[] {1, 65, 1}, 3), "more than a chain holds");
        assertThrows(IllegalArgumentException.class, () -> queue.addUsed(chains, new int[] {1, 1}, 3), "a length for each");
        assertEquals(0, driver.usedIdx(), "nothing returned by a refused call");

        queue.addUsed(chains, new int[] {64, 10, 7}, 2);
        assertEquals(2, driver.usedIdx());
        assertArrayEquals(new long[] {0, 64}, driver.usedElement(0));
        assertArrayEquals(new long[] {1, 10}, driver.usedElement(1));
        assertTrue(queue.needsNotification(), "the used index passed used_event 1 in the one step");
        queue.addUsed(chains.subList(2, 3), new int[] {7}, 1);
        queue.addUsed(chains, new int[0], 0);
        assertEquals(3, driver.usedIdx());
        assertArrayEquals(new long[] {2, 7}, driver.usedElement(2));
    }

    /** Makes descriptor 0 available once, pops it and returns it used. */
    private void useOne(Virtqueue queue) throws VirtqueueException {
        driver.publish(0);
        DescriptorChain chain = queue.pop().orElseThrow();
        queue.addUsed(chain, 0);
    }

    private static void assertBroken(Virtqueue queue, String why) {
        VirtqueueException e = assertThrows(VirtqueueException.class, queue::pop);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertThrows(VirtqueueException.class, queue::pop, "a broken queue stays broken");
    }

    @Test
    void aDescriptorLoopIsBroken() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, NEXT, 1).descriptor(1, 0x10000, 4, NEXT, 0).publish(0);
        assertBroken(driver.queue(8, 0), "more than 8 descriptors");
    }

    @Test
    void aLoopOfZeroLengthDescriptorsIsBroken() throws VirtqueueException {
        driver.descriptor(2, 0, 0, NEXT, 2).publish(2);
        assertBroken(driver.queue(8, 0), "more than 8 descriptors");
    }

    @Test
    void aLoopInAnIndirectTableIsBroken() throws VirtqueueException {
        GuestAddress table = GuestAddress.of(0x3000);
        TestDriver.descriptor(memory, table, 0, 0x10000, 4, NEXT, 1);
        TestDriver.descriptor(memory, table, 1, 0x10000, 4, NEXT, 1);
        driver.descriptor(0, table.value(), 32, INDIRECT, 0).publish(0);
        assertBroken(driver.queue(8, RING_FEATURES), "more than 8 descriptors");
    }

    @Test
    void aChainOfMoreBuffersThanTheQueueSizeIsBroken() throws VirtqueueException {
        GuestAddress table = GuestAddress.of(0x3000);
        for (int i = 0; i < 4; i++) {
            TestDriver.descriptor(memory, table, i, 0x10000, 4, i < 3 ? NEXT : 0, i + 1);
        }
        for (int i = 0; i < 5; i++) {
            driver.descriptor(i, 0x10000, 4, NEXT, i + 1);
        }
        driver.descriptor(5, table.value(), 64, INDIRECT, 0).publish(0); // 5 + 4 buffers in a queue of 8
        assertBroken(driver.queue(8, RING_FEATURES), "more than 8 descriptors");
    }

    @Test
    void aBufferNotWhollyInsideGuestMemoryIsBroken() throws VirtqueueException {
        driver.descriptor(0, MIB - 4, 8, 0, 0).publish(0);
        assertBroken(driver.queue(8, 0), "not inside guest memory");
        driver.descriptor(0, 2 * MIB, 1, WRITE, 0);
        assertBroken(driver.queue(8, 0), "not inside guest memory");
    }

    @Test
    void aBufferThatWrapsAround2To64IsBroken() throws VirtqueueException {
        driver.descriptor(0, 0xfffffffffffffff0L, 0x20, 0, 0).publish(0); // would end at 0x10
        assertBroken(driver.queue(8, 0), "not inside guest memory");
    }

    @Test
    void aBufferInTheHoleBetweenTwoRegionsIsBroken() throws VirtqueueException {
        try (GuestMemory two = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), MIB),
                new GuestMemory.Range(GuestAddress.of(2 * MIB), MIB)))) {
            TestDriver ring = TestDriver.at(two, 8, 0x1000);
            ring.descriptor(0, MIB - 8, 16, 0, 0).publish(0); // from the end of the first region into the hole
            assertBroken(ring.queue(8, 0), "not inside guest memory");
            ring.descriptor(0, 2 * MIB - 8, 16, 0, 0); // from the hole into the second
            assertBroken(ring.queue(8, 0), "not inside guest memory");
            ring.descriptor(0, 2 * MIB, 16, 0, 0);
            assertEquals(List.of(buffer(2 * MIB, 16)), ring.queue(8, 0).pop().orElseThrow().readable());
        }
    }

    @Test
    void aChainOfMoreThan2To32BytesIsBroken() throws VirtqueueException {
        // 3 GiB of address space, never touched but for the ring's page.
        try (GuestMemory big = GuestMemory.anonymous(GuestAddress.of(0), 3L << 30)) {
            TestDriver ring = TestDriver.at(big, 8, 0x1000);
            ring.descriptor(0, 0x10000, 0x80000000L, NEXT, 1).descriptor(1, 0x10000, 0x80000000L, WRITE, 0).publish(0);
            Virtqueue queue = ring.queue(8, 0);
            assertEquals(1L << 32, queue.pop().orElseThrow().readableLength() + (1L << 31), "2^32 bytes is still allowed");
            ring.descriptor(1, 0x10000, 0x80000001L, WRITE, 0).publish(0);
            assertBroken(queue, "longer than 2^32 bytes");
        }
    }

    @Test
    void aReadableBufferAfterAWritableOneIsBroken() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, WRITE | NEXT, 1).descriptor(1, 0x10000, 4, 0, 0).publish(0);
        assertBroken(driver.queue(8, 0), "readable buffer after a device-writable");
    }

    @Test
    void aNextOrHeadBeyondItsTableIsBroken() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, NEXT, 8).publish(0);
        assertBroken(driver.queue(8, 0), "continues at descriptor 8 of a table of 8");
        TestDriver other = TestDriver.at(memory, 8, 0x2000);
        other.publish(8);
        assertBroken(other.queue(8, 0), "names descriptor 8");
        GuestAddress table = GuestAddress.of(0x3000);
        TestDriver.descriptor(memory, table, 0, 0x10000, 4, NEXT, 2);
        TestDriver third = TestDriver.at(memory, 8, 0x4000);
        third.descriptor(0, table.value(), 32, INDIRECT, 0).publish(0);
        assertBroken(third.queue(8, RING_FEATURES), "continues at descriptor 2 of a table of 2");
    }

    @Test
    void indirectTablesThatBreakTheSpecAreBroken() throws VirtqueueException {
        GuestAddress table = GuestAddress.of(0x3000);
        TestDriver.descriptor(memory, table, 0, 0x10000, 4, 0, 0);
        driver.descriptor(0, table.value(), 16, INDIRECT, 0).publish(0);
        assertBroken(driver.queue(8, Virtqueue.EVENT_IDX), "without VIRTIO_F_INDIRECT_DESC");

        driver.descriptor(0, table.value(), 16, INDIRECT | NEXT, 1).descriptor(1, 0x10000, 4, 0, 0);
        assertBroken(driver.queue(8, RING_FEATURES), "NEXT set too");

        TestDriver.descriptor(memory, table, 0, 0x3100, 16, INDIRECT, 0);
        driver.descriptor(0, table.value(), 16, INDIRECT, 0);
        assertBroken(driver.queue(8, RING_FEATURES), "from inside an indirect table");

        for (long length : new long[] {0, 24, 16 * 9}) {
            driver.descriptor(0, table.value(), length, INDIRECT, 0);
            assertBroken(driver.queue(8, RING_FEATURES), "at most 8 descriptors");
        }
        driver.descriptor(0, MIB - 16, 32, INDIRECT, 0);
        assertBroken(driver.queue(8, RING_FEATURES), "inside guest memory");
        driver.descriptor(0, -16, 32, INDIRECT, 0);
        assertBroken(driver.queue(8, RING_FEATURES), "inside guest memory");
    }

    @Test
    void anAvailableIndexMoreThanTheQueueSizeAheadIsBroken() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, 0, 0);
        driver.setAvailIdx(8);
        Virtqueue full = driver.queue(8, 0);
        for (int i = 0; i < 8; i++) {
            full.pop().orElseThrow(); // a full ring is fine
        }
        driver.setAvailIdx(9);
        assertBroken(driver.queue(8, 0), "from 0 to 9, 9 chains ahead in a queue of 8");
        driver.setAvailIdx(0xffff);
        assertBroken(driver.queue(8, 0), "65535 chains ahead");
    }

    @Test
    void theRingsMustBeAlignedAndInsideGuestMemoryAndTheSizeAPowerOfTwo() {
        record Layout(String why, int size, long desc, long avail, long used) {
        }
        for (Layout bad : List.of(
                new Layout("descriptor table", 8, 0x1008, 0x2000, 0x3000),
                new Layout("available ring", 8, 0x1000, 0x2001, 0x3000),
                new Layout("used ring", 8, 0x1000, 0x2000, 0x3002),
                new Layout("used ring", 8, 0x1000, 0x2000, MIB - 64), // 6 + 64 bytes do not fit
                new Layout("descriptor table", 8, -128, 0x2000, 0x3000), // would wrap at 2^64
                new Layout("available ring", 8, 0x1000, MIB, 0x3000),
                new Layout("queue size of 6", 6, 0x1000, 0x2000, 0x3000),
                new Layout("queue size of 16", 16, 0x1000, 0x2000, 0x3000),
                new Layout("queue size of 0", 0, 0x1000, 0x2000, 0x3000))) {
            TestDriver ring = new TestDriver(memory, bad.size(), GuestAddress.of(bad.desc()), GuestAddress.of(bad.avail()), GuestAddress.of(bad.used()));
            VirtqueueException e = assertThrows(VirtqueueException.class, () -> ring.queue(8, 0), bad.toString());
            assertTrue(e.getMessage().contains(bad.why()), e.getMessage());
        }
    }

    @Test
    void aDevicesMistakesAreIllegalArguments() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, WRITE, 0).publish(0);
        Virtqueue queue = driver.queue(8, 0);
        DescriptorChain chain = queue.pop().orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> queue.addUsed(chain, 5));
        assertThrows(IllegalArgumentException.class, () -> queue.addUsed(chain, -1));
        assertThrows(IllegalArgumentException.class, () -> chain.read(-1, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> driver.queue(8, 0).addUsed(chain, 0));
    }

    @Test
    void aChainFromBeforeAResetIsNeverReturned() throws VirtqueueException {
        driver.descriptor(0, 0x10000, 4, WRITE, 0).publish(0);
        Virtqueue queue = driver.queue(8, 0);
        DescriptorChain stale = queue.pop().orElseThrow();
        queue.reset();
        queue.setSize(8);
        queue.setDescriptorTable(driver.desc);
        queue.setAvailRing(driver.avail);
        queue.setUsedRing(driver.used);
        queue.setReady(true);
        queue.activate(memory, 0);
        queue.addUsed(stale, 4);
        assertEquals(0, driver.usedIdx());
    }
}
