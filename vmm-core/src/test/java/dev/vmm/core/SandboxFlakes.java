// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one fault a KVM test may forgive, once: inside the sandbox (nested KVM under QEMU's
 * multi-threaded TCG), a guest of ours now and then dies of a triple fault. It was seen about once
 * in three whole test runs, in guests as different as a ten-instruction counter and stock Linux
 * (early in an AP's boot, and at its reboot), always with two vCPUs or more; never on the host's
 * KVM, and never when the failing boot ran alone, 24 times (8 of them with the sandbox's CPUs kept
 * busy, 8 with its memory compacted meanwhile). The sandbox's own kernel dies under the tests now
 * and then too (./vmm test runs them again then). A test that meets such a fault says so on
 * stderr, in a line starting with {@link #MARK}, which ./vmm test counts and reports, and runs
 * once more; a second fault, or any other failure, fails it.
 */
public final class SandboxFlakes {
    /** How the line on stderr begins. */
    public static final String MARK = "vmm-sandbox-flake:";
    /** How a MicroVmExit of a triple fault prints, and so how an assertion's message names it. */
    private static final String TRIPLE_FAULT = "shutdown (triple fault on vCPU ";

    private SandboxFlakes() {}

    /**
     * Whether {@code test}, which failed as {@code failure} says (a MicroVmExit, or a message with
     * one in it, first; then what helps to tell why, as the console's last lines), may run once
     * more: inside the sandbox, after a guest's triple fault. Says so on stderr when it may, with
     * all of {@code failure}.
     */
    public static boolean mayRetry(String test, Object failure) {
        String text = String.valueOf(failure);
        if (KvmSandbox.profile().equals("host") || !text.contains(TRIPLE_FAULT)) {
            return false;
        }
        System.err.println(MARK + " " + test + ": a guest died of a triple fault in the sandbox; running the test once more. It failed so:\n  "
                + String.join("\n  ", text.lines().toList()) + "\nthe sandbox kernel's last messages:\n  " + String.join("\n  ", kernelLogTail()));
        return true;
    }

    /** The sandbox kernel's last messages: whatever its KVM said about the guest that died. */
    private static List<String> kernelLogTail() {
        try {
            Process dmesg = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            List<String> lines = new String(dmesg.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            dmesg.waitFor();
            return lines.subList(Math.max(0, lines.size() - 15), lines.size());
        } catch (IOException e) {
            return List.of("(dmesg could not run: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("(interrupted while dmesg ran)");
        }
    }
}
