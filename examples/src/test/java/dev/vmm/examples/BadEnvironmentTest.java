// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples;

import dev.vmm.core.EventFd;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.virtio.VirtioBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A program started in a bad environment says what is wrong in one sentence, no stack trace. */
class BadEnvironmentTest {
    private static final Path PROJECT = Path.of(System.getProperty("user.dir")).getParent();

    record Result(int exitCode, String stdout, String stderr) {}

    @Test
    void missingEnableNativeAccessIsOneSentence() throws Exception {
        Result r = runKvmInfo(List.of(), List.of());
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("Native access is not enabled for the KVM bindings: start java with --enable-native-access=ALL-UNNAMED.\n", r.stderr());
    }

    /** A program whose first call is not Kvm.open(): the same sentence, before the JDK's own warning. */
    @Test
    void missingEnableNativeAccessIsOneSentenceWhateverIsUsedFirst() throws Exception {
        for (String first : List.of("memory", "eventfd", "disk")) {
            Result r = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), FirstUse.class.getName(), first), Map.of());
            assertEquals(1, r.exitCode(), first + ": " + r.stderr());
            assertEquals("Native access is not enabled for the KVM bindings: start java with --enable-native-access=ALL-UNNAMED.\n", r.stderr(), first);
        }
    }

    /** Uses one entry point of the library first, and prints what it threw. */
    public static final class FirstUse {
        public static void main(String[] args) throws IOException {
            try {
                switch (args[0]) {
                    case "memory" -> GuestMemory.anonymous(GuestAddress.of(0), 1 << 20).close();
                    case "eventfd" -> EventFd.create().close();
                    default -> {
                        Path image = Files.write(Files.createTempFile("first-use", ".img"), new byte[512]);
                        try {
                            VirtioBlock.open(image, true).close();
                        } finally {
                            Files.delete(image);
                        }
                    }
                }
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
                System.exit(1);
            }
        }
    }

    @Test
    void missingDevKvmIsOneSentence() throws Exception {
        List<String> wrapper = List.of();
        if (Files.exists(Path.of("/dev/kvm"))) {
            // Hide it: an empty /dev in a mount namespace of our own (a user namespace needs no root).
            wrapper = List.of("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs none /dev && exec \"$@\"", "sh");
            assumeTrue(run(concat(wrapper, List.of("true")), Map.of()).exitCode() == 0,
                    "this machine has /dev/kvm, and unshare cannot hide it");
        }
        Result r = runKvmInfo(wrapper, List.of("--enable-native-access=ALL-UNNAMED"));
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("open(/dev/kvm) failed: ENOENT (no such file or directory). KVM is not available on this machine"), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
    }

    @Test
    void noJdk25IsOneSentence(@TempDir Path dir) throws Exception {
        // A JDK 17 lookalike is the only candidate the script may find.
        Path jdk = Files.createDirectories(dir.resolve("jdk-17/bin"));
        for (String tool : new String[] {"java", "javac"}) {
            Path script = jdk.resolve(tool);
            Files.writeString(script, "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Result r = run(List.of("bash", PROJECT.resolve("vmm").toString(), "build"), Map.of(
                "JAVA_HOME", jdk.getParent().toString(),
                "VMM_JDK_DIRS", jdk.getParent().toString(),
                "PATH", "/usr/bin:/bin"));
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("vmm: No JDK 25 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm): install one (e.g. Temurin 25) and set JAVA_HOME to it.\n", r.stderr());
    }

    private static Result runKvmInfo(List<String> wrapper, List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                KvmInfo.class.getName()));
        return run(command, Map.of());
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static Result run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "process finished");
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
