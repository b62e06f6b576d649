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
    private static final byte[] SPIN = {(byte) 0xeb, (byte) 0xfe}; // jmp $

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
