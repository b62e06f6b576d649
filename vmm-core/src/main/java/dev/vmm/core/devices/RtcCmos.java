// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The PC's MC146818 real-time clock and its CMOS RAM at ports 0x70 (index) and 0x71 (data): the
 * time comes from the host's clock in UTC, in BCD and 24-hour mode, never mid-update. Without it,
 * Linux's rtc_cmos driver spends seconds waiting for an update that never ends (reads of an empty
 * bus return all ones, "update in progress" included) and the guest has no wall-clock time.
 *
 * <p>The guest cannot set the clock (writes to the time registers are dropped: the time is the
 * host's), but it keeps what it writes to the alarm registers, status registers A and B and the
 * rest of the CMOS RAM. {@link #state()} captures that and {@link #restore(State)} puts it back.
 */
public final class RtcCmos implements ByteRegisters {
    /** The index port; the data port follows at 0x71. */
    public static final int PORT = 0x70;
    /** The ports the device claims from {@link #PORT}. */
    public static final int PORTS = 2;
    /** The bytes of CMOS RAM and registers an index can reach. */
    public static final int CMOS_SIZE = 128;

    private static final int SECONDS = 0x0, MINUTES = 0x2, HOURS = 0x4, WEEKDAY = 0x6, DAY = 0x7, MONTH = 0x8, YEAR = 0x9;
    private static final int STATUS_A = 0xa, STATUS_B = 0xb, STATUS_C = 0xc, STATUS_D = 0xd, CENTURY = 0x32;
    private static final int STATUS_A_UPDATE_IN_PROGRESS = 0x80;
    private static final int STATUS_B_BINARY = 0x04, STATUS_B_24_HOUR = 0x02;
    private static final int STATUS_D_VALID = 0x80;

    private final Clock clock;
    private final int[] ram = powerOn();
    private int index;

    /**
     * A clock that tells the guest the time of {@code clock}.
     *
     * @param clock where the time comes from, read in UTC
     */
    public RtcCmos(Clock clock) {
        this.clock = clock;
    }

    /** The CMOS as the machine starts: what the guest cannot write keeps these values for good. */
    private static int[] powerOn() {
        int[] ram = new int[CMOS_SIZE];
        ram[STATUS_A] = 0x26;                 // 32.768 kHz time base, 1024 Hz rate, no update in progress
        ram[STATUS_B] = STATUS_B_24_HOUR;     // BCD, 24-hour, no interrupts
        ram[STATUS_D] = STATUS_D_VALID;       // the battery is fine
        return ram;
    }

    /** Whether the guest's writes to {@code index} are kept: not the clock's time, not status C or D. */
    private static boolean keepsWrites(int index) {
        return switch (index) {
            case SECONDS, MINUTES, HOURS, WEEKDAY, DAY, MONTH, YEAR, CENTURY, STATUS_C, STATUS_D -> false;
            default -> true; // the alarm (1, 3, 5), status A and B, and the RAM
        };
    }

    @Override
    public synchronized int readRegister(long offset) {
        if (offset == 0) {
            return 0xff; // the index register is write-only
        }
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
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
        } else if (keepsWrites(index)) {
            ram[index] = index == STATUS_A ? value & ~STATUS_A_UPDATE_IN_PROGRESS : value; // that bit is read-only
        }
        // Writes to the time registers (setting the clock) are dropped: the time is the host's.
    }

    private int encode(int value) {
        return (ram[STATUS_B] & STATUS_B_BINARY) != 0 ? value : ((value / 10) << 4) | (value % 10);
    }

    /** {@return the index register and the CMOS bytes, taken in one step between two guest accesses} */
    public synchronized State state() {
        byte[] cmos = new byte[CMOS_SIZE];
        for (int i = 0; i < CMOS_SIZE; i++) {
            cmos[i] = (byte) ram[i];
        }
        return new State(index, cmos);
    }

    /**
     * Puts back a state {@link #state()} took, from this clock or another. The time is not in it:
     * it is the clock's, read at each access, so after a restore the guest reads the restoring
     * host's time, as its kvmclock is set to the host's real time too.
     *
     * @param state the state to continue from
     */
    public synchronized void restore(State state) {
        byte[] cmos = state.cmos();
        for (int i = 0; i < CMOS_SIZE; i++) {
            ram[i] = cmos[i] & 0xff;
        }
        index = state.index();
    }

    @Override
    public String toString() {
        return "MC146818 RTC/CMOS";
    }

    /**
     * The RTC's index register and its {@value RtcCmos#CMOS_SIZE} CMOS bytes as it stores them,
     * checked against what the guest could have written: the bytes it cannot write (time, century,
     * status C and D) hold their power-on values, and status A's update-in-progress bit is clear.
     *
     * @param index the CMOS byte the next data port access reaches, 0 to 127
     * @param cmos the {@value RtcCmos#CMOS_SIZE} bytes: the alarm at 1, 3 and 5, status A at 0xa and
     *     B at 0xb, and the RAM above
     */
    public record State(int index, byte[] cmos) {
        /**
         * Checks the index and every CMOS byte.
         *
         * @param index the index register
         * @param cmos the CMOS bytes
         * @throws IllegalArgumentException in one sentence, for an index beyond the CMOS, a CMOS
         *     of another size, or a byte the guest could not have written
         */
        public State {
            cmos = cmos.clone(); // checked as kept: the caller's array may change after
            RegisterBits.check("RTC", "index register", index, CMOS_SIZE - 1);
            if (cmos.length != CMOS_SIZE) {
                throw new IllegalArgumentException("The RTC state has " + cmos.length + " CMOS bytes, not " + CMOS_SIZE + ".");
            }
            int[] powerOn = powerOn();
            for (int i = 0; i < CMOS_SIZE; i++) {
                if (!keepsWrites(i) && (cmos[i] & 0xff) != powerOn[i]) {
                    throw new IllegalArgumentException("The RTC state's CMOS byte 0x" + Integer.toHexString(i) + " is 0x"
                            + Integer.toHexString(cmos[i] & 0xff) + ", but the guest cannot write it and it holds 0x"
                            + Integer.toHexString(powerOn[i]) + ".");
                }
            }
            if ((cmos[STATUS_A] & STATUS_A_UPDATE_IN_PROGRESS) != 0) {
                throw new IllegalArgumentException("The RTC state's status register A has its update-in-progress bit set,"
                        + " which this RTC never shows.");
            }
        }

        /** {@return the CMOS bytes (a copy)} */
        @Override
        public byte[] cmos() {
            return cmos.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof State s && index == s.index && Arrays.equals(cmos, s.cmos);
        }

        @Override
        public int hashCode() {
            return 31 * index + Arrays.hashCode(cmos);
        }

        @Override
        public String toString() {
            return "RtcCmos.State[index=0x" + Integer.toHexString(index) + ", cmos=" + HexFormat.of().formatHex(cmos) + "]";
        }
    }
}
