package dev.vmm.core;

import java.util.List;
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

        void join() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), "the vCPU thread is still running 30 s after its vCPU was closed");
        }
    }
}
