// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusTest {
    /** Records writes as "offset:hex" and answers a read with its offset in every byte. */
    private static final class Recorder implements BusDevice {
        final List<String> accesses = new ArrayList<>();

        @Override
        public void read(long offset, byte[] data) {
            accesses.add("read " + offset + ":" + data.length);
            java.util.Arrays.fill(data, (byte) offset);
        }

        @Override
        public void write(long offset, byte[] data) {
            accesses.add(offset + ":" + HexFormat.of().formatHex(data));
        }
    }

    private final Recorder uart = new Recorder();
    private final Bus ports = new Bus(Bus.Space.PORT).register(0x3f8, 8, uart);

    @Test
    void aDeviceGetsTheWholeAccessAtItsOffset() {
        ports.write(0x3fa, new byte[] {1, 2});
        byte[] data = new byte[4];
        ports.read(0x3fc, data);
        assertEquals(List.of("2:0102", "read 4:4"), uart.accesses);
        assertArrayEquals(new byte[] {4, 4, 4, 4}, data);
    }

    @Test
    void anAccessThatDoesNotLieWhollyInOneRangeIsUnhandledNotSplit() {
        byte[] data = new byte[4];
        ports.read(0x3fe, data); // 0x3fe..0x401: past the device's end
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, data, "an empty bus reads all ones");
        ports.write(0x3f6, new byte[] {1, 2, 3, 4}); // starts before it
        assertEquals(List.of(), uart.accesses);
        assertEquals(2, ports.unhandled().total());
    }

    @Test
    void accessesAtTheEndOfThePortSpaceDoNotWrapAround() {
        Recorder low = new Recorder();
        ports.register(0, 4, low);
        ports.write(0xffff, new byte[] {1, 2, 3, 4});
        byte[] data = new byte[2];
        ports.read(0xffff, data);
        assertEquals(List.of(), low.accesses, "port 0xffff + 1 is not port 0");
        assertArrayEquals(new byte[] {-1, -1}, data);
        assertEquals(2, ports.unhandled().total());
    }

    @Test
    void rangesAreCheckedWithoutOverflow() {
        assertThrows(IllegalArgumentException.class, () -> ports.register(0x7fffffff, 2, new Recorder()), "beyond the port space");
        assertThrows(IllegalArgumentException.class, () -> ports.register(0xffff, 2, new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> ports.register(0x3f0, 0, new Recorder()));
        assertThrows(IllegalArgumentException.class, () -> ports.register(0x3f0, 9, new Recorder()), "overlaps the UART");
        Bus mmio = new Bus(Bus.Space.MMIO);
        assertThrows(IllegalArgumentException.class, () -> mmio.register(-4096, 8192, new Recorder()), "wraps around 2^64");
        Recorder top = new Recorder();
        mmio.register(-4096, 4096, top); // the last page of the 64-bit space is fine
        mmio.write(-8, new byte[8]);
        assertEquals(List.of("4088:0000000000000000"), top.accesses);
        mmio.write(-4, new byte[8]); // would wrap
        assertEquals(1, mmio.unhandled().total());
    }

    @Test
    void unhandledAccessesStayBoundedAndKeepTheFrequentOnes() {
        Bus mmio = new Bus(Bus.Space.MMIO);
        int sweep = 1_000_000;
        for (int i = 0; i < sweep; i++) {
            mmio.write(0xd0000000L + 8L * i, new byte[8]); // a sweep over a million addresses
            if (i % 16 == 0) {
                mmio.read(0xfee00000L, new byte[4]);  // and one address probed all along
            }
        }
        UnhandledAccesses.Snapshot unhandled = mmio.unhandled();
        assertEquals(sweep + sweep / 16, unhandled.total());
        assertEquals(UnhandledAccesses.TRACKED, unhandled.top().size());
        UnhandledAccesses.Access first = unhandled.top().getFirst();
        assertTrue(first.address() == 0xfee00000L && !first.write() && first.count() > sweep / 16 / 2, unhandled.top().toString());
        assertEquals(1, unhandled.top().getLast().count(), "a swept address is reported as seen once, not with the count it inherited");
    }
}
