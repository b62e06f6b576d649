// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary bytes as a machine description (--config): a description within its bounds, or one
 * BootException sentence on one line, and nothing else thrown (no stack overflow on deep nesting,
 * no exception from a number or an escape). Each input is tried as it is (which tests the JSON
 * reader: mutated JSON is rarely JSON) and as the choices of a generated JSON description (which
 * reaches the field checks).
 */
@Tag("fuzz")
class MachineConfigFuzzTest {
    @Test
    void anyBytesAreADescriptionOrOneSentence() {
        long[] parsed = {0};
        Fuzzer.Result result = Fuzzer.named("machine-config").seeds(seeds()).inputs(20_000).run(input -> {
            check(input); // the bytes as they are: mostly not JSON, which tests the reader
            if (check(generated(input).getBytes(StandardCharsets.UTF_8))) { // the bytes as choices of a JSON description: the fields
                parsed[0]++;
            }
        });
        assertTrue(parsed[0] >= 50, parsed[0] + " of " + result.executed() + " generated descriptions parsed: the field checks must be reached and passed");
    }

    /** Parses; true for a description, false for one sentence; anything else fails the test. */
    private static boolean check(byte[] input) {
        MachineConfigFile config;
        try {
            config = MachineConfigFile.parse("fuzz.json", input);
        } catch (BootException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.endsWith(".") && m.lines().count() == 1, "one sentence on one line: " + m);
            return false;
        }
        assertTrue(config.kernel() != null, "a description always names a kernel");
        assertTrue(config.cpus() == null || (config.cpus() >= 1 && config.cpus() <= 255), "vCPUs " + config.cpus());
        assertTrue(config.memoryMib() == null || (config.memoryMib() >= 1 && config.memoryMib() <= 1 << 20), "MiB " + config.memoryMib());
        int virtioDevices = config.disks().size() + (config.root() == null ? 0 : 1) + config.networkInterfaces().size() + (config.vsock() == null ? 0 : 1);
        assertTrue(virtioDevices <= dev.vmm.core.microvm.MicroVmConfig.MAX_VIRTIO_DEVICES, "virtio devices " + config);
        return true;
    }

    private static final String[] SECTIONS = {"boot-source", "machine-config", "boot-source", "machine-config", "drives", "vsock", "x"};
    private static final String[] FIELDS = {"kernel_image_path", "initrd_path", "boot_args", "vcpu_count", "mem_size_mib", "smt", "kernel_image_path", "z"};
    private static final String[] DRIVE_FIELDS = {"drive_id", "path_on_host", "is_root_device", "is_read_only"};

    /** A JSON object whose sections, fields and values the input's bytes choose: valid JSON, often a valid description. */
    static String generated(byte[] input) {
        ByteBuffer choices = ByteBuffer.wrap(input);
        StringBuilder json = new StringBuilder("{");
        int sections = 1 + next(choices) % 3;
        for (int i = 0; i < sections; i++) {
            String section = SECTIONS[i == 0 ? 0 : next(choices) % SECTIONS.length];
            json.append(i == 0 ? "" : ", ").append('"').append(section).append("\": ");
            if (section.equals("drives")) { // an array of drives, each with most of its four fields
                json.append('[');
                int drives = next(choices) % 4;
                for (int d = 0; d < drives; d++) {
                    json.append(d == 0 ? "{" : ", {");
                    for (int f = 0; f < DRIVE_FIELDS.length; f++) {
                        String value = next(choices) % 8 == 0 ? value(choices) : f < 2 ? "\"d" + next(choices) % 3 + "\"" : next(choices) % 2 == 0 ? "true" : "false";
                        json.append(f == 0 ? "" : ", ").append('"').append(DRIVE_FIELDS[f]).append("\": ").append(value);
                    }
                    json.append('}');
                }
                json.append(']');
                continue;
            }
            json.append('{');
            int fields = next(choices) % 4;
            for (int f = 0; f < fields; f++) {
                json.append(f == 0 ? "" : ", ").append('"').append(FIELDS[next(choices) % FIELDS.length]).append("\": ").append(value(choices));
            }
            json.append('}');
        }
        return json.append('}').toString();
    }

    private static String value(ByteBuffer choices) {
        int kind = next(choices);
        return switch (kind % 8) {
            case 0, 1 -> "\"" + "kvmx/.\u00e9\\n".substring(0, 1 + kind % 8) + "\"";
            case 2, 3 -> Long.toString(choices.remaining() >= 8 ? choices.getLong() : kind - 100);
            case 4 -> Integer.toString(kind);
            case 5 -> kind % 2 == 0 ? "false" : "true";
            case 6 -> "null";
            default -> kind % 3 == 0 ? "[1, {}]" : "2.5e" + (kind % 5);
        };
    }

    private static int next(ByteBuffer choices) {
        return choices.hasRemaining() ? choices.get() & 0xff : 0;
    }

    private static List<byte[]> seeds() {
        return List.of(
                seed("{\"boot-source\": {\"kernel_image_path\": \"/boot/vmlinuz\", \"initrd_path\": \"initrd.cpio\", \"boot_args\": \"console=ttyS0\"},"
                        + " \"machine-config\": {\"vcpu_count\": 2, \"mem_size_mib\": 512, \"smt\": false}}"),
                seed("{\"boot-source\":{\"kernel_image_path\":\"k\",\"initrd_path\":null},\"machine-config\":{\"vcpu_count\":255}}"),
                seed("{\"boot-source\": {\"kernel_image_path\": \"k\\u00e9\\n\\\"\\\\\\/\"}, \"machine-config\": {\"mem_size_mib\": 1048576}}"),
                seed("{\"boot-source\": {\"kernel_image_path\": \"k\"}, \"drives\": [{\"drive_id\": \"rootfs\", \"is_root_device\": true}]}"),
                seed("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]"),
                seed("{\"a\": -0.5e+10, \"b\": [true, false, null, 123456789012345678901234567890]}"),
                seed(""));
    }

    private static byte[] seed(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
