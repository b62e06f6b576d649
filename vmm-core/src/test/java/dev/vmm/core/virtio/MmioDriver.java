// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the tests' device drivers (block, net, vsock) share: the virtio-mmio side as Linux's
 * virtio_mmio drives it. The registers, the bring-up steps in the spec's order (reset, ACKNOWLEDGE,
 * DRIVER, features, FEATURES_OK read back, each queue set up, DRIVER_OK), the configuration space,
 * and waits that end on the interrupt, never on a sleep. Offsets and bits are spelled out from
 * the spec (virtio 1.2, 4.2.2), not taken from the transport. Public for the vsock driver, in a
 * subpackage.
 */
public abstract class MmioDriver {
    public static final long VERSION_1 = 1L << 32, INDIRECT_DESC = 1L << 28, EVENT_IDX = 1L << 29;
    public static final int DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020,
            DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
            QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC_LOW = 0x080,
            QUEUE_DRIVER_LOW = 0x090, QUEUE_DEVICE_LOW = 0x0a0, CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;
    public static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, DEVICE_NEEDS_RESET = 0x40;
    /** Generous: the machine is shared, and a wait ends as soon as the interrupt comes. */
    public static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    public final GuestMemory memory;
    public final VirtioMmio mmio;
    /** What the transport heard of failures of the device's own thread. */
    public final List<Throwable> deviceFailures = new CopyOnWriteArrayList<>();
    /** One permit per interrupt raised and not yet awaited. */
    protected final Semaphore interrupts = new Semaphore(0);
    private final long pollNanos;
    private volatile Thread interruptedBy;

    /** A driver whose waits end on the interrupt alone: the device interrupts for all it does. */
    protected MmioDriver(VirtioDevice device, GuestMemory memory) {
        this(device, memory, Long.MAX_VALUE);
    }

    /** A driver whose waits look again every {@code pollNanos} too, for what the device does without an interrupt. */
    protected MmioDriver(VirtioDevice device, GuestMemory memory, long pollNanos) {
        this.memory = memory;
        this.pollNanos = pollNanos;
        this.mmio = new VirtioMmio(device, memory, () -> {
            interruptedBy = Thread.currentThread();
            interrupts.release();
        }, deviceFailures::add);
    }

    /** Linux's bring-up up to the queues: reset, ACKNOWLEDGE, DRIVER, {@code features}, FEATURES_OK; false when the device refused them. */
    protected boolean negotiate(long features) {
        write(STATUS, 0);
        write(STATUS, ACKNOWLEDGE);
        write(STATUS, ACKNOWLEDGE | DRIVER);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, (int) (features >>> 32));
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, (int) features);
        write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        return (read(STATUS) & FEATURES_OK) != 0;
    }

    /** Gives queue {@code queue} the rings of {@code ring} and enables it. */
    protected void setUpQueue(int queue, TestDriver ring) {
        write(QUEUE_SEL, queue);
        write(QUEUE_NUM, ring.size);
        write(QUEUE_DESC_LOW, (int) ring.desc.value());
        write(QUEUE_DRIVER_LOW, (int) ring.avail.value());
        write(QUEUE_DEVICE_LOW, (int) ring.used.value());
        write(QUEUE_READY, 1);
    }

    /** The last step of the bring-up: the device may use its queues from now on. */
    protected void driverOk() {
        write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    }

    public long offeredFeatures() {
        write(DEVICE_FEATURES_SEL, 1);
        long high = Integer.toUnsignedLong(read(DEVICE_FEATURES));
        write(DEVICE_FEATURES_SEL, 0);
        return high << 32 | Integer.toUnsignedLong(read(DEVICE_FEATURES));
    }

    /** {@code length} bytes of the configuration space from {@code offset}, read one byte at a time as any width is allowed. */
    public ByteBuffer config(int offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            byte[] one = {-1};
            mmio.read(CONFIG + offset + i, one);
            b.put(i, one[0]);
        }
        return b;
    }

    /** Waits for an interrupt until {@code done}, failing after the timeout. */
    public void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("Waited " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s for " + what + ": status 0x"
                            + Integer.toHexString(read(STATUS)) + progress());
                }
                interrupts.tryAcquire(Math.min(left, pollNanos), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** What a wait that failed tells besides the status: the used indexes, say. */
    protected String progress() {
        return "";
    }

    /** The thread that raised the last interrupt. */
    public Thread interruptedBy() {
        return interruptedBy;
    }

    public int read(int offset) {
        byte[] data = {-1, -1, -1, -1};
        mmio.read(offset, data);
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    public void write(int offset, int value) {
        mmio.write(offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value).array());
    }
}
