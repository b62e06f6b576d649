package dev.vmm.core.devices;

import dev.vmm.core.VcpuExit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IoBusTest {
    /** Records writes as "offset=value" and answers reads with 0x10 plus the offset. */
    private static final class Recorder implements PortDevice {
        final List<String> writes = new ArrayList<>();

        @Override
        public int read(int offset) {
            return 0x10 + offset;
        }

        @Override
        public void write(int offset, int value) {
            writes.add(offset + "=" + Integer.toHexString(value));
        }
    }

    private final Recorder recorder = new Recorder();
    private final IoBus bus = new IoBus().register(0x3f8, 8, recorder);

    @Test
    void devicesSeeOffsetsIntoTheirRange() {
        bus.writeByte(0x3fb, 0x83);
        assertEquals(List.of("3=83"), recorder.writes);
        assertEquals(0x17, bus.readByte(0x3ff));
    }

    @Test
    void wideAndRepeatedWritesReachConsecutivePortsPerItem() {
        // outw 0x1234 to 0x3f8 twice (rep outsw with count 2): bytes 34 12 to ports 0x3f8, 0x3f9, each time.
        bus.handle(new VcpuExit.IoOut(0x3f8, 2, 2, new byte[] {0x34, 0x12, 0x56, 0x78}));
        assertEquals(List.of("0=34", "1=12", "0=56", "1=78"), recorder.writes);
    }

    @Test
    void unhandledAccessesReadAllOnesAndAreCountedNotFatal() {
        assertEquals(0xff, bus.readByte(0x2f8));
        assertEquals(0xff, bus.readByte(0x2f8));
        bus.writeByte(0x80, 0);
        bus.handle(new VcpuExit.IoOut(0x3fe, 4, 1, new byte[] {1, 2, 3, 4})); // runs off the device's end
        assertEquals(Map.of("port read 0x2f8", 2L, "port write 0x80", 1L, "port write 0x400", 1L, "port write 0x401", 1L),
                bus.unhandled());
        assertEquals(List.of("6=1", "7=2"), recorder.writes);
    }

    @Test
    void overlappingOrOutOfRangeDevicesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bus.register(0x3fc, 8, new Recorder()));
        assertTrue(e.getMessage().startsWith("Port 0x3fc already belongs to"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xfffe, 4, new Recorder()));
        assertEquals(0x10, bus.readByte(0x3f8), "the refused device took nothing");
    }
}
