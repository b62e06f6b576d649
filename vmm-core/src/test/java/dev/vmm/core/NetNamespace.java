// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace for tests that need a real tap: made with {@code ip netns add
 * vmm-test-<random>}, deleted by {@link #close()} with every interface in it. The JVM stays in the
 * machine's own namespace; code that must run inside this one ({@link Tap#open}, whose interface
 * belongs to the namespace of the thread that opens it) runs on a platform thread of its own that
 * moves itself in with setns(2) and then ends, and {@code ip} commands run through
 * {@code ip netns exec}. Nothing here configures or touches the machine's own namespace.
 *
 * <p>{@link #create()} needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2's {@code ip} and
 * /dev/net/tun: without them it fails the test under CI=true and skips it elsewhere, with the reason.
 */
public final class NetNamespace implements AutoCloseable {
    private static final long COMMAND_SECONDS = 30;
    private static final Path NETNS = Path.of("/var/run/netns");

    private final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** {@return a new namespace, with only its loopback interface (down)} */
    public static NetNamespace create() {
        if (!Files.exists(Path.of(Tap.TUN_DEVICE))) {
            throw unavailable(Tap.TUN_DEVICE + " does not exist (load the tun module)");
        }
        String name = "vmm-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Result added;
        try {
            added = run(List.of("ip", "netns", "add", name));
        } catch (IOException e) {
            throw unavailable("iproute2's ip cannot be run (" + e.getMessage() + "): install iproute2");
        }
        if (added.exitCode != 0) {
            throw unavailable("ip netns add " + name + " failed (" + added.output.strip() + "): run the tests as root");
        }
        return new NetNamespace(name);
    }

    /** The skip, to throw; under CI=true a missing capability is a failure instead, thrown here. */
    private static TestAbortedException unavailable(String why) {
        String message = "This test needs a throwaway network namespace with a tap in it, and " + why + ".";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        return new TestAbortedException(message);
    }

    /** {@return the namespace's name, as {@code ip netns} knows it} */
    public String name() {
        return name;
    }

    /**
     * Runs {@code task} inside the namespace, on a platform thread of its own that setns(2)
     * moves in (a namespace is a property of a Linux thread) and that ends afterwards.
     *
     * @param task what to run, such as {@code () -> Tap.open("vmm0")}
     * @param <T> what it returns
     * @return what {@code task} returned
     * @throws Exception what {@code task} threw
     */
    public <T> T call(Callable<T> task) throws Exception {
        List<Object> outcome = new ArrayList<>(); // the value or the exception, set by the thread
        Thread thread = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                int ns = Libc.open(NETNS.resolve(name).toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                if (ns < 0) {
                    throw new IOException("open " + NETNS.resolve(name) + ": " + Errno.describe(Libc.errno()));
                }
                try {
                    if (Libc.setns(ns, Libc.CLONE_NEWNET) != 0) {
                        throw new IOException("setns " + name + ": " + Errno.describe(Libc.errno()));
                    }
                } finally {
                    Libc.close(ns);
                }
                outcome.add(task.call());
            } catch (Throwable t) {
                outcome.add(t);
            }
        });
        thread.join();
        Object result = outcome.getFirst(); // join orders the thread's write before this read
        if (result instanceof Exception e) {
            throw e;
        }
        if (result instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T value = (T) result;
        return value;
    }

    /**
     * Runs {@code ip ARGS...} inside the namespace and fails the test when it fails.
     *
     * @param args the arguments after {@code ip}, such as {@code "link", "set", "vmm0", "up"}
     * @return what it printed
     * @throws IOException when it cannot be started
     */
    public String ip(String... args) throws IOException {
        Result result = ipResult(args);
        if (result.exitCode != 0) {
            throw new AssertionError("ip " + String.join(" ", args) + " in namespace " + name + " failed: " + result.output);
        }
        return result.output;
    }

    /**
     * Runs {@code ip ARGS...} inside the namespace.
     *
     * @param args the arguments after {@code ip}
     * @return its exit code and what it printed
     * @throws IOException when it cannot be started
     */
    public Result ipResult(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name, "ip"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Deletes the namespace and every interface in it. */
    @Override
    public void close() throws IOException {
        Result deleted = run(List.of("ip", "netns", "del", name));
        if (deleted.exitCode != 0) {
            throw new AssertionError("ip netns del " + name + " failed: " + deleted.output);
        }
    }

    /**
     * What a command did.
     *
     * @param exitCode its exit code
     * @param output what it printed, stdout and stderr together
     */
    public record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish within " + COMMAND_SECONDS + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        } finally {
            process.destroyForcibly();
        }
    }
}
