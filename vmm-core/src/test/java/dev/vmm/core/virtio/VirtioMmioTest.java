// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vmm.core.virtio.TestDriver.NEXT;
import static dev.vmm.core.virtio.TestDriver.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtio-mmio registers driven as Linux's virtio_mmio and virtio core drive them, and as a
 * careless or hostile driver might. Register offsets and bits are spelled out from the spec
 * (virtio 1.2, 4.2.2 and 2.1) rather than taken from the class under test.
 */
class VirtioMmioTest {
    private static final int MAGIC_VALUE = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
            DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
            QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
            INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
            QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090, QUEUE_DRIVER_HIGH = 0x094,
            QUEUE_DEVICE_LOW = 0x0a0, QUEUE_DEVICE_HIGH = 0x0a4, CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;
    private static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, DEVICE_NEEDS_RESET = 0x40;
    private static final long VERSION_1 = 1L << 32, INDIRECT_DESC = 1L << 28, EVENT_IDX = 1L << 29;
    private static final long LINUX_FEATURES = VERSION_1 | INDIRECT_DESC | EVENT_IDX | EchoDevice.FEATURE;

    private final GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 1 << 20);
    private final EchoDevice device = new EchoDevice();
    private final AtomicInteger interrupts = new AtomicInteger();
    private final List<Throwable> deviceFailures = new CopyOnWriteArrayList<>();
    private final VirtioMmio mmio = new VirtioMmio(device, memory, interrupts::incrementAndGet, deviceFailures::add);

    @AfterEach
    void close() {
        memory.close();
    }

    private int read(int offset) {
        byte[] data = {-1, -1, -1, -1}; // as the bus hands it over
        mmio.read(offset, data);
        return (data[0] & 0xff) | (data[1] & 0xff) << 8 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 24;
    }

    private void write(int offset, int value) {
        mmio.write(offset, new byte[] {(byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24)});
    }

    private void addStatus(int bit) { // virtio_add_status: read, or in the bit, write back
        write(STATUS, read(STATUS) | bit);
    }

    /** What Linux does from probe to DRIVER_OK with queue 0 of size 16 at 0x1000; returns that queue's driver side. */
    private TestDriver linuxBringUp(long accepted) {
        // vm_probe
        assertEquals(0x74726976, read(MAGIC_VALUE));
        assertEquals(2, read(VERSION));
        assertEquals(EchoDevice.TYPE, read(DEVICE_ID));
        // register_virtio_device, virtio_dev_probe
        write(STATUS, 0);
        assertEquals(0, read(STATUS));
        addStatus(ACKNOWLEDGE);
        addStatus(DRIVER);
        // vm_get_features, vm_finalize_features
        write(DEVICE_FEATURES_SEL, 1);
        long offered = Integer.toUnsignedLong(read(DEVICE_FEATURES)) << 32;
        write(DEVICE_FEATURES_SEL, 0);
        offered |= Integer.toUnsignedLong(read(DEVICE_FEATURES));
        assertEquals(LINUX_FEATURES, offered);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, (int) (accepted >>> 32));
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, (int) accepted);
        addStatus(FEATURES_OK);
        if ((read(STATUS) & FEATURES_OK) == 0) {
            return null; // virtio_features_ok: "device refuses features"
        }
        // vm_setup_vq(0)
        TestDriver ring = TestDriver.at(memory, 16, 0x1000);
        write(QUEUE_SEL, 0);
        assertEquals(0, read(QUEUE_READY));
        assertEquals(16, read(QUEUE_NUM_MAX));
        write(QUEUE_NUM, 16);
        write(QUEUE_DESC_LOW, (int) ring.desc.value());
        write(QUEUE_DESC_HIGH, (int) (ring.desc.value() >>> 32));
        write(QUEUE_DRIVER_LOW, (int) ring.avail.value());
        write(QUEUE_DRIVER_HIGH, (int) (ring.avail.value() >>> 32));
        write(QUEUE_DEVICE_LOW, (int) ring.used.value());
        write(QUEUE_DEVICE_HIGH, (int) (ring.used.value() >>> 32));
        write(QUEUE_READY, 1);
        addStatus(DRIVER_OK);
        return ring;
    }

    /** A "ping" request on descriptors 0 and 1, made available. */
    private static void ping(TestDriver ring) {
        ring.memory.write(GuestAddress.of(0x10000), "ping".getBytes());
        ring.descriptor(0, 0x10000, 4, NEXT, 1).descriptor(1, 0x20000, 4, WRITE, 0).publish(0);
    }

    @Test
    void itIdentifiesAsAVersion2DeviceWithItsQueues() {
        assertEquals(0x74726976, read(MAGIC_VALUE));
        assertEquals(2, read(VERSION));
        assertEquals(EchoDevice.TYPE, read(DEVICE_ID));
        assertTrue(read(VENDOR_ID) != -1);
        write(QUEUE_SEL, 1);
        assertEquals(256, read(QUEUE_NUM_MAX));
        write(QUEUE_SEL, 2);
        assertEquals(0, read(QUEUE_NUM_MAX), "no queue 2");
        assertEquals(0, read(QUEUE_READY));
        assertEquals(0, mmio.ignoredAccesses());
    }

    @Test
    void linuxBringsTheDeviceUpAndARequestIsServedWithAnInterrupt() {
        TestDriver ring = linuxBringUp(LINUX_FEATURES);
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, read(STATUS));
        assertEquals(1, device.activations);
        assertEquals(LINUX_FEATURES, device.features);
        assertEquals(1, read(QUEUE_READY));

        ping(ring);
        write(QUEUE_NOTIFY, 0);
        assertEquals("ping", new String(memory.read(GuestAddress.of(0x20000), 4)));
        assertEquals(1, ring.usedIdx());
        assertArrayEquals(new long[] {0, 4}, ring.usedElement(0));
        assertEquals(1, interrupts.get(), "used_event 0 asks for a notification at the first used buffer");
        // vm_interrupt: read the cause, acknowledge it
        assertEquals(1, read(INTERRUPT_STATUS));
        write(INTERRUPT_ACK, 1);
        assertEquals(0, read(INTERRUPT_STATUS));
        assertEquals(0, mmio.ignoredAccesses());
    }

    /**
     * A snapshot's transport state, given to a new transport and device (as a restore does): the
     * driver, none the wiser, finds its registers as they were and its next request served at the
     * next ring entries, with the pending interrupt still to acknowledge.
     */
    @Test
    void aSavedTransportGoesOnWhereItWasOnANewDevice() {
        TestDriver ring = linuxBringUp(LINUX_FEATURES);
        ping(ring);
        write(QUEUE_NOTIFY, 0);
        write(QUEUE_SEL, 1);
        VirtioMmio.State saved = mmio.state();
        assertEquals(1, saved.queues().getFirst().nextAvail());
        assertEquals(1, saved.queues().getFirst().nextUsed());
        assertEquals(1, saved.interruptStatus(), "the used buffer interrupt, not yet acknowledged");

        EchoDevice other = new EchoDevice();
        AtomicInteger otherInterrupts = new AtomicInteger();
        VirtioMmio restored = new VirtioMmio(other, memory, otherInterrupts::incrementAndGet, deviceFailures::add);
        restored.restore(saved);
        assertEquals(saved, restored.state(), "the registers and queues as saved");
        assertEquals(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK, restored.status());
        assertEquals(1, other.activations, "activated on the saved queues, with no new DRIVER_OK");
        assertEquals(LINUX_FEATURES, other.features);

        memory.write(GuestAddress.of(0x10000), "pong".getBytes());
        ring.setUsedEvent(1);
        ring.publish(0);
        restored.queueNotified(0);
        assertEquals("pong", new String(memory.read(GuestAddress.of(0x20000), 4)));
        assertEquals(2, ring.usedIdx(), "the used ring goes on from the saved index");
        assertEquals(1, otherInterrupts.get());
        assertEquals(0, restored.ignoredAccesses());
        assertTrue(deviceFailures.isEmpty(), deviceFailures.toString());
    }

    /** A request the driver made available but whose notification the saved device never saw is served when the state is restored. */
    @Test
    void aRestoredTransportLooksAtItsQueuesOnce() {
        TestDriver ring = linuxBringUp(LINUX_FEATURES);
        ping(ring); // no QueueNotify: the snapshot came first
        VirtioMmio.State saved = mmio.state();
        assertEquals(0, saved.queues().getFirst().nextUsed());

        EchoDevice other = new EchoDevice();
        AtomicInteger otherInterrupts = new AtomicInteger();
        new VirtioMmio(other, memory, otherInterrupts::incrementAndGet, deviceFailures::add).restore(saved);
        assertEquals("ping", new String(memory.read(GuestAddress.of(0x20000), 4)));
        assertEquals(1, ring.usedIdx(), "served at restore");
        assertEquals(1, otherInterrupts.get(), "and the driver told");
    }

    @Test
    void aSavedStateFromAnotherDeviceOrOntoAUsedTransportIsRefused() {
        linuxBringUp(LINUX_FEATURES);
        VirtioMmio.State saved = mmio.state();
        IllegalStateException used = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> mmio.restore(saved));
        assertTrue(used.getMessage().contains("before any use"), used.getMessage());
        VirtioMmio.State foreign = new VirtioMmio.State(saved.deviceType(), saved.status(), saved.needsReset(), saved.driverFeatures() | 1L << 40,
                0, 0, 0, 0, 0, saved.queues());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new VirtioMmio(new EchoDevice(), memory, () -> { }).restore(foreign));
        assertTrue(e.getMessage().contains("which this device does not offer"), e.getMessage());
        IllegalArgumentException queues = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new VirtioMmio(new EchoDevice(), memory, () -> { }).restore(new VirtioMmio.State(saved.deviceType(), saved.status(), saved.needsReset(),
                        saved.driverFeatures(), 0, 0, 0, 0, 0, saved.queues().subList(0, 1))));
        assertTrue(queues.getMessage().contains("queues"), queues.getMessage());
        IllegalArgumentException type = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new VirtioMmio(new EchoDevice(), memory, () -> { }).restore(new VirtioMmio.State(saved.deviceType() + 1, saved.status(),
                        saved.needsReset(), saved.driverFeatures(), 0, 0, 0, 0, 0, saved.queues())));
        assertTrue(type.getMessage().contains("of type"), type.getMessage());
        // A device that needed a reset is not activated: the driver finds DEVICE_NEEDS_RESET, as before.
        VirtioMmio.State broken = new VirtioMmio.State(saved.deviceType(), saved.status(), java.util.Optional.of("broken before the save"), saved.driverFeatures(),
                0, 0, 0, 2, 1, saved.queues());
        EchoDevice idle = new EchoDevice();
        VirtioMmio restored = new VirtioMmio(idle, memory, () -> { });
        restored.restore(broken);
        assertEquals(0, idle.activations);
        assertEquals(DEVICE_NEEDS_RESET, restored.status() & DEVICE_NEEDS_RESET);
        // Saved rings that do not fit this guest memory (a state file from elsewhere) break the device, not the VMM.
        Virtqueue.State q = saved.queues().getFirst();
        VirtioMmio.State outside = new VirtioMmio.State(saved.deviceType(), saved.status(), saved.needsReset(), saved.driverFeatures(), 0, 0, 0, 0, 0,
                List.of(new Virtqueue.State(q.size(), true, q.descriptorTable(), q.availRing(), GuestAddress.of(1L << 40), 0, 0),
                        saved.queues().get(1)));
        EchoDevice unused = new EchoDevice();
        VirtioMmio refused = new VirtioMmio(unused, memory, () -> { });
        refused.restore(outside);
        assertEquals(0, unused.activations);
        assertTrue(refused.needsResetReason().orElseThrow().contains("used ring"), refused.needsResetReason().toString());
    }

    @Test
    void featuresWithoutVersion1OrNotOfferedAreRefusedAtFeaturesOk() {
        for (long accepted : new long[] {EchoDevice.FEATURE | EVENT_IDX, VERSION_1 | 1L << 5, VERSION_1 | 1L << 40}) {
            assertEquals(null, linuxBringUp(accepted), "features 0x" + Long.toHexString(accepted));
            assertEquals(ACKNOWLEDGE | DRIVER, read(STATUS));
            addStatus(DRIVER_OK);
            assertEquals(ACKNOWLEDGE | DRIVER, read(STATUS), "no DRIVER_OK without FEATURES_OK");
        }
        assertEquals(0, device.activations);
        assertTrue(linuxBringUp(VERSION_1) != null, "VERSION_1 alone is enough");
        assertEquals(VERSION_1, device.features);
    }

    @Test
    void statusBitsComeInOrderAndOnlyAResetClearsThem() {
        write(STATUS, DRIVER);
        assertEquals(0, read(STATUS), "DRIVER before ACKNOWLEDGE");
        write(STATUS, ACKNOWLEDGE);
        write(STATUS, ACKNOWLEDGE | DRIVER | DRIVER_OK);
        assertEquals(ACKNOWLEDGE, read(STATUS), "DRIVER_OK before FEATURES_OK");
        write(STATUS, ACKNOWLEDGE | 0x10);
        assertEquals(ACKNOWLEDGE, read(STATUS), "a bit with no meaning");
        write(STATUS, ACKNOWLEDGE | DRIVER);
        write(STATUS, DRIVER);
        assertEquals(ACKNOWLEDGE | DRIVER, read(STATUS), "clearing ACKNOWLEDGE");
        write(STATUS, 0);
        assertEquals(0, read(STATUS));
        assertEquals(4, mmio.ignoredAccesses());
    }

    @Test
    void driverFeaturesAreTakenOnlyBetweenDriverAndFeaturesOk() {
        write(DRIVER_FEATURES, 1);
        write(STATUS, ACKNOWLEDGE);
        write(DRIVER_FEATURES, 1);
        assertEquals(2, mmio.ignoredAccesses());
        write(STATUS, ACKNOWLEDGE | DRIVER);
        write(DRIVER_FEATURES_SEL, 2);
        write(DRIVER_FEATURES, -1);
        assertEquals(3, mmio.ignoredAccesses(), "there are only two words of features");
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, 1);
        addStatus(FEATURES_OK);
        write(DRIVER_FEATURES, 3);
        assertEquals(4, mmio.ignoredAccesses());
        write(DEVICE_FEATURES_SEL, 2);
        assertEquals(0, read(DEVICE_FEATURES));
        write(DEVICE_FEATURES_SEL, -1);
        assertEquals(0, read(DEVICE_FEATURES));
    }

    @Test
    void writingZeroResetsTheDeviceAndItComesUpAgain() {
        TestDriver ring = linuxBringUp(LINUX_FEATURES);
        ping(ring);
        write(QUEUE_NOTIFY, 0);
        write(STATUS, 0);
        assertEquals(0, read(STATUS));
        assertEquals(0, read(INTERRUPT_STATUS));
        assertEquals(0, read(QUEUE_READY));
        assertTrue(device.resets >= 2, "reset at probe and now");
        write(QUEUE_NOTIFY, 0);
        assertEquals(1, device.chains.size(), "a reset device hears no notifications");

        memory.fill(ring.desc, 0x1000, (byte) 0); // the driver's new rings start empty
        TestDriver again = linuxBringUp(LINUX_FEATURES);
        ping(again);
        write(QUEUE_NOTIFY, 0);
        assertEquals(2, device.activations);
        assertEquals(1, again.usedIdx());
    }

    @Test
    void aMalformedChainSetsDeviceNeedsResetWithAConfigurationChangeInterrupt() {
        TestDriver ring = linuxBringUp(LINUX_FEATURES);
        ring.descriptor(0, 0x10000, 4, NEXT, 1).descriptor(1, 0x10000, 4, NEXT, 0).publish(0); // a loop
        write(QUEUE_NOTIFY, 0);
        assertEquals(DEVICE_NEEDS_RESET, read(STATUS) & DEVICE_NEEDS_RESET);
        assertTrue(mmio.needsResetReason().orElseThrow().contains("more than 16 descriptors"), mmio.needsResetReason().toString());
        assertEquals(2, read(INTERRUPT_STATUS));
        assertEquals(1, interrupts.get());

        addStatus(0); // Linux writes back what it read, DEVICE_NEEDS_RESET included
        assertEquals(DEVICE_NEEDS_RESET | DRIVER_OK, read(STATUS) & (DEVICE_NEEDS_RESET | DRIVER_OK));
        long ignored = mmio.ignoredAccesses();
        write(QUEUE_NOTIFY, 0);
        assertEquals(ignored + 1, mmio.ignoredAccesses(), "a broken device hears no notifications");

        write(STATUS, 0);
        assertEquals(0, read(STATUS));
        assertTrue(mmio.needsResetReason().isEmpty());
    }

    @Test
    void aDevicesOwnThreadReportsABrokenRuleWithoutTheTransportsLock() throws InterruptedException {
        linuxBringUp(LINUX_FEATURES);
        Thread worker = Thread.ofPlatform().unstarted(() -> {
            device.faults.needsReset(new VirtqueueException("The first rule broken."));
            device.faults.needsReset(new VirtqueueException("A second one."));
        });
        synchronized (mmio) { // a vCPU in the middle of an access
            worker.start();
            worker.join(30_000);
            assertTrue(!worker.isAlive(), "the report took no lock");
        }
        assertEquals(DEVICE_NEEDS_RESET, read(STATUS) & DEVICE_NEEDS_RESET);
        assertEquals("The first rule broken.", mmio.needsResetReason().orElseThrow(), "the first reason is kept");
        assertEquals(2, read(INTERRUPT_STATUS));
        assertEquals(1, interrupts.get(), "one configuration change interrupt");
        long ignored = mmio.ignoredAccesses();
        write(QUEUE_NOTIFY, 0);
        assertEquals(ignored + 1, mmio.ignoredAccesses(), "a broken device hears no notifications");

        write(STATUS, 0);
        assertTrue(mmio.needsResetReason().isEmpty());
        assertEquals(0, read(STATUS));
    }

    @Test
    void aDevicesFailedThreadMarksItBrokenAndTellsTheOwner() {
        linuxBringUp(LINUX_FEATURES);
        IllegalStateException bug = new IllegalStateException("a bug in the device");
        device.faults.failed(bug);
        assertEquals(DEVICE_NEEDS_RESET, read(STATUS) & DEVICE_NEEDS_RESET, "the driver must not wait for requests that never complete");
        assertEquals("The device failed: java.lang.IllegalStateException: a bug in the device.", mmio.needsResetReason().orElseThrow());
        assertEquals(2, read(INTERRUPT_STATUS));
        assertEquals(List.of(bug), deviceFailures);

        write(STATUS, 0); // a reset gives the driver a fresh start; the owner decides whether the VM goes on
        assertTrue(mmio.needsResetReason().isEmpty());
        assertEquals(List.of(bug), deviceFailures);
    }

    @Test
    void aBadQueueLayoutAtDriverOkSetsDeviceNeedsReset() {
        write(STATUS, 0);
        addStatus(ACKNOWLEDGE);
        addStatus(DRIVER);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, 1);
        addStatus(FEATURES_OK);
        write(QUEUE_NUM, 16);
        write(QUEUE_DESC_LOW, 0x1008); // not 16-byte aligned
        write(QUEUE_DRIVER_LOW, 0x2000);
        write(QUEUE_DEVICE_LOW, 0x3000);
        write(QUEUE_READY, 1);
        addStatus(DRIVER_OK);
        assertEquals(DEVICE_NEEDS_RESET, read(STATUS) & DEVICE_NEEDS_RESET);
        assertTrue(mmio.needsResetReason().orElseThrow().contains("descriptor table"));
        assertEquals(0, device.activations);
        assertEquals(2, read(INTERRUPT_STATUS));
    }

    @Test
    void queueSetupIsTakenOnlyBetweenFeaturesOkAndDriverOkForAQueueThatExists() {
        write(QUEUE_NUM, 8);
        assertEquals(1, mmio.ignoredAccesses(), "before FEATURES_OK");
        TestDriver ring = linuxBringUp(LINUX_FEATURES);
        write(QUEUE_DESC_LOW, 0x8000);
        write(QUEUE_READY, 0);
        assertEquals(3, mmio.ignoredAccesses(), "after DRIVER_OK");
        assertEquals(1, read(QUEUE_READY));
        ping(ring);
        write(QUEUE_NOTIFY, 0);
        assertEquals(1, ring.usedIdx(), "the queue kept its rings");

        write(STATUS, 0);
        addStatus(ACKNOWLEDGE);
        addStatus(DRIVER);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, 1);
        addStatus(FEATURES_OK);
        write(QUEUE_SEL, 2);
        write(QUEUE_NUM, 8);
        assertEquals(4, mmio.ignoredAccesses(), "no queue 2");
        write(QUEUE_SEL, 0);
        write(QUEUE_READY, 1);
        write(QUEUE_NUM, 8);
        assertEquals(5, mmio.ignoredAccesses(), "the size of a ready queue");
        write(QUEUE_READY, 0); // vm_del_vq
        assertEquals(0, read(QUEUE_READY));
        assertEquals(5, mmio.ignoredAccesses());
    }

    @Test
    void notificationsForQueuesThatAreNotEnabledOrDoNotExistAreIgnored() {
        linuxBringUp(LINUX_FEATURES);
        write(QUEUE_NOTIFY, 1);
        write(QUEUE_NOTIFY, 2);
        write(QUEUE_NOTIFY, -1);
        mmio.queueNotified(7);
        assertEquals(4, mmio.ignoredAccesses());
        assertEquals(0, read(STATUS) & DEVICE_NEEDS_RESET);
    }

    @Test
    void registersTakeOnlyAlignedFourByteAccesses() {
        byte[] two = {0x5a, 0x5a};
        mmio.read(MAGIC_VALUE, two);
        assertArrayEquals(new byte[] {0x5a, 0x5a}, two, "untouched: the bus's all ones stay");
        mmio.write(STATUS, new byte[] {ACKNOWLEDGE});
        mmio.write(STATUS + 2, new byte[] {ACKNOWLEDGE, 0, 0, 0});
        mmio.write(STATUS, new byte[] {ACKNOWLEDGE, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(0, read(STATUS));
        assertEquals(-1, read(QUEUE_NUM), "write-only");
        assertEquals(-1, read(0x0b0), "reserved (SHMLenLow: no shared memory region)");
        write(MAGIC_VALUE, 0);
        assertEquals(0x74726976, read(MAGIC_VALUE));
        assertEquals(7, mmio.ignoredAccesses());
    }

    @Test
    void theConfigurationSpaceTakesAnyWidthInsideItsSize() {
        byte[] one = new byte[1];
        mmio.read(CONFIG, one);
        assertEquals(1, one[0]);
        byte[] two = new byte[2];
        mmio.read(CONFIG + 3, two);
        assertArrayEquals(new byte[] {4, 5}, two);
        byte[] eight = new byte[8];
        mmio.read(CONFIG, eight);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, eight);
        mmio.write(CONFIG + 6, new byte[] {60, 70});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 60, 70}, device.config);

        byte[] four = {0x5a, 0x5a, 0x5a, 0x5a};
        mmio.read(CONFIG + 6, four);
        assertArrayEquals(new byte[] {0x5a, 0x5a, 0x5a, 0x5a}, four, "untouched: runs past the end of the configuration");
        mmio.write(CONFIG + 8, new byte[] {1});
        mmio.read(0x1ff, one);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 60, 70}, device.config);
        assertEquals(3, mmio.ignoredAccesses());
    }

    @Test
    void theDeviceGetsANotifierThatRaisesAConfigurationChangeWithoutTheTransportsLock() throws InterruptedException {
        int generation = read(CONFIG_GENERATION);
        Thread other = Thread.ofPlatform().start(device.configChanged);
        synchronized (mmio) { // a vCPU in the middle of an access: the notifier must not wait for it
            other.join();
        }
        assertEquals(generation + 1, read(CONFIG_GENERATION));
        assertEquals(2, read(INTERRUPT_STATUS));
        assertEquals(1, interrupts.get());
    }

    @Test
    void aConfigurationChangeRaisesItsInterruptAndANewGeneration() {
        int generation = read(CONFIG_GENERATION);
        mmio.configChanged();
        assertEquals(generation + 1, read(CONFIG_GENERATION));
        assertEquals(2, read(INTERRUPT_STATUS));
        assertEquals(1, interrupts.get());
        write(INTERRUPT_ACK, 2);
        assertEquals(0, read(INTERRUPT_STATUS));
    }
}
