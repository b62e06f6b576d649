// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The PC's MC146818 real-time clock and its CMOS RAM at ports 0x70 (index) and 0x71 (data): the
 * time comes from the host's clock in UTC, in BCD and 24-hour mode, never mid-update. Without it,
 * Linux's rtc_cmos driver spends seconds waiting for an update that never ends (reads of an empty
 * bus return all ones, "update in progress" included) and the guest has no wall-clock time.
 */
public final class RtcCmos implements ByteRegisters {
    /** The index port; the data port follows at 0x71. */
    public static final int PORT = 0x70;
    /** The ports the device claims from {@link #PORT}. */
    public static final int PORTS = 2;

    private static final int SECONDS = 0x0, MINUTES = 0x2, HOURS = 0x4, WEEKDAY = 0x6, DAY = 0x7, MONTH = 0x8, YEAR = 0x9;
    private static final int STATUS_A = 0xa, STATUS_B = 0xb, STATUS_C = 0xc, STATUS_D = 0xd, CENTURY = 0x32;
    private static final int STATUS_B_BINARY = 0x04, STATUS_B_24_HOUR = 0x02;
    private static final int STATUS_D_VALID = 0x80;

    private final Clock clock;
    private final int[] ram = new int[128];
    private int index;

    /**
     * A clock that tells the guest the time of {@code clock}.
     *
     * @param clock where the time comes from, read in UTC
     */
    public RtcCmos(Clock clock) {
        this.clock = clock;
        ram[STATUS_A] = 0x26;                 // 32.768 kHz time base, 1024 Hz rate, no update in progress
        ram[STATUS_B] = STATUS_B_24_HOUR;     // BCD, 24-hour, no interrupts
        ram[STATUS_D] = STATUS_D_VALID;       // the battery is fine
    }

    @Override
    public synchronized int readRegister(long offset) {
        if (offset == 0) {
            return 0xff; // the index register is write-only
        }
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(java.time.ZoneOffset.UTC));
        return switch (index) {
            case SECONDS -> encode(now.getSecond());
            case MINUTES -> encode(now.getMinute());
            case HOURS -> encode(now.getHour());
            case WEEKDAY -> encode(now.getDayOfWeek().getValue() % 7 + 1); // 1 = Sunday
            case DAY -> encode(now.getDayOfMonth());
            case MONTH -> encode(now.getMonthValue());
            case YEAR -> encode(now.getYear() % 100);
            case CENTURY -> encode(now.getYear() / 100);
            case STATUS_C -> 0; // no interrupt flags
            default -> ram[index];
        };
    }

    @Override
    public synchronized void writeRegister(long offset, int value) {
        if (offset == 0) {
            index = value & 0x7f; // bit 7 masks NMIs on a PC; nothing to mask here
        } else if (index != STATUS_C && index != STATUS_D && index >= STATUS_A) {
            ram[index] = index == STATUS_A ? value & 0x7f : value; // the update-in-progress bit is read-only
        }
        // Writes to the time registers (setting the clock) are dropped: the time is the host's.
    }

    private int encode(int value) {
        return (ram[STATUS_B] & STATUS_B_BINARY) != 0 ? value : ((value / 10) << 4) | (value % 10);
    }

    @Override
    public String toString() {
        return "MC146818 RTC/CMOS";
    }
}
