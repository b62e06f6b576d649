// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.KvmTest;
import dev.vmm.core.jfr.BootPhaseEvent;
import dev.vmm.core.jfr.PreFaultEvent;
import dev.vmm.core.jfr.PreFaultProgressEvent;
import dev.vmm.core.jfr.VcpuExitsEvent;
import dev.vmm.core.jfr.VmCreatedEvent;
import dev.vmm.core.prefault.PreFaultPolicy;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A microVM's life as JDK Flight Recorder sees it: every dev.vmm event, with what happened in it. */
class MicroVmJfrTest {
    // mov $0x3f8,%dx; mov $'x',%al; mov $100,%ecx; 1: out %al,%dx; loop 1b
    // mov $0x600,%dx; mov $0x34,%al; out %al,%dx; 2: hlt; jmp 2b  -- 100 bytes to the UART, then ACPI poweroff
    private static final String GUEST = "66baf803 b078 b964000000 ee e2fd 66ba0006 b034 ee f4 ebfd";
    private static final long MEMORY = 64L << 20;

    @TempDir
    Path dir;

    @KvmTest
    void aMicroVmsLifeIsRecorded() throws IOException {
        Path kernel = Files.write(dir.resolve("guest.elf"), HostileGuests.elf(HexFormat.of().parseHex(GUEST.replace(" ", ""))));
        Path file = dir.resolve("vm.jfr");
        try (Recording recording = new Recording()) {
            for (Class<? extends jdk.jfr.Event> type : List.of(VmCreatedEvent.class, BootPhaseEvent.class, PreFaultEvent.class, PreFaultProgressEvent.class)) {
                recording.enable(type);
            }
            recording.enable(VcpuExitsEvent.class).with("period", "endChunk"); // sampled when the recording stops
            recording.start();
            try (MicroVm vm = MicroVm.create(new MicroVmConfig(kernel, null, "", MEMORY, 1, PreFaultPolicy.POPULATE), b -> { })) {
                MicroVmExit exit = vm.run(Duration.ofSeconds(60));
                assertEquals(MicroVmExit.Reason.POWEROFF, exit.reason(), exit.toString());
                recording.stop(); // while the vCPU is open: its counters are sampled now
            }
            recording.dump(file);
        }
        // In the order they happened (the file holds each thread's buffer in turn).
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream().sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();

        List<RecordedEvent> created = named(events, "dev.vmm.VmCreated");
        assertEquals(1, created.size(), "one KVM_CREATE_VM");
        assertTrue(created.getFirst().getLong("createTime") > 0, created.toString());
        List<String> moments = named(events, "dev.vmm.BootPhase").stream().map(e -> e.getString("moment")).toList();
        assertEquals(List.of("IMAGES_CHECKED", "VM_CREATED", "MEMORY_READY", "PRE_FAULTED", "KERNEL_LOADED", "FIRST_RUN",
                "FIRST_CONSOLE_BYTE", "VM_EXIT"), moments, "every moment of the boot this guest reaches, in order");

        List<RecordedEvent> preFaults = named(events, "dev.vmm.PreFault");
        assertEquals(1, preFaults.size());
        RecordedEvent preFault = preFaults.getFirst();
        assertEquals("POPULATE", preFault.getString("requested"));
        assertEquals("POPULATE", preFault.getString("applied"));
        assertEquals(preFault.getLong("bytesRequested"), preFault.getLong("bytesPopulated"), "all of it populated");
        assertTrue(preFault.getLong("bytesRequested") > 0 && preFault.getLong("bytesRequested") <= MEMORY, preFault.toString());
        List<RecordedEvent> progress = named(events, "dev.vmm.PreFaultProgress");
        assertFalse(progress.isEmpty(), "progress events");
        assertEquals(preFault.getLong("bytesRequested"), progress.stream().mapToLong(e -> e.getLong("done")).max().orElseThrow());

        List<RecordedEvent> exits = named(events, "dev.vmm.VcpuExits").stream().filter(e -> e.getInt("vcpu") == 0).toList();
        assertFalse(exits.isEmpty(), "vCPU 0's exit counts sampled");
        // Each OUT is an exit: 100 to the UART and 1 to the power register, at least.
        assertTrue(exits.getLast().getLong("io") >= 101, exits.getLast().toString());
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
