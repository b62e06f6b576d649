// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.KvmTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guests that attack the VMM, on real KVM, in a child JVM with a 48 MiB heap: each must end within
 * its timeout (plus the second run() may take, plus slack for an emulated sandbox) with the
 * expected exit, without the VMM's heap growing, and leave no fd, vCPU mapping or thread of the
 * VMM behind once closed. The guests that drive a virtio device against its rules must power off,
 * which they do only when the device held out in every round; the virtio-blk one must leave its
 * image unchanged, and the virtio-net one's tap must be gone. See {@link HostileGuests} for the code.
 */
@Tag("hostile-guest")
class HostileGuestTest {
    private static final long TIMEOUT_MS = 2000;

    @TempDir
    Path dir;

    @KvmTest
    void noGuestCrashesStallsOrGrowsTheVmm() throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path log = dir.resolve("hostile-guests.log");
        // The JIT flags of ./vmm test's KVM runs: C2 is slow and crash-prone under the sandbox's emulation.
        Process child = new ProcessBuilder(java.toString(), "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-Dvmm.hostile.seconds=" + TIMEOUT_MS / 1000, "-cp", System.getProperty("java.class.path"), HostileGuests.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the hostile guests did not finish in 3 minutes");
        } finally {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(0, child.exitValue(), "the child JVM failed:\n" + output);
        Map<String, Map<String, String>> results = new HashMap<>();
        for (String line : output.lines().filter(l -> l.startsWith("hostile-guest ")).toList()) {
            Map<String, String> fields = new HashMap<>();
            for (String field : line.substring(0, line.indexOf(" exit=")).split(" ")) {
                int eq = field.indexOf('=');
                if (eq > 0) {
                    fields.put(field.substring(0, eq), field.substring(eq + 1));
                }
            }
            results.put(line.split(" ")[1], fields);
        }
        assertEquals(HostileGuests.names(), results.keySet(), output);
        results.forEach((name, r) -> {
            String expected = name.equals("triple-fault") ? "SHUTDOWN" : HostileGuests.DRIVERS.contains(name) ? "POWEROFF" : "STOPPED";
            assertEquals(expected, r.get("reason"), name + ": " + r);
            assertEquals("0", r.get("leaked_fds"), name + " left fds of the VMM open: " + r);
            assertEquals("0", r.get("leaked_mappings"), name + " left vCPU mappings behind: " + r);
            assertEquals("0", r.get("leaked_threads"), name + " left threads of the VMM running: " + r);
            long elapsed = Long.parseLong(r.get("elapsed_ms"));
            long timeout = HostileGuests.timeout(name, Duration.ofMillis(TIMEOUT_MS)).toMillis();
            assertTrue(elapsed <= timeout + 1000 + 2000, name + " took " + elapsed + " ms to stop: " + r);
            assertTrue(Long.parseLong(r.get("heap_kib")) < 24 * 1024, name + " left the heap at " + r.get("heap_kib") + " KiB");
        });
        assertEquals("true", results.get(CorruptQueueGuest.NAME).get("image_unchanged"), "the broken device wrote its image");
        assertEquals("false", results.get(HostileNetGuest.NAME).get("tap_left"), "the VM's close left its tap");
        // That a stuck console drops output is ConsoleOutputTest's; here, the guests must have got going.
        for (String name : List.of("mmio-sweep", "port-wrap")) {
            assertTrue(Long.parseLong(results.get(name).get("unhandled")) > 0, name + ": its accesses reached no device");
        }
    }
}
