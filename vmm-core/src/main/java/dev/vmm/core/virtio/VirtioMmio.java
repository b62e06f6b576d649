// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.devices.BusDevice;
import dev.vmm.core.devices.Interrupt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2): a {@value #SIZE}-byte MMIO
 * window of 32-bit registers, then the device's configuration space at 0x100. It runs the status
 * protocol (reset on 0, bits set in order, FEATURES_OK only for VIRTIO_F_VERSION_1 and offered
 * features), queue setup, notifications and the interrupt status, and hands the device its
 * checked queues at DRIVER_OK.
 *
 * <p>Registers take only aligned 32-bit accesses, and configuration space any width inside its
 * size; anything else, and every write the protocol does not allow at that moment (queue setup
 * after DRIVER_OK, status bits out of order, a notification before DRIVER_OK), is ignored and
 * counted ({@link #ignoredAccesses()}), and reads of it see all ones. A queue that breaks the
 * rules sets DEVICE_NEEDS_RESET with a configuration change interrupt, and the device hears
 * nothing more until the driver resets it.
 *
 * <p>The vCPUs call it concurrently: every access takes the transport's lock. A device's own
 * thread reaches it only through the used buffer {@link Interrupt} and the
 * {@link VirtioDevice.Faults} it was given at activation, and any thread through the configuration
 * change notifier ({@link VirtioDevice#setConfigChangeNotifier}); these take no lock (the interrupt
 * status, the configuration generation and the reason for DEVICE_NEEDS_RESET are atomics): the transport calls the device's
 * {@link VirtioDevice#reset()} under its lock, and that waits for the device's thread. When that
 * thread fails, the device is marked DEVICE_NEEDS_RESET and the transport's owner hears of it
 * (a microVM ends the run; the default logs it).
 */
public final class VirtioMmio implements BusDevice {
    /** Length of the MMIO window. */
    public static final long SIZE = 0x200;
    /** VIRTIO_F_VERSION_1: a modern (non-legacy) driver, which version 2 of the transport requires. */
    public static final long VERSION_1 = 1L << 32;

    /** Device status bits (virtio 1.2, section 2.1). */
    public static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, DEVICE_NEEDS_RESET = 0x40, FAILED = 0x80;
    /** InterruptStatus bits: a used buffer notification, a configuration change notification. */
    public static final int INTERRUPT_USED_BUFFER = 1, INTERRUPT_CONFIG_CHANGE = 2;

    private static final int MAGIC = 0x74726976; // "virt"
    private static final int VENDOR = 0x4d4d56;   // "VMM"
    private static final int MAGIC_VALUE = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
            DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
            QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
            INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
            QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090, QUEUE_DRIVER_HIGH = 0x094,
            QUEUE_DEVICE_LOW = 0x0a0, QUEUE_DEVICE_HIGH = 0x0a4, CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;
    private static final int DRIVER_STATUS_BITS = ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK | FAILED;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final Interrupt interrupt;
    private final Consumer<Throwable> deviceFailed;
    private final long offered;
    private final List<Virtqueue> queues = new ArrayList<>();

    private int status;
    private final AtomicReference<String> needsReset = new AtomicReference<>(); // why the device needs a reset, or null
    private boolean active;
    private int deviceFeaturesSel, driverFeaturesSel, queueSel;
    private long driverFeatures;
    private final AtomicInteger interruptStatus = new AtomicInteger();
    private final AtomicInteger configGeneration = new AtomicInteger(); // lock-free: configChanged() takes no lock
    private long ignored;

    /**
     * A transport whose device's thread, should it fail, is logged (System.Logger, ERROR) and
     * marked DEVICE_NEEDS_RESET.
     *
     * @param device the device behind the transport
     * @param memory the guest memory the driver's rings and buffers live in
     * @param interrupt the transport's interrupt line (an irqfd in a VM)
     * @throws IllegalArgumentException when the device's queue sizes or configuration size are out of range
     * @see #VirtioMmio(VirtioDevice, GuestMemory, Interrupt, Consumer)
     */
    public VirtioMmio(VirtioDevice device, GuestMemory memory, Interrupt interrupt) {
        this(device, memory, interrupt, error -> System.getLogger(VirtioMmio.class.getName())
                .log(System.Logger.Level.ERROR, "virtio device " + device.deviceType() + " failed", error));
    }

    /**
     * A transport for {@code device}, in its reset state.
     *
     * @param device the device behind the transport
     * @param memory the guest memory the driver's rings and buffers live in
     * @param interrupt the transport's interrupt line (an irqfd in a VM)
     * @param deviceFailed hears of a failure of the device's own thread, after the device is marked
     *     DEVICE_NEEDS_RESET; called on that thread
     * @throws IllegalArgumentException when the device's queue sizes or configuration size are out of range
     */
    public VirtioMmio(VirtioDevice device, GuestMemory memory, Interrupt interrupt, Consumer<Throwable> deviceFailed) {
        if (device.configSize() < 0 || device.configSize() > SIZE - CONFIG) {
            throw new IllegalArgumentException("A virtio-mmio device's configuration space holds 0 to 256 bytes, not " + device.configSize() + ".");
        }
        this.device = device;
        this.memory = memory;
        this.interrupt = interrupt;
        this.deviceFailed = deviceFailed;
        this.offered = device.features() | VERSION_1 | Virtqueue.INDIRECT_DESC | Virtqueue.EVENT_IDX;
        for (int max : device.queueMaxSizes()) {
            queues.add(new Virtqueue(max));
        }
        device.setConfigChangeNotifier(this::configChanged); // last: the transport is whole before the device may call it
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        if (!registerAccess(offset, data, false)) {
            return;
        }
        Virtqueue queue = selectedQueue();
        int value = switch ((int) offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> 2;
            case DEVICE_ID -> device.deviceType();
            case VENDOR_ID -> VENDOR;
            case DEVICE_FEATURES -> deviceFeaturesSel == 0 || deviceFeaturesSel == 1 ? (int) (offered >>> (32 * deviceFeaturesSel)) : 0;
            case QUEUE_NUM_MAX -> queue == null ? 0 : queue.maxSize(); // 0: no such queue
            case QUEUE_READY -> queue != null && queue.ready() ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus.get();
            case STATUS -> status();
            case CONFIG_GENERATION -> configGeneration.get();
            default -> {
                ignored++; // write-only or reserved
                yield -1;
            }
        };
        for (int i = 0; i < 4; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (!registerAccess(offset, data, true)) {
            return;
        }
        int value = (data[0] & 0xff) | (data[1] & 0xff) << 8 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 24;
        boolean done = switch ((int) offset) {
            case DEVICE_FEATURES_SEL -> {
                deviceFeaturesSel = value;
                yield true;
            }
            case DRIVER_FEATURES_SEL -> {
                driverFeaturesSel = value;
                yield true;
            }
            case DRIVER_FEATURES -> writeDriverFeatures(value);
            case QUEUE_SEL -> {
                queueSel = value;
                yield true;
            }
            case QUEUE_NUM -> configureQueue(false, q -> q.setSize(value));
            case QUEUE_READY -> configureQueue(true, q -> q.setReady((value & 1) != 0));
            case QUEUE_DESC_LOW, QUEUE_DESC_HIGH -> configureQueue(false, q -> q.setDescriptorTable(half(q.descriptorTable(), offset, value)));
            case QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH -> configureQueue(false, q -> q.setAvailRing(half(q.availRing(), offset, value)));
            case QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH -> configureQueue(false, q -> q.setUsedRing(half(q.usedRing(), offset, value)));
            case QUEUE_NOTIFY -> notifyQueue(value);
            case INTERRUPT_ACK -> {
                interruptStatus.accumulateAndGet(~value, (bits, kept) -> bits & kept);
                yield true;
            }
            case STATUS -> writeStatus(value);
            default -> false; // read-only or reserved
        };
        if (!done) {
            ignored++;
        }
    }

    /**
     * What a QueueNotify write does: the device works on queue {@code queue}, if it is active, the
     * queue enabled, and nothing broken. An ioeventfd's thread calls this too.
     *
     * @param queue the queue's index, the value written to QueueNotify
     */
    public synchronized void queueNotified(int queue) {
        if (!notifyQueue(queue)) {
            ignored++;
        }
    }

    /**
     * The device's configuration changed: a new generation, and a configuration change interrupt.
     * Takes no lock (the generation and the interrupt status are atomics): the device calls it from
     * any thread, through the notifier it was given ({@link VirtioDevice#setConfigChangeNotifier}),
     * even while holding its own lock, which the transport takes inside its own.
     */
    public void configChanged() {
        configGeneration.incrementAndGet();
        raise(INTERRUPT_CONFIG_CHANGE);
    }

    /** {@return the Status register as the driver reads it} */
    public synchronized int status() {
        return status | (needsReset.get() != null ? DEVICE_NEEDS_RESET : 0);
    }

    /** {@return why the device set DEVICE_NEEDS_RESET, until the driver resets it; empty otherwise} */
    public synchronized Optional<String> needsResetReason() {
        return Optional.ofNullable(needsReset.get());
    }

    /** {@return the accesses ignored: misaligned or narrow register accesses, outside the configuration, or not allowed at that moment} */
    public synchronized long ignoredAccesses() {
        return ignored;
    }

    /**
     * What a snapshot keeps of the transport: which device it carries, every register the driver
     * set, what the device raised, and its queues.
     *
     * @param deviceType the device's virtio device ID ({@link VirtioDevice#deviceType()})
     * @param status the Status register's driver bits
     * @param needsReset why the device set DEVICE_NEEDS_RESET, or empty
     * @param driverFeatures the features the driver accepted
     * @param deviceFeaturesSel the DeviceFeaturesSel register
     * @param driverFeaturesSel the DriverFeaturesSel register
     * @param queueSel the QueueSel register
     * @param interruptStatus the InterruptStatus bits not yet acknowledged
     * @param configGeneration the ConfigGeneration register
     * @param queues each queue's state, in order
     */
    public record State(int deviceType, int status, Optional<String> needsReset, long driverFeatures, int deviceFeaturesSel,
                        int driverFeaturesSel, int queueSel, int interruptStatus, int configGeneration, List<Virtqueue.State> queues) {
        /**
         * Checks what the transport could not have held: Status bits outside the driver's, or
         * interrupt bits it never raises.
         *
         * @param deviceType the device ID
         * @param status the Status driver bits
         * @param needsReset the reason, or empty
         * @param driverFeatures the accepted features
         * @param deviceFeaturesSel DeviceFeaturesSel
         * @param driverFeaturesSel DriverFeaturesSel
         * @param queueSel QueueSel
         * @param interruptStatus InterruptStatus
         * @param configGeneration ConfigGeneration
         * @param queues the queues' states
         */
        public State {
            if ((status & ~DRIVER_STATUS_BITS) != 0) {
                throw new IllegalArgumentException("A virtio-mmio Status holds the driver's bits 0x" + Integer.toHexString(DRIVER_STATUS_BITS)
                        + ", not 0x" + Integer.toHexString(status) + ".");
            }
            if ((interruptStatus & ~(INTERRUPT_USED_BUFFER | INTERRUPT_CONFIG_CHANGE)) != 0) {
                throw new IllegalArgumentException("A virtio-mmio InterruptStatus holds bits 1 and 2, not 0x" + Integer.toHexString(interruptStatus) + ".");
            }
            java.util.Objects.requireNonNull(needsReset, "needsReset");
            queues = List.copyOf(queues);
        }
    }

    /**
     * Pauses an active device for a snapshot ({@link VirtioDevice#pause()}): once this returns,
     * with the vCPUs held, nothing changes the queues or guest memory until {@link #resume()}.
     *
     * @throws IllegalStateException when the device cannot be saved in a snapshot
     */
    public synchronized void pause() {
        if (active && needsReset.get() == null) {
            device.pause();
        }
    }

    /** Lets a device {@link #pause()} paused serve its queues again. */
    public synchronized void resume() {
        if (active && needsReset.get() == null) {
            device.resume();
        }
    }

    /**
     * {@return the transport's state, for a snapshot} Take it while nothing changes it: the vCPUs
     * held and the device {@linkplain #pause() paused}.
     */
    public synchronized State state() {
        return new State(device.deviceType(), status, Optional.ofNullable(needsReset.get()), driverFeatures, deviceFeaturesSel, driverFeaturesSel,
                queueSel, interruptStatus.get(), configGeneration.get(), queues.stream().map(Virtqueue::state).toList());
    }

    /**
     * Takes the state a snapshot saved, on a transport that nothing has used yet: the registers
     * and queues as they were, and, when the driver had set DRIVER_OK and the device did not need
     * a reset, the device activated on the saved queues, as at DRIVER_OK, the driver none the wiser,
     * and told once of each enabled queue, as if the driver had notified it.
     * A pending interrupt stays pending in InterruptStatus; the interrupt line's own state is the
     * interrupt controller's (restored with the VM).
     *
     * @param state the saved state
     * @throws IllegalArgumentException when the state is of another device type, has another number of queues, or features
     *     this device does not offer (a snapshot of another device)
     * @throws IllegalStateException when this transport has been used
     */
    public synchronized void restore(State state) {
        if (status != 0 || active || needsReset.get() != null) {
            throw new IllegalStateException("A transport takes a snapshot's state only before any use.");
        }
        if (state.deviceType() != device.deviceType()) {
            throw new IllegalArgumentException("The saved virtio device is of type " + Integer.toUnsignedString(state.deviceType())
                    + ", this one of type " + device.deviceType() + ".");
        }
        if (state.queues().size() != queues.size()) {
            throw new IllegalArgumentException("The saved virtio device had " + state.queues().size() + " queues, this one has " + queues.size() + ".");
        }
        if ((state.driverFeatures() & ~offered) != 0) {
            throw new IllegalArgumentException("The saved virtio device's driver accepted features 0x" + Long.toHexString(state.driverFeatures())
                    + ", which this device does not offer (0x" + Long.toHexString(offered) + ").");
        }
        for (int i = 0; i < queues.size(); i++) {
            queues.get(i).restore(state.queues().get(i));
        }
        status = state.status();
        needsReset.set(state.needsReset().orElse(null));
        driverFeatures = state.driverFeatures();
        deviceFeaturesSel = state.deviceFeaturesSel();
        driverFeaturesSel = state.driverFeaturesSel();
        queueSel = state.queueSel();
        interruptStatus.set(state.interruptStatus());
        configGeneration.set(state.configGeneration());
        if ((status & DRIVER_OK) != 0 && needsReset.get() == null) {
            activate();
            if (active) {
                device.restored();
            }
            // The driver may have made chains available and notified before the snapshot, a
            // notification the saved device never saw: the restored one looks at every queue once.
            for (int i = 0; i < queues.size(); i++) {
                notifyQueue(i);
            }
        }
    }

    private boolean notifyQueue(int index) {
        if (!active || needsReset.get() != null || index < 0 || index >= queues.size() || !queues.get(index).ready()) {
            return false;
        }
        try {
            device.queueNotified(index);
        } catch (VirtqueueException e) {
            broken(e.getMessage());
        }
        return true;
    }

    private boolean writeDriverFeatures(int value) {
        // Features are the driver's to choose between DRIVER and FEATURES_OK, not after.
        if ((status & (DRIVER | FEATURES_OK)) != DRIVER || (driverFeaturesSel != 0 && driverFeaturesSel != 1)) {
            return false;
        }
        int shift = 32 * driverFeaturesSel;
        driverFeatures = driverFeatures & ~(0xffffffffL << shift) | Integer.toUnsignedLong(value) << shift;
        return true;
    }

    private boolean writeStatus(int value) {
        if (value == 0) {
            reset();
            return true;
        }
        // The driver writes back what it read, DEVICE_NEEDS_RESET included: that bit is the device's.
        int next = value & ~DEVICE_NEEDS_RESET;
        boolean allowed = (next & ~DRIVER_STATUS_BITS) == 0
                && (next & status) == status                                 // only a reset clears bits
                && ((next & DRIVER) == 0 || (next & ACKNOWLEDGE) != 0)         // and they come in order
                && ((next & FEATURES_OK) == 0 || (next & DRIVER) != 0)
                && ((next & DRIVER_OK) == 0 || (next & FEATURES_OK) != 0);
        if (!allowed) {
            return false;
        }
        int added = next & ~status;
        if ((added & FEATURES_OK) != 0 && ((driverFeatures & ~offered) != 0 || (driverFeatures & VERSION_1) == 0)) {
            // Refused: the driver reads Status back, finds FEATURES_OK missing, and gives up.
            next &= ~(FEATURES_OK | DRIVER_OK);
            added &= ~(FEATURES_OK | DRIVER_OK);
        }
        status = next;
        if ((added & DRIVER_OK) != 0 && needsReset.get() == null) {
            activate();
        }
        return true;
    }

    private void activate() {
        try {
            for (Virtqueue queue : queues) {
                queue.activate(memory, driverFeatures);
            }
        } catch (VirtqueueException e) {
            broken(e.getMessage());
            return;
        }
        device.activate(driverFeatures, memory, List.copyOf(queues), () -> raise(INTERRUPT_USED_BUFFER), new VirtioDevice.Faults() {
            @Override
            public void needsReset(VirtqueueException reason) {
                broken(reason.getMessage());
            }

            @Override
            public void failed(Throwable error) {
                broken("The device failed: " + error + ".");
                deviceFailed.accept(error);
            }
        });
        active = true;
    }

    private void reset() {
        device.reset(); // first: a device's own thread stops touching the queues and stops reporting
        queues.forEach(Virtqueue::reset);
        status = 0;
        needsReset.set(null);
        active = false;
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        queueSel = 0;
        driverFeatures = 0;
        interruptStatus.set(0);
    }

    /**
     * DEVICE_NEEDS_RESET, keeping the first reason, and a configuration change interrupt (virtio
     * 1.2, 2.1.2: tell a running driver; a queue is checked or used only once DRIVER_OK is set).
     * Takes no lock: a device's own thread calls it too.
     */
    private void broken(String reason) {
        if (needsReset.compareAndSet(null, reason)) {
            raise(INTERRUPT_CONFIG_CHANGE);
        }
    }

    private void raise(int cause) {
        interruptStatus.accumulateAndGet(cause, (bits, added) -> bits | added);
        interrupt.trigger();
    }

    /**
     * Queue setup happens between FEATURES_OK and DRIVER_OK, on a queue that exists; only
     * QueueReady may change while the queue is ready (to disable it).
     */
    private boolean configureQueue(boolean readyRegister, Consumer<Virtqueue> change) {
        Virtqueue queue = selectedQueue();
        if (queue == null || (status & (FEATURES_OK | DRIVER_OK)) != FEATURES_OK || (queue.ready() && !readyRegister)) {
            return false;
        }
        change.accept(queue);
        return true;
    }

    private Virtqueue selectedQueue() {
        return queueSel >= 0 && queueSel < queues.size() ? queues.get(queueSel) : null;
    }

    /**
     * Whether the access is to a register, and a whole aligned 32-bit one; an access to the
     * configuration space is done here (false), and any other is ignored and counted (false).
     */
    private boolean registerAccess(long offset, byte[] data, boolean write) {
        if (offset >= CONFIG && insideConfig(offset, data.length)) {
            if (write) {
                device.writeConfig((int) (offset - CONFIG), data);
            } else {
                device.readConfig((int) (offset - CONFIG), data);
            }
            return false;
        }
        if (offset >= CONFIG || data.length != 4 || (offset & 3) != 0) {
            ignored++;
            return false;
        }
        return true;
    }

    private boolean insideConfig(long offset, int length) {
        return offset - CONFIG + length <= device.configSize() && offset + length <= SIZE;
    }

    /** {@code address} with its low or high 32 bits (by the register at {@code offset}) replaced by {@code value}. */
    private static GuestAddress half(GuestAddress address, long offset, int value) {
        long a = address.value();
        long v = Integer.toUnsignedLong(value);
        return GuestAddress.of((offset & 4) == 0 ? a & 0xffffffff00000000L | v : a & 0xffffffffL | v << 32);
    }
}
