// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.CpuidEntry;
import dev.vmm.core.virtio.VirtioMmio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state file's encoding without KVM: round trips, and one sentence for each kind of bad file. */
class SnapshotFileTest {
    @Test
    void everyRecordRoundTrips() {
        for (SnapshotState state : List.of(SampleState.of(1, true), SampleState.of(3, false))) {
            byte[] file = SnapshotFile.encode(state);
            SnapshotState decoded = SnapshotFile.decode("vmstate", file);
            assertArrayEquals(file, SnapshotFile.encode(decoded), "decode then encode gives the same bytes");
            assertEquals(state.vcpus().size(), decoded.vcpus().size());
            for (int i = 0; i < state.vcpus().size(); i++) {
                SnapshotState.VcpuState a = state.vcpus().get(i);
                SnapshotState.VcpuState b = decoded.vcpus().get(i);
                assertEquals(a.id(), b.id());
                assertEquals(a.cpuid(), b.cpuid());
                assertEquals(a.tscKhz(), b.tscKhz());
                assertEquals(a.mpState(), b.mpState());
                assertArrayEquals(a.regs().bytes(), b.regs().bytes());
                assertArrayEquals(a.sregs().bytes(), b.sregs().bytes());
                assertEquals(a.xsave(), b.xsave());
                assertEquals(a.xcrs(), b.xcrs());
                assertEquals(a.debugRegisters(), b.debugRegisters());
                assertArrayEquals(a.lapic(), b.lapic());
                assertArrayEquals(a.msrIndices(), b.msrIndices());
                assertArrayEquals(a.msrValues(), b.msrValues());
                assertArrayEquals(a.events().bytes(), b.events().bytes());
            }
            assertEquals(state.irqchips(), decoded.irqchips());
            assertEquals(state.pit(), decoded.pit());
            assertEquals(state.clock(), decoded.clock());
            assertEquals(state.regions(), decoded.regions());
            assertEquals(state.memoryFileSize(), decoded.memoryFileSize());
            assertEquals(state.devices(), decoded.devices(), "the legacy devices' state");
        }
    }

    @Test
    void theDeviceRecordsAreTheDocumentedOnes() {
        SnapshotState state = SampleState.of(1, true);
        byte[] file = SnapshotFile.encode(state);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        // The device records are the last three, before the checksum: UART (12 + 6 bytes of input), i8042, RTC.
        int rtc = file.length - 4 - (8 + 129);
        int i8042 = rtc - (8 + 5);
        int uart = i8042 - (8 + 12 + 6);
        assertEquals(List.of(0x30, 18, 0x31, 5, 0x32, 129), List.of(b.getInt(uart), b.getInt(uart + 4), b.getInt(i8042), b.getInt(i8042 + 4),
                b.getInt(rtc), b.getInt(rtc + 4)));
        assertArrayEquals(new byte[] {0x03, 0x03, 0x0b, 0x5a, (byte) 0xc1, 0x01, 0x0c, 0x00, 6, 0, 0, 0, 't', 'y', 'p', 'e', 'd', '\n'},
                Arrays.copyOfRange(file, uart + 8, i8042), "IER, LCR, MCR, SCR, FCR, flags, divisor, count, input");
        assertArrayEquals(new byte[] {0x01, 0x55, 0x47, 0x60, 0x60}, Arrays.copyOfRange(file, i8042 + 8, rtc),
                "flags, output, command byte, awaited command, last command");
        assertEquals(0x40, file[rtc + 8], "the RTC's index");
        assertArrayEquals(state.devices().orElseThrow().rtc().cmos(), Arrays.copyOfRange(file, rtc + 9, rtc + 9 + 128));
        assertEquals(Optional.empty(), SnapshotFile.decode("vmstate", SnapshotFile.encode(SampleState.of(1, false))).devices(),
                "a snapshot saved without devices has none");
    }

    @Test
    void aDeviceStateNoDeviceCanHaveIsACorruptFile() {
        record Case(int at, int value, boolean u32, String expected) {}
        byte[] good = SnapshotFile.encode(SampleState.of(1, true));
        int rtc = good.length - 4 - (8 + 129);
        int i8042 = rtc - (8 + 5);
        int uart = i8042 - (8 + 12 + 6);
        for (Case c : List.of(
                new Case(uart + 8, 0x1f, false, "its UART record holds a state the device cannot have (the UART state's IER is 0x1f"),
                new Case(uart + 10, 0x20, false, "the UART state's MCR is 0x20"),
                new Case(uart + 13, 0x02, false, "the UART record's flags 0x2 have unknown bits"),
                new Case(uart + 16, 7, true, "the UART record counts 7 input bytes but holds 6"),
                new Case(uart + 4, 12 + 4097, true, "its UART record is 4109 bytes, not 12 to 4108"),
                new Case(i8042 + 8, 0x00, false, "the i8042 record has an output byte of 0x55 but says its output buffer is empty"),
                new Case(i8042 + 11, 0xfe, false, "awaits a data byte for command 0xfe, but only 0x60 and 0xd1 take one"),
                new Case(rtc + 8, 0x80, false, "the RTC state's index register is 0x80"),
                new Case(rtc + 9 + 0xa, 0xa6, false, "update-in-progress bit set"),
                new Case(rtc + 9 + 0xd, 0x00, false, "CMOS byte 0xd is 0x0, but the guest cannot write it and it holds 0x80"),
                new Case(rtc + 9 + 0x0, 0x59, false, "CMOS byte 0x0 is 0x59"))) {
            byte[] file = good.clone();
            if (c.u32()) {
                ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(c.at(), c.value());
            } else {
                file[c.at()] = (byte) c.value();
            }
            reseal(file);
            assertOneSentence(() -> SnapshotFile.decode("vmstate", file), c.expected());
        }
        // The machine flag without the records, and the records without the flag.
        byte[] without = SnapshotFile.encode(SampleState.of(1, false));
        ByteBuffer.wrap(without).order(ByteOrder.LITTLE_ENDIAN).putInt(36, 4);
        reseal(without);
        assertOneSentence(() -> SnapshotFile.decode("vmstate", without), "it ends where its UART record should start");
        byte[] unflagged = good.clone();
        ByteBuffer.wrap(unflagged).order(ByteOrder.LITTLE_ENDIAN).putInt(36, 3);
        reseal(unflagged);
        assertOneSentence(() -> SnapshotFile.decode("vmstate", unflagged), "bytes after its last record");
    }

    @Test
    void virtioTransportsRoundTripInTheDocumentedRecords() {
        SnapshotState state = SampleState.withVirtio(SampleState.of(1, true));
        byte[] file = SnapshotFile.encode(state);
        assertEquals(state.virtio(), SnapshotFile.decode("vmstate", file).virtio());
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, b.getInt(40), "the machine record counts two virtio devices");
        // The last record: the device that needs a reset, its reason last.
        byte[] reason = state.virtio().get(1).needsReset().orElseThrow().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int last = file.length - 4 - (8 + 40 + 2 * 40 + 4 + reason.length);
        assertEquals(List.of(0x40, 40 + 80 + 4 + reason.length, 1, 0xb), List.of(b.getInt(last), b.getInt(last + 4), b.getInt(last + 8),
                b.getInt(last + 12)), "tag, length, device ID, Status");
        assertEquals(0x1_0000_0000L, b.getLong(last + 16), "accepted features");
        assertEquals(2, b.getInt(last + 44), "queue count");
        assertEquals(List.of(256, 1), List.of(b.getInt(last + 48), b.getInt(last + 52)), "the first queue's size and ready flag");
        assertEquals(0x11000, b.getLong(last + 64), "its available ring");
        assertEquals(List.of(0x1234, 0xfffe), List.of(b.getInt(last + 80), b.getInt(last + 84)), "its next available and used indices");
        assertEquals(reason.length, b.getInt(last + 128));
        int first = last - (8 + 40 + 40 + 4);
        assertEquals(-1, b.getInt(last - 4), "the first device's reason: none");
        assertEquals(List.of(0x40, 2), List.of(b.getInt(first), b.getInt(first + 8)), "the block device's record before it");

        record Case(int at, int value, String expected) {}
        for (Case c : List.of(
                new Case(40, 65, "65 virtio devices, not 0 to 64"),
                new Case(40, 1, "bytes after its last record"),
                new Case(last + 44, 1025, "holds a state the device cannot have (the virtio record counts 1025 queues"),
                new Case(last + 52, 2, "the virtio queue record's flags 0x2 have unknown bits"),
                new Case(last + 80, 0x10000, "a queue's indices are 16-bit"),
                new Case(last + 12, 0x40, "a virtio-mmio Status holds the driver's bits"),
                new Case(last + 36, 4, "a virtio-mmio InterruptStatus holds bits 1 and 2"),
                new Case(last + 128, reason.length - 1, "needs-reset reason of " + (reason.length - 1) + " bytes does not fit"),
                new Case(last - 4, 5, "its virtio device 0 record holds a state the device cannot have (the virtio record's needs-reset reason of 5"))) {
            byte[] bad = file.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(c.at(), c.value());
            reseal(bad);
            assertOneSentence(() -> SnapshotFile.decode("vmstate", bad), c.expected());
        }
    }

    @Test
    void aLongNeedsResetReasonIsCutAtACharacter() {
        SnapshotState sample = SampleState.withVirtio(SampleState.of(1, false));
        VirtioMmio.State v = sample.virtio().get(1);
        String reason = "x" + "\u00e9".repeat(2000);
        SnapshotState state = new SnapshotState(sample.memoryFileSize(), sample.regions(), sample.vcpus(), sample.irqchips(), sample.pit(),
                sample.clock(), sample.devices(), List.of(new VirtioMmio.State(v.deviceType(), v.status(), Optional.of(reason), v.driverFeatures(),
                        v.deviceFeaturesSel(), v.driverFeaturesSel(), v.queueSel(), v.interruptStatus(), v.configGeneration(), v.queues())));
        String kept = SnapshotFile.decode("vmstate", SnapshotFile.encode(state)).virtio().getFirst().needsReset().orElseThrow();
        assertEquals(reason.substring(0, 1 + (DeviceRecords.MAX_REASON - 1) / 2), kept, "whole characters, at most 1024 bytes");
    }

    @Test
    void theHeaderIsTheDocumentedOne() {
        byte[] file = SnapshotFile.encode(SampleState.of(1, true));
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("VMMSNAP\0", new String(file, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(3, b.getInt(8), "version");
        assertEquals(0, b.getInt(12), "reserved");
        assertEquals(file.length - 28, b.getLong(16), "body length");
        assertEquals(SnapshotFile.MACHINE, b.getInt(24), "the first record is the machine");
        assertEquals(12, b.getInt(28));
        assertEquals(1, b.getInt(32), "one vCPU");
        assertEquals(7, b.getInt(36), "irqchip, PIT and legacy devices");
        assertEquals(0, b.getInt(40), "no virtio devices");
        // The struct sizes the package documentation states.
        assertEquals(List.of(144, 312, 64, 112, 512), List.of(dev.vmm.core.Registers.SIZE, dev.vmm.core.SpecialRegisters.SIZE,
                dev.vmm.core.VcpuEvents.SIZE, dev.vmm.core.PitState.SIZE, dev.vmm.core.IrqchipState.SIZE));
    }

    @Test
    void aFlippedByteAnywhereInTheBodyIsACorruptChecksum() {
        byte[] file = SnapshotFile.encode(SampleState.of(2, true));
        for (int at = SnapshotFile.HEADER_SIZE; at < file.length; at += 97) {
            byte[] flipped = file.clone();
            flipped[at] ^= 0x20;
            assertOneSentence(() -> SnapshotFile.decode("vmstate", flipped), "CRC32C checksum does not match");
        }
    }

    @Test
    void aTruncatedFileSaysSo() {
        byte[] file = SnapshotFile.encode(SampleState.of(1, true));
        for (int length : new int[] {12, 23, 24, 100, file.length / 2, file.length - 1}) {
            assertOneSentence(() -> SnapshotFile.decode("vmstate", Arrays.copyOf(file, length)), "truncated");
        }
        assertOneSentence(() -> SnapshotFile.decode("vmstate", Arrays.copyOf(file, file.length + 5)), "5 bytes after its checksum");
    }

    @Test
    void anUnknownVersionIsRefusedOlderOrNewer() {
        for (int version : new int[] {0, 1, 2, 4, -1}) {
            byte[] file = SnapshotFile.encode(SampleState.of(1, false));
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(8, version);
            assertOneSentence(() -> SnapshotFile.decode("vmstate", file), "format version " + Integer.toUnsignedString(version)
                    + ", and this library reads only version 3");
        }
    }

    @Test
    void aForeignFileIsNotASnapshot() {
        byte[] file = SnapshotFile.encode(SampleState.of(1, false));
        file[0] = 'X';
        assertOneSentence(() -> SnapshotFile.decode("vmstate", file), "is not a VM snapshot");
        assertOneSentence(() -> SnapshotFile.decode("vmstate", new byte[0]), "is not a VM snapshot");
        assertOneSentence(() -> SnapshotFile.decode("vmstate", "\u007fELF\2\1\1\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)),
                "is not a VM snapshot");
    }

    @Test
    void aBadRecordWithAGoodChecksumIsStillOneSentence() {
        byte[] file = SnapshotFile.encode(SampleState.of(1, true));
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(32, 100_000); // the machine record's vCPU count
        reseal(file);
        assertOneSentence(() -> SnapshotFile.decode("vmstate", file), "100000 vCPUs, not 1 to 4096");

        byte[] huge = SnapshotFile.encode(SampleState.of(1, false));
        ByteBuffer h = ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(48, -1); // the memory record's length: 4 GiB
        reseal(huge);
        assertOneSentence(() -> SnapshotFile.decode("vmstate", huge), "its memory record is 4294967295 bytes");
    }

    @Test
    void aCpuidFeatureThisKvmLacksIsRefused() {
        SnapshotState state = SampleState.of(1, false); // leaf 7 EBX bit 5 (AVX2)
        List<CpuidEntry> without = List.of(new CpuidEntry(7, 0, 1, 0, 0, 0, 0));
        assertOneSentence(() -> VmSnapshot.checkCpuid(state, without), "CPUID leaf 0x7 EBX bit 5");
        VmSnapshot.checkCpuid(state, List.of(new CpuidEntry(7, 0, 1, 0, -1, -1, -1)));
    }

    /** Recomputes the CRC32C, as a file made by hand (or a fuzzer) would carry a valid one. */
    static void reseal(byte[] file) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, FramedFile.crc(file, file.length - 4));
    }

    static void assertOneSentence(Executable action, String expected) {
        SnapshotException e = assertThrows(SnapshotException.class, action);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertOneSentence(e);
    }

    static void assertOneSentence(SnapshotException e) {
        String m = e.getMessage();
        assertTrue(m != null && m.endsWith(".") && m.lines().count() == 1, "one sentence: " + m);
    }
}
