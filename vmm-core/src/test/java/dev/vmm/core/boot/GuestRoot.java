// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.microvm.BootEvent;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.microvm.MicroVmExit;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The stock 6.12 kernel booted to the project's ext4 root (VMM_BOOT_ROOTFS on a read-only
 * virtio-blk disk, through VMM_BOOT_ROOTFS_INITRD; scripts/rootfs-init.sh is its init), for tests
 * that talk to the guest's services while it stays up (vmm.stay=), and the pieces they share: the
 * guest's test pattern and echo servers on the host.
 */
final class GuestRoot {
    /** A guest that never gets as far as its services fails its test rather than hanging it. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(200);
    /** What the init prints once every service asked for is up and every send is done. */
    static final String STAYING = "vmm-boot: staying up for at most ";

    private GuestRoot() {}

    /** {@return the root's config: 256 MiB, one vCPU, the root read-only, {@code options} on the command line} */
    static MicroVmConfig config(String options) {
        return new MicroVmConfig(image("VMM_BOOT_KERNEL"), image("VMM_BOOT_ROOTFS_INITRD"),
                MicroVmConfig.DEFAULT_COMMAND_LINE + " root=/dev/vda ro " + options, 256L << 20, 1, null,
                List.of(new MicroVmConfig.Drive(image("VMM_BOOT_ROOTFS"), true)));
    }

    static Path image(String variable) {
        String value = System.getenv(variable);
        if (value != null && Files.isReadable(Path.of(value))) {
            return Path.of(value);
        }
        String message = variable + (value == null ? " is not set" : " names " + value + ", which cannot be read")
                + ": run the boot tests through ./vmm test, which prepares the kernel and root file system (scripts/boot-assets.sh).";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        throw new TestAbortedException(message);
    }

    /** The guest's console, a line at a time; knows when the init has said {@link #STAYING}. */
    static final class Console implements IntConsumer {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final StringBuilder line = new StringBuilder(); // the console thread's alone
        private final CountDownLatch staying = new CountDownLatch(1);
        private volatile long stayingAt; // System.nanoTime() of the STAYING line

        @Override
        public void accept(int b) {
            if (b != '\n') {
                line.append((char) b);
                return;
            }
            String text = line.toString().strip();
            line.setLength(0);
            lines.add(text);
            if (text.startsWith(STAYING)) {
                stayingAt = System.nanoTime();
                staying.countDown();
            }
        }

        /** Waits until {@code text} has been a whole line {@code times} times, failing the test after {@code timeout}. */
        void await(String text, int times, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lines.stream().filter(text::equals).count() < times) {
                if (System.nanoTime() - deadline > 0) {
                    fail("'" + text + "' did not come " + times + " times within " + timeout.toSeconds() + " s; console: " + lines);
                }
                Thread.sleep(50);
            }
        }

        /** {@return the first line that starts with {@code prefix}, failing the test without one} */
        String line(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseGet(() -> fail("no console line starts with '" + prefix + "'; console: " + lines));
        }
    }

    /** A VM running on a thread of its own (from construction), for a test to talk to while it runs. */
    static final class Running implements AutoCloseable {
        final MicroVm vm;
        final Console console;
        private final FutureTask<MicroVmExit> run;
        private final long started = System.nanoTime();

        Running(MicroVm vm, Console console) {
            this.vm = vm;
            this.console = console;
            this.run = new FutureTask<>(() -> vm.run(BOOT_TIMEOUT));
            Thread.ofPlatform().name("guest-root").start(run);
        }

        /** Waits for {@link #STAYING}, failing the test with the console if the VM ends first or it takes too long. */
        void awaitServices() throws InterruptedException, ExecutionException {
            while (!console.staying.await(200, TimeUnit.MILLISECONDS)) {
                if (run.isDone()) {
                    fail("the guest ended (" + run.get() + ") before its services were up; console: " + console.lines);
                }
                if (System.nanoTime() - started > BOOT_TIMEOUT.toNanos()) {
                    fail("the guest's services were not up within " + BOOT_TIMEOUT.toSeconds() + " s; console: " + console.lines);
                }
            }
            assertTrue(vm.timeOf(BootEvent.BOOT_COMPLETE).isPresent(), "boot-complete was signalled; console: " + console.lines);
        }

        /** {@return ms from the first KVM_RUN to boot-complete} */
        long bootMillis() {
            return TimeUnit.NANOSECONDS.toMillis(vm.timeOf(BootEvent.BOOT_COMPLETE).getAsLong() - vm.timeOf(BootEvent.FIRST_RUN).getAsLong());
        }

        /** {@return ms from boot-complete to {@link #STAYING}: the guest's services and sends} */
        long servicesMillis() {
            return TimeUnit.NANOSECONDS.toMillis(console.stayingAt - vm.timeOf(BootEvent.BOOT_COMPLETE).getAsLong());
        }

        /** Stops the VM (the guest would stay up for a while yet) and checks that it was still running. */
        void stop() throws Exception {
            vm.stop();
            assertEquals(MicroVmExit.Reason.STOPPED, run.get(10, TimeUnit.SECONDS).reason(), "the guest was still up; console: " + console.lines);
        }

        /** {@return how the guest ended the VM by itself}, waited for as long as a boot may take */
        MicroVmExit awaitExit() throws Exception {
            return run.get(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        /** Stops the VM if it still runs and waits for its run to end; closing it is the caller's. */
        @Override
        public void close() throws Exception {
            vm.stop();
            run.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The guest's test pattern (vmm-vsock pattern KIB, scripts/vsock-tool.c): splitmix64's 64-bit
     * words from seed 0, little-endian.
     */
    static byte[] pattern(int kib) {
        ByteBuffer b = ByteBuffer.allocate(kib * 1024).order(ByteOrder.LITTLE_ENDIAN);
        long state = 0;
        while (b.hasRemaining()) {
            long z = state += 0x9e3779b97f4a7c15L;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            b.putLong(z ^ (z >>> 31));
        }
        return b.array();
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Echoes every connection {@code server} accepts, each on a virtual thread, until its peer
     * half-closes, then half-closes back; ends when the server is closed. Failures go to {@code failures}.
     *
     * @return the connections accepted so far
     */
    static AtomicInteger echoServer(ServerSocketChannel server, List<Throwable> failures) {
        AtomicInteger accepted = new AtomicInteger();
        Thread.ofVirtual().name("echo-accept").start(() -> {
            while (server.isOpen()) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (IOException closed) {
                    return;
                }
                accepted.incrementAndGet();
                Thread.ofVirtual().name("echo").start(() -> {
                    try (c) {
                        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                        while (c.read(buf) >= 0) {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                c.write(buf);
                            }
                            buf.clear();
                        }
                        c.shutdownOutput();
                    } catch (IOException e) {
                        failures.add(e);
                    }
                });
            }
        });
        return accepted;
    }

    /**
     * Sends {@code data} on {@code c} (from another thread), half-closes, and reads until the peer
     * closes; returns the sha256 of what came back and closes {@code c}.
     */
    static String exchange(SocketChannel c, byte[] data) throws Exception {
        return exchange(c, data, new Progress());
    }

    /** How far an {@link #exchange} got, for the message of one that does not end. */
    static final class Progress {
        final AtomicLong sent = new AtomicLong(), received = new AtomicLong();

        @Override
        public String toString() {
            return sent + " bytes sent, " + received + " echoed";
        }
    }

    static String exchange(SocketChannel c, byte[] data, Progress progress) throws Exception {
        try (c) {
            FutureTask<Void> send = new FutureTask<>(() -> {
                ByteBuffer out = ByteBuffer.wrap(data);
                while (out.hasRemaining()) {
                    progress.sent.addAndGet(c.write(out));
                }
                c.shutdownOutput();
                return null;
            });
            Thread.ofVirtual().name("send").start(send);
            MessageDigest sha = digest();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            long received = 0;
            while (c.read(in) >= 0) {
                in.flip();
                received += in.remaining();
                progress.received.set(received);
                sha.update(in);
                in.clear();
            }
            send.get();
            assertEquals(data.length, received, "bytes echoed");
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
