package dev.vmm.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creating and closing many VMs, vCPUs and memory regions leaves no fd and no mapping behind. */
class ResourceLeakTest {
    private static final int ROUNDS = 2000;

    @KvmTest
    void thousandsOfVmsVcpusAndRegionsLeaveNothingBehind() throws IOException {
        // The first vCPU without an in-kernel LAPIC flips a kernel static key, and the last one to
        // close flips it back: live code patching, which QEMU's multi-threaded TCG sometimes runs
        // into (the sandbox's guest kernel died with an int3 Oops in __schedule). An anchor vCPU
        // kept open keeps the key still; it predates both counts, so it hides no leak.
        try (Kvm kvm = Kvm.open();
             Vm anchorVm = kvm.createVm();
             Vcpu anchor = anchorVm.createVcpu(0)) {
            cycle(kvm, 20); // warm up: classes loaded, thread-local buffers allocated
            Map<String, Long> fds = openFds();
            long vcpuMappings = mappings("kvm-vcpu");
            long memfdMappings = mappings("memfd:vmm-guest-memory");
            long allMappings = mappings("");
            cycle(kvm, ROUNDS);
            // Every kind of fd this code opens comes back exactly; the JVM's own files may only get
            // fewer (it closed one of its own meanwhile, seen after the JMH smoke run).
            Map<String, Long> fdsAfter = openFds();
            for (String kind : List.of("anon_inode:kvm-vm", "anon_inode:kvm-vcpu", "anon_inode:[eventfd]", "memfd:", "/dev/kvm")) {
                assertEquals(fds.getOrDefault(kind, 0L), fdsAfter.getOrDefault(kind, 0L), kind + " fds after " + ROUNDS + " VMs");
            }
            long before = fds.values().stream().mapToLong(Long::longValue).sum();
            long after = fdsAfter.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(after <= before, after + " open file descriptors after " + ROUNDS + " VMs, " + before + " before: " + fdsAfter);
            assertEquals(vcpuMappings, mappings("kvm-vcpu"), "kvm_run mappings after " + ROUNDS + " VMs");
            assertEquals(memfdMappings, mappings("memfd:vmm-guest-memory"), "memfd guest memory mappings after " + ROUNDS + " VMs");
            // Anonymous guest memory has no name in /proc/self/maps, and the JVM maps and unmaps on
            // its own (code cache, heap, thread stacks): a leak would add thousands, churn a few.
            long grown = mappings("") - allMappings;
            assertTrue(grown < ROUNDS / 20, grown + " more mappings after " + ROUNDS + " VMs");
        }
    }

    private static void cycle(Kvm kvm, int rounds) {
        for (int i = 0; i < rounds; i++) {
            try (GuestMemory memory = GuestMemory.anonymous(List.of(
                         new GuestMemory.Range(GuestAddress.of(0), 1 << 20),
                         new GuestMemory.Range(GuestAddress.of(1L << 32), 1 << 20)));
                 GuestMemory shared = GuestMemory.create(GuestMemory.Backing.MEMFD, List.of(
                         new GuestMemory.Range(GuestAddress.of(2L << 32), 1 << 20)));
                 Vm vm = kvm.createVm();
                 Vcpu vcpu = vm.createVcpu(0);
                 EventFd eventfd = EventFd.create()) {
                vm.map(memory);
                vm.map(shared);
                vm.registerIoeventfd(eventfd, Vm.IoSpace.PIO, 0x510, 2);
                vm.deleteMemoryRegion(1);
                vcpu.registers();
            }
        }
    }

    /** Open fds by kind: their link target, with memfd names, vCPU ids and inode numbers cut off. */
    private static Map<String, Long> openFds() throws IOException {
        Map<String, Long> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // the directory stream's own fd, closed by now
                }
                String kind = target.startsWith("memfd:") ? "memfd:"
                        : target.startsWith("anon_inode:kvm-vcpu") ? "anon_inode:kvm-vcpu" // kvm-vcpu:<id>
                        : target.replaceAll(":\\[\\d+\\]$", "");
                kinds.merge(kind, 1L, Long::sum);
            }
        }
        return kinds;
    }

    /** Lines of /proc/self/maps that contain {@code name} ("" for all). */
    private static long mappings(String name) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains(name)).count();
        }
    }
}
