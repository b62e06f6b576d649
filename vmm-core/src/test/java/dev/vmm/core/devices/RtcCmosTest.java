// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtcCmosTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T21:07:59Z"), ZoneOffset.UTC);
    private final RtcCmos rtc = new RtcCmos(CLOCK);

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

    @Test
    void theAlarmIsKeptButTheTimeCannotBeSet() {
        rtc.writeRegister(0, 0x1);
        rtc.writeRegister(1, 0x30); // the alarm's seconds
        rtc.writeRegister(0, 0x0);
        rtc.writeRegister(1, 0x12); // the clock's seconds: dropped
        rtc.writeRegister(0, 0x32);
        rtc.writeRegister(1, 0x19); // the century: dropped too
        assertEquals(0x30, register(0x1));
        assertEquals(0x59, register(0x0));
        assertEquals(0x20, register(0x32));
    }

    @Test
    void aRestoredRtcKeepsItsModeAlarmAndIndexAndTellsTheTimeOfItsNewClock() {
        rtc.writeRegister(0, 0xb);
        rtc.writeRegister(1, 0x26); // binary, 24-hour, alarm interrupt enabled
        rtc.writeRegister(0, 0xa);
        rtc.writeRegister(1, 0x2a); // another rate
        for (int[] alarm : new int[][] {{0x1, 30}, {0x3, 15}, {0x5, 7}}) {
            rtc.writeRegister(0, alarm[0]);
            rtc.writeRegister(1, alarm[1]);
        }
        rtc.writeRegister(0, 0x80 | 0x5); // the guest selects the alarm's hours, then the snapshot is taken
        RtcCmos.State state = rtc.state();
        assertEquals(0x5, state.index());

        RtcCmos copy = new RtcCmos(CLOCK);
        copy.restore(state);
        assertEquals(state, copy.state());
        assertEquals(7, copy.readRegister(1), "the data port reads the register the index selected before the snapshot");
        assertEquals(everyRegister(rtc), everyRegister(copy), "the same CMOS, alarm and time in the same mode");

        // Restored an hour later on another host: the guest reads that host's time, in the mode it chose.
        RtcCmos later = new RtcCmos(Clock.offset(CLOCK, java.time.Duration.ofHours(1)));
        later.restore(state);
        later.writeRegister(0, 0x4);
        assertEquals(22, later.readRegister(1), "binary hours of the new clock");
        later.writeRegister(0, 0x3);
        assertEquals(15, later.readRegister(1), "the alarm's minutes");
    }

    private static List<Integer> everyRegister(RtcCmos device) {
        List<Integer> values = new ArrayList<>();
        for (int index = 0; index < RtcCmos.CMOS_SIZE; index++) {
            device.writeRegister(0, index);
            values.add(device.readRegister(1));
        }
        return values;
    }

    @Test
    void aStateNoRtcCanHaveIsRefusedInOneSentence() {
        byte[] good = rtc.state().cmos();
        byte[] updating = good.clone();
        updating[0xa] |= (byte) 0x80;
        byte[] timeSet = good.clone();
        timeSet[0x0] = 0x12;
        byte[] statusD = good.clone();
        statusD[0xd] = 0;
        for (Runnable bad : List.<Runnable>of(
                () -> new RtcCmos.State(0x80, good),
                () -> new RtcCmos.State(-1, good),
                () -> new RtcCmos.State(0, new byte[127]),
                () -> new RtcCmos.State(0, updating),
                () -> new RtcCmos.State(0, timeSet),
                () -> new RtcCmos.State(0, statusD))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().startsWith("The RTC state") && e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1,
                    e.getMessage());
        }
    }
}
