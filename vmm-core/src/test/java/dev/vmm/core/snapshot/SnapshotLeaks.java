// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a snapshot or a restore may leave open, counted in /proc/self: equal before and after says nothing leaked. */
public final class SnapshotLeaks {
    private SnapshotLeaks() {}

    /** {@return KVM fds and eventfds by kind, and the mappings of snapshot memory files} */
    public static Map<String, Long> openResources() throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains("kvm") || target.contains("eventfd") || target.endsWith("/" + VmSnapshot.MEMORY_FILE)) {
                        counts.merge(target.replaceAll(":\\d+$", "").replaceAll("kvm-vcpu:\\d+", "kvm-vcpu"), 1L, Long::sum);
                    }
                } catch (IOException gone) {
                    // the directory stream's own fd, closed by now
                }
            }
        }
        long mappings = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.endsWith("/" + VmSnapshot.MEMORY_FILE)).count();
        counts.put("memory file mappings", mappings);
        return counts;
    }
}
