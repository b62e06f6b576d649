// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.NetNamespace;
import dev.vmm.core.Tap;
import dev.vmm.core.boot.TestImages;
import dev.vmm.core.virtio.MacAddress;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guests that attack the VMM, each a few bytes of 64-bit code booted as an ELF "kernel" in a
 * {@link MicroVm}, and drivers that break the rules of their virtio device: virtio-blk's
 * ({@link CorruptQueueGuest}, with a drive on a raw image), virtio-net's ({@link HostileNetGuest},
 * on a tap in a throwaway network namespace) and virtio-vsock's ({@link HostileVsockGuest}). Run as a program in a JVM with a small heap ({@link HostileGuestTest}
 * does), it runs each guest for a short while and prints one line per guest: how the run ended, how
 * long it took, the heap retained while the VM was still open, console bytes dropped, unhandled
 * accesses, the VMM's fds, vCPU mappings and threads still there after the close, for a guest
 * with a drive whether its image is unchanged, for one with a tap whether it is gone, and for a
 * driver the last step it began.
 */
public final class HostileGuests {
    /** Where the code is loaded and entered: 16 MiB, the usual kernel address. */
    static final long CODE = 0x1000000;
    static final long MEMORY = 64L << 20;
    /** The network guest's tap, in a throwaway namespace. */
    private static final String TAP = "vmmhostile0";

    /** Each guest's code (GNU as syntax in the comments). */
    static final Map<String, String> GUESTS = Map.of(
            // mov $0x20,%al; 1: out %al,$0x64; jmp 1b  -- "read the command byte", forever
            "i8042-flood", "b020 e664 ebfc",
            // 1: mov $0x8000000,%rax; 2: mov %eax,(%rax); add $8,%rax; cmp $0x40000000,%rax; jb 2b; jmp 1b
            // -- a write to every 8th address from 128 MiB to 1 GiB, where no memory is, over and over
            "mmio-sweep", "48c7c000000008 8900 4883c008 483d00000040 72f2 ebe9",
            // mov $0x3f8,%dx; mov $'x',%al; 1: out %al,%dx; jmp 1b  -- to a console that never reads
            "uart-flood", "66baf803 b078 ee ebfd",
            // 1: mov $0x3f8,%dx; mov $0x1000000,%rsi; mov $4096,%rcx; rep outsb;
            //    mov $0x80,%dx; mov $0x1100000,%rdi; mov $4096,%rcx; rep insb; jmp 1b
            "rep-outsb-insb", "66baf803 48c7c600000001 48c7c100100000 f36e 66ba8000 48c7c700001001 48c7c100100000 f36c ebd6",
            // mov $0xffff,%dx; 1: out %eax,%dx; in %dx,%eax; out %ax,%dx; in %dx,%ax; jmp 1b  -- accesses past port 0xffff
            "port-wrap", "66baffff ef ed 66ef 66ed ebf8",
            // push $0; push $0; lidt (%rsp); ud2  -- an empty IDT, then an exception: a triple fault
            "triple-fault", "6a00 6a00 0f011c24 0f0b",
            // mov $0x3f9,%dx; mov $2,%al; out %al,%dx; mov $0x3f8,%dx; 1: out %al,%dx; jmp 1b
            // -- the UART's "transmitter empty" interrupt enabled: an IRQ for every byte sent
            "interrupt-storm", "66baf903 b002 ee 66baf803 ee ebfd");

    private HostileGuests() {}

    /** Every guest's name: the code-only {@link #GUESTS} and the {@link #DRIVERS}. */
    static SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>(GUESTS.keySet());
        names.addAll(DRIVERS);
        return names;
    }

    /** The guests that drive a virtio device and power off when it held out, each with its device. */
    static final Set<String> DRIVERS = Set.of(CorruptQueueGuest.NAME, HostileNetGuest.NAME, HostileVsockGuest.NAME);

    /**
     * How long {@code name} may run, given the {@code timeout} of guests that run until stopped: a
     * guest that ends its VM itself gets 15 times as long, since for it the timeout only catches a
     * failure (the virtio-blk one took 9 s in the emulated 6.12 sandbox, as the first virtio work of its JVM).
     */
    static Duration timeout(String name, Duration timeout) {
        return DRIVERS.contains(name) ? timeout.multipliedBy(15) : timeout;
    }

    /** Runs the named guests (all without arguments) for {@code vmm.hostile.seconds} each (default 2). */
    public static void main(String[] args) throws Exception {
        Duration timeout = Duration.ofSeconds(Long.getLong("vmm.hostile.seconds", 2));
        Iterable<String> names = args.length > 0 ? List.of(args) : names();
        Path dir = Files.createTempDirectory("vmm-hostile");
        // The JDK keeps a socket of its own open from its first Unix socket on: opened before anything is counted.
        SocketChannel.open(StandardProtocolFamily.UNIX).close();
        try {
            for (String name : names) {
                System.out.println(run(name, dir, timeout));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private static String run(String name, Path dir, Duration timeout) throws Exception {
        Path kernel = dir.resolve(name + ".elf");
        Files.write(kernel, switch (name) {
            case CorruptQueueGuest.NAME -> CorruptQueueGuest.kernel();
            case HostileNetGuest.NAME -> HostileNetGuest.kernel();
            case HostileVsockGuest.NAME -> HostileVsockGuest.kernel();
            default -> elf(HexFormat.of().parseHex(GUESTS.get(name).replace(" ", "")));
        });
        MicroVmConfig config = new MicroVmConfig(kernel, null, "", MEMORY, 1, null);
        Path image = null;
        switch (name) {
            case CorruptQueueGuest.NAME -> { // read-write: only the queue checks keep the corrupt writes off the image
                image = CorruptQueueGuest.image(dir);
                config = config.withDrive(new MicroVmConfig.Drive(image, false));
            }
            case HostileNetGuest.NAME -> config = config.withNetworkInterface(new MicroVmConfig.NetworkInterface(TAP, MacAddress.parse("02:00:00:00:00:13")));
            case HostileVsockGuest.NAME -> config = config.withVsock(new MicroVmConfig.Vsock(HostileVsockGuest.CID, dir.resolve("vsock.sock")));
            default -> { }
        }
        if (!name.equals(HostileNetGuest.NAME)) {
            return run(name, config, image, timeout);
        }
        MicroVmConfig withTap = config;
        try (NetNamespace ns = NetNamespace.create()) { // the tap, in a namespace of its own
            String result = ns.call(() -> run(name, withTap, null, timeout));
            return result.replace(" exit=", " tap_left=" + ns.ip("link", "show").contains(TAP) + " exit=");
        }
    }

    private static String run(String name, MicroVmConfig config, Path image, Duration timeout) throws IOException {
        long fdsBefore = vmmFds(image);
        long mappingsBefore = vcpuMappings();
        String result;
        MicroVmExit exit;
        AtomicInteger step = new AtomicInteger(-1);
        // A console consumer that never returns: output must be dropped, never block the guest.
        try (MicroVm vm = MicroVm.create(config, b -> sleepForever())) {
            if (DRIVERS.contains(name)) {
                DriverScript.watchSteps(vm, step::set);
            }
            long start = System.nanoTime();
            exit = vm.run(timeout(name, timeout));
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            long heap = retainedHeap();
            result = String.format(Locale.ROOT, "hostile-guest %s reason=%s elapsed_ms=%d heap_kib=%d console_dropped=%d unhandled=%d",
                    name, exit == null ? "null" : exit.reason(), elapsed, heap >> 10, vm.consoleBytesDropped(), vm.unhandledAccesses().total());
        }
        result += " leaked_fds=" + (vmmFds(image) - fdsBefore) + " leaked_mappings=" + (vcpuMappings() - mappingsBefore)
                + " leaked_threads=" + vmmThreads();
        if (image != null) {
            result += " image_unchanged=" + CorruptQueueGuest.imageUnchanged(image);
        }
        if (DRIVERS.contains(name)) {
            result += " guest_step=0x" + Integer.toHexString(step.get());
        }
        return result + " exit=" + exit;
    }

    /**
     * Open fds of the kinds a MicroVm opens: /dev/kvm, the VM and vCPUs, eventfds (irqfds,
     * ioeventfds), taps, sockets (vsock's), and the drive's {@code image} if any.
     */
    private static long vmmFds(Path image) throws IOException {
        String imagePath = image == null ? null : image.toAbsolutePath().toString();
        long count = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // the listing's own fd, closed by now
                }
                if (target.equals("/dev/kvm") || target.startsWith("anon_inode:kvm-") || target.equals("anon_inode:[eventfd]")
                        || target.equals(Tap.TUN_DEVICE) || target.startsWith("socket:") || target.equals(imagePath)) {
                    count++;
                }
            }
        }
        return count;
    }

    /** The vCPUs' kvm_run mappings, the ones /proc/self/maps names (guest memory is unnamed). */
    private static long vcpuMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains("kvm-vcpu")).count();
    }

    /**
     * Live threads a MicroVm starts and must have ended by the close: vCPUs, virtio notification
     * forwarders and device workers. (Not the console's: this program's consumer never returns.)
     */
    private static long vmmThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("vcpu-") || t.getName().startsWith("vmm-virtio")))
                .count();
    }

    /** A minimal ELF64 executable: one PT_LOAD of {@code code} at {@link #CODE}, entered at its first byte. */
    static byte[] elf(byte[] code) {
        int codeOffset = 0x1000;
        return TestImages.elf(CODE, codeOffset + code.length, List.of(new TestImages.Phdr(1, codeOffset, code.length, CODE, code.length)))
                .put(codeOffset, code).array();
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // keep not reading
            }
        }
    }

    private static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }
}
