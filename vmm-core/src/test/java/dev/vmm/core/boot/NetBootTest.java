// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.KvmTest;
import dev.vmm.core.NetNamespace;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.virtio.MacAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The stock 6.12 kernel on the project's ext4 root ({@link GuestRoot}) talks to the host through a
 * virtio-net interface and through virtio-vsock, both ways: the guest's init sends its test pattern
 * to an echo server on the host and prints the sha256 of the echo, and the test, while the guest
 * stays up, sends the pattern to the guest's echo server over several connections at once and
 * checks every byte that comes back.
 */
@Tag("linux-boot")
class NetBootTest {
    /** Guest to host: one connection of this many KiB; host to guest: CONNECTIONS of HOST_KIB each. */
    private static final int GUEST_KIB = 2048, HOST_KIB = 1024, CONNECTIONS = 3;
    /** What one exchange may take, nested KVM being slow. */
    private static final long EXCHANGE_SECONDS = 120;
    /** What the guest may take to see its link change (its init looks twice a second). */
    private static final Duration LINK_CHANGE = Duration.ofSeconds(30);
    private static final String TAP = "vmmnet0", TAP_2 = "vmmnet1", HOST_IP = "10.77.1.1", GUEST_IP = "10.77.1.2", HOST_MAC = "02:00:00:77:01:01";
    private static final int ECHO_PORT = 7000, HOST_PORT = 7001;

    @TempDir
    Path dir;

    /**
     * A tap in a throwaway network namespace (10.77.1.1/24 on the host's side), the guest at
     * 10.77.1.2/24 on eth0: TCP both ways; then the link down and up again (the guest sees its
     * carrier go and come back), and TCP works again.
     */
    @KvmTest
    void tcpThroughATapBothWays() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (NetNamespace ns = NetNamespace.create()) {
            MicroVmConfig config = GuestRoot.config("vmm.net=" + GUEST_IP + "/24 vmm.net.echo=" + ECHO_PORT
                            + " vmm.net.send=" + HOST_IP + ":" + HOST_PORT + "," + GUEST_KIB + " vmm.stay=600")
                    .withNetworkInterface(new MicroVmConfig.NetworkInterface(TAP, MacAddress.parse("02:00:00:77:01:02")));
            GuestRoot.Console console = new GuestRoot.Console();
            // The tap belongs to the namespace of the thread that creates the VM.
            // The tap belongs to the namespace of the thread that creates the VM, and a socket to the
            // namespace it is opened in, whichever thread uses it later.
            try (MicroVm vm = ns.call(() -> MicroVm.create(config, console));
                 ServerSocketChannel server = ns.call(() -> {
                     ns.ip("addr", "add", HOST_IP + "/24", "dev", TAP);
                     ns.ip("link", "set", TAP, "up");
                     return ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(HOST_IP, HOST_PORT));
                 });
                 GuestRoot.Running guest = new GuestRoot.Running(vm, console)) {
                AtomicInteger accepted = GuestRoot.echoServer(server, failures);
                guest.awaitServices();
                assertEquals("vmm-net: eth0 " + GUEST_IP + "/24 up (mac 02:00:00:77:01:02)", console.line("vmm-net: eth0"));
                checkGuestSent(console.line("vmm-net: sent"), "vmm-net: sent " + GUEST_KIB + " KiB to " + HOST_IP + ":" + HOST_PORT);
                assertEquals(1, accepted.get(), "connections from the guest");

                Callable<SocketChannel> connect = () -> {
                    SocketChannel c = ns.call(() -> SocketChannel.open(StandardProtocolFamily.INET));
                    c.connect(new InetSocketAddress(GUEST_IP, ECHO_PORT));
                    return c;
                };
                long start = System.nanoTime();
                exchangeAll(connect);
                System.out.printf("NetBootTest tcp: boot-complete %d ms after the first KVM_RUN; the guest's services and %d KiB echoed by the host %d ms later;"
                        + " %d x %d KiB echoed by the guest in %d ms%n", guest.bootMillis(), GUEST_KIB, guest.servicesMillis(),
                        CONNECTIONS, HOST_KIB, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

                console.await("vmm-net: carrier 1", 1, LINK_CHANGE);
                vm.setLinkUp(0, false);
                console.await("vmm-net: carrier 0", 1, LINK_CHANGE);
                vm.setLinkUp(0, true);
                console.await("vmm-net: carrier 1", 2, LINK_CHANGE);
                byte[] again = GuestRoot.pattern(64);
                assertEquals(GuestRoot.sha256(again), GuestRoot.exchange(connect.call(), again), "an echo after the link came back");
                guest.stop();
            }
            assertTrue(failures.isEmpty(), "the host's echo server: " + failures);
            assertTrue(!ns.ip("link", "show").contains(TAP), "the VM's close removed its tap");
        }
    }

    /**
     * Firecracker's hybrid vsock: the guest's CONNECT to the host (CID 2) port P reaches the Unix
     * socket PATH_P, and "CONNECT port" on PATH reaches the guest's listener.
     */
    @KvmTest
    void vsockBothWaysSeveralConnectionsAtOnce() throws Exception {
        int echoPort = 5000, hostPort = 5001;
        Path socket = dir.resolve("v.sock");
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        MicroVmConfig config = GuestRoot.config("vmm.vsock.echo=" + echoPort + " vmm.vsock.send=" + hostPort + "," + GUEST_KIB + " vmm.stay=600")
                .withVsock(new MicroVmConfig.Vsock(3, socket));
        GuestRoot.Console console = new GuestRoot.Console();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socket + "_" + hostPort));
             MicroVm vm = MicroVm.create(config, console);
             GuestRoot.Running guest = new GuestRoot.Running(vm, console)) {
            AtomicInteger accepted = GuestRoot.echoServer(server, failures);
            guest.awaitServices();
            assertTrue(console.line("vmm-vsock: echo server on port " + echoPort).length() > 0);
            checkGuestSent(console.line("vmm-vsock: sent"), "vmm-vsock: sent " + GUEST_KIB + " KiB to port " + hostPort);
            assertEquals(1, accepted.get(), "connections from the guest");

            long start = System.nanoTime();
            exchangeAll(() -> vsockConnect(socket, echoPort));
            System.out.printf("NetBootTest vsock: boot-complete %d ms after the first KVM_RUN; the guest's services and %d KiB echoed by the host %d ms later;"
                    + " %d x %d KiB echoed by the guest in %d ms%n", guest.bootMillis(), GUEST_KIB, guest.servicesMillis(),
                    CONNECTIONS, HOST_KIB, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            guest.stop();
        }
        assertTrue(failures.isEmpty(), "the host's echo server: " + failures);
    }

    /**
     * Saved while a host program holds a vsock connection to its echo server, the guest carries
     * on both ways. In the VM that was saved, the connection goes on echoing, and TCP works. Its
     * clone, restored on another tap (with the host's address and the MAC of the first, which the
     * guest's ARP cache holds) and another vsock socket, answers new TCP and vsock connections; the
     * echo server's child that served the old vsock connection sees it reset, as the device's
     * TRANSPORT_RESET event tells the guest's driver to do.
     */
    @KvmTest
    void aSnapshotWithANetworkInterfaceAndVsockLeavesTheOriginalAndItsCloneServing() throws Exception {
        int vsockPort = 5000;
        Path snapshot = dir.resolve("snapshot");
        byte[] data = GuestRoot.pattern(64);
        String sha = GuestRoot.sha256(data);
        try (NetNamespace ns = NetNamespace.create()) {
            MicroVmConfig config = GuestRoot.config("vmm.net=" + GUEST_IP + "/24 vmm.net.echo=" + ECHO_PORT + " vmm.vsock.echo=" + vsockPort
                            + " vmm.stay=600")
                    .withNetworkInterface(new MicroVmConfig.NetworkInterface(TAP, MacAddress.parse("02:00:00:77:01:02")))
                    .withVsock(new MicroVmConfig.Vsock(3, dir.resolve("v.sock")));
            Callable<SocketChannel> tcp = () -> {
                SocketChannel c = ns.call(() -> SocketChannel.open(StandardProtocolFamily.INET));
                c.connect(new InetSocketAddress(GUEST_IP, ECHO_PORT));
                return c;
            };
            GuestRoot.Console console = new GuestRoot.Console();
            try (MicroVm original = ns.call(() -> MicroVm.create(config, console));
                 GuestRoot.Running guest = new GuestRoot.Running(original, console)) {
                hostSide(ns, TAP);
                guest.awaitServices();
                try (SocketChannel held = vsockConnect(dir.resolve("v.sock"), vsockPort)) {
                    echo(held, data, "before the snapshot");
                    long start = System.nanoTime();
                    original.snapshot(snapshot);
                    System.out.printf("NetBootTest snapshot: saved in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    echo(held, data, "after the snapshot, in the VM that was saved");
                }
                assertEquals(sha, GuestRoot.exchange(tcp.call(), data), "TCP in the VM that was saved, after the snapshot");
                guest.stop();
            }

            RestoreOptions elsewhere = RestoreOptions.defaults().tap(0, TAP_2).vsockSocket(dir.resolve("clone.sock"));
            GuestRoot.Console cloneConsole = new GuestRoot.Console();
            try (MicroVm clone = ns.call(() -> MicroVm.restore(snapshot, elsewhere, cloneConsole));
                 GuestRoot.Running running = new GuestRoot.Running(clone, cloneConsole)) {
                hostSide(ns, TAP_2);
                cloneConsole.await("vmm-vsock: echo: read: Connection reset by peer", 1, LINK_CHANGE);
                assertEquals(sha, GuestRoot.exchange(vsockConnect(dir.resolve("clone.sock"), vsockPort), data), "a new vsock connection to the clone");
                assertEquals(sha, GuestRoot.exchange(tcp.call(), data), "TCP to the clone, through its tap");
                running.stop();
            }
            assertTrue(!ns.ip("link", "show").contains("vmmnet"), "the VMs' closes removed their taps");
        }
    }

    /** The host's end of {@code tap}: its address, the one MAC address every tap here has, up. */
    private static void hostSide(NetNamespace ns, String tap) throws Exception {
        ns.ip("link", "set", tap, "address", HOST_MAC);
        ns.ip("addr", "add", HOST_IP + "/24", "dev", tap);
        ns.ip("link", "set", tap, "up");
    }

    /** Echoes {@code data} through {@code c}, which stays open (unless the echo does not come in time). */
    private static void echo(SocketChannel c, byte[] data, String when) throws Exception {
        FutureTask<byte[]> echo = new FutureTask<>(() -> {
            c.write(ByteBuffer.wrap(data));
            ByteBuffer back = ByteBuffer.allocate(data.length);
            while (back.hasRemaining()) {
                if (c.read(back) < 0) {
                    fail("the vsock connection ended " + when + " after " + back.position() + " bytes of the echo");
                }
            }
            return back.array();
        });
        Thread.ofVirtual().name("echo").start(echo);
        try {
            assertEquals(GuestRoot.sha256(data), GuestRoot.sha256(echo.get(EXCHANGE_SECONDS, TimeUnit.SECONDS)), "the echo " + when);
        } catch (TimeoutException e) {
            fail("no echo " + when + " within " + EXCHANGE_SECONDS + " s");
        } finally {
            echo.cancel(true); // an interrupt closes a channel still blocked
        }
    }

    /** A host program's hybrid vsock connection through {@code socket} to the guest's port {@code port}: CONNECT, then the OK line. */
    private static SocketChannel vsockConnect(Path socket, int port) throws Exception {
        SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        c.write(ByteBuffer.wrap(("CONNECT " + port + "\n").getBytes(StandardCharsets.US_ASCII)));
        // A byte at a time: what follows the line is the guest's.
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (c.read(one) < 0) {
                fail("the VMM closed the host socket after CONNECT " + port + " (got '" + line + "')");
            }
            if (one.get(0) == '\n') {
                break;
            }
            line.append((char) one.get(0));
        }
        assertTrue(line.toString().matches("OK [0-9]+"), "the answer to CONNECT: '" + line + "'");
        return c;
    }

    /** The init's line: "PREFIX, echo sha256 X, expected Y" with X = Y = the pattern's. */
    private static void checkGuestSent(String line, String prefix) {
        String sha = GuestRoot.sha256(GuestRoot.pattern(GUEST_KIB));
        assertEquals(prefix + ", echo sha256 " + sha + ", expected " + sha, line);
    }

    /** CONNECTIONS connections opened by {@code open}, each sending HOST_KIB KiB of the pattern at once; every echo checked. */
    private static void exchangeAll(Callable<SocketChannel> open) throws Exception {
        byte[] data = GuestRoot.pattern(HOST_KIB);
        String expected = GuestRoot.sha256(data);
        List<FutureTask<String>> exchanges = new ArrayList<>();
        List<GuestRoot.Progress> progress = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            GuestRoot.Progress p = new GuestRoot.Progress();
            progress.add(p);
            FutureTask<String> t = new FutureTask<>(() -> GuestRoot.exchange(open.call(), data, p));
            Thread.ofVirtual().name("exchange-" + i).start(t);
            exchanges.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EXCHANGE_SECONDS);
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                assertEquals(expected, exchanges.get(i).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS), "the echo of connection " + i);
            }
        } catch (TimeoutException e) {
            fail(CONNECTIONS + " echoes of " + HOST_KIB + " KiB did not end within " + EXCHANGE_SECONDS + " s: " + progress);
        } finally {
            // Interrupting a blocked channel operation closes the channel.
            exchanges.forEach(t -> t.cancel(true));
        }
    }
}
