// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import dev.vmm.core.EventFd;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.IoEventAddress;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmException;
import dev.vmm.core.KvmTest;
import dev.vmm.core.Vcpu;
import dev.vmm.core.VcpuExit;
import dev.vmm.core.Vm;
import dev.vmm.core.x86.LongMode;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Guest writes caught by ioeventfds on real KVM: a 64-bit guest writes to MMIO addresses and an I/O
 * port, and the test counts both what reached the eventfds and which exits reached user space.
 */
class IoEventNotifierTest {
    private static final long CODE = 0x1000;
    private static final GuestAddress TABLES = GuestAddress.of(0x2000);
    private static final GuestMemory.Range LOW = new GuestMemory.Range(GuestAddress.of(0), 64 * 1024);
    /** Where virtio-mmio devices usually start; 0x50 is the QueueNotify register of the first. */
    private static final GuestAddress DEVICE = GuestAddress.of(0xd000_0000L);
    private static final GuestAddress QUEUE_NOTIFY = DEVICE.plus(0x50);
    private static final GuestAddress MATCHED = QUEUE_NOTIFY.plus(4);
    private static final GuestAddress ANY_LENGTH = QUEUE_NOTIFY.plus(8);
    private static final int PORT = 0x510;
    private static final int MMIO_WRITES = 1000;
    private static final int PORT_WRITES = 300;

    /**
     * rdi = QUEUE_NOTIFY, ecx = MMIO writes, dx = PORT, esi = port writes, ax = port value
     * (GNU as syntax in the comments).
     */
    private static final String ALL_WRITES =
            "890f ffc9 75fa"             // 1: mov %ecx,(%rdi); dec %ecx; jnz 1b    -- 4-byte writes to QUEUE_NOTIFY
            + "66ef ffce 75fa"           // 2: out %ax,%dx; dec %esi; jnz 2b        -- 2-byte writes to PORT
            + "ee"                       // out %al,%dx                             -- a 1-byte write to PORT
            + "c7470407000000"           // movl $7,4(%rdi)                         -- MATCHED, the datamatch value
            + "c7470408000000"           // movl $8,4(%rdi)                         -- MATCHED, another value
            + "66c7073412"               // movw $0x1234,(%rdi)                     -- QUEUE_NOTIFY, 2 bytes
            + "c6470801"                 // movb $1,8(%rdi)                         -- ANY_LENGTH, 1 byte
            + "c7470802000000"           // movl $2,8(%rdi)                         -- ANY_LENGTH, 4 bytes
            + "f4";                      // hlt
    /** Only the loop of 4-byte writes to QUEUE_NOTIFY, then hlt. */
    private static final String QUEUE_NOTIFY_WRITES = "890f ffc9 75fa f4";

    @KvmTest
    void registeredWritesSignalTheEventfdsWithoutExitsAndDeregistrationBringsTheExitsBack() {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(LOW));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            vm.map(memory);
            vcpu.setCpuid(kvm.supportedCpuid());
            IoEventNotifier queueNotify = IoEventNotifier.register(vm, IoEventAddress.mmio(QUEUE_NOTIFY), 4, OptionalLong.empty());
            IoEventNotifier matched = IoEventNotifier.register(vm, IoEventAddress.mmio(MATCHED), 4, OptionalLong.of(7));
            IoEventNotifier anyLength = IoEventNotifier.register(vm, IoEventAddress.mmio(ANY_LENGTH), 0, OptionalLong.empty());
            IoEventNotifier port = IoEventNotifier.register(vm, IoEventAddress.port(PORT), 2, OptionalLong.empty());

            load(vcpu, memory, ALL_WRITES);
            List<String> exits = runToHlt(vcpu, 10);
            // Only the writes no registration matches reached user space: 4 exits for 1306 writes.
            assertEquals(List.of(
                    "port 0x510 (1 byte) = 0x5a",                // wrong size for the 2-byte registration
                    "MMIO 0xd0000054 (4 bytes) = 0x8",           // not the datamatch value
                    "MMIO 0xd0000050 (2 bytes) = 0x1234",        // wrong size for the 4-byte registration
                    "hlt"), exits);
            assertEquals(MMIO_WRITES, queueNotify.drain(), "the eventfd counted every 4-byte write to QueueNotify");
            assertEquals(PORT_WRITES, port.drain(), "the eventfd counted every 2-byte port write");
            assertEquals(1, matched.drain(), "only the write of the datamatch value counted");
            assertEquals(2, anyLength.drain(), "length 0 counts a 1-byte and a 4-byte write alike");
            assertEquals(0, queueNotify.drain(), "drain resets the count");

            for (IoEventNotifier notifier : List.of(queueNotify, matched, anyLength, port)) {
                notifier.close();
            }
            load(vcpu, memory, ALL_WRITES);
            Map<String, Long> after = new TreeMap<>();
            for (String exit : runToHlt(vcpu, 2 * (MMIO_WRITES + PORT_WRITES))) {
                after.merge(exit.replaceAll(" = .*", ""), 1L, Long::sum); // by address and size, without the value
            }
            assertEquals(new TreeMap<>(Map.of(
                    "MMIO 0xd0000050 (4 bytes)", (long) MMIO_WRITES,
                    "port 0x510 (2 bytes)", (long) PORT_WRITES,
                    "port 0x510 (1 byte)", 1L,
                    "MMIO 0xd0000054 (4 bytes)", 2L,
                    "MMIO 0xd0000050 (2 bytes)", 1L,
                    "MMIO 0xd0000058 (1 byte)", 1L,
                    "MMIO 0xd0000058 (4 bytes)", 1L,
                    "hlt", 1L)), after, "after close() every write exits to user space again");
        }
    }

    @KvmTest
    void awaitWakesAWorkerForTheGuestsWritesAndStopWaitingOrCloseEndsIt() throws Exception {
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(LOW));
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0);
             IoEventNotifier queueNotify = IoEventNotifier.register(vm, IoEventAddress.mmio(QUEUE_NOTIFY), 4, OptionalLong.empty())) {
            vm.map(memory);
            vcpu.setCpuid(kvm.supportedCpuid());
            Worker worker = Worker.start(queueNotify);
            load(vcpu, memory, QUEUE_NOTIFY_WRITES);
            assertEquals(List.of("hlt"), runToHlt(vcpu, 1));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (worker.seen.get() < MMIO_WRITES && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(MMIO_WRITES, worker.seen.get(), "the worker's awaits returned every write");

            queueNotify.stopWaiting();
            worker.join();
            assertEquals(0, queueNotify.await(), "await after stopWaiting returns 0 at once");

            // stopWaiting keeps the registration: the writes still go to the eventfd.
            load(vcpu, memory, QUEUE_NOTIFY_WRITES);
            assertEquals(List.of("hlt"), runToHlt(vcpu, 1));
            assertEquals(MMIO_WRITES, queueNotify.drain());
        }

        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            IoEventNotifier doorbell = IoEventNotifier.register(vm, IoEventAddress.port(PORT), 2, OptionalLong.empty());
            Worker worker = Worker.start(doorbell);
            Thread.sleep(50); // most likely blocked in poll by now; either way close() must end it
            doorbell.close();
            worker.join();
            assertEquals(0, worker.seen.get());
            doorbell.close(); // a second close does nothing
        }
    }

    @KvmTest
    void argumentsAreCheckedFirstAndKvmRefusesDuplicatesAndUnknownRegistrations() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); EventFd eventFd = EventFd.create()) {
            IoEventAddress port = IoEventAddress.port(PORT);
            assertEquals("An ioeventfd length must be 0 (any write), 1, 2, 4 or 8 bytes, not 3.",
                    assertThrows(IllegalArgumentException.class, () -> vm.registerIoeventfd(eventFd, port, 3, OptionalLong.empty())).getMessage());
            assertThrows(IllegalArgumentException.class, () -> IoEventNotifier.register(vm, port, 1, OptionalLong.of(0x100)));

            vm.registerIoeventfd(eventFd, port, 2, OptionalLong.of(1));
            KvmException duplicate = assertThrows(KvmException.class,
                    () -> IoEventNotifier.register(vm, port, 2, OptionalLong.of(1)));
            assertEquals("EEXIST", duplicate.errnoName(), duplicate.getMessage());
            IoEventNotifier.register(vm, port, 2, OptionalLong.of(2)).close(); // another datamatch is another registration
            KvmException unknown = assertThrows(KvmException.class,
                    () -> vm.unregisterIoeventfd(eventFd, port, 2, OptionalLong.of(3)));
            assertEquals("ENOENT", unknown.errnoName(), unknown.getMessage());
            vm.unregisterIoeventfd(eventFd, port, 2, OptionalLong.of(1));
        }
    }

    /**
     * Writes {@code hex} at CODE and enters it in 64-bit mode with the registers {@link #ALL_WRITES}
     * reads. The vCPU's CPUID must be set already: KVM refuses a changed CPUID once the vCPU has run.
     */
    private static void load(Vcpu vcpu, GuestMemory memory, String hex) {
        memory.write(GuestAddress.of(CODE), HexFormat.of().parseHex(hex.replace(" ", "")));
        LongMode.enter(vcpu, memory, TABLES, LOW, new GuestMemory.Range(DEVICE, GuestMemory.PAGE_SIZE));
        vcpu.setRegisters(vcpu.registers().rip(CODE).rflags(0x2)
                .rdi(QUEUE_NOTIFY.value()).rcx(MMIO_WRITES).rdx(PORT).rsi(PORT_WRITES).rax(0x5a5a));
    }

    /** Runs to HLT and describes every exit on the way; fails after {@code limit} exits. */
    private static List<String> runToHlt(Vcpu vcpu, int limit) {
        List<String> exits = new ArrayList<>();
        while (exits.size() < limit) {
            VcpuExit exit = vcpu.run();
            switch (exit) {
                case VcpuExit.MmioWrite write -> exits.add("MMIO " + write.address() + describe(write.data()));
                case VcpuExit.IoOut out when out.count() == 1 -> exits.add("port 0x" + Integer.toHexString(out.port()) + describe(out.data()));
                case VcpuExit.Hlt hlt -> {
                    exits.add("hlt");
                    return exits;
                }
                default -> throw new AssertionError("unexpected exit " + exit + " after " + exits);
            }
        }
        throw new AssertionError("no hlt after " + limit + " exits: " + exits.subList(0, Math.min(10, exits.size())) + "...");
    }

    /** " (N bytes) = 0xVALUE", the value little-endian as the guest wrote it. */
    private static String describe(byte[] data) {
        long value = 0;
        for (int i = data.length - 1; i >= 0; i--) {
            value = value << 8 | (data[i] & 0xff);
        }
        return " (" + data.length + (data.length == 1 ? " byte" : " bytes") + ") = 0x" + Long.toHexString(value);
    }

    /** A device worker: adds what each await returns until one returns 0. */
    private record Worker(Thread thread, AtomicLong seen, AtomicReference<Throwable> failure) {
        static Worker start(IoEventNotifier notifier) {
            AtomicLong seen = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread thread = Thread.ofPlatform().daemon().name("io-event-worker").start(() -> {
                try {
                    long count;
                    while ((count = notifier.await()) > 0) {
                        seen.addAndGet(count);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            return new Worker(thread, seen, failure);
        }

        void join() throws InterruptedException {
            thread.join(30_000);
            assertFalse(thread.isAlive(), "the worker's await returned 0");
            assertNull(failure.get(), () -> "the worker failed: " + failure.get());
        }
    }
}
