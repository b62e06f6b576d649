// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;
import jdk.jfr.Recording;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first things any VMM does with KVM, on the real kernel. */
class KvmBasicsTest {
    private static final int SERIAL_PORT = 0x3f8;
    private static final long CODE_ADDRESS = 0x1000;

    @KvmTest
    void apiVersionIsTwelve() {
        try (Kvm kvm = Kvm.open()) {
            assertEquals(12, kvm.apiVersion());
            assertTrue(kvm.vcpuMmapSize() >= 4096, "kvm_run is at least a page");
        }
    }

    /**
     * A profiler's signals (JFR's samplers stop threads with a signal) interrupt KVM_CREATE_VM now
     * and then with EINTR, which the library retries. Seen first in the sandbox, where a boot with
     * --jfr failed so; on this project's PVM host, 9 of 3000 creations failed without the retry,
     * and this test failed in each of two runs without it. It creates VMs for 5 s: thousands on the
     * host, tens in the emulated sandbox.
     */
    @KvmTest
    void vmsAreCreatedWhileAProfilerSignalsTheThread() {
        int created = 0;
        try (Recording recording = new Recording(); Kvm kvm = Kvm.open()) {
            recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(1));
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
            recording.start();
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (created < 3000 && System.nanoTime() - end < 0) {
                kvm.createVm().close(); // without the retry, now and then EINTR
                created++;
            }
        }
        // Thousands on a machine's own KVM, where the test tells; tens under the sandbox's emulation
        // (40 on 6.1), where it only checks that the retry holds.
        assertTrue(created >= 20, "only " + created + " VMs in 5 s");
    }

    @KvmTest
    void realModeGuestWritesToSerialPortAndHalts() {
        String message = "Hello from a real-mode guest on " + KvmSandbox.profile() + "\n";
        byte[] program = serialPrinter(message);

        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 64 * 1024);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            memory.write(GuestAddress.of(CODE_ADDRESS), program);
            vm.map(memory);

            SpecialRegisters sregs = vcpu.specialRegisters();
            sregs.cs(Segment.realMode(0, true)).ds(Segment.realMode(0, false));
            vcpu.setSpecialRegisters(sregs);
            vcpu.setRegisters(vcpu.registers().rip(CODE_ADDRESS).rflags(0x2));

            ByteArrayOutputStream serial = new ByteArrayOutputStream();
            List<VcpuExit> exits = new ArrayList<>();
            VcpuExit exit;
            do {
                exit = vcpu.run();
                exits.add(exit);
                if (exit instanceof VcpuExit.IoOut out) {
                    assertEquals(SERIAL_PORT, out.port(), "port of " + out);
                    assertEquals(1, out.size());
                    serial.writeBytes(out.data());
                }
            } while (exit instanceof VcpuExit.IoOut && exits.size() <= message.length() + 1);

            assertEquals(message, serial.toString(StandardCharsets.US_ASCII));
            assertInstanceOf(VcpuExit.Hlt.class, exits.getLast(), "exits: " + exits);
            assertEquals(message.length() + 1, exits.size(), "one I/O exit per byte, then HLT");
            assertEquals(CODE_ADDRESS + program.length - message.length() - 1, vcpu.registers().rip(),
                    "rip stops after the hlt instruction");
        }
    }

    @KvmTest
    void theVendorModuleIsKnownAndTheSandboxRunsKvmAmd() throws Exception {
        KvmVendor vendor = KvmVendor.ofThisMachine();
        assertTrue(vendor != KvmVendor.UNKNOWN, "/dev/kvm works, so a vendor module is loaded");
        if (!KvmSandbox.profile().equals("host")) {
            assertEquals(KvmVendor.AMD_SVM, vendor, "the sandbox emulates SVM and loads kvm_amd");
        }
        // Cross-check with the CPU's flags: VMX or SVM for those modules, neither for PVM.
        String flags = Files.readString(Path.of("/proc/cpuinfo")).lines().filter(l -> l.startsWith("flags")).findFirst().orElse("") + " ";
        boolean vmx = flags.contains(" vmx "), svm = flags.contains(" svm ");
        switch (vendor) {
            case INTEL_VMX -> assertTrue(vmx, flags);
            case AMD_SVM -> assertTrue(svm, flags);
            case PVM -> assertTrue(!vmx && !svm, "PVM is for CPUs without VMX or SVM: " + flags);
            case UNKNOWN -> { }
        }
    }

    @KvmTest
    void preFaultCapabilityOnTheVmFdMatchesTheKernel() throws Exception {
        int[] version = KvmSandbox.kernelVersion();
        boolean newEnough = version[0] > 6 || (version[0] == 6 && version[1] >= 10);
        boolean tdp = KvmSandbox.tdpEnabled();
        int expected = switch (KvmSandbox.profile()) {
            case "6.12" -> 1;
            case "6.12-nonpt", "6.1" -> 0;
            default -> newEnough && tdp ? 1 : 0; // a real host: the kernel's rule, read from its own parameters
        };
        // The profile must be what the kernel actually is, or the expectation above means nothing.
        switch (KvmSandbox.profile()) {
            case "6.12" -> assertTrue(tdp && newEnough, "profile 6.12 runs 6.10+ with nested paging");
            case "6.12-nonpt" -> assertTrue(!tdp && newEnough, "profile 6.12-nonpt runs 6.10+ with npt=0");
            case "6.1" -> assertTrue(!newEnough, "profile 6.1 runs a kernel older than 6.10");
            default -> { }
        }
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            assertEquals(expected, vm.checkExtension(Capability.PRE_FAULT_MEMORY));
            assertEquals(KvmConstants.KVM_CAP_PRE_FAULT_MEMORY, Capability.PRE_FAULT_MEMORY.number());
        }
    }

    /**
     * 16-bit code at {@link #CODE_ADDRESS}: write each byte of a NUL-terminated string to the
     * serial port, then {@code hlt}.
     */
    private static byte[] serialPrinter(String message) {
        byte[] text = message.getBytes(StandardCharsets.US_ASCII);
        int messageAddress = (int) CODE_ADDRESS + 15;
        byte[] code = {
                (byte) 0xba, (byte) SERIAL_PORT, (byte) (SERIAL_PORT >> 8),           // mov dx, 0x3f8
                (byte) 0xbe, (byte) messageAddress, (byte) (messageAddress >> 8),     // mov si, message
                (byte) 0xac,                                                          // loop: lodsb
                (byte) 0x84, (byte) 0xc0,                                             // test al, al
                (byte) 0x74, 0x03,                                                    // jz done
                (byte) 0xee,                                                          // out dx, al
                (byte) 0xeb, (byte) 0xf8,                                             // jmp loop
                (byte) 0xf4,                                                          // done: hlt
        };
        byte[] program = new byte[code.length + text.length + 1];
        System.arraycopy(code, 0, program, 0, code.length);
        System.arraycopy(text, 0, program, code.length, text.length);
        return program;
    }
}
