// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleOutputTest {
    @Test
    void bytesReachTheSinkInOrder() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ConsoleOutput console = new ConsoleOutput(b -> { synchronized (out) { out.write(b); } }, 16, "test-console")) {
            for (byte b : "hello, world\n".repeat(100).getBytes()) {
                console.offer(b);
                if (!console.flush(Duration.ofSeconds(5))) {
                    throw new AssertionError("the sink did not get the bytes");
                }
            }
            assertEquals(0, console.dropped());
        }
        synchronized (out) {
            assertEquals("hello, world\n".repeat(100), out.toString());
        }
    }

    @Test
    void aStuckSinkLosesOutputButNeverBlocksTheWriter() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        try (ConsoleOutput console = new ConsoleOutput(b -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 1024, "stuck-console")) {
            long start = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++) {
                console.offer('x');
            }
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "offer never waits for the sink");
            // The sink holds one byte, the writer's chunk took up to 4096 more, the ring 1024: the rest is dropped.
            assertTrue(console.dropped() >= 1_000_000 - 1024 - 4096, "dropped " + console.dropped());
            assertFalse(console.flush(Duration.ofMillis(100)), "flush gives up on a stuck sink");
        }
        never.countDown();
    }
}
