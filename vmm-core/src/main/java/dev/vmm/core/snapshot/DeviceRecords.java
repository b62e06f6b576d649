// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.virtio.VirtioMmio;
import dev.vmm.core.virtio.Virtqueue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The payloads of the device records, legacy and virtio (the package documentation lays them
 * out), written and read apart from the record framing {@link SnapshotFile} does. Reading takes a
 * payload whose length the framing has checked; a value a device cannot hold is the device state's
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

    /** The fixed part of a virtio transport record, before its queues and its needs-reset reason. */
    static final int VIRTIO_FIXED = 40;
    static final int VIRTIO_QUEUE = 40;
    static final int MAX_VIRTIO_QUEUES = 1024;
    /** The longest needs-reset reason kept: a sentence, cut there when longer. */
    static final int MAX_REASON = 1024;
    static final int VIRTIO_MAX = VIRTIO_FIXED + VIRTIO_QUEUE * MAX_VIRTIO_QUEUES + 4 + MAX_REASON;
    private static final int NO_REASON = -1;

    static byte[] virtio(VirtioMmio.State s) {
        byte[] reason = s.needsReset().map(DeviceRecords::reason).orElse(null);
        ByteBuffer b = buffer(VIRTIO_FIXED + VIRTIO_QUEUE * s.queues().size() + 4 + (reason == null ? 0 : reason.length))
                .putInt(s.deviceType()).putInt(s.status()).putLong(s.driverFeatures()).putInt(s.deviceFeaturesSel())
                .putInt(s.driverFeaturesSel()).putInt(s.queueSel()).putInt(s.interruptStatus()).putInt(s.configGeneration())
                .putInt(s.queues().size());
        for (Virtqueue.State q : s.queues()) {
            b.putInt(q.size()).putInt(q.ready() ? 1 : 0).putLong(q.descriptorTable().value()).putLong(q.availRing().value())
                    .putLong(q.usedRing().value()).putInt(q.nextAvail()).putInt(q.nextUsed());
        }
        b.putInt(reason == null ? NO_REASON : reason.length);
        if (reason != null) {
            b.put(reason);
        }
        return b.array();
    }

    static VirtioMmio.State virtio(ByteBuffer r) {
        int deviceType = r.getInt(), status = r.getInt();
        long driverFeatures = r.getLong();
        int deviceFeaturesSel = r.getInt(), driverFeaturesSel = r.getInt(), queueSel = r.getInt(), interruptStatus = r.getInt();
        int configGeneration = r.getInt();
        int count = r.getInt();
        if (count < 0 || count > MAX_VIRTIO_QUEUES || (long) count * VIRTIO_QUEUE + 4 > r.remaining()) {
            throw new IllegalArgumentException("The virtio record counts " + Integer.toUnsignedString(count) + " queues, more than it holds.");
        }
        List<Virtqueue.State> queues = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = r.getInt();
            int ready = flags(r.getInt(), 1, "virtio queue");
            queues.add(new Virtqueue.State(size, ready != 0, GuestAddress.of(r.getLong()), GuestAddress.of(r.getLong()),
                    GuestAddress.of(r.getLong()), r.getInt(), r.getInt()));
        }
        int length = r.getInt();
        Optional<String> needsReset = Optional.empty();
        if (length != NO_REASON) {
            if (length < 0 || length > MAX_REASON || length != r.remaining()) {
                throw new IllegalArgumentException("The virtio record's needs-reset reason of " + Integer.toUnsignedString(length)
                        + " bytes does not fit it.");
            }
            try {
                needsReset = Optional.of(StandardCharsets.UTF_8.newDecoder().decode(r).toString());
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("The virtio record's needs-reset reason is not UTF-8.");
            }
        } else if (r.hasRemaining()) {
            throw new IllegalArgumentException("The virtio record has " + r.remaining() + " bytes after its queues.");
        }
        return new VirtioMmio.State(deviceType, status, needsReset, driverFeatures, deviceFeaturesSel, driverFeaturesSel, queueSel,
                interruptStatus, configGeneration, queues);
    }

    /** The reason in UTF-8, cut to {@link #MAX_REASON} bytes at a character's start. */
    private static byte[] reason(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, MAX_REASON);
        while (length < bytes.length && (bytes[length] & 0xc0) == 0x80) {
            length--;
        }
        return Arrays.copyOf(bytes, length);
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
