// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.fuzz.FuzzSeed;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vmm.fuzz.FuzzBytes.u8;
import static dev.vmm.fuzz.FuzzBytes.u16;
import static dev.vmm.fuzz.FuzzBytes.u32;
import static dev.vmm.fuzz.FuzzBytes.u64;
import static dev.vmm.fuzz.FuzzBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile driver in fuzz bytes: descriptor tables, rings and buffers written into a small guest
 * memory (two regions with a hole), register accesses of any width to a virtio-mmio transport with
 * an {@link EchoDevice}, notifications and interrupt acknowledgements. Nothing may throw, every
 * buffer the device was handed lies wholly inside guest memory, and a broken device says why and
 * hears nothing more until a reset.
 */
@Tag("fuzz")
class VirtqueueFuzzTest {
    private static final long LOW = 0x10000, HIGH = 0x20000, HIGH_SIZE = 0x1000;
    /** Where the bring-up puts queue 0's and queue 1's rings, and where indirect tables go. */
    private static final long[] DESC = {0x0000, 0x4000}, AVAIL = {0x1000, 0x5000}, USED = {0x2000, 0x6000};
    private static final long INDIRECT_TABLES = 0x3000;
    private static final int STATUS = 0x70, QUEUE_NOTIFY = 0x50, INTERRUPT_STATUS = 0x60, INTERRUPT_ACK = 0x64;

    /** One input's transport, device and driver-side indexes. */
    private static final class Rig {
        final GuestMemory memory;
        final EchoDevice device = new EchoDevice();
        final AtomicInteger interrupts = new AtomicInteger();
        final VirtioMmio mmio;
        final int[] availIdx = new int[2];
        final int[] queueSize = {16, 16};

        Rig(GuestMemory memory) {
            this.memory = memory;
            this.mmio = new VirtioMmio(device, memory, interrupts::incrementAndGet);
        }

        /** Plays the ops {@code input} encodes, after the prelude when its first byte is even. */
        void play(byte[] input) {
            ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            if ((u8(in) & 1) == 0) {
                prelude();
            }
            while (in.remaining() >= 2) {
                int op = in.get() & 0xff;
                boolean raw = (op & 0x08) != 0;
                switch (op & 7) {
                    case 0 -> { // register write: aligned 32-bit, or raw offset and width
                        if (raw) {
                            mmio.write(u16(in) & 0x1ff, bytes(in, 1 << ((op >> 4) & 3)));
                        } else {
                            write((u8(in) & 0x7f) * 4, u32(in));
                        }
                    }
                    case 1 -> mmio.read(raw ? u16(in) & 0x1ff : (u8(in) & 0x7f) * 4, new byte[raw ? 1 << ((op >> 4) & 3) : 4]);
                    case 2 -> { // guest memory write, clipped to a region
                        long address = raw ? HIGH + (u16(in) % HIGH_SIZE) : u16(in);
                        byte[] data = bytes(in, u8(in));
                        long room = (raw ? HIGH + HIGH_SIZE : LOW) - address;
                        memory.write(GuestAddress.of(address), java.util.Arrays.copyOf(data, (int) Math.min(data.length, room)));
                    }
                    case 3 -> notify(raw ? u32(in) : u8(in) & 3);
                    case 4 -> bringUp(u8(in), u8(in));
                    case 5 -> descriptor(op, in);
                    case 6 -> { // make a chain available, or set the available index outright
                        int q = (op >> 4) & 1;
                        if (raw) {
                            availIdx[q] = u16(in);
                        } else {
                            int slot = (int) (AVAIL[q] + 4 + 2L * (availIdx[q] % queueSize[q]));
                            memory.writeU16(GuestAddress.of(slot), u16(in));
                            availIdx[q] = (availIdx[q] + 1) & 0xffff;
                        }
                        memory.writeU16(GuestAddress.of(AVAIL[q] + 2), availIdx[q]);
                    }
                    default -> { // vm_interrupt, or notification suppression fields
                        if (raw) {
                            int q = (op >> 4) & 1;
                            memory.writeU16(GuestAddress.of(AVAIL[q]), u8(in) & 1);
                            memory.writeU16(GuestAddress.of(AVAIL[q] + 4 + 2L * queueSize[q]), u16(in));
                        } else {
                            write(INTERRUPT_ACK, read(INTERRUPT_STATUS) & u8(in));
                        }
                    }
                }
            }
        }

        /**
         * A working queue 0 for the ops to spoil: every ring feature, size 16, chain 0 a readable and
         * a writable buffer, chain 2 an indirect table of the same two. Nothing is available yet.
         */
        private void prelude() {
            bringUp(0x3, 4);
            GuestAddress table = GuestAddress.of(INDIRECT_TABLES);
            TestDriver.descriptor(memory, GuestAddress.of(DESC[0]), 0, 0x8000, 16, 1, 1);
            TestDriver.descriptor(memory, GuestAddress.of(DESC[0]), 1, 0x9000, 16, 2, 0);
            TestDriver.descriptor(memory, GuestAddress.of(DESC[0]), 2, INDIRECT_TABLES, 32, 4, 0);
            TestDriver.descriptor(memory, table, 0, 0x8000, 16, 1, 1);
            TestDriver.descriptor(memory, table, 1, 0x20000, 16, 2, 0);
        }

        /** Linux's bring-up; {@code how}: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 no VERSION_1, bit 3 queue 1 instead of 0. */
        private void bringUp(int how, int sizeCode) {
            int size = (sizeCode & 0x80) != 0 ? sizeCode : 1 << (sizeCode % 10); // mostly powers of two, to 512
            write(STATUS, 0);
            write(STATUS, 1);
            write(STATUS, 3);
            long features = ((how & 4) == 0 ? VirtioMmio.VERSION_1 : 0) | ((how & 1) != 0 ? Virtqueue.EVENT_IDX : 0)
                    | ((how & 2) != 0 ? Virtqueue.INDIRECT_DESC : 0);
            write(0x24, 1);
            write(0x20, (int) (features >>> 32));
            write(0x24, 0);
            write(0x20, (int) features);
            write(STATUS, 11);
            int q = (how >> 3) & 1;
            write(0x30, q);
            write(0x38, size);
            write(0x80, (int) DESC[q]);
            write(0x90, (int) AVAIL[q]);
            write(0xa0, (int) USED[q]);
            write(0x44, 1);
            queueSize[q] = Math.max(size, 1);
            availIdx[q] = memory.readU16(GuestAddress.of(AVAIL[q] + 2));
            write(STATUS, 15);
        }

        private void descriptor(int op, ByteBuffer in) {
            boolean indirectTable = (op & 0x10) != 0;
            int index = u8(in);
            long table = indirectTable ? INDIRECT_TABLES : DESC[(op >> 5) & 1];
            long address = (op & 0x08) != 0 ? u64(in) : (op & 0x40) != 0 ? HIGH + u16(in) : u16(in);
            long length = (op & 0x80) != 0 ? Integer.toUnsignedLong(u32(in)) : u16(in);
            TestDriver.descriptor(memory, GuestAddress.of(table), index % 256, address, length, u8(in) & 7, u8(in));
        }

        private void notify(int queue) {
            boolean broken = (mmio.status() & VirtioMmio.DEVICE_NEEDS_RESET) != 0;
            long served = device.served;
            write(QUEUE_NOTIFY, queue);
            if (broken) {
                assertEquals(served, device.served, "a broken device hears no notifications");
            }
            int[] max = device.queueMaxSizes();
            assertTrue(device.served - served <= (queue >= 0 && queue < max.length ? max[queue] : 0),
                    (device.served - served) + " chains on one notification of queue " + queue);
        }

        private void write(int offset, int value) {
            mmio.write(offset, new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
        }

        private int read(int offset) {
            byte[] b = {-1, -1, -1, -1};
            mmio.read(offset, b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        /** What must hold whatever the driver did. */
        void checkInvariants() {
            for (DescriptorChain chain : device.chains) {
                assertTrue(chain.readable().size() + chain.writable().size() <= Virtqueue.MAX_SIZE, chain.toString());
                assertTrue(chain.readableLength() + chain.writableLength() <= 1L << 32, chain.toString());
                for (List<DescriptorChain.Buffer> buffers : List.of(chain.readable(), chain.writable())) {
                    for (DescriptorChain.Buffer b : buffers) {
                        assertTrue(b.length() > 0 && memory.contains(b.address(), b.length()), b + " of " + chain);
                    }
                }
            }
            int status = read(STATUS);
            assertEquals(0, status & ~0xcf, "status bits");
            assertEquals((status & VirtioMmio.DEVICE_NEEDS_RESET) != 0, mmio.needsResetReason().isPresent());
            mmio.needsResetReason().ifPresent(why -> assertTrue(why.endsWith(".") && why.lines().count() == 1, why));
            assertEquals(0, read(INTERRUPT_STATUS) & ~3, "interrupt status bits");
        }
    }

    @Test
    void aHostileDriverNeverMakesTheTransportOrTheQueueThrow() {
        try (GuestMemory memory = GuestMemory.anonymous(List.of(new GuestMemory.Range(GuestAddress.of(0), LOW),
                new GuestMemory.Range(GuestAddress.of(HIGH), HIGH_SIZE)))) {
            int[] served = {0};
            int[] broken = {0};
            Fuzzer.Result result = Fuzzer.named("virtqueue").seeds(seeds()).inputs(20_000).maxLength(4096).run(input -> {
                memory.fill(GuestAddress.of(0), LOW, (byte) 0);
                memory.fill(GuestAddress.of(HIGH), HIGH_SIZE, (byte) 0);
                Rig rig = new Rig(memory);
                rig.play(input);
                rig.checkInvariants();
                served[0] += rig.device.chains.isEmpty() ? 0 : 1;
                broken[0] += rig.device.activations > 0 && rig.mmio.needsResetReason().isPresent() ? 1 : 0;
            });
            System.out.println("virtqueue: of " + result.executed() + " inputs, " + served[0] + " had chains served, "
                    + broken[0] + " broke an active device");
            // Refusing everything would pass too: the mutations must reach the parser both ways often
            // enough (the fixed budget gives about 1000 and 2500; a timed run's share falls as its
            // corpus fills with spoilt mutants, so the floor is absolute).
            assertTrue(served[0] >= 500 && broken[0] >= 500, served[0] + " served, " + broken[0] + " broken");
        }
    }

    /** Inputs as op streams (see {@link Rig#play}). */
    private static final class Ops extends FuzzSeed<Ops> {
        Ops bringUp(int how, int sizeCode) {
            return put(4, how, sizeCode);
        }

        Ops descriptor(int op, int index, int address, int length, int flags, int next) {
            return put(5 | op, index).le(address, 2).le(length, 2).put(flags, next);
        }

        Ops publish(int queue, int head) {
            return put(6 | queue << 4).le(head, 2);
        }

        Ops availIdx(int value) {
            return put(6 | 0x08).le(value, 2);
        }

        Ops notify(int queue) {
            return put(3, queue);
        }

        Ops ack() {
            return put(7, 0xff);
        }

        Ops memory(int address, byte[] data) {
            return put(2).le(address, 2).put(data.length).put(data);
        }

        Ops register(int offset, int value) {
            return put(0, offset / 4).le(value, 4);
        }

        Ops raw(int op, int offset, int... data) {
            return put(op).le(offset, 2).put(data);
        }
    }

    static List<byte[]> seeds() {
        int write = 2; // VIRTQ_DESC_F_WRITE
        return List.of(
                // after the prelude: each chain once, then again with the interrupt handled between
                new Ops().put(0).publish(0, 0).publish(0, 2).notify(0).ack().publish(0, 2).publish(0, 0).notify(0).bytes(),
                // after the prelude: a descriptor spoiled, with a raw 64-bit address
                new Ops().put(0).put(5 | 0x08, 1).le(0xfffffffffffffff0L, 8).le(0x20, 2).put(write, 0).publish(0, 0).notify(0).bytes(),
                // after the prelude: the indirect table's length spoiled, 32-bit
                new Ops().put(0).put(5 | 0x80, 2).le(0x3000, 2).le(0x30, 4).put(4, 0).publish(0, 2).notify(0).bytes(),
                // a ping echoed on queue 0 with every ring feature, then the interrupt handled
                new Ops().put(1).bringUp(0x3, 4).memory(0x8000, "ping".getBytes()).descriptor(0, 0, 0x8000, 4, 1, 1)
                        .descriptor(0, 1, 0x9000, 4, write, 0).publish(0, 0).notify(0).ack().bytes(),
                // through an indirect table of two
                new Ops().put(1).bringUp(0x3, 4).descriptor(0x10, 0, 0x8000, 16, 1, 1).descriptor(0x10, 1, 0x9000, 16, write, 0)
                        .descriptor(0, 0, 0x3000, 32, 4, 0).publish(0, 0).notify(0).bytes(),
                // a buffer in the second region, on queue 1 of 256
                new Ops().put(1).bringUp(0xb, 8).descriptor(0x60, 0, 0x10, 64, write, 0).publish(1, 0).notify(1).bytes(),
                // a loop, then a reset and a good chain
                new Ops().put(1).bringUp(0x1, 3).descriptor(0, 0, 0x8000, 4, 1, 1).descriptor(0, 1, 0x8000, 4, 1, 0)
                        .publish(0, 0).notify(0).notify(0).bringUp(0x1, 3).descriptor(0, 1, 0x9000, 4, write, 0)
                        .publish(0, 0).notify(0).bytes(),
                // the available index far ahead
                new Ops().put(1).bringUp(0x0, 4).descriptor(0, 0, 0x8000, 4, write, 0).availIdx(40).notify(0).bytes(),
                // many chains, wrapping the small ring
                new Ops().put(1).bringUp(0x1, 1).descriptor(0, 0, 0x8000, 4, write, 0).descriptor(0, 1, 0x8000, 4, write, 0)
                        .publish(0, 0).publish(0, 1).notify(0).publish(0, 1).publish(0, 0).notify(0).publish(0, 0).notify(0).bytes(),
                // odd register widths and the configuration space
                new Ops().put(1).raw(0x08 | 0x10, 0x70, 1, 0).raw(0x09 | 0x30, 0x100).raw(0x08 | 0x30, 0x104, 1, 2, 3, 4, 5, 6, 7, 8)
                        .register(0x70, 1).register(0x70, 3).register(0x70, 15).bytes());
    }
}
