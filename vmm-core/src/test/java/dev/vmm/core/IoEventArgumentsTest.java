// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ioeventfd arguments Java refuses before any ioctl, each with one sentence (no KVM needed),
 * and the eventfd wait a device worker blocks in.
 */
class IoEventArgumentsTest {
    private static final IoEventAddress PORT = IoEventAddress.port(0x510);
    private static final IoEventAddress MMIO = IoEventAddress.mmio(GuestAddress.of(0xd000_0050L));

    @Test
    void portsAreZeroTo0xffffAndMmioNeedsAnAddress() {
        assertEquals("I/O port 65536 is out of range: use 0 to 0xffff.",
                assertThrows(IllegalArgumentException.class, () -> IoEventAddress.port(0x10000)).getMessage());
        assertEquals("I/O port -1 is out of range: use 0 to 0xffff.",
                assertThrows(IllegalArgumentException.class, () -> IoEventAddress.port(-1)).getMessage());
        assertThrows(NullPointerException.class, () -> IoEventAddress.mmio(null));
        assertEquals("port 0xffff", IoEventAddress.port(0xffff).toString());
        assertEquals("MMIO 0xd0000050", MMIO.toString());
    }

    @Test
    void lengthsAre0124Or8() {
        for (int length : new int[] {0, 1, 2, 4, 8}) {
            assertDoesNotThrow(() -> Vm.checkIoeventfd(MMIO, length, OptionalLong.empty()));
        }
        for (int length : new int[] {-1, 3, 5, 16}) {
            assertEquals("An ioeventfd length must be 0 (any write), 1, 2, 4 or 8 bytes, not " + length + ".",
                    message(() -> Vm.checkIoeventfd(PORT, length, OptionalLong.empty())));
        }
    }

    @Test
    void aDatamatchNeedsALengthAndMustFitInIt() {
        assertEquals("Datamatch 0x1 needs an ioeventfd length of 1, 2, 4 or 8 bytes, not 0 (any write): KVM compares only writes of a known size.",
                message(() -> Vm.checkIoeventfd(MMIO, 0, OptionalLong.of(1))));
        assertEquals("Datamatch 0x100 does not fit in 1 byte, so no guest write of that length could match it.",
                message(() -> Vm.checkIoeventfd(PORT, 1, OptionalLong.of(0x100))));
        assertEquals("Datamatch 0x100000000 does not fit in 4 bytes, so no guest write of that length could match it.",
                message(() -> Vm.checkIoeventfd(MMIO, 4, OptionalLong.of(1L << 32))));
        assertDoesNotThrow(() -> Vm.checkIoeventfd(PORT, 2, OptionalLong.of(0xffff)));
        assertDoesNotThrow(() -> Vm.checkIoeventfd(MMIO, 8, OptionalLong.of(-1)));
        assertThrows(NullPointerException.class, () -> Vm.checkIoeventfd(MMIO, 4, null));
    }

    @Test
    void anMmioRangeMustNotWrap() {
        IoEventAddress top = IoEventAddress.mmio(GuestAddress.of(-4));
        assertEquals("MMIO address 0xfffffffffffffffc + 8 bytes wraps around the 64-bit address space.",
                message(() -> Vm.checkIoeventfd(top, 8, OptionalLong.empty())));
        assertDoesNotThrow(() -> Vm.checkIoeventfd(top, 2, OptionalLong.empty()));
        assertDoesNotThrow(() -> Vm.checkIoeventfd(top, 0, OptionalLong.empty()));
    }

    @Test
    void awaitAnyReturnsOnceOneEventFdIsSignalledAndReadsNone() throws Exception {
        try (EventFd first = EventFd.create(); EventFd second = EventFd.create()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().daemon().start(() -> {
                try {
                    EventFd.awaitAny(first, second);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Thread.sleep(50);
            assertTrue(waiter.isAlive(), "awaitAny blocks while both counters are 0");
            second.signal(3);
            waiter.join(30_000);
            assertFalse(waiter.isAlive(), "a signal on the second eventfd ended the wait");
            assertNull(failure.get());
            assertEquals(3, second.take(), "awaitAny read nothing");
            second.signal(1);
            EventFd.awaitAny(first, second); // returns at once: already signalled
            assertThrows(IllegalArgumentException.class, EventFd::awaitAny);
        }
    }

    private static String message(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }
}
