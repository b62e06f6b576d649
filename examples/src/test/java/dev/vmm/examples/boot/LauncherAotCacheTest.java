// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The check scripts/lib.sh makes before ./vmm boot or ./vmm restore starts a JVM from the
 * launcher's AOT cache: the cache must be as its training left it (the size and modification time
 * in its stamp), else the JVM would refuse it with lines of errors, and the scripts train it anew or
 * start without it instead.
 */
class LauncherAotCacheTest {
    private static final Path LIB = Path.of("..", "scripts", "lib.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void onlyACacheThatMatchesTheStampItsTrainingLeftIsUsed() throws Exception {
        Path cache = Files.write(dir.resolve("launcher-0123.aot"), new byte[8192]);
        assertEquals("not intact", intact(cache), "no stamp yet: a training that did not end, or one from before stamps");

        stamp(cache);
        assertEquals("intact", intact(cache), "as trained");

        Files.write(cache, new byte[4096]); // cut short
        assertEquals("not intact", intact(cache));

        Files.write(cache, new byte[8192]);
        stamp(cache);
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().plusSeconds(60))); // written over since
        assertEquals("not intact", intact(cache));

        stamp(cache);
        Files.delete(cache);
        assertEquals("not intact", intact(cache), "gone");
    }

    /** What ./vmm boot's training does once it succeeded: the stamp, in the format lib.sh reads. */
    private static void stamp(Path cache) throws IOException, InterruptedException {
        bash(". \"$1\" && stat -c \"$AOT_STAMP_FORMAT\" \"$2\" >\"$2.stamp\"", cache);
    }

    private static String intact(Path cache) throws IOException, InterruptedException {
        return bash(". \"$1\" && if aot_intact \"$2\"; then echo intact; else echo not intact; fi", cache);
    }

    private static String bash(String script, Path cache) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", script, "test", LIB.toString(), cache.toString())
                .redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, bash.waitFor(), output);
        return output;
    }
}
