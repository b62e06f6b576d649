// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.virtio.BlockDriver.Request;
import dev.vmm.core.virtio.BlockDriver.Segment;
import dev.vmm.fuzz.FuzzSeed;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.vmm.fuzz.FuzzBytes.u8;
import static dev.vmm.fuzz.FuzzBytes.u16;
import static dev.vmm.fuzz.FuzzBytes.u32;
import static dev.vmm.fuzz.FuzzBytes.u64;
import static dev.vmm.core.virtio.BlockDriver.DEVICE_NEEDS_RESET;
import static dev.vmm.core.virtio.BlockDriver.S_IOERR;
import static dev.vmm.core.virtio.BlockDriver.S_OK;
import static dev.vmm.core.virtio.BlockDriver.S_UNSUPP;
import static dev.vmm.core.virtio.BlockDriver.STATUS;
import static dev.vmm.core.virtio.BlockDriver.T_FLUSH;
import static dev.vmm.core.virtio.BlockDriver.T_GET_ID;
import static dev.vmm.core.virtio.BlockDriver.T_IN;
import static dev.vmm.core.virtio.BlockDriver.T_OUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile virtio-blk driver in fuzz bytes: request types, sectors (near 0, near the end, any 64
 * bits), data lengths (whole sectors or not), headers short or split, data on the wrong side,
 * extra writable bytes, no status byte, indirect tables, batches, resets with requests in flight,
 * on a read-write and a read-only image. The chains are valid virtqueue chains
 * ({@link VirtqueueFuzzTest} spoils those); what is checked is the device: nothing escapes, every
 * request gets the status and used length a model of the spec predicts, reads return the model's
 * bytes, a chain without a status byte breaks the device and nothing else, the read-only image is
 * byte-identical afterwards and the read-write one differs from the model only where a request
 * cut short by a reset may have written, and the worker's heap allocation stays small whatever
 * the lengths.
 */
@Tag("fuzz")
class VirtioBlockFuzzTest {
    private static final int SECTORS = 64;
    private static final int BATCH = 32;
    private static final byte[] ID = Arrays.copyOf("fuzz-disk".getBytes(), 20);
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What the model says one request gets. */
    private record Expected(Request request, int status, long used, byte[] in, long outSector, long outSectors) {
    }

    /** One input against one device. */
    private static final class Rig {
        final GuestMemory memory;
        final VirtioBlock device;
        final boolean readOnly;
        final byte[] model;
        final boolean[] unknown = new boolean[SECTORS]; // sectors a request cut short by a reset may have written
        final List<Expected> batch = new ArrayList<>();
        int descriptors; // in the queue's table for the batch
        BlockDriver driver;
        int size;
        long features;
        long served;
        long allocated;
        int broken;

        Rig(GuestMemory memory, VirtioBlock device, byte[] image) {
            this.memory = memory;
            this.device = device;
            this.readOnly = device.readOnly();
            this.model = image.clone();
        }

        void play(byte[] input) {
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            int how = u8(in);
            size = new int[] {8, 16, 64, 256}[(how >> 4) & 3];
            features = BlockDriver.VERSION_1 | BlockDriver.F_SEG_MAX | BlockDriver.F_BLK_SIZE
                    | ((how & 2) != 0 ? BlockDriver.EVENT_IDX : 0) | ((how & 4) != 0 ? BlockDriver.INDIRECT_DESC : 0)
                    | ((how & 8) == 0 ? BlockDriver.F_FLUSH : 0) | (readOnly && (how & 1) != 0 ? BlockDriver.F_RO : 0);
            driver = new BlockDriver(device, memory);
            bringUp();
            Random data = new Random(input.length);
            while (in.hasRemaining()) {
                int op = u8(in);
                switch (op & 3) {
                    case 0, 1 -> request(op, in, data);
                    case 2 -> complete();
                    default -> { // a reset with the batch in flight: its writes may or may not have happened
                        if (!batch.isEmpty()) {
                            driver.submit(batch.stream().map(Expected::request).toArray(Request[]::new));
                        }
                        for (Expected e : batch) {
                            Arrays.fill(unknown, (int) e.outSector(), (int) (e.outSector() + e.outSectors()), true);
                        }
                        batch.clear();
                        descriptors = 0;
                        bringUp();
                    }
                }
            }
            complete();
            stopWorker();
        }

        private void bringUp() {
            stopWorker();
            assertTrue(driver.bringUp(size, features), "FEATURES_OK for offered features");
        }

        /** Adds up what the current worker allocated, then resets the device (which ends the worker). */
        private void stopWorker() {
            Thread worker = device.workerThread();
            if (worker != null && worker.isAlive()) {
                long bytes = THREADS.getThreadAllocatedBytes(worker.threadId());
                allocated += Math.max(bytes, 0);
            }
            driver.write(STATUS, 0);
        }

        /** One request from the input, with what the model expects of it; a malformed one ends its batch. */
        private void request(int op, ByteBuffer in, Random data) {
            int typeCode = u8(in);
            int type = typeCode >= 0xf8 ? u32(in) : new int[] {T_IN, T_OUT, T_FLUSH, T_GET_ID, T_IN, T_OUT, 2, 11}[typeCode & 7];
            int sectorCode = u8(in);
            long sector = switch (sectorCode >> 6) {
                case 0 -> sectorCode & 0x3f;
                case 1 -> SECTORS - (sectorCode & 0x3f) + 8;
                case 2 -> u64(in);
                default -> 1L << (sectorCode & 63);
            };
            int lengthCode = u16(in);
            int length = Math.max(0, (lengthCode & 0x1f) * 512 + ((lengthCode & 0x20) != 0 ? ((lengthCode >> 6) & 0x3ff) - 512 : 0));
            int shape = u8(in); // bits 0-1: data pieces - 1; bit 2: the header in two pieces, cut at bits 3-7
            int form = u8(in);  // bit 0: a header of bits 1-4 bytes; bit 6: bits 1-4 + 1 extra writable bytes, else bit 5: no status byte; bit 7: data on the wrong side
            int pieces = 1 + (shape & 3);
            int headerLength = (form & 1) != 0 ? (form >> 1) & 0xf : 16;
            int cut = (shape & 4) != 0 ? Math.min(headerLength, 1 + (shape >> 3) % 15) : headerLength;
            boolean noStatus = (form & 0x60) == 0x20;
            int extra = (form & 0x40) != 0 ? 1 + ((form >> 1) & 0xf) : 0;
            boolean wrongSide = (form & 0x80) != 0;
            boolean indirect = (op & 4) != 0 && (features & BlockDriver.INDIRECT_DESC) != 0;
            int count = (cut < headerLength ? 2 : 1) + pieces + (extra > 0 ? 1 : 0) + (noStatus ? 0 : 1);

            if (batch.size() == BATCH || descriptors + (indirect ? 1 : count) > size) {
                complete();
            }
            descriptors += indirect ? 1 : count;
            byte[] header = Arrays.copyOf(BlockDriver.header(type, sector), headerLength);
            byte[] payload = new byte[length];
            data.nextBytes(payload);
            boolean outward = (type == T_OUT) != wrongSide;
            List<Segment> segments = new ArrayList<>();
            segments.add(driver.buffer(Arrays.copyOf(header, cut), false));
            if (cut < headerLength) {
                segments.add(driver.buffer(Arrays.copyOfRange(header, cut, headerLength), false));
            }
            for (int i = 0; i < pieces; i++) {
                int from = length * i / pieces, to = length * (i + 1) / pieces;
                segments.add(driver.buffer(outward ? Arrays.copyOfRange(payload, from, to) : new byte[to - from], !outward));
            }
            if (extra > 0) {
                segments.add(driver.buffer(new byte[extra], true));
            }
            if (!noStatus) {
                segments.add(driver.buffer(new byte[] {(byte) 0xee}, true));
            }
            Request request = driver.chain(segments, indirect);
            Expected expected = expect(request, segments);
            batch.add(expected);
            if (expected.status() < 0) {
                complete(); // it breaks the device: nothing after it in the batch is served
            }
        }

        /**
         * The model of the spec (virtio 1.2, 5.2.6), in request order: the device sees the
         * readable bytes as one run and the writable ones as another, whatever the descriptors.
         */
        private Expected expect(Request request, List<Segment> segments) {
            ByteArrayOutputStream readable = new ByteArrayOutputStream();
            long writable = 0;
            for (Segment s : segments) {
                if (s.writable()) {
                    writable += s.length();
                } else {
                    readable.writeBytes(memory.read(GuestAddress.of(s.address()), (int) s.length()));
                }
            }
            if (writable == 0) {
                return new Expected(request, -1, 0, null, 0, 0);
            }
            byte[] r = readable.toByteArray();
            long in = writable - 1;
            if (r.length < 16) {
                return new Expected(request, S_IOERR, 1, null, 0, 0);
            }
            ByteBuffer h = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
            int type = h.getInt(0);
            long sector = h.getLong(8);
            return switch (type) {
                case T_IN -> {
                    if (!inside(sector, in)) {
                        yield new Expected(request, S_IOERR, 1, null, 0, 0);
                    }
                    byte[] expected = Arrays.copyOfRange(model, (int) sector * 512, (int) (sector * 512 + in));
                    for (long s = sector; s < sector + in / 512; s++) {
                        if (unknown[(int) s]) {
                            yield new Expected(request, S_OK, in + 1, null, 0, 0); // whatever a cut-short write left
                        }
                    }
                    yield new Expected(request, S_OK, in + 1, expected, 0, 0);
                }
                case T_OUT -> {
                    long out = r.length - 16;
                    if (readOnly || !inside(sector, out)) {
                        yield new Expected(request, S_IOERR, 1, null, 0, 0);
                    }
                    System.arraycopy(r, 16, model, (int) sector * 512, (int) out);
                    Arrays.fill(unknown, (int) sector, (int) (sector + out / 512), false); // known again once done
                    yield new Expected(request, S_OK, 1, null, sector, out / 512);
                }
                case T_FLUSH -> new Expected(request, S_OK, 1, null, 0, 0);
                case T_GET_ID -> new Expected(request, S_OK, Math.min(20, in) + 1, Arrays.copyOf(ID, (int) Math.min(20, in)), 0, 0);
                default -> new Expected(request, S_UNSUPP, 1, null, 0, 0);
            };
        }

        private static boolean inside(long sector, long length) {
            return length % 512 == 0 && sector >= 0 && sector <= SECTORS && sector + length / 512 <= SECTORS;
        }

        /** Submits the batch, waits for it, and checks every request against the model. */
        private void complete() {
            if (batch.isEmpty()) {
                return;
            }
            boolean breaks = batch.getLast().status() < 0;
            int usedBefore = driver.usedIdx();
            driver.submit(batch.stream().map(Expected::request).toArray(Request[]::new));
            if (breaks) {
                driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
                assertTrue(driver.mmio.needsResetReason().orElseThrow().contains("no device-writable byte"), driver.mmio.needsResetReason().toString());
                assertEquals(usedBefore + batch.size() - 1, driver.usedIdx(), "every request before the malformed one, none after");
                broken++;
            } else {
                driver.awaitUsed();
                assertEquals(0, driver.read(STATUS) & DEVICE_NEEDS_RESET, driver.mmio.needsResetReason().toString());
            }
            for (Expected e : breaks ? batch.subList(0, batch.size() - 1) : batch) {
                Request r = e.request();
                assertEquals(e.status(), driver.status(r), "status of " + r);
                assertEquals(e.used(), driver.usedLength(r), "used length of " + r);
                byte[] got = driver.in(r);
                if (e.in() != null) {
                    assertArrayEquals(e.in(), Arrays.copyOf(got, e.in().length), "data of " + r);
                    assertArrayEquals(new byte[got.length - e.in().length], Arrays.copyOfRange(got, e.in().length, got.length), "after the ID");
                } else if (e.used() == 1) {
                    assertArrayEquals(new byte[got.length], got, "writable bytes of " + r + " that the device must leave alone");
                }
                served++;
            }
            batch.clear();
            descriptors = 0;
            if (breaks) {
                bringUp();
            }
        }
    }

    @Test
    void aHostileDriverGetsTheStatusTheSpecSaysAndTheImagesOnlyWhatItWrote() throws IOException {
        // tmpfs where there is one: the fuzz flushes often, and a flush on a disk is milliseconds.
        Path shm = Path.of("/dev/shm");
        Path dir = Files.createTempDirectory(Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), "vmm-blk-fuzz");
        byte[] image = new byte[SECTORS * 512];
        new Random(7).nextBytes(image);
        Path rwPath = Files.write(dir.resolve("rw.img"), image);
        Path roPath = Files.write(dir.resolve("ro.img"), image);
        long[] totals = new long[4]; // inputs, requests served, devices broken, bytes the workers allocated
        long[] maxAllocated = {0};
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 2 << 20);
             VirtioBlock rw = VirtioBlock.open(rwPath, false, "fuzz-disk");
             VirtioBlock ro = VirtioBlock.open(roPath, true, "fuzz-disk")) {
            Fuzzer.Result result = Fuzzer.named("virtio-blk").seeds(seeds()).inputs(2_000).maxLength(2048).run(input -> {
                boolean readOnly = input.length > 0 && (input[0] & 0x80) != 0;
                Rig rig = new Rig(memory, readOnly ? ro : rw, image);
                try {
                    rig.play(input);
                } finally {
                    rig.driver.write(STATUS, 0); // stop the worker whatever happened
                }
                assertArrayEquals(image, Files.readAllBytes(roPath), "the read-only image is byte-identical");
                byte[] after = Files.readAllBytes(rwPath);
                for (int s = 0; s < SECTORS; s++) {
                    if (!rig.unknown[s]) {
                        int sector = s;
                        assertArrayEquals(Arrays.copyOfRange(rig.model, s * 512, s * 512 + 512), Arrays.copyOfRange(after, s * 512, s * 512 + 512),
                                () -> "sector " + sector + " of the read-write image");
                    }
                }
                if (!Arrays.equals(image, after)) {
                    Files.write(rwPath, image); // the next input starts from the same image
                }
                totals[0]++;
                totals[1] += rig.served;
                totals[2] += rig.broken;
                totals[3] += rig.allocated;
                maxAllocated[0] = Math.max(maxAllocated[0], rig.allocated);
                assertTrue(rig.allocated <= (2L << 20) + 16_384 * rig.served,
                        rig.allocated + " bytes allocated by the worker for " + rig.served + " requests");
            });
            System.out.printf(java.util.Locale.ROOT, "virtio-blk: %d inputs, %d requests checked, %d malformed chains, workers allocated %d KiB in all, at most %d KiB for one input (%.0f inputs/s)%n",
                    totals[0], totals[1], totals[2], totals[3] >> 10, maxAllocated[0] >> 10, result.perSecond());
            // Refusing everything would pass too: the inputs must reach the request paths and the malformed one often enough.
            assertTrue(totals[1] >= 3 * totals[0] && totals[2] >= 100, totals[1] + " requests checked, " + totals[2] + " malformed");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** Inputs as op streams (see {@link Rig#play}). */
    private static final class Ops extends FuzzSeed<Ops> {
        /** bit 7: the read-only device; bit 0: accept VIRTIO_BLK_F_RO; 1: EVENT_IDX; 2: INDIRECT_DESC; 3: not FLUSH; 4-5: queue size 8, 16, 64, 256. */
        Ops(int how) {
            put(how);
        }

        /** A request: {@code typeCode} 0 to 7 picks IN, OUT, FLUSH, GET_ID, IN, OUT, 2, 11; {@code sectorCode} bits 6-7 pick the mode. */
        Ops request(boolean indirect, int typeCode, int sectorCode, int sectors, int shape, int form) {
            return put(indirect ? 4 : 0, typeCode, sectorCode).le(sectors, 2).put(shape, form);
        }

        Ops rawType(int type, int sectorCode, int lengthCode) {
            return put(0, 0xf8).le(type, 4).put(sectorCode).le(lengthCode, 2).put(0, 0);
        }

        Ops rawSector(int typeCode, long sector, int sectors) {
            return put(0, typeCode, 0x80).le(sector, 8).le(sectors, 2).put(0, 0);
        }

        Ops complete() {
            return put(2);
        }

        Ops reset() {
            return put(3);
        }
    }

    static List<byte[]> seeds() {
        int oddLength = 1 | 0x20 | (512 + 1) << 6; // one sector and a byte
        return List.of(
                // Linux's requests on a 256-entry queue with every ring feature: read, write in three pieces, flush, get the ID
                new Ops(0x36).request(false, 0, 3, 2, 0, 0).request(true, 1, 10, 3, 2, 0).request(false, 2, 0, 0, 0, 0)
                        .request(false, 3, 0, 0, 0, 0).complete().request(false, 0, 10, 3, 0, 0).complete().bytes(),
                // the read-only device: a write refused, a read, an odd length, a short header split in two
                new Ops(0x81 | 0x10).request(false, 1, 5, 1, 0, 0).request(false, 0, 5, 1, 0, 0).request(false, 0, 0, oddLength, 0, 0)
                        .request(false, 0, 0, 1, 4 | 3 << 3, 1 | 11 << 1).complete().bytes(),
                // sectors near the end and beyond, and any 64 bits
                new Ops(0x10).request(false, 0, 0x48, 1, 0, 0).request(false, 1, 0x41, 2, 0, 0).request(false, 1, 0x48, 0, 0, 0)
                        .rawSector(0, -1, 1).rawSector(1, 1L << 55, 1).request(false, 0, 0xc0 | 9, 1, 0, 0).complete().bytes(),
                // a chain without a status byte, then a good one
                new Ops(0x00).request(false, 2, 0, 0, 0, 0x20).request(false, 0, 0, 1, 0, 0).bytes(),
                // data on the wrong side, extra writable bytes, unknown types
                new Ops(0x02).request(false, 1, 2, 2, 0, 0x80).request(false, 0, 3, 1, 1, 0x40 | 5 << 1)
                        .rawType(0x7fffffff, 0, 1).request(false, 7, 0, 1, 0, 0).complete().bytes(),
                // writes cut short by a reset, then reads of the same sectors
                new Ops(0x34).request(false, 1, 0, 16, 3, 0).request(true, 1, 16, 16, 0, 0).reset()
                        .request(false, 0, 0, 16, 0, 0).request(false, 0, 16, 16, 0, 0).complete().bytes(),
                // no FLUSH: write-through
                new Ops(0x08).request(false, 1, 4, 4, 0, 0).request(false, 0, 4, 4, 0, 0).complete().bytes());
    }
}
