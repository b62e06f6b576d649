// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.KvmTest;
import dev.vmm.core.devices.BusDevice;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a MicroVm's run ends when something other than the guest ends it: a failing device, a close. */
class MicroVmLifecycleTest {
    @TempDir
    Path dir;

    /** A guest that writes to port 0x99 for ever: mov $0x99,%dx; 1: out %al,%dx; jmp 1b. */
    private MicroVm portWriter() throws IOException {
        Path kernel = dir.resolve("port-writer.elf");
        Files.write(kernel, HostileGuests.elf(HexFormat.of().parseHex("66ba9900eeebfd")));
        return MicroVm.create(new MicroVmConfig(kernel, null, "", HostileGuests.MEMORY, 1, null), b -> { });
    }

    @KvmTest
    void anErrorInADeviceEndsTheRunWithThatErrorAtOnce() throws IOException {
        try (MicroVm vm = portWriter()) {
            vm.devices().ports().register(0x99, 1, new BusDevice() {
                @Override
                public void read(long offset, byte[] data) {
                }

                @Override
                public void write(long offset, byte[] data) {
                    throw new AssertionError("a device's bug");
                }
            });
            long start = System.nanoTime();
            MicroVmExit exit = vm.run(Duration.ofSeconds(120));
            assertEquals(MicroVmExit.Reason.ERROR, exit.reason(), exit.toString());
            assertTrue(exit.detail().contains("a device's bug"), exit.toString());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "run() waited for its timeout instead");
        }
    }

    @KvmTest
    void closeDuringRunStopsTheGuestBeforeItFreesItsMemory() throws Exception {
        MicroVm vm = portWriter();
        CompletableFuture<MicroVmExit> run = CompletableFuture.supplyAsync(vm::run);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (vm.unhandledAccesses().total() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // until the guest runs (an emulated sandbox takes its time to start it)
        }
        assertTrue(vm.unhandledAccesses().total() > 0, "the guest did not start within a minute");
        vm.close();
        MicroVmExit exit = run.get(10, TimeUnit.SECONDS);
        assertEquals(MicroVmExit.Reason.STOPPED, exit.reason(), exit.toString());
        assertThrows(IllegalStateException.class, vm::run, "a closed MicroVm does not run again");
    }
}
