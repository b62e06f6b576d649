// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary argument arrays through the launcher's option parser: options, or one BootException
 * sentence on one line. Options that parse must make a VM config, and a child launcher given
 * their child arguments must get the same settings back.
 */
@Tag("fuzz")
class BootOptionsFuzzTest {
    @Test
    void anyArgumentsParseOrAreOneSentence() {
        long[] parsed = {0};
        Fuzzer.Result result = Fuzzer.named("boot-options").seeds(seeds()).inputs(20_000).run(input -> {
            String[] args = arguments(input);
            BootOptions options;
            try {
                options = BootOptions.parse(args);
            } catch (BootException e) {
                String m = e.getMessage();
                assertTrue(m != null && m.endsWith(".") && m.lines().count() == 1, "one sentence on one line: " + m);
                return;
            }
            BootOptions child = BootOptions.parse(options.childArguments(true).toArray(String[]::new));
            assertEquals(options.vmConfig(), child.vmConfig());
            assertEquals(options.timeoutSeconds(), child.timeoutSeconds());
            assertEquals(options.snapshotAfterBoot(), BootOptions.parse(options.arguments().toArray(String[]::new)).snapshotAfterBoot());
            parsed[0]++;
        });
        // Refusing everything would pass too: enough inputs must parse for the round trip to be tested.
        assertTrue(parsed[0] >= 100, parsed[0] + " of " + result.executed() + " argument lists parsed");
    }

    /** The input as UTF-8, one argument per line (so arguments may hold NULs and other control characters, but not '\n'). */
    static String[] arguments(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        return text.isEmpty() ? new String[0] : text.split("\n", -1);
    }

    private static List<byte[]> seeds() {
        return List.of(
                seed("--kernel", "/root/.cache/vmm/debs/linux-image-6.12.118+deb12-amd64-unsigned/boot/vmlinuz-6.12.118+deb12-amd64",
                        "--initrd", "/root/.cache/vmm/boot/initramfs.cpio.gz"),
                seed("--kernel", "vmlinuz", "--initrd", "initrd.cpio", "--mem", "384", "--cpus", "2", "--prefault", "auto", "--runs", "5"),
                seed("--kernel", "vmlinux", "--json", "--compare", "qemu", "--timeout", "200", "--prefault", "STAGE2"),
                seed("--kernel", "k", "--cmdline", "console=ttyS0 reboot=k panic=-1 acpi=off vmm.exit=poweroff", "--mem", "1048576"),
                seed("--child", "--kernel", "k", "--cmdline", "", "--mem", "256", "--cpus", "1", "--prefault", "NONE", "--timeout", "600"),
                seed("--kernel", "k", "--cpus", "0", "--mem", "-1", "--runs", "99999999999999999999"),
                seed("--initrd", "i", "--kernel"),
                // Devices: taps and vsock, good and bad, with every option that counts towards the 8 virtio slots.
                seed("--kernel", "k", "--rootfs", "r.ext4", "--disk-ro", "d.img", "--net", "tap=vmmtap0,mac=02:00:00:00:00:01",
                        "--net", "tap=t1", "--vsock", "cid=3,uds=/tmp/v.sock"),
                seed("--kernel", "k", "--net", "tap=,mac=zz", "--vsock", "cid=2,uds=", "--vsock", "uds=/x,cid=4294967295"),
                seed("--kernel", "k", "--net", "mac=02:00:00:00:00:01,tap=averyveryverylongtapname", "--vsock", "cid=3"),
                // A snapshot at boot: alone, with what it refuses (disks, runs), and with a vmm.count= of its own.
                seed("--kernel", "k", "--snapshot-after-boot", "/tmp/vmm-fuzz-snapshot"),
                seed("--kernel", "k", "--snapshot-after-boot", "snap", "--disk", "d.img", "--runs", "2"),
                seed("--kernel", "k", "--cmdline", "console=ttyS0 vmm.count=7", "--snapshot-after-boot", "/nonexistent/dir/snap"),
                seed());
    }

    private static byte[] seed(String... args) {
        return String.join("\n", args).getBytes(StandardCharsets.UTF_8);
    }
}
