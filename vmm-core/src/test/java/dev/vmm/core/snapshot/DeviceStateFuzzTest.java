// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.devices.ByteRegisters;
import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.virtio.DescriptorChain;
import dev.vmm.core.virtio.VirtioDevice;
import dev.vmm.core.virtio.VirtioMmio;
import dev.vmm.core.virtio.Virtqueue;
import dev.vmm.core.virtio.VirtqueueException;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated legacy device records behind a valid header and checksum, so that every input reaches
 * the device records' parser: each file is read or refused with one sentence. What is read
 * encodes back to the same bytes (the records have one encoding per state), restores into fresh
 * devices, and those devices then take guest accesses and report the same state.
 */
@Tag("fuzz")
class DeviceStateFuzzTest {
    @Test
    void anyDeviceRecordsAreReadOrRefusedWithOneSentence() {
        SnapshotState sample = SampleState.withVirtio(SampleState.of(1, true));
        byte[] withDevices = SnapshotFile.encode(sample);
        byte[] without = SnapshotFile.encode(new SnapshotState(sample.memoryFileSize(), sample.regions(), sample.vcpus(), sample.irqchips(),
                sample.pit(), sample.clock(), Optional.empty(), List.of()));
        // The device records are what the file with devices has beyond the one without (whose flag is set below).
        int recordsLength = withDevices.length - without.length;
        byte[] prefix = Arrays.copyOf(without, without.length - SnapshotFile.TRAILER_SIZE);
        ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putInt(36, 7) // irqchip, PIT, legacy devices
                .putInt(40, sample.virtio().size());
        byte[] records = Arrays.copyOfRange(withDevices, withDevices.length - SnapshotFile.TRAILER_SIZE - recordsLength,
                withDevices.length - SnapshotFile.TRAILER_SIZE);
        assertArrayEquals(withDevices, file(prefix, records), "the seed rebuilds the sample file");

        long[] outcome = {0, 0, 0, 0}; // read, refused, refused by a device state's own checks, virtio states a transport took
        GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 1 << 20); // where the saved rings are
        Fuzzer.Result result;
        try (memory) {
            result = Fuzzer.named("snapshot-devices").seed(records).seed(emptyDevices()).inputs(20_000).maxLength(8 << 10).run(input -> {
                byte[] file = file(prefix, input);
                SnapshotState state;
                try {
                    state = SnapshotFile.decode("fuzz", file);
                } catch (SnapshotException e) {
                    SnapshotFileTest.assertOneSentence(e);
                    outcome[1]++;
                    if (e.getMessage().contains("holds a state the device cannot have")) {
                        outcome[2]++;
                    }
                    return;
                }
                outcome[0]++;
                assertArrayEquals(file, SnapshotFile.encode(state), "one encoding per state");
                LegacyDeviceState devices = state.devices().orElseThrow();
                Serial16550 serial = new Serial16550(b -> { }, () -> { });
                I8042 i8042 = new I8042(() -> { });
                RtcCmos rtc = new RtcCmos(Clock.systemUTC());
                devices.restoreInto(serial, i8042, rtc);
                assertEquals(devices, LegacyDeviceState.of(serial, i8042, rtc), "the devices hold the state they were given");
                for (ByteRegisters device : List.of(serial, i8042, rtc)) {
                    for (int offset = 0; offset < 8; offset++) {
                        int value = device.readRegister(offset);
                        assertTrue(value >= 0 && value <= 0xff, device + " read " + value);
                        device.writeRegister(offset, value ^ 0x5a);
                    }
                }
                LegacyDeviceState.of(serial, i8042, rtc); // still a state the checks accept
                for (VirtioMmio.State transport : state.virtio()) {
                    if (restoreIntoATransport(transport, memory)) {
                        outcome[3]++;
                    }
                }
            });
        }
        System.out.println("snapshot-devices: " + outcome[0] + " of " + result.executed() + " inputs read, " + outcome[1] + " refused, "
                + outcome[2] + " of them by a device state's checks; " + outcome[3] + " virtio states restored into a transport");
        // Every path must be taken: refusing everything, or accepting everything, would pass otherwise.
        assertTrue(outcome[0] >= 20 && outcome[2] >= 1000 && outcome[3] >= 20, "read " + outcome[0] + ", refused by the device checks "
                + outcome[2] + ", virtio states restored " + outcome[3]);
    }

    /**
     * Restores a decoded transport state into a transport of a device that pops and returns every
     * chain: refused as another device's (IllegalArgumentException), or a transport that serves
     * its queues or is broken, and reports its state again. Nothing else may come out of it.
     *
     * @return whether the transport took the state
     */
    private static boolean restoreIntoATransport(VirtioMmio.State state, GuestMemory memory) {
        int queues = Math.max(1, Math.min(state.queues().size(), 8));
        VirtioMmio mmio = new VirtioMmio(new ReturningDevice(state.deviceType(), queues), memory, () -> { },
                error -> { throw new AssertionError("the device failed", error); });
        try {
            mmio.restore(state);
        } catch (IllegalArgumentException anotherDevice) {
            return false;
        }
        assertEquals(state.queues().size(), mmio.state().queues().size());
        return true;
    }

    /** A device of any type that returns every chain it pops, unwritten. */
    private static final class ReturningDevice implements VirtioDevice {
        private final int deviceType;
        private final int queueCount;
        private List<Virtqueue> queues = List.of();

        ReturningDevice(int deviceType, int queueCount) {
            this.deviceType = deviceType;
            this.queueCount = queueCount;
        }

        @Override
        public int deviceType() {
            return deviceType;
        }

        @Override
        public long features() {
            return (1L << 24) - 1; // every device-specific bit: the saved driver's choice is what is exercised
        }

        @Override
        public int[] queueMaxSizes() {
            int[] sizes = new int[queueCount];
            Arrays.fill(sizes, Virtqueue.MAX_SIZE);
            return sizes;
        }

        @Override
        public int configSize() {
            return 0;
        }

        @Override
        public void readConfig(int offset, byte[] data) {
        }

        @Override
        public void writeConfig(int offset, byte[] data) {
        }

        @Override
        public void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupt usedBuffers, Faults faults) {
            this.queues = queues;
        }

        @Override
        public void queueNotified(int queue) throws VirtqueueException {
            Virtqueue q = queues.get(queue);
            for (Optional<DescriptorChain> chain = q.pop(); chain.isPresent(); chain = q.pop()) {
                q.addUsed(chain.get(), 0);
            }
        }

        @Override
        public void reset() {
            queues = List.of();
        }
    }

    /** The device records of devices as they power on, a second seed far from the sample's. */
    private static byte[] emptyDevices() {
        LegacyDeviceState fresh = LegacyDeviceState.of(new Serial16550(b -> { }, () -> { }), new I8042(() -> { }), new RtcCmos(Clock.systemUTC()));
        ByteBuffer records = ByteBuffer.allocate(3 * 8 + DeviceRecords.SERIAL_FIXED + DeviceRecords.I8042_SIZE + DeviceRecords.RTC_SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] payload : List.of(DeviceRecords.serial(fresh.serial()), DeviceRecords.i8042(fresh.i8042()), DeviceRecords.rtc(fresh.rtc()))) {
            int tag = payload.length == DeviceRecords.I8042_SIZE ? SnapshotFile.I8042_STATE
                    : payload.length == DeviceRecords.RTC_SIZE ? SnapshotFile.RTC_STATE : SnapshotFile.UART_STATE;
            records.putInt(tag).putInt(payload.length).put(payload);
        }
        // Two transports nothing has used, as the sample's second record count asks.
        Virtqueue.State unset = new Virtqueue.State(0, false, GuestAddress.of(0), GuestAddress.of(0), GuestAddress.of(0), 0, 0);
        byte[] virtio = DeviceRecords.virtio(new VirtioMmio.State(2, 0, Optional.empty(), 0, 0, 0, 0, 0, 0, List.of(unset)));
        ByteBuffer both = ByteBuffer.allocate(records.capacity() + 2 * (8 + virtio.length)).order(ByteOrder.LITTLE_ENDIAN).put(records.array());
        for (int i = 0; i < 2; i++) {
            both.putInt(SnapshotFile.VIRTIO).putInt(virtio.length).put(virtio);
        }
        return both.array();
    }

    /** The prefix, then {@code records} as the body's end, with the body length and checksum that fit. */
    private static byte[] file(byte[] prefix, byte[] records) {
        byte[] file = Arrays.copyOf(prefix, prefix.length + records.length + SnapshotFile.TRAILER_SIZE);
        System.arraycopy(records, 0, file, prefix.length, records.length);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(16, file.length - (long) SnapshotFile.HEADER_SIZE - SnapshotFile.TRAILER_SIZE);
        SnapshotFileTest.reseal(file);
        return file;
    }
}
