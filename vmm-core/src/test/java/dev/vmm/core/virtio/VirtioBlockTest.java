// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.virtio.BlockDriver.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.vmm.core.virtio.BlockDriver.DEVICE_NEEDS_RESET;
import static dev.vmm.core.virtio.BlockDriver.F_FLUSH;
import static dev.vmm.core.virtio.BlockDriver.F_RO;
import static dev.vmm.core.virtio.BlockDriver.LINUX_FEATURES;
import static dev.vmm.core.virtio.BlockDriver.STATUS;
import static dev.vmm.core.virtio.BlockDriver.S_IOERR;
import static dev.vmm.core.virtio.BlockDriver.S_OK;
import static dev.vmm.core.virtio.BlockDriver.S_UNSUPP;
import static dev.vmm.core.virtio.BlockDriver.T_FLUSH;
import static dev.vmm.core.virtio.BlockDriver.T_GET_ID;
import static dev.vmm.core.virtio.BlockDriver.T_IN;
import static dev.vmm.core.virtio.BlockDriver.T_OUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtio-blk device driven through virtio-mmio as Linux drives it, against an image in a
 * temporary directory: every request type, every check on what the driver chose, the worker's
 * life, and the image's.
 */
class VirtioBlockTest {
    private static final int SECTORS = 64;
    private static final byte[][] NONE = {};

    @TempDir
    Path dir;
    private final GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 32 << 20);
    private final List<VirtioBlock> devices = new ArrayList<>();

    @AfterEach
    void close() {
        devices.forEach(VirtioBlock::close); // the workers stop before the memory goes
        memory.close();
    }

    /** An image of {@code sectors} of random bytes. */
    private Path image(String name, int sectors) throws IOException {
        byte[] content = new byte[sectors * 512];
        new Random(sectors).nextBytes(content);
        return Files.write(dir.resolve(name), content);
    }

    /** An image of {@code size} bytes, all a hole. */
    private Path sparseImage(long size) throws IOException {
        Path path = dir.resolve("sparse.img");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(size);
        }
        return path;
    }

    private VirtioBlock open(Path image, boolean readOnly) {
        VirtioBlock device = VirtioBlock.open(image, readOnly);
        devices.add(device);
        return device;
    }

    private BlockDriver up(VirtioBlock device, long features) {
        BlockDriver driver = new BlockDriver(device, memory);
        assertTrue(driver.bringUp(256, features), "FEATURES_OK");
        return driver;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void itOffersTheBlockFeaturesAndDescribesTheImageInItsConfiguration() throws IOException {
        BlockDriver rw = new BlockDriver(open(image("rw.img", SECTORS), false), memory);
        assertEquals(2, rw.read(BlockDriver.DEVICE_ID));
        assertEquals(LINUX_FEATURES, rw.offeredFeatures(), "VERSION_1 from the transport, SEG_MAX, BLK_SIZE, FLUSH");
        assertEquals(256, rw.read(BlockDriver.QUEUE_NUM_MAX));
        ByteBuffer config = rw.config(0, 24);
        assertEquals(SECTORS, config.getLong(0), "capacity in sectors");
        assertEquals(254, config.getInt(12), "seg_max: the queue size less the header and the status");
        assertEquals(512, config.getInt(20), "blk_size");
        rw.mmio.write(BlockDriver.CONFIG, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(config, rw.config(0, 24), "configuration writes are ignored");

        BlockDriver ro = new BlockDriver(open(image("ro.img", 1), true), memory);
        assertEquals(LINUX_FEATURES | F_RO, ro.offeredFeatures());
        assertEquals(1, ro.config(0, 8).getLong(0));
    }

    @Test
    void readsAndWritesReachTheFileAndAFlushCompletes() throws IOException {
        Path path = image("disk.img", SECTORS);
        byte[] before = Files.readAllBytes(path);
        BlockDriver driver = up(open(path, false), LINUX_FEATURES);

        Request read = driver.request(T_IN, 3, NONE, 512, 1024); // two data buffers, three sectors
        driver.complete(read);
        assertEquals(S_OK, driver.status(read));
        assertArrayEquals(Arrays.copyOfRange(before, 3 * 512, 6 * 512), driver.in(read));
        assertEquals(3 * 512 + 1, driver.usedLength(read), "the data and the status");
        assertEquals("vmm-virtio-blk", driver.interruptedBy().getName(), "served on the device's worker, not the notifying thread");

        byte[] a = bytes(1024, 1), b = bytes(512, 2);
        Request write = driver.request(T_OUT, 10, new byte[][] {a, b}, new int[0], true); // through an indirect table
        driver.complete(write);
        assertEquals(S_OK, driver.status(write));
        assertEquals(1, driver.usedLength(write));
        byte[] after = Files.readAllBytes(path);
        assertArrayEquals(a, Arrays.copyOfRange(after, 10 * 512, 12 * 512), "in the file once the request completed");
        assertArrayEquals(b, Arrays.copyOfRange(after, 12 * 512, 13 * 512));
        assertArrayEquals(Arrays.copyOf(before, 10 * 512), Arrays.copyOf(after, 10 * 512), "nothing else changed");
        assertArrayEquals(Arrays.copyOfRange(before, 13 * 512, before.length), Arrays.copyOfRange(after, 13 * 512, after.length));

        Request flush = driver.request(T_FLUSH, 0, NONE);
        Request readBack = driver.request(T_IN, 10, NONE, 1536);
        driver.complete(flush, readBack);
        assertEquals(S_OK, driver.status(flush));
        assertEquals(1, driver.usedLength(flush));
        assertArrayEquals(Arrays.copyOfRange(after, 10 * 512, 13 * 512), driver.in(readBack));
    }

    @Test
    void aDriverWithoutFlushGetsItsWritesDoneAllTheSame() throws IOException {
        Path path = image("disk.img", SECTORS);
        BlockDriver driver = up(open(path, false), LINUX_FEATURES & ~F_FLUSH);
        byte[] data = bytes(512, 3);
        Request write = driver.request(T_OUT, 0, new byte[][] {data});
        driver.complete(write);
        assertEquals(S_OK, driver.status(write));
        assertArrayEquals(data, Arrays.copyOf(Files.readAllBytes(path), 512));
    }

    @Test
    void requestsCompleteWhileAVcpuHoldsTheTransportsLock() throws IOException {
        BlockDriver driver = up(open(image("disk.img", SECTORS), false), LINUX_FEATURES);
        Request write = driver.request(T_OUT, 1, new byte[][] {bytes(512, 4)});
        Request flush = driver.request(T_FLUSH, 0, NONE);
        synchronized (driver.mmio) { // what a vCPU in the middle of an MMIO access holds
            driver.complete(write, flush);
        }
        assertEquals(S_OK, driver.status(flush));
    }

    @Test
    void getIdReturnsTheIdZeroPadded() throws IOException {
        Path path = image("a-rather-long-image-name.img", 1);
        VirtioBlock named = VirtioBlock.open(path, false, "disk-7");
        devices.add(named);
        BlockDriver driver = up(named, LINUX_FEATURES);
        Request id = driver.request(T_GET_ID, 0, NONE, 20);
        driver.complete(id);
        assertEquals(S_OK, driver.status(id));
        assertArrayEquals(Arrays.copyOf("disk-7".getBytes(), 20), driver.in(id));
        assertEquals(21, driver.usedLength(id));

        driver.write(STATUS, 0); // its rings are about to be reused
        BlockDriver byName = up(open(path, true), LINUX_FEATURES | F_RO);
        Request short8 = byName.request(T_GET_ID, 0, NONE, 8);
        Request full = byName.request(T_GET_ID, 0, NONE, 20);
        byName.complete(short8, full);
        assertArrayEquals("a-rather-long-image-".getBytes(), byName.in(full), "the file name, cut to 20 bytes");
        assertArrayEquals("a-rather".getBytes(), byName.in(short8), "as much as the buffer holds");

        Path accented = image("a" + "é".repeat(12) + ".img", 1); // the cut at 20 bytes falls inside the tenth é
        assertEquals(1, open(accented, true).capacity(), "a name cut to 20 bytes is an ID, even mid-character");
        assertEquals("A virtio-blk ID holds at most 20 bytes, not the 21 of \"123456789012345678901\".",
                assertThrows(IllegalArgumentException.class, () -> VirtioBlock.open(path, false, "123456789012345678901")).getMessage());
    }

    @Test
    void aReadOnlyDeviceOpensTheImageReadOnlyAndRefusesWrites() throws IOException {
        Path path = image("ro.img", SECTORS);
        byte[] before = Files.readAllBytes(path);
        VirtioBlock device = open(path, true);
        assertTrue(device.readOnly());
        assertEquals(List.of(0), accessModes(path), "O_RDONLY");
        BlockDriver driver = up(device, LINUX_FEATURES | F_RO);

        Request write = driver.request(T_OUT, 0, new byte[][] {bytes(512, 5)});
        Request read = driver.request(T_IN, 0, NONE, 512);
        Request flush = driver.request(T_FLUSH, 0, NONE);
        driver.complete(write, read, flush);
        assertEquals(S_IOERR, driver.status(write));
        assertEquals(S_OK, driver.status(read));
        assertArrayEquals(Arrays.copyOf(before, 512), driver.in(read));
        assertEquals(S_OK, driver.status(flush));
        assertArrayEquals(before, Files.readAllBytes(path), "unchanged");

        open(path, false);
        assertEquals(List.of(0, 2), accessModes(path).stream().sorted().toList(), "a read-write device opens it O_RDWR");
    }

    @Test
    void sectorsBeyondTheCapacityAreAnIoErrorAndTouchNothing() throws IOException {
        Path path = image("disk.img", SECTORS);
        byte[] before = Files.readAllBytes(path);
        BlockDriver driver = up(open(path, false), LINUX_FEATURES);
        long[][] outside = { // sector, sectors
                {SECTORS, 1}, {SECTORS - 1, 2}, {SECTORS + 1, 0}, {Long.MAX_VALUE, 1}, {-1, 1}, {Long.MIN_VALUE, 0},
                {Long.divideUnsigned(-1, 512) + 1, 1}, // sector * 512 wraps to a small number
        };
        List<Request> requests = new ArrayList<>();
        for (long[] o : outside) {
            int length = (int) o[1] * 512;
            requests.add(driver.request(T_IN, o[0], NONE, length));
            requests.add(driver.request(T_OUT, o[0], length == 0 ? NONE : new byte[][] {bytes(length, 6)}));
        }
        Request atEnd = driver.request(T_IN, SECTORS - 1, NONE, 512);
        Request emptyAtCapacity = driver.request(T_OUT, SECTORS, NONE);
        requests.add(atEnd);
        requests.add(emptyAtCapacity);
        driver.complete(requests.toArray(Request[]::new));
        for (Request r : requests.subList(0, requests.size() - 2)) {
            assertEquals(S_IOERR, driver.status(r), "request " + r);
            assertEquals(1, driver.usedLength(r), "only the status");
            if (r.writableLength() > 1) {
                assertArrayEquals(new byte[(int) r.writableLength() - 1], driver.in(r), "no data read");
            }
        }
        assertEquals(S_OK, driver.status(atEnd), "the last sector");
        assertArrayEquals(Arrays.copyOfRange(before, (SECTORS - 1) * 512, SECTORS * 512), driver.in(atEnd));
        assertEquals(S_OK, driver.status(emptyAtCapacity), "no sectors from the end");
        assertArrayEquals(before, Files.readAllBytes(path), "the file untouched");
    }

    @Test
    void partialSectorsAndShortHeadersAreAnIoErrorAndUnknownTypesUnsupported() throws IOException {
        Path path = image("disk.img", SECTORS);
        byte[] before = Files.readAllBytes(path);
        BlockDriver driver = up(open(path, false), LINUX_FEATURES);
        List<Request> ioErrors = List.of(
                driver.request(T_IN, 0, NONE, 511),
                driver.request(T_IN, 0, NONE, 512, 1),
                driver.request(T_OUT, 0, new byte[][] {bytes(1000, 7)}),
                driver.request(T_OUT, 0, new byte[][] {bytes(1, 8)}),
                driver.chain(List.of(driver.buffer(Arrays.copyOf(BlockDriver.header(T_IN, 0), 15), false),
                        driver.buffer(new byte[513], true)), false)); // a header of 15 bytes
        List<Request> unsupported = new ArrayList<>();
        for (int type : new int[] {2, 11, 13, 14, 0x7fffffff, -1}) { // 11 discard, 13 write zeroes, 14 secure erase
            unsupported.add(driver.request(type, 0, NONE, 512));
        }
        List<Request> all = new ArrayList<>(ioErrors);
        all.addAll(unsupported);
        driver.complete(all.toArray(Request[]::new));
        ioErrors.forEach(r -> assertEquals(S_IOERR, driver.status(r), r.toString()));
        unsupported.forEach(r -> assertEquals(S_UNSUPP, driver.status(r), r.toString()));
        all.forEach(r -> assertEquals(1, driver.usedLength(r)));
        assertArrayEquals(before, Files.readAllBytes(path));
    }

    @Test
    void aChainWithoutRoomForTheStatusBreaksTheDeviceUntilAReset() throws Exception {
        VirtioBlock device = open(image("disk.img", SECTORS), false);
        BlockDriver driver = up(device, LINUX_FEATURES);
        Request good = driver.request(T_IN, 0, NONE, 512);
        Request noStatus = driver.chain(List.of(driver.buffer(BlockDriver.header(T_FLUSH, 0), false)), false);
        Request after = driver.request(T_IN, 0, NONE, 512);
        driver.submit(good, noStatus, after);
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertEquals("Chain " + noStatus.head() + " has no device-writable byte for the virtio-blk status.",
                driver.mmio.needsResetReason().orElseThrow());
        assertEquals(2, driver.read(BlockDriver.INTERRUPT_STATUS) & 2, "a configuration change interrupt");
        assertEquals(1, driver.usedIdx(), "the chain before it was served, none after");
        assertEquals(S_OK, driver.status(good));
        Thread worker = device.workerThread();
        worker.join(TimeUnit.NANOSECONDS.toMillis(BlockDriver.TIMEOUT_NANOS));
        assertFalse(worker.isAlive(), "the worker reported and ended");
        driver.write(BlockDriver.QUEUE_NOTIFY, 0);
        assertEquals(1, driver.usedIdx(), "a broken device hears no notifications");

        assertTrue(driver.bringUp(256, LINUX_FEATURES), "a reset and a new bring-up");
        Request again = driver.request(T_IN, 0, NONE, 512);
        driver.complete(again);
        assertEquals(S_OK, driver.status(again));
    }

    @Test
    void aBrokenRingFoundByTheWorkerBreaksTheDevice() throws IOException {
        BlockDriver driver = up(open(image("disk.img", SECTORS), false), LINUX_FEATURES);
        TestDriver.descriptor(memory, GuestAddress.of(0), 0, BlockDriver.DATA, 16, TestDriver.NEXT, 1);
        TestDriver.descriptor(memory, GuestAddress.of(0), 1, BlockDriver.DATA, 16, TestDriver.NEXT, 0); // a loop
        driver.submit(new Request(0, List.of()));
        driver.await(() -> (driver.read(STATUS) & DEVICE_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET");
        assertTrue(driver.mmio.needsResetReason().orElseThrow().contains("more than 256 descriptors"), driver.mmio.needsResetReason().toString());
    }

    @Test
    void aWorkerThatFailsLeavesTheDeviceBrokenAndTellsTheTransportsOwner() throws IOException, InterruptedException {
        VirtioBlock device = open(image("disk.img", SECTORS), false);
        GuestMemory doomed = GuestMemory.anonymous(GuestAddress.of(0), 1 << 20);
        BlockDriver driver = new BlockDriver(device, doomed);
        assertTrue(driver.bringUp(16, LINUX_FEATURES), "FEATURES_OK");
        driver.publish(driver.request(T_IN, 0, NONE, 512));
        // Stands for a bug in the worker: its memory closed under it (a MicroVm closes its devices
        // first), every access of the worker's an IllegalStateException.
        doomed.close();
        driver.write(BlockDriver.QUEUE_NOTIFY, 0);
        Thread worker = device.workerThread();
        worker.join(TimeUnit.NANOSECONDS.toMillis(BlockDriver.TIMEOUT_NANOS));
        assertFalse(worker.isAlive(), "the worker reported and ended");
        assertEquals(1, driver.deviceFailures.size(), driver.deviceFailures.toString());
        assertInstanceOf(IllegalStateException.class, driver.deviceFailures.getFirst());
        assertEquals(DEVICE_NEEDS_RESET, driver.read(STATUS) & DEVICE_NEEDS_RESET, "the driver must not wait for an answer that never comes");
        assertTrue(driver.mmio.needsResetReason().orElseThrow().startsWith("The device failed: java.lang.IllegalStateException"),
                driver.mmio.needsResetReason().toString());
    }

    @Test
    void theWorkerStopsOnResetAndOnClose() throws IOException {
        VirtioBlock device = open(image("disk.img", SECTORS), false);
        assertEquals(null, device.workerThread(), "no worker before DRIVER_OK");
        BlockDriver driver = up(device, LINUX_FEATURES);
        Thread first = device.workerThread();
        assertTrue(first.isAlive());
        driver.write(STATUS, 0);
        assertFalse(first.isAlive(), "the reset waited for the worker");
        assertEquals(null, device.workerThread());

        assertTrue(driver.bringUp(256, LINUX_FEATURES));
        Thread second = device.workerThread();
        assertNotSame(first, second);
        Request read = driver.request(T_IN, 0, NONE, 512);
        driver.complete(read);
        device.close();
        assertFalse(second.isAlive(), "the close waited for the worker");
        driver.submit(driver.request(T_IN, 0, NONE, 512));
        assertEquals(1, driver.usedIdx(), "a closed device serves nothing");
        assertTrue(driver.bringUp(256, LINUX_FEATURES));
        assertEquals(null, device.workerThread(), "nor starts again");
    }

    @Test
    void aResetDuringALargeReadWaitsUntilTheWorkerLeftGuestMemory() throws IOException {
        VirtioBlock device = open(sparseImage(64 << 20), false);
        BlockDriver driver = up(device, LINUX_FEATURES);
        for (int round = 0; round < 5; round++) {
            Thread worker = device.workerThread();
            driver.submit(driver.request(T_IN, 0, NONE, 16 << 20)); // 16 pieces of 1 MiB
            driver.write(STATUS, 0);
            assertFalse(worker.isAlive());
            assertTrue(driver.bringUp(256, LINUX_FEATURES));
        }
    }

    /**
     * A pause for a snapshot lets the worker finish the request in hand (where a reset drops it):
     * once it returns, every chain popped is used, and no worker runs; a request that comes while
     * paused waits, and the resume serves it.
     */
    @Test
    void aPauseCompletesTheRequestInHandAndTheResumeServesWhatCameMeanwhile() throws IOException {
        VirtioBlock device = open(sparseImage(64 << 20), false);
        BlockDriver driver = up(device, LINUX_FEATURES);
        for (int round = 0; round < 5; round++) {
            Thread worker = device.workerThread();
            Request large = driver.request(T_IN, 0, NONE, 16 << 20); // 16 pieces of 1 MiB: likely in hand when the pause comes
            driver.submit(large);
            driver.mmio.pause();
            assertFalse(worker.isAlive(), "the pause waited for the worker");
            assertEquals(null, device.workerThread());
            Virtqueue.State queue = driver.mmio.state().queues().getFirst();
            assertEquals(queue.nextAvail(), queue.nextUsed(), "every chain popped is used");
            Request small = driver.request(T_IN, 1, NONE, 512);
            driver.submit(small);
            assertEquals(null, device.workerThread(), "a notification while paused starts no worker");
            driver.mmio.resume();
            driver.awaitUsed();
            assertEquals(List.of(S_OK, S_OK), List.of(driver.status(large), driver.status(small)));
        }
        assertTrue(driver.deviceFailures.isEmpty(), driver.deviceFailures.toString());
    }

    @Test
    void theHeapARequestTakesDoesNotGrowWithItsLength() throws IOException {
        VirtioBlock device = open(sparseImage(64 << 20), false);
        BlockDriver driver = up(device, LINUX_FEATURES);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long worker = device.workerThread().threadId();
        for (int i = 0; i < 20; i++) { // warm up: classes loaded, code compiled
            driver.complete(driver.request(T_IN, 0, NONE, 512), driver.request(T_OUT, 0, new byte[][] {new byte[512]}));
        }
        long before = threads.getThreadAllocatedBytes(worker);
        for (int i = 0; i < 10; i++) {
            Request read = driver.request(T_IN, 0, NONE, 8 << 20, 4 << 20); // 12 MiB in two buffers
            driver.complete(read);
            assertEquals(S_OK, driver.status(read));
            Request write = driver.request(T_OUT, 1024, new byte[][] {new byte[8 << 20]});
            driver.complete(write);
            assertEquals(S_OK, driver.status(write));
        }
        long perRequest = (threads.getThreadAllocatedBytes(worker) - before) / 20;
        assertTrue(perRequest < 16 << 10, perRequest + " bytes of heap per request of 8 or 12 MiB");
    }

    @Test
    void hostReadErrorsAreAnIoError() throws IOException {
        Path path = image("disk.img", SECTORS);
        BlockDriver driver = up(open(path, false), LINUX_FEATURES);
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(8 * 512); // another process shrank it
        }
        Request beyond = driver.request(T_IN, 8, NONE, 512);
        Request inside = driver.request(T_IN, 7, NONE, 512);
        driver.complete(beyond, inside);
        assertEquals(S_IOERR, driver.status(beyond), "the image ended early");
        assertEquals(S_OK, driver.status(inside));
    }

    @Test
    void closingReleasesTheImage() throws IOException {
        Path path = image("disk.img", SECTORS);
        assertEquals(List.of(), accessModes(path));
        VirtioBlock device = open(path, false);
        BlockDriver driver = up(device, LINUX_FEATURES);
        driver.complete(driver.request(T_IN, 0, NONE, 512));
        assertEquals(1, accessModes(path).size(), "one descriptor while open");
        device.close();
        assertEquals(List.of(), accessModes(path), "none after close");
        device.close(); // twice is harmless
    }

    @Test
    void imagesThatAreNotWholeSectorsOrNotFilesAreRefusedInOneSentence() throws IOException {
        Path odd = Files.write(dir.resolve("odd.img"), new byte[1000]);
        assertEquals("Disk image " + odd + " is 1000 bytes, not a multiple of the 512-byte sector: give a raw disk image of whole sectors.",
                refusal(odd));
        Path empty = Files.write(dir.resolve("empty.img"), new byte[0]);
        assertEquals("Disk image " + empty + " is empty: give a raw disk image of at least one 512-byte sector.", refusal(empty));
        assertEquals("Disk image " + dir + " is not a regular file but a directory: give the path of a raw disk image.", refusal(dir));
        assertEquals("Disk image /dev/null is not a regular file but a device, FIFO or socket: give the path of a raw disk image.",
                refusal(Path.of("/dev/null")));
        Path missing = dir.resolve("missing.img");
        assertEquals("Disk image " + missing + " does not exist: give the path of a raw disk image.", refusal(missing));
        assertEquals(List.of(), accessModes(odd), "a refused image is not left open");
    }

    private static String refusal(Path image) {
        String message = assertThrows(BootException.class, () -> VirtioBlock.open(image, false)).getMessage();
        assertTrue(message.endsWith(".") && message.lines().count() == 1, message);
        return message;
    }

    /** The access mode (O_ACCMODE of the flags in /proc/self/fdinfo) of each descriptor this process has open on {@code path}. */
    private static List<Integer> accessModes(Path path) throws IOException {
        Path real = path.toRealPath();
        List<Integer> modes = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.getFileName())).stream()
                                .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
                        modes.add(Integer.parseInt(flags.substring(6).trim(), 8) & 3);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return modes;
    }
}
