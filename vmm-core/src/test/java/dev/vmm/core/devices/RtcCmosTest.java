// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RtcCmosTest {
    private final RtcCmos rtc = new RtcCmos(Clock.fixed(Instant.parse("2026-11-25T21:07:59Z"), ZoneOffset.UTC));

    private int register(int index) {
        rtc.writeRegister(0, index);
        return rtc.readRegister(1);
    }

    @Test
    void theTimeReadsInBcdFromTheClock() {
        assertEquals(0x59, register(0x0));
        assertEquals(0x07, register(0x2));
        assertEquals(0x21, register(0x4));
        assertEquals(0x25, register(0x7));
        assertEquals(0x11, register(0x8));
        assertEquals(0x26, register(0x9));
        assertEquals(0x20, register(0x32));
        assertEquals(0x04, register(0x6), "a Wednesday, counting Sunday as 1");
    }

    @Test
    void noUpdateIsEverInProgressAndBinaryModeIsHonoured() {
        assertEquals(0, register(0xa) & 0x80);
        rtc.writeRegister(0, 0xa);
        rtc.writeRegister(1, 0xa6); // the guest cannot set "update in progress"
        assertEquals(0x26, register(0xa));
        rtc.writeRegister(0, 0xb);
        rtc.writeRegister(1, 0x06); // binary, 24-hour
        assertEquals(59, register(0x0));
        assertEquals(0x80, register(0xd), "valid RAM and time");
    }

    @Test
    void cmosRamKeepsWhatIsWritten() {
        rtc.writeRegister(0, 0x80 | 0x40); // with the NMI-mask bit, as Linux writes it
        rtc.writeRegister(1, 0x12);
        assertEquals(0x12, register(0x40));
    }
}
