// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;

/**
 * The payloads of the legacy device records (the package documentation lays them out), written
 * and read apart from the record framing {@link SnapshotFile} does. Reading takes a payload whose
 * length the framing has checked; a value a device cannot hold is the device state's
 * {@link IllegalArgumentException}, which the framing turns into a corrupt-file sentence.
 */
final class DeviceRecords {
    static final int SERIAL_FIXED = 12; // the registers and the input count; the input follows
    static final int SERIAL_MAX = SERIAL_FIXED + Serial16550.MAX_INPUT;
    static final int I8042_SIZE = 5;
    static final int RTC_SIZE = 1 + RtcCmos.CMOS_SIZE;

    private static final int SERIAL_THR_EMPTY_PENDING = 1;
    private static final int I8042_OUTPUT_FULL = 1;

    private DeviceRecords() {}

    static byte[] serial(Serial16550.State s) {
        byte[] input = s.input();
        return buffer(SERIAL_FIXED + input.length).put((byte) s.ier()).put((byte) s.lcr()).put((byte) s.mcr()).put((byte) s.scr())
                .put((byte) s.fcr()).put((byte) (s.thrEmptyPending() ? SERIAL_THR_EMPTY_PENDING : 0)).putShort((short) s.divisor())
                .putInt(input.length).put(input).array();
    }

    static Serial16550.State serial(ByteBuffer r) {
        int ier = r.get() & 0xff, lcr = r.get() & 0xff, mcr = r.get() & 0xff, scr = r.get() & 0xff, fcr = r.get() & 0xff;
        int flags = flags(r.get() & 0xff, SERIAL_THR_EMPTY_PENDING, "UART");
        int divisor = r.getShort() & 0xffff;
        int count = r.getInt();
        if (count != r.remaining()) {
            throw new IllegalArgumentException("The UART record counts " + Integer.toUnsignedString(count) + " input bytes but holds "
                    + r.remaining() + ".");
        }
        byte[] input = new byte[count]; // the framing bounds the payload, and so the count
        r.get(input);
        return new Serial16550.State(ier, lcr, mcr, scr, fcr, divisor, flags != 0, input);
    }

    static byte[] i8042(I8042.State s) {
        return buffer(I8042_SIZE).put((byte) (s.output().isPresent() ? I8042_OUTPUT_FULL : 0)).put((byte) s.output().orElse(0))
                .put((byte) s.commandByte()).put((byte) s.awaitingData()).put((byte) s.lastCommand()).array();
    }

    static I8042.State i8042(ByteBuffer r) {
        boolean full = flags(r.get() & 0xff, I8042_OUTPUT_FULL, "i8042") != 0;
        int output = r.get() & 0xff;
        if (!full && output != 0) {
            throw new IllegalArgumentException("The i8042 record has an output byte of 0x" + Integer.toHexString(output)
                    + " but says its output buffer is empty.");
        }
        return new I8042.State(full ? OptionalInt.of(output) : OptionalInt.empty(), r.get() & 0xff, r.get() & 0xff, r.get() & 0xff);
    }

    static byte[] rtc(RtcCmos.State s) {
        return buffer(RTC_SIZE).put((byte) s.index()).put(s.cmos()).array();
    }

    static RtcCmos.State rtc(ByteBuffer r) {
        int index = r.get() & 0xff;
        byte[] cmos = new byte[RtcCmos.CMOS_SIZE];
        r.get(cmos);
        return new RtcCmos.State(index, cmos);
    }

    private static int flags(int flags, int known, String device) {
        if ((flags & ~known) != 0) {
            throw new IllegalArgumentException("The " + device + " record's flags 0x" + Integer.toHexString(flags) + " have unknown bits.");
        }
        return flags;
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
