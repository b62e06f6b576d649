// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultTask;
import dev.vmm.core.prefault.PreFaulter;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order and timing of closes, as a careless or hostile caller would have them: objects closed
 * from another thread while a vCPU runs, and used after close. Each misuse is an
 * IllegalStateException; no vCPU outlives its VM, no guest reads memory the VMM gave back.
 */
class LifetimeTest {
    private static final long CODE = 0x1000;
    private static final GuestMemory.Range LOW = new GuestMemory.Range(GuestAddress.of(0), PageReaderGuest.LOW_SIZE);
    private static final GuestMemory.Range DATA = new GuestMemory.Range(GuestAddress.of(1L << 30), GuestMemory.PAGE_SIZE);
    private static final byte[] SPIN = {(byte) 0xeb, (byte) 0xfe}; // jmp $
    static final int REPORT_PORT = 0xf8;
    static final byte MARKER = 0x5a;
    static final GuestAddress MARKER_ADDRESS = GuestAddress.of(0x2000);
    /** Reads the byte at 0x2000 and reports it on port 0xf8, forever. */
    static final byte[] READ_AND_REPORT = {
            (byte) 0xa0, 0x00, 0x20,        // loop: mov al, [0x2000]
            (byte) 0xe6, (byte) REPORT_PORT, // out 0xf8, al
            (byte) 0xeb, (byte) 0xf9};      // jmp loop
    private enum Victim { VCPU, VM, MEMORY, KVM }

    @KvmTest
    void closingTheVmClosesItsVcpusSoNoGuestReadsMemoryTheVmmGaveBack() {
        try (Kvm kvm = Kvm.open()) {
            GuestMemory memory = GuestMemory.anonymous(List.of(LOW, DATA));
            Vm vm = kvm.createVm();
            Vcpu vcpu = vm.createVcpu(0);
            vm.map(memory);
            PageReaderGuest.load(kvm, vcpu, memory, DATA.start(), 1, LOW, DATA);
            memory.write(DATA.start(), new byte[] {0x11, 0x11, 0x11, 0x11});

            IllegalStateException stillMapped = assertThrows(IllegalStateException.class, memory::close);
            assertEquals("This guest memory is mapped into an open VM: close the Vm first (it closes its vCPUs), then the memory.",
                    stillMapped.getMessage());
            assertEquals(0x11, memory.read(DATA.start(), 1)[0], "the refused close left the memory mapped");

            vm.close(); // the documented order: the VM, then its memory; the vCPU is left open
            memory.close();
            assertFalse(vcpu.isOpen(), "closing the VM closed its vCPU");
            // Whatever the JVM maps next may land where the guest memory was.
            try (GuestMemory next = GuestMemory.anonymous(List.of(LOW, DATA))) {
                next.write(DATA.start(), new byte[] {0x22, 0x22, 0x22, 0x22});
                IllegalStateException closed = assertThrows(IllegalStateException.class, vcpu::run,
                        "a vCPU of a closed VM must not run (its guest would read whatever is mapped there now)");
                assertEquals("The vCPU 0 is closed; create a new one.", closed.getMessage());
            }
        }
    }

    @KvmTest
    void closingAVcpuWaitsForTheRunOnAnotherThreadToLeave() throws Exception {
        try (Kvm kvm = Kvm.open(); GuestMemory memory = GuestMemory.anonymous(List.of(LOW)); Vm vm = kvm.createVm()) {
            vm.map(memory);
            Vcpu vcpu = vm.createVcpu(0);
            enterRealMode(vcpu, memory, SPIN);
            Runner runner = Runner.start(vcpu);
            runner.awaitRunning();
            vcpu.close();
            assertTrue(runner.returns.get() > 0, "close() returned while the other thread was still inside KVM_RUN");
            runner.join();
            assertEquals("The vCPU 0 is closed; create a new one.", runner.failure.get().getMessage());
            assertThrows(IllegalStateException.class, vcpu::registers);
            assertThrows(IllegalStateException.class, vcpu::kick);
        }
    }

    @KvmTest
    void closingTheVmFromAnotherThreadStopsItsRunningVcpuFirst() throws Exception {
        try (Kvm kvm = Kvm.open(); GuestMemory memory = GuestMemory.anonymous(List.of(LOW))) {
            Vm vm = kvm.createVm();
            vm.map(memory);
            Vcpu vcpu = vm.createVcpu(0);
            enterRealMode(vcpu, memory, SPIN);
            Runner runner = Runner.start(vcpu);
            runner.awaitRunning();
            vm.close();
            assertTrue(runner.returns.get() > 0, "Vm.close() returned while its vCPU was still inside KVM_RUN");
            runner.join();
            assertInstanceOf(IllegalStateException.class, runner.failure.get());
            assertFalse(vcpu.isOpen());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> vm.createVcpu(1));
            assertEquals("The VM is closed; create a new one.", e.getMessage());
        }
    }

    /**
     * Kicks in rounds of three against a guest that only stops when kicked: one from a helper
     * thread at the same moment as the first of two in a row from this one, so that kicks meet the
     * same KVM_RUN, land just after it returned, or between two runs. Each must make its own run
     * return Interrupted; a lost or merged one leaves the guest spinning and the count short.
     */
    @KvmTest
    void everyKickIsAnsweredByItsOwnInterruptedRun() throws Exception {
        try (Kvm kvm = Kvm.open(); GuestMemory memory = GuestMemory.anonymous(List.of(LOW)); Vm vm = kvm.createVm()) {
            vm.map(memory);
            Vcpu vcpu = vm.createVcpu(0);
            enterRealMode(vcpu, memory, SPIN);
            Runner runner = Runner.start(vcpu);
            runner.awaitRunning();
            AtomicLong round = new AtomicLong();
            AtomicLong helperKicks = new AtomicLong();
            Thread helper = Thread.ofPlatform().daemon().start(() -> {
                for (long seen = 0; !Thread.currentThread().isInterrupted(); ) {
                    if (round.get() != seen) {
                        seen = round.get();
                        vcpu.kick();
                        helperKicks.incrementAndGet();
                    }
                    Thread.onSpinWait();
                }
            });
            int rounds = 300;
            for (int i = 1; i <= rounds; i++) {
                long before = runner.interrupted.get();
                round.set(i);
                vcpu.kick();
                vcpu.kick();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (runner.interrupted.get() < before + 3 || helperKicks.get() < i) {
                    assertTrue(System.nanoTime() < deadline, "round " + i + ": " + (runner.interrupted.get() - before)
                            + " of 3 kicks answered after 10 s; the guest runs on");
                    Thread.onSpinWait();
                }
            }
            helper.interrupt();
            assertEquals(3L * rounds, runner.interrupted.get(), "one Interrupted per kick, no more");
            vcpu.close();
            runner.join();
            assertEquals(0, runner.otherExits.get(), "the spinning guest only ever stops when kicked");
        }
    }

    @KvmTest
    void aKickBetweenRunsIsAnsweredOnceByTheNextRun() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(LOW));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            enterRealMode(vcpu, memory, new byte[] {(byte) 0xf4, (byte) 0xeb, (byte) 0xfd}); // hlt; jmp back to hlt
            vcpu.kick();
            vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, vcpu.run());
            assertInstanceOf(VcpuExit.Interrupted.class, vcpu.run(), "the second kick is answered too");
            assertInstanceOf(VcpuExit.Hlt.class, vcpu.run(), "and no third time: the guest runs to its hlt");
        }
    }

    /**
     * A guest that reads its memory in a loop while each object is closed from this thread: a
     * vCPU or VM closes and stops the run; guest memory refuses while the VM maps it; /dev/kvm may
     * close under a live VM. The guest only ever reads its own memory, and every later use of a
     * closed object is an IllegalStateException.
     */
    @KvmTest
    void closingEachObjectFromAnotherThreadMidRunIsSafeAndLaterUseIsAnIllegalStateException() throws Exception {
        for (Victim victim : Victim.values()) {
            Kvm kvm = Kvm.open();
            GuestMemory memory = GuestMemory.anonymous(List.of(LOW));
            Vm vm = kvm.createVm();
            Vcpu vcpu = vm.createVcpu(0);
            EventFd eventfd = EventFd.create();
            try {
                vm.map(memory);
                vm.registerIoeventfd(eventfd, IoEventAddress.port(0x510), 2, OptionalLong.empty());
                memory.write(MARKER_ADDRESS, new byte[] {MARKER});
                enterRealMode(vcpu, memory, READ_AND_REPORT);
                Runner runner = Runner.start(vcpu);
                runner.awaitReports(100);
                switch (victim) {
                    case VCPU -> vcpu.close();
                    case VM -> vm.close();
                    case MEMORY -> assertThrows(IllegalStateException.class, memory::close, "the VM still maps it");
                    case KVM -> kvm.close();
                }
                if (victim == Victim.MEMORY || victim == Victim.KVM) {
                    long reports = runner.otherExits.get();
                    runner.awaitReports(reports + 100); // the guest runs on, on its own memory
                    vcpu.close();
                }
                runner.join();
                assertInstanceOf(IllegalStateException.class, runner.failure.get(), victim.name());
                assertEquals(0, runner.foreignReads.get(), victim + ": the guest read memory that is not its own");
            } finally {
                vcpu.close();
                vm.close();
                memory.close();
                eventfd.close();
                kvm.close();
            }
            assertEverythingClosed(kvm, vm, vcpu, memory, eventfd);
        }
    }

    /**
     * A populate in progress while the objects close: the memory refuses while the VM maps it, the
     * VM and /dev/kvm close under it, and closing the memory then stops it within a chunk.
     */
    @KvmTest
    void closingObjectsDuringAPopulateStopsItCleanly() throws Exception {
        long size = 4L << 30;
        Kvm kvm = Kvm.open();
        GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), size);
        Vm vm = kvm.createVm();
        try {
            vm.map(memory);
            AtomicLong reported = new AtomicLong();
            PreFaultTask task = PreFaulter.of(vm, memory).policy(PreFaultPolicy.POPULATE).populateThreads(2)
                    .onProgress((phase, done, total) -> reported.set(done)).start();
            while (reported.get() == 0) {
                Thread.sleep(1);
            }
            assertThrows(IllegalStateException.class, memory::close, "the VM still maps it");
            kvm.close();
            vm.close();
            long atClose = reported.get();
            memory.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, task::join);
            assertEquals("The guest memory was closed while it was being populated.", e.getMessage());
            // Only the chunks under way when the memory closed may finish (64 MiB each, 2 threads);
            // counted, not timed: an emulated sandbox takes seconds for one chunk.
            long chunk = 64L << 20;
            assertTrue(reported.get() <= atClose + 2 * 2 * chunk,
                    ((reported.get() - atClose) >> 20) + " MiB populated after the memory was closed");
            assertTrue(reported.get() < size, (reported.get() >> 20) + " MiB populated");
        } finally {
            vm.close();
            memory.close();
            kvm.close();
        }
    }

    /** Every call on a closed object is an IllegalStateException with the sentence to create a new one. */
    static void assertEverythingClosed(Kvm kvm, Vm vm, Vcpu vcpu, GuestMemory memory, EventFd eventfd) {
        try (GuestMemory open = GuestMemory.anonymous(List.of(LOW))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> vm.map(open));
            assertEquals("The VM is closed; create a new one.", e.getMessage());
        }
        List<org.junit.jupiter.api.function.Executable> uses = List.of(
                () -> kvm.checkExtension(Capability.USER_MEMORY),
                kvm::createVm,
                () -> vm.checkExtension(Capability.USER_MEMORY),
                () -> vm.createVcpu(1),
                () -> vm.setIrqLine(4, true),
                vm::memorySlots,
                () -> vm.dirtyLog(0),
                vcpu::run,
                vcpu::kick,
                vcpu::registers,
                () -> vcpu.setRegisters(new Registers()),
                () -> vcpu.preFaultMemory(GuestAddress.of(0), GuestMemory.PAGE_SIZE),
                () -> memory.read(MARKER_ADDRESS, 1),
                () -> memory.write(MARKER_ADDRESS, new byte[1]),
                () -> memory.populate(GuestAddress.of(0), GuestMemory.PAGE_SIZE, 1, done -> { }),
                () -> eventfd.signal(1),
                eventfd::take);
        for (int i = 0; i < uses.size(); i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, uses.get(i), "use " + i + " after close");
            assertTrue(e.getMessage().endsWith("closed; create a new one."), "use " + i + ": " + e.getMessage());
        }
    }

    private static void enterRealMode(Vcpu vcpu, GuestMemory memory, byte[] code) {
        memory.write(GuestAddress.of(CODE), code);
        vcpu.setSpecialRegisters(vcpu.specialRegisters().cs(Segment.realMode(0, true)).ds(Segment.realMode(0, false)));
        vcpu.setRegisters(vcpu.registers().rip(CODE).rflags(0x2));
    }

    /** Runs a vCPU on its own thread until run() throws, counting what each run returned. */
    static final class Runner {
        final AtomicLong started = new AtomicLong();
        final AtomicLong returns = new AtomicLong();
        final AtomicLong interrupted = new AtomicLong();
        final AtomicLong otherExits = new AtomicLong();
        final AtomicLong foreignReads = new AtomicLong(); // READ_AND_REPORT saw something else than MARKER
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private Thread thread;

        static Runner start(Vcpu vcpu) {
            Runner runner = new Runner();
            // A daemon: a run that nothing stops (the failure this class tests for) must not keep the JVM alive.
            runner.thread = Thread.ofPlatform().daemon().name("runner-vcpu-" + vcpu.id()).start(() -> {
                try {
                    while (true) {
                        runner.started.incrementAndGet();
                        VcpuExit exit = vcpu.run();
                        runner.returns.incrementAndGet();
                        if (exit instanceof VcpuExit.Interrupted) {
                            runner.interrupted.incrementAndGet();
                        } else {
                            if (exit instanceof VcpuExit.IoOut out && out.port() == REPORT_PORT && out.data()[0] != MARKER) {
                                runner.foreignReads.incrementAndGet();
                            }
                            runner.otherExits.incrementAndGet();
                        }
                    }
                } catch (RuntimeException e) {
                    runner.failure.set(e);
                }
            });
            return runner;
        }

        /** Waits until the first run has started, and a little more so that it is inside KVM_RUN. */
        void awaitRunning() throws InterruptedException {
            while (started.get() == 0) {
                Thread.sleep(1);
            }
            Thread.sleep(50);
        }

        /** Waits until the guest has made {@code count} exits other than Interrupted. */
        void awaitReports(long count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (otherExits.get() < count) {
                assertTrue(System.nanoTime() < deadline, "the guest made only " + otherExits.get() + " exits in 30 s: " + failure.get());
                Thread.sleep(1);
            }
        }

        void join() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), "the vCPU thread is still running 30 s after its vCPU was closed");
        }
    }
}
