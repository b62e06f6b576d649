// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.FramePort.Offload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real tap in a throwaway network namespace ({@link NetNamespace}: made and deleted by each
 * test, so the machine's own interfaces are never touched): the host's kernel at the other end
 * has 10.77.0.1/24, and frames written through the tap get its answers back, ARP and ping.
 */
class TapTest {
    private static final byte[] HOST_IP = TestFrames.ipv4("10.77.0.1"), OUR_IP = TestFrames.ipv4("10.77.0.2");
    private static final byte[] OUR_MAC = {0x02, 0x00, 0x00, 0x77, 0x00, 0x02};
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private NetNamespace ns;
    private long tunFdsBefore;

    @BeforeEach
    void namespace() throws IOException {
        tunFdsBefore = tunFds();
        ns = NetNamespace.create();
    }

    @AfterEach
    void deleteNamespace() throws IOException {
        if (ns != null) {
            ns.close();
        }
        assertEquals(tunFdsBefore, tunFds(), "every /dev/net/tun fd closed");
    }

    /** Open fds of /dev/net/tun in this process. */
    static long tunFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(Tap.TUN_DEVICE);
                } catch (IOException e) {
                    return false; // the listing's own fd, closed by now
                }
            }).count();
        }
    }

    private Tap openUp(String name) throws Exception {
        Tap tap = ns.call(() -> Tap.open(name));
        ns.ip("addr", "add", "10.77.0.1/24", "dev", tap.name());
        ns.ip("link", "set", tap.name(), "up");
        return tap;
    }

    /** Reads frames until one passes {@code wanted} (the kernel sends IPv6 chatter too), failing after 10 s. */
    private static ByteBuffer awaitFrame(Tap tap, Predicate<ByteBuffer> wanted, String what) throws IOException, InterruptedException {
        ByteBuffer frame = ByteBuffer.allocateDirect(65536 + 64);
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            frame.clear();
            if (tap.read(frame) == 0) {
                Thread.sleep(5);
                continue;
            }
            frame.flip();
            if (wanted.test(frame)) {
                return frame;
            }
        }
        return fail("No " + what + " came through the tap within 10 s.");
    }

    @Test
    void framesGoBothWaysBetweenTheTapAndTheHostsKernel() throws Exception {
        try (Tap tap = openUp("vmmtest%d")) {
            assertEquals("vmmtest0", tap.name(), "the kernel filled in %d");
            assertTrue(ns.ipResult("link", "show", "vmmtest0").output().contains("vmmtest0"), "in the namespace");
            assertFalse(Files.exists(Path.of("/sys/class/net/vmmtest0")), "not in the machine's own namespace, which this JVM's /sys shows");

            assertTrue(tap.write(ByteBuffer.allocateDirect(54).put(TestFrames.arpRequest(OUR_MAC, OUR_IP, HOST_IP)).flip()));
            ByteBuffer reply = awaitFrame(tap, f -> TestFrames.isArpReply(f, HOST_IP, OUR_IP), "ARP reply from 10.77.0.1");
            assertEquals(ByteBuffer.allocate(TestFrames.HEADER), reply.slice(0, TestFrames.HEADER), "a vnet header of zeros: no offloads");
            byte[] hostMac = TestFrames.arpSender(reply);
            assertEquals(ByteBuffer.wrap(OUR_MAC), reply.slice(TestFrames.HEADER, 6), "addressed to us");

            byte[] payload = "vmm ping over a tap".getBytes();
            byte[] echo = TestFrames.icmpEcho(OUR_MAC, OUR_IP, hostMac, HOST_IP, 0x7a7a, payload);
            assertTrue(tap.write(ByteBuffer.allocateDirect(echo.length).put(echo).flip()));
            awaitFrame(tap, f -> TestFrames.isEchoReply(f, 0x7a7a, payload), "ICMP echo reply");
        }
        assertNotEquals(0, ns.ipResult("link", "show", "vmmtest0").exitCode(), "closing the fd removed the interface it created");
    }

    @Test
    void offloadsAreProbedAndSetOnlyWithWhatTheyNeed() throws Exception {
        try (Tap tap = openUp("vmmtest0")) {
            Set<Offload> supported = tap.supportedOffloads();
            assertTrue(supported.contains(Offload.CHECKSUM), "every kernel since 2.6.27 takes TUN_F_CSUM: " + supported);
            assertTrue(tap.setOffloads(supported));
            assertTrue(tap.setOffloads(EnumSet.of(Offload.CHECKSUM)));
            assertFalse(tap.setOffloads(EnumSet.of(Offload.TSO4)), "TSO without checksum offload");
            assertFalse(tap.setOffloads(EnumSet.of(Offload.CHECKSUM, Offload.TSO_ECN)), "ECN without TSO");
            assertTrue(tap.setOffloads(Set.of()));
            assertEquals(Set.of(Offload.CHECKSUM, Offload.TSO4, Offload.TSO6, Offload.TSO_ECN), supported, "on the kernels this runs on");
            // Still carries frames after all that.
            assertTrue(tap.write(ByteBuffer.allocateDirect(54).put(TestFrames.arpRequest(OUR_MAC, OUR_IP, HOST_IP)).flip()));
            awaitFrame(tap, f -> TestFrames.isArpReply(f, HOST_IP, OUR_IP), "ARP reply");
        }
    }

    @Test
    void whatCannotBeOpenedSaysWhyInOneSentence() throws Exception {
        for (String bad : new String[] {"", "a-name-of-16-byt", "a/b", "eth 0", "x:1", ".", ".."}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tap.open(bad), bad);
            assertEquals("\"" + bad + "\" is not an interface name: give 1 to 15 bytes without '/', ':' or white space, such as vmm0.", e.getMessage());
        }
        // What the name holds never breaks the sentence's line, nor makes it long.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tap.open("a\r\nb" + "c".repeat(100)));
        assertEquals("\"a??b" + "c".repeat(36) + "...\" is not an interface name: give 1 to 15 bytes without '/', ':' or white space, such as vmm0.",
                e.getMessage());
        try (Tap tap = ns.call(() -> Tap.open("vmmtest0"))) {
            IOException busy = assertThrows(IOException.class, () -> ns.call(() -> Tap.open("vmmtest0")));
            assertEquals("Tap vmmtest0 is in use by another file descriptor: close it there, or choose another name.", busy.getMessage());
        }
        IOException loopback = assertThrows(IOException.class, () -> ns.call(() -> Tap.open("lo")));
        assertEquals("Interface lo exists and is not a single-queue tap (a tun device, a multi-queue tap or another kind of interface): choose another name.",
                loopback.getMessage());
        assertThrows(IllegalArgumentException.class, () -> {
            try (Tap tap = ns.call(() -> Tap.open("vmmtest1"))) {
                tap.read(ByteBuffer.allocate(100));
            }
        });
    }

    @Test
    void closeWakesAThreadWaitingForAFrameAndLaterUseIsRefused() throws Exception {
        Tap tap = ns.call(() -> Tap.open("vmmtest0")); // down: the kernel sends it nothing
        try (EventFd wake = EventFd.create()) {
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    tap.awaitReadable(wake);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(50); // most likely in poll by now; either way close() must not hang
            tap.close();
            waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
            assertFalse(waiter.isAlive());
        }
        assertThrows(IllegalStateException.class, () -> tap.read(ByteBuffer.allocateDirect(100)));
        assertThrows(IllegalStateException.class, () -> tap.write(ByteBuffer.allocateDirect(100)));
        tap.close(); // a second close does nothing
    }
}
