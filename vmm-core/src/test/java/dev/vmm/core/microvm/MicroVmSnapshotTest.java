// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.KvmTest;
import dev.vmm.core.NetNamespace;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.devices.BusDevice;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.snapshot.SnapshotLeaks;
import dev.vmm.core.snapshot.VmSnapshot;
import dev.vmm.core.virtio.MacAddress;
import dev.vmm.core.virtio.VirtioBlock;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole MicroVm saved while its guest runs and restored into new ones: the guest counts in a
 * register and reports each count twice, at once to a port the test watches and as a line of hex
 * on the UART. Each clone goes on from the original's count, the original goes on too, and a bad
 * snapshot is one sentence that leaves nothing open.
 */
class MicroVmSnapshotTest {
    private static final int COUNT_PORT = 0xe9;
    // xor %ebx,%ebx
    // next: inc %ebx; mov %ebx,%eax; mov $0xe9,%dx; out %eax,%dx        -- the count, to the test's port
    //       mov $0x3f8,%dx; mov $8,%ecx; mov %ebx,%esi
    // digit: rol $4,%esi; mov %esi,%eax; and $0xf,%al; add $'0',%al; cmp $'9',%al; jbe 1f; add $7,%al
    // 1:    out %al,%dx; dec %ecx; jnz digit; mov $'\n',%al; out %al,%dx  -- and as 8 hex digits on the UART
    //       mov $0x10,%ecx; 2: dec %ecx; jnz 2b; jmp next                     -- a short pause between lines
    private static final String COUNTER = "31db ffc3 89d8 66bae900 ef 66baf803 b908000000 89de c1c604 89f0 240f 0430 3c39 7602 0407"
            + " ee ffc9 75ec b00a ee b910000000 ffc9 75fc ebca";
    private static final Duration LIMIT = Duration.ofSeconds(60); // an emulated sandbox is slow; the host takes milliseconds

    @TempDir
    Path dir;

    /**
     * A MicroVm run on a thread of its own once started; {@link #close()} stops it, checks that it
     * was still running and lost no console byte, and closes it.
     */
    private abstract static class RunningVm implements AutoCloseable {
        final MicroVm vm;
        private final CompletableFuture<MicroVmExit> run = new CompletableFuture<>();
        private boolean started;

        RunningVm(MicroVm vm) {
            this.vm = vm;
        }

        void startRun() {
            started = true;
            Thread.ofPlatform().start(() -> { // its own thread: the common pool may have room for one run only
                try {
                    run.complete(vm.run(LIMIT));
                } catch (Throwable t) {
                    run.completeExceptionally(t);
                }
            });
        }

        /** Waits until {@code done}, for as long as LIMIT and the run last; fails with {@code what} and, if it ended, how the run did. */
        void await(BooleanSupplier done, Supplier<String> what) throws InterruptedException {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (!done.getAsBoolean() && System.nanoTime() < deadline && !run.isDone()) {
                Thread.sleep(1);
            }
            assertTrue(done.getAsBoolean(), () -> what.get() + (run.isDone() ? ": " + run.join() : ""));
        }

        @Override
        public void close() throws Exception {
            try {
                vm.stop();
                if (started) {
                    assertEquals(MicroVmExit.Reason.STOPPED, run.get(10, TimeUnit.SECONDS).reason());
                }
                assertEquals(0, vm.consoleBytesDropped(), "console bytes dropped: the console checks cannot hold");
            } finally {
                vm.close();
            }
        }
    }

    /** A MicroVm running the counter on another thread, with what it reported. */
    private static final class Counter extends RunningVm {
        final AtomicLong first = new AtomicLong(-1);
        final AtomicLong latest = new AtomicLong(-1);
        final StringBuffer console;

        private Counter(Function<IntConsumer, MicroVm> create) {
            this(new StringBuffer(), create);
        }

        private Counter(StringBuffer console, Function<IntConsumer, MicroVm> create) {
            super(create.apply(b -> console.append((char) b)));
            this.console = console;
            vm.devices().ports().register(COUNT_PORT, 4, new BusDevice() { // called on the vCPU thread: no lag
                @Override
                public void read(long offset, byte[] data) {
                }

                @Override
                public void write(long offset, byte[] data) {
                    long count = (data[0] & 0xffL) | (data[1] & 0xffL) << 8 | (data[2] & 0xffL) << 16 | (data[3] & 0xffL) << 24;
                    first.compareAndSet(-1, count);
                    latest.set(count);
                }
            });
        }

        static Counter boot(Path kernel, int cpus) {
            return new Counter(console -> MicroVm.create(new MicroVmConfig(kernel, null, "", HostileGuests.MEMORY, cpus, null), console));
        }

        static Counter restore(Path snapshot) {
            return new Counter(console -> MicroVm.restore(snapshot, RestoreOptions.defaults(), console));
        }

        Counter start() {
            startRun();
            return this;
        }

        /** Waits for the guest's first count, and then for {@code more} after it; returns the first. */
        long awaitFirstAndMore(long more) throws InterruptedException {
            awaitCount(0);
            long firstCount = first.get();
            awaitCount(firstCount + more);
            return firstCount;
        }

        /** Waits until the guest has reported {@code count}; returns the latest count. */
        long awaitCount(long count) throws InterruptedException {
            await(() -> latest.get() >= count, () -> "the guest reported up to " + latest.get() + ", not " + count);
            return latest.get();
        }
    }

    private Path counterKernel() throws IOException {
        return Files.write(dir.resolve("counter.elf"), HostileGuests.elf(HexFormat.of().parseHex(COUNTER.replace(" ", ""))));
    }

    @KvmTest
    void twoClonesCountOnFromWhereTheOriginalWasAndSoDoesTheOriginal() throws Exception {
        Path kernel = counterKernel();
        Map<String, Long> before = idleResources();
        Path snapshot = dir.resolve("snapshot");
        // Two vCPUs: the second, an AP never started, waits in KVM_RUN and must be held as well.
        try (Counter original = Counter.boot(kernel, 2).start()) {
            long beforeSave = original.awaitCount(20);
            original.vm.snapshot(snapshot);
            long afterSave = original.latest.get();
            original.awaitCount(afterSave + 20); // the original runs on
            try (Counter first = Counter.restore(snapshot).start(); Counter second = Counter.restore(snapshot).start()) {
                assertEquals(original.vm.config().withPreFault(null), first.vm.config(), "the restored configuration");
                for (Counter clone : List.of(first, second)) {
                    long resumed = clone.awaitFirstAndMore(20);
                    // The save held the guest at some count between the two reads of it: the clone goes on with the next.
                    assertTrue(resumed > beforeSave && resumed <= afterSave + 1,
                            "a clone's first count " + resumed + ", saved between " + beforeSave + " and " + afterSave);
                    // Its console goes on where the original's was, maybe mid-line: the rest of the saved count's line, then the next.
                    assertConsole(clone.console.toString(), resumed - 1, 9, "a clone's console");
                }
            }
            original.awaitCount(afterSave + 40);
            assertConsole(original.console.toString(), 1, 0, "the original's console, across its snapshot (nothing lost or repeated)");
        }
        assertEquals(before, settledResources(before), "fds, mappings and threads after closing all three");
    }

    @KvmTest
    void aSnapshotNeedsAGuestThatIsRunning() throws Exception {
        try (MicroVm vm = MicroVm.create(new MicroVmConfig(counterKernel(), null, "", HostileGuests.MEMORY, 1, null), b -> { })) {
            IllegalStateException early = assertThrows(IllegalStateException.class, () -> vm.snapshot(dir.resolve("early")));
            assertEquals("This MicroVm has not run yet: take a snapshot while run() is under way.", early.getMessage());
            assertEquals(MicroVmExit.Reason.STOPPED, vm.run(Duration.ofMillis(100)).reason());
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> vm.snapshot(dir.resolve("late")));
            assertTrue(late.getMessage().startsWith("This MicroVm has ended (STOPPED: "), late.getMessage());
            assertFalse(Files.exists(dir.resolve("early")) || Files.exists(dir.resolve("late")), "no directory written");
        }
    }

    /**
     * Drives go with the snapshot (this guest never drives them, so their transports are saved as
     * the kernel left them): a read-only one stays where it is, a writable one is copied and the
     * clone gets the copy, which a later change makes unusable in one sentence.
     */
    @KvmTest
    void drivesGoWithTheSnapshotWithItsProgress() throws Exception {
        Path shared = Files.write(dir.resolve("shared.img"), new byte[4096]);
        Path own = dir.resolve("own.img");
        byte[] first = "first sector".getBytes(), last = "last sector".getBytes();
        try (RandomAccessFile file = new RandomAccessFile(own.toFile(), "rw")) {
            file.setLength(8 << 20); // a hole between the two
            file.write(first);
            file.seek((8 << 20) - 512);
            file.write(last);
        }
        MicroVmConfig config = new MicroVmConfig(counterKernel(), null, "", HostileGuests.MEMORY, 1, null)
                .withDrive(new MicroVmConfig.Drive(shared, true)).withDrive(new MicroVmConfig.Drive(own, false));
        Path snapshot = dir.resolve("snapshot");
        List<String> progress = new ArrayList<>();
        try (Counter original = new Counter(console -> MicroVm.create(config, console)).start()) {
            original.awaitCount(5);
            original.vm.snapshot(snapshot, (part, index, done, total) -> progress.add(part + " " + index + " " + (done >> 20) + "/" + (total >> 20)));
        }
        assertArrayEquals(Files.readAllBytes(own), Files.readAllBytes(snapshot.resolve("drive-1")), "the writable image's copy");
        // The copy of drive 1 (8 MiB) a MiB at a time, then the memory (64 MiB) likewise; never drive 0, which is read-only.
        List<String> expected = new ArrayList<>();
        for (int mib = 1; mib <= 8; mib++) {
            expected.add("DRIVE 1 " + mib + "/8");
        }
        for (int mib = 1; mib <= 64; mib++) {
            expected.add("MEMORY 0 " + mib + "/64");
        }
        assertEquals(expected, progress, "the snapshot's progress");
        assertFalse(Files.exists(snapshot.resolve("drive-0")), "a read-only image is not copied");
        Map<String, Long> before = idleResources();
        try (Counter clone = Counter.restore(snapshot).start()) {
            clone.awaitFirstAndMore(5);
            assertEquals(List.of(new MicroVmConfig.Drive(shared, true), new MicroVmConfig.Drive(snapshot.resolve("drive-1"), false)),
                    clone.vm.config().drives());
        }
        Files.write(snapshot.resolve("drive-1"), new byte[512]);
        SnapshotException changed = assertThrows(SnapshotException.class, () -> MicroVm.restore(snapshot, RestoreOptions.defaults(), b -> { }));
        assertTrue(changed.getMessage().startsWith("Drive 1's image " + snapshot.resolve("drive-1") + " changed since the snapshot"), changed.getMessage());
        assertEquals(before, settledResources(before), "fds, mappings and threads after the clone and the refused restore");
    }

    /**
     * Network interfaces and the vsock device go with the snapshot as their host ends: the MAC
     * address the guest knows (a random one here), the tap, the socket path. A clone beside its
     * original cannot have the original's tap or socket, and says so in one sentence; on those the
     * restore options give instead, it counts on beside the original. Options for an interface the
     * snapshot does not have, or a vsock device it does not have, are one sentence too.
     */
    @KvmTest
    void networkInterfacesAndTheVsockDeviceGoWithTheSnapshotOnTheHostEndsTheRestoreGives() throws Exception {
        Path snapshot = dir.resolve("snapshot");
        Path socket = dir.resolve("v.sock").toAbsolutePath();
        MicroVmConfig config = new MicroVmConfig(counterKernel(), null, "", HostileGuests.MEMORY, 1, null)
                .withNetworkInterface(new MicroVmConfig.NetworkInterface("vmmsnap0", null)).withVsock(new MicroVmConfig.Vsock(3, socket));
        try (NetNamespace ns = NetNamespace.create()) { // the taps, in a namespace of their own
            Map<String, Long> before = idleResources();
            try (Counter original = new Counter(console -> inNamespace(ns, () -> MicroVm.create(config, console))).start()) {
                original.awaitCount(3);
                original.vm.snapshot(snapshot);
                MicroVmConfig saved = MicroVmConfigFile.read(snapshot);
                MacAddress mac = saved.networkInterfaces().getFirst().mac();
                assertTrue(mac.isLocallyAdministered() && !mac.isMulticast(), "the random address the device chose: " + mac);
                assertEquals(new MicroVmConfig.Vsock(3, socket), saved.vsock());

                BootException tapInUse = assertThrows(BootException.class,
                        () -> ns.call(() -> MicroVm.restore(snapshot, RestoreOptions.defaults(), b -> { })));
                assertEquals("Tap vmmsnap0 is in use by another file descriptor: close it there, or choose another name.", tapInUse.getMessage());
                BootException socketInUse = assertThrows(BootException.class,
                        () -> ns.call(() -> MicroVm.restore(snapshot, RestoreOptions.defaults().tap(0, "vmmsnap1"), b -> { })));
                assertEquals("Vsock socket " + socket + " already exists: remove it if an earlier run left it, or give another path.",
                        socketInUse.getMessage());
                SnapshotException noSuchInterface = assertThrows(SnapshotException.class,
                        () -> MicroVm.restore(snapshot, RestoreOptions.defaults().tap(1, "vmmsnap2"), b -> { }));
                assertEquals("The restore gives a tap for network interface 1, but the snapshot in " + snapshot + " has 1 network interface:"
                        + " give taps only for those it has.", noSuchInterface.getMessage());

                RestoreOptions beside = RestoreOptions.defaults().tap(0, "vmmsnap1").vsockSocket(dir.resolve("clone.sock"));
                try (Counter clone = new Counter(console -> inNamespace(ns, () -> MicroVm.restore(snapshot, beside, console))).start()) {
                    clone.awaitFirstAndMore(5);
                    original.awaitCount(original.latest.get() + 5);
                    assertEquals(List.of(new MicroVmConfig.NetworkInterface("vmmsnap1", mac)), clone.vm.config().networkInterfaces());
                    assertEquals(new MicroVmConfig.Vsock(3, dir.resolve("clone.sock")), clone.vm.config().vsock());
                    assertTrue(Files.exists(dir.resolve("clone.sock")), "the clone listens at its own socket");
                }
            }
            assertEquals(before, settledResources(before), "fds, mappings and threads after the original, the clone and the refused restores");
            assertFalse(ns.ip("link", "show").contains("vmmsnap"), "the VMs' closes removed their taps");
        }
        Path noVsock = dir.resolve("no-vsock");
        try (Counter plain = Counter.boot(counterKernel(), 1).start()) {
            plain.awaitCount(1);
            plain.vm.snapshot(noVsock);
        }
        SnapshotException noSuchVsock = assertThrows(SnapshotException.class,
                () -> MicroVm.restore(noVsock, RestoreOptions.defaults().vsockSocket(dir.resolve("x.sock")), b -> { }));
        assertEquals("The restore gives a vsock socket, but the snapshot in " + noVsock + " has no vsock device: leave it out.", noSuchVsock.getMessage());
    }

    /** {@code create}, run in {@code ns}, where a tap it opens belongs. */
    private static MicroVm inNamespace(NetNamespace ns, Callable<MicroVm> create) {
        return created(() -> ns.call(create));
    }

    /** What {@code create} returns, its checked exceptions wrapped. */
    private static MicroVm created(Callable<MicroVm> create) {
        try {
            return create.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A guest that floods its drive with reads, as many as its queue holds, round after round
     * without end: a snapshot taken in the middle waits for the requests the device has in hand and
     * no more, the original floods on, and so does the clone, whose device serves the restored
     * queue (a guest whose device broke or lost a request would wait for its used ring for good).
     */
    @KvmTest
    void aSnapshotTakenDuringAFloodOfRequestsLetsTheOriginalAndTheCloneFloodOn() throws Exception {
        Path image = Files.write(dir.resolve("flood.img"), new byte[1 << 20]);
        floodAcrossASnapshot(flooding(floodingDriveKernel()).withDrive(new MicroVmConfig.Drive(image, true)), MicroVmSnapshotTest::created);
    }

    /**
     * The same with a guest that sends frames on its network interface without end (the tap, in a
     * namespace of its own, takes them): the snapshot holds the transmit worker between two frames.
     */
    @KvmTest
    void aSnapshotTakenDuringAFloodOfFramesLetsTheOriginalAndTheCloneFloodOn() throws Exception {
        MicroVmConfig config = flooding(HostileNetGuest.floodingKernel()).withNetworkInterface(new MicroVmConfig.NetworkInterface("vmmflood0", null));
        try (NetNamespace ns = NetNamespace.create()) {
            floodAcrossASnapshot(config, create -> inNamespace(ns, create));
        }
    }

    /**
     * The same with a guest that sends vsock connection requests to a port where nothing listens,
     * without end and with no receive buffer for the resets they deserve: the snapshot holds the
     * muxer between two rounds, with resets waiting for buffers.
     */
    @KvmTest
    void aSnapshotTakenDuringAFloodOfConnectionRequestsLetsTheOriginalAndTheCloneFloodOn() throws Exception {
        floodAcrossASnapshot(flooding(HostileVsockGuest.floodingKernel()).withVsock(new MicroVmConfig.Vsock(HostileVsockGuest.CID,
                dir.resolve("flood.sock").toAbsolutePath())), MicroVmSnapshotTest::created);
    }

    private MicroVmConfig flooding(byte[] kernel) throws IOException {
        return new MicroVmConfig(Files.write(dir.resolve("flood.elf"), kernel), null, "", HostileGuests.MEMORY, 1, null);
    }

    /**
     * Runs {@code config}'s flood, saves it some 20 rounds in, checks that the original floods on,
     * closes it, and checks that a clone restored from the snapshot floods on too; {@code where}
     * creates each VM (a tap is opened where the VM is created).
     */
    private void floodAcrossASnapshot(MicroVmConfig config, Function<Callable<MicroVm>, MicroVm> where) throws Exception {
        Path snapshot = dir.resolve("snapshot");
        try (Flooding original = new Flooding(where.apply(() -> MicroVm.create(config, b -> { })))) {
            original.awaitSteps(100); // some 20 rounds into the flood
            original.vm.snapshot(snapshot);
            original.awaitSteps(original.steps.get() + 100);
        }
        try (Flooding clone = new Flooding(where.apply(() -> MicroVm.restore(snapshot, RestoreOptions.defaults(), b -> { })))) {
            clone.awaitSteps(100);
        }
    }

    /** 64 reads of a sector each (header, 512 bytes, status: three descriptors), made available again and again. */
    private static byte[] floodingDriveKernel() {
        long header = VirtioScript.BUFFERS, data = header + 0x1000, status = header + 0x10000;
        VirtioScript driver = new VirtioScript(VirtioBlock.DEVICE_TYPE, 1);
        ByteBuffer table = ByteBuffer.allocate(64 * 3 * 16);
        int[] heads = new int[64];
        for (int i = 0; i < heads.length; i++) {
            heads[i] = 3 * i;
            table.put(VirtioScript.descriptorBytes(header, 16, VirtioScript.NEXT, 3 * i + 1)) // the header at BUFFERS is zeros: T_IN, sector 0
                    .put(VirtioScript.descriptorBytes(data + 512L * i, 512, VirtioScript.WRITE | VirtioScript.NEXT, 3 * i + 2))
                    .put(VirtioScript.descriptorBytes(status + i, 1, VirtioScript.WRITE, 0));
        }
        driver.bringUp().script().write(VirtioScript.descriptors(0), table.array());
        driver.flood(0, Integer.MAX_VALUE, heads); // some 25 steps before it, 4 a round
        return driver.kernel();
    }

    /** A MicroVm running a {@link DriverScript} guest on another thread, counting the steps it began. */
    private static final class Flooding extends RunningVm {
        final AtomicLong steps = new AtomicLong();

        Flooding(MicroVm vm) {
            super(vm);
            DriverScript.watchSteps(vm, step -> steps.incrementAndGet()); // not saved: added to the clone too
            startRun();
        }

        void awaitSteps(long count) throws InterruptedException {
            await(() -> steps.get() >= count, () -> "the guest began " + steps.get() + " steps, not " + count);
        }
    }

    @KvmTest
    void aBadSnapshotIsOneSentenceAndLeavesNothingOpen() throws Exception {
        Path good = dir.resolve("good");
        MicroVmConfig config;
        try (Counter original = Counter.boot(counterKernel(), 1).start()) {
            original.awaitCount(5);
            original.vm.snapshot(good);
            config = original.vm.config();
        }
        Map<String, Long> before = idleResources();
        Map<String, Consumer<Path>> corruptions = new TreeMap<>(Map.of(
                "is corrupt: its CRC32C checksum", copy -> flipByte(copy.resolve(VmSnapshot.STATE_FILE)),
                "truncated or belongs to another snapshot", copy -> shorten(copy.resolve(VmSnapshot.MEMORY_FILE)),
                "microvm is corrupt: its CRC32C checksum", copy -> flipByte(copy.resolve(MicroVmConfigFile.NAME)),
                "not a MicroVm snapshot's configuration", copy -> copyOver(copy.resolve(VmSnapshot.STATE_FILE), copy.resolve(MicroVmConfigFile.NAME)),
                "the two belong to different snapshots", copy -> write(copy.resolve(MicroVmConfigFile.NAME),
                        MicroVmConfigFile.encode(new MicroVmConfig(config.kernel(), null, "", config.memoryBytes(), 2, null), List.of())),
                "holds no MicroVm snapshot", copy -> delete(copy.resolve(MicroVmConfigFile.NAME))));
        for (Map.Entry<String, Consumer<Path>> corruption : corruptions.entrySet()) {
            Path copy = Files.createDirectory(dir.resolve("bad-" + corruption.getKey().replaceAll("\\W", "-")));
            for (String file : List.of(VmSnapshot.STATE_FILE, MicroVmConfigFile.NAME)) {
                Files.copy(good.resolve(file), copy.resolve(file));
            }
            Files.createLink(copy.resolve(VmSnapshot.MEMORY_FILE), good.resolve(VmSnapshot.MEMORY_FILE)); // no copy of 64 MiB; never written
            corruption.getValue().accept(copy);
            SnapshotException e = assertThrows(SnapshotException.class, () -> MicroVm.restore(copy, RestoreOptions.defaults(), b -> { }).close());
            assertTrue(e.getMessage().contains(corruption.getKey()), e.getMessage());
            assertTrue(e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1, "one sentence: " + e.getMessage());
            assertEquals(before, settledResources(before), "nothing left open after: " + e.getMessage());
        }
    }

    /**
     * Asserts that {@code text} is the guest's lines from count {@code from} on, starting up to
     * {@code maxSkip} bytes into the first (a clone starts where the original's console was).
     */
    private static void assertConsole(String text, long from, int maxSkip, String what) {
        StringBuilder lines = new StringBuilder();
        for (long count = from; lines.length() < text.length() + maxSkip + 9L; count++) {
            lines.append(String.format("%08X\n", count));
        }
        assertTrue(text.length() > 100, what + " says little: " + text);
        assertTrue(IntStream.rangeClosed(0, maxSkip).anyMatch(skip -> lines.toString().startsWith(text, skip)),
                what + " is not the lines from " + Long.toHexString(from) + " on: " + text.substring(0, Math.min(60, text.length())) + "...");
    }

    private static void flipByte(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x10);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Replaces the (hard-linked) file by a sparse one a page shorter. */
    private static void shorten(Path file) {
        try {
            long size = Files.size(file);
            Files.delete(file);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(size - 4096);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void copyOver(Path from, Path to) {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** {@link #resources()} once it equals {@code expected}, or after a few seconds. */
    private static Map<String, Long> settledResources(Map<String, Long> expected) throws IOException, InterruptedException {
        return resourcesOnce(expected::equals);
    }

    /** {@link #resources()} once the threads of VMs closed earlier have ended (the console's ends on its own after a close). */
    private static Map<String, Long> idleResources() throws IOException, InterruptedException {
        return resourcesOnce(now -> now.get("threads") == 0);
    }

    private static Map<String, Long> resourcesOnce(Predicate<Map<String, Long>> settled) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Map<String, Long> now = resources();
        while (!settled.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = resources();
        }
        return now;
    }

    /** KVM fds and eventfds by kind, memory file and vCPU mappings, and the VMM's threads, in this process. */
    private static Map<String, Long> resources() throws IOException {
        Map<String, Long> counts = SnapshotLeaks.openResources();
        counts.put("vCPU mappings", Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("kvm-vcpu")).count());
        counts.put("threads", Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("vcpu-") || t.getName().equals("vmm-console"))).count());
        return counts;
    }
}
