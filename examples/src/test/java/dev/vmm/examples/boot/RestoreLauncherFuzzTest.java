// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import dev.vmm.core.boot.BootException;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated ./vmm restore command lines, one argument per line: each parses or is refused in one
 * sentence on one line, and one that parses names an existing directory. (Reading the snapshot's
 * files is the snapshot readers' fuzz targets' business.)
 */
@Tag("fuzz")
class RestoreLauncherFuzzTest {
    @Test
    void anyArgumentsParseOrAreOneSentence() {
        long[] parsed = {0};
        Fuzzer.Result result = Fuzzer.named("restore-options").seeds(seeds()).inputs(20_000).run(input -> {
            try {
                RestoreLauncher.Options options = RestoreLauncher.Options.parse(BootOptionsFuzzTest.arguments(input));
                assertTrue(java.nio.file.Files.isDirectory(options.directory()), options.toString());
                parsed[0]++;
            } catch (BootException e) {
                String m = e.getMessage();
                assertTrue(m != null && m.endsWith(".") && m.lines().count() == 1, "one sentence on one line: " + m);
            }
        });
        // The seeds that name /tmp or / parse; most mutations break the directory: the refusals are what is tested.
        assertTrue(parsed[0] >= 5, parsed[0] + " of " + result.executed() + " argument lists parsed");
    }

    private static List<byte[]> seeds() {
        return List.of(seed("/tmp"), seed("/tmp", "--prefault", "auto", "--working-set", "--timeout", "30"),
                seed("--copy", "/", "--prefault", "STAGE2"), seed("/tmp", "--record-working-set"),
                seed("/tmp", "--record-working-set", "--copy"), seed("--timeout", "0", "/tmp"), seed("/no/such/dir"), seed());
    }

    private static byte[] seed(String... args) {
        return String.join("\n", args).getBytes(StandardCharsets.UTF_8);
    }
}
