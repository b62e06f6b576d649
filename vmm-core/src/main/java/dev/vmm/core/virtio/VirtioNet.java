// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.EventFd;
import dev.vmm.core.FramePort;
import dev.vmm.core.FramePort.Offload;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.devices.Interrupt;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtio network device (virtio 1.2, section 5.1) on a {@link FramePort}, usually a
 * {@link dev.vmm.core.Tap}: one receive queue (0) and one transmit queue (1) of up to
 * {@value #QUEUE_SIZE} entries, served on a thread of the device's own.
 *
 * <p><b>Features and configuration.</b> The device offers VIRTIO_NET_F_MAC (its address, given or
 * a random locally administered one), VIRTIO_NET_F_STATUS (the link, up until
 * {@link #setLinkUp} says otherwise), VIRTIO_NET_F_MRG_RXBUF, and the offloads the port supports,
 * both ways: {@link Offload#CHECKSUM} gives CSUM and GUEST_CSUM, {@link Offload#TSO4} HOST_TSO4
 * and GUEST_TSO4, {@link Offload#TSO6} the same for IPv6, {@link Offload#TSO_ECN} HOST_ECN and
 * GUEST_ECN, each only with what it needs. At activation the port is set to hand over frames with
 * the receive offloads the driver accepted (GUEST_*), no more. The configuration space is
 * {@code mac[6]}, {@code status} and {@code max_virtqueue_pairs} (1); driver writes to it are ignored.
 *
 * <p><b>Transmit.</b> Each chain on the transmit queue is a 12-byte {@code virtio_net_hdr_v1}
 * and a frame, in any number of readable buffers. It goes to the port as it is, unless it has a
 * device-writable buffer, is shorter than the header or longer than {@value #MAX_FRAME} bytes (the
 * header and a 64 KiB segmentation-offload frame): then it is dropped and counted, as is a frame
 * the port refuses. Either way the chain goes back used, with 0 bytes written.
 *
 * <p><b>Receive.</b> The device reads from the port only when the driver has posted room for a
 * frame, so a driver that posts nothing leaves the frames with the port (a tap's queue in the
 * kernel, which drops beyond its length): without VIRTIO_NET_F_MRG_RXBUF a frame goes into one
 * chain, read as soon as there is one; with it, into as many as it takes, read once the chains
 * held add up to the largest frame the negotiated offloads allow ({@value #MIN_RX_BUFFER} bytes,
 * or {@value #MAX_FRAME} with GUEST_TSO4 or GUEST_TSO6) or to the whole queue. A frame bigger than
 * that room, or with an offload the driver did not accept, is dropped and counted, and the
 * buffers wait for the next. The header's {@code num_buffers} says how many chains the frame took
 * (1 without MRG_RXBUF), and they reach the driver together ({@link Virtqueue#addUsed(List, int[], int)}).
 * Without GUEST_CSUM the header's flags are cleared. A receive chain with fewer than 12 writable
 * bytes has no room for the header: a broken rule, as is any chain the {@link Virtqueue} refuses,
 * and the transport sets DEVICE_NEEDS_RESET.
 *
 * <p><b>Threads and memory.</b> The transport calls the device under its lock:
 * {@link #activate} starts the worker (a platform thread, "vmm-virtio-net"), {@link #queueNotified}
 * only signals its eventfd, and {@link #reset()} and {@link #close()} stop it and wait until it has
 * left the queues and guest memory; {@link #pause()} stops it once the frame in hand is done, for a
 * snapshot, and {@link #resume()} starts another. The worker waits in poll(2) on that eventfd and,
 * when it holds receive buffers, on the port; it does all the ring and port work under no lock, reaching the
 * transport only through the lock-free used buffer {@link Interrupt} (raised when
 * {@link Virtqueue#needsNotification()} says so, which honours VIRTIO_F_EVENT_IDX) and
 * {@link VirtioDevice.Faults}, which also hears of its own failure, a port that cannot be read
 * included. Frames pass through two native buffers of {@value #MAX_FRAME} bytes, one per
 * direction, made once per device: nothing grows with the traffic.
 */
public final class VirtioNet implements VirtioDevice, AutoCloseable {
    /** The virtio device ID of a network device. */
    public static final int DEVICE_TYPE = 1;
    /** The maximum size of each queue. */
    public static final int QUEUE_SIZE = 256;
    /** The queues' indexes: receive (device to driver) and transmit (driver to device). */
    public static final int RX_QUEUE = 0, TX_QUEUE = 1;
    /** The longest frame either way, header included: 12 + 65550, a 64 KiB TSO frame with its headers. */
    public static final int MAX_FRAME = FramePort.VNET_HEADER_SIZE + 65550;
    /** The room for a frame without receive offloads: the header and a 1514-byte Ethernet frame. */
    public static final int MIN_RX_BUFFER = FramePort.VNET_HEADER_SIZE + 1514;
    /** Feature bits (virtio 1.2, 5.1.3): the device handles, or the driver takes, partial checksums. */
    public static final long F_CSUM = 1L << 0, F_GUEST_CSUM = 1L << 1;
    /** Feature bit: the configuration space has the device's MAC address. */
    public static final long F_MAC = 1L << 5;
    /** Feature bits: the driver takes unsegmented TCP frames over IPv4 or IPv6, with ECN. */
    public static final long F_GUEST_TSO4 = 1L << 7, F_GUEST_TSO6 = 1L << 8, F_GUEST_ECN = 1L << 9;
    /** Feature bits: the device takes unsegmented TCP frames over IPv4 or IPv6, with ECN. */
    public static final long F_HOST_TSO4 = 1L << 11, F_HOST_TSO6 = 1L << 12, F_HOST_ECN = 1L << 13;
    /** Feature bit: a received frame may take several receive buffers. */
    public static final long F_MRG_RXBUF = 1L << 15;
    /** Feature bit: the configuration space has the link status. */
    public static final long F_STATUS = 1L << 16;
    /** The status bit of a link that is up. */
    public static final int S_LINK_UP = 1;

    // virtio_net_config up to max_virtqueue_pairs: mac[6], status (u16), max_virtqueue_pairs (u16).
    private static final int CONFIG_SIZE = 10;
    private static final int STATUS_OFFSET = 6, PAIRS_OFFSET = 8;
    // virtio_net_hdr_v1: flags (u8), gso_type (u8), hdr_len, gso_size, csum_start, csum_offset, num_buffers (u16 each).
    private static final int HDR_FLAGS = 0, HDR_GSO_TYPE = 1, HDR_NUM_BUFFERS = 10;
    private static final int NEEDS_CSUM = 1;
    private static final int GSO_NONE = 0, GSO_TCPV4 = 1, GSO_TCPV6 = 4, GSO_ECN = 0x80;
    private static final int BUDGET = 64; // frames one way before looking the other way

    private final FramePort port;
    private final MacAddress mac;
    private final long offered;
    private final Arena buffers = Arena.ofShared();
    private final ByteBuffer rxFrame; // one byte more than MAX_FRAME: a frame that fills it was cut short
    private final ByteBuffer txFrame;
    private final AtomicLong txFrames = new AtomicLong(), txDropped = new AtomicLong();
    private final AtomicLong rxFrames = new AtomicLong(), rxDropped = new AtomicLong();
    private volatile Runnable configChanged = () -> { };
    private boolean linkUp = true; // guarded by this
    private final CurrentWorker<Worker> worker = new CurrentWorker<>();

    /**
     * What the device has done since it was made, for tests and metrics.
     *
     * @param txFrames frames the driver sent that went to the port
     * @param txDropped frames the driver sent that were dropped: malformed, too long or refused by the port
     * @param rxFrames frames from the port that went to the driver
     * @param rxDropped frames from the port that were dropped: too big for the buffers, or with an offload the driver did not accept
     */
    public record Counters(long txFrames, long txDropped, long rxFrames, long rxDropped) {
    }

    /**
     * A device on {@code port} with a random locally administered MAC address.
     *
     * @param port where the frames go and come from; the device owns it and closes it
     */
    public VirtioNet(FramePort port) {
        this(port, MacAddress.randomLocal());
    }

    /**
     * A device on {@code port} with MAC address {@code mac}.
     *
     * @param port where the frames go and come from; the device owns it and closes it
     * @param mac the device's address, unicast
     * @throws IllegalArgumentException when {@code mac} is a multicast address
     */
    public VirtioNet(FramePort port, MacAddress mac) {
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address: give the device a unicast one, such as 02:00:00:00:00:01.");
        }
        this.port = port;
        this.mac = mac;
        this.offered = offeredFeatures(port.supportedOffloads());
        this.rxFrame = buffers.allocate(MAX_FRAME + 1).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.txFrame = buffers.allocate(MAX_FRAME).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Each offload the port supports, both ways, when what it needs is there too. */
    private static long offeredFeatures(Set<Offload> supported) {
        long features = F_MAC | F_STATUS | F_MRG_RXBUF;
        if (supported.contains(Offload.CHECKSUM)) {
            features |= F_CSUM | F_GUEST_CSUM;
            boolean tso = false;
            if (supported.contains(Offload.TSO4)) {
                features |= F_HOST_TSO4 | F_GUEST_TSO4;
                tso = true;
            }
            if (supported.contains(Offload.TSO6)) {
                features |= F_HOST_TSO6 | F_GUEST_TSO6;
                tso = true;
            }
            if (tso && supported.contains(Offload.TSO_ECN)) {
                features |= F_HOST_ECN | F_GUEST_ECN;
            }
        }
        return features;
    }

    /** The receive offloads to set on the port for a driver that accepted {@code features}: each with what it needs. */
    static Set<Offload> receiveOffloads(long features) {
        Set<Offload> offloads = EnumSet.noneOf(Offload.class);
        if ((features & F_GUEST_CSUM) != 0) {
            offloads.add(Offload.CHECKSUM);
            if ((features & F_GUEST_TSO4) != 0) {
                offloads.add(Offload.TSO4);
            }
            if ((features & F_GUEST_TSO6) != 0) {
                offloads.add(Offload.TSO6);
            }
            if ((features & F_GUEST_ECN) != 0 && offloads.size() > 1) {
                offloads.add(Offload.TSO_ECN);
            }
        }
        return offloads;
    }

    /** {@return the device's MAC address, as the driver reads it} */
    public MacAddress mac() {
        return mac;
    }

    /** {@return whether the link is up, as the driver reads it in the status} */
    public synchronized boolean linkUp() {
        return linkUp;
    }

    /**
     * Sets the link status the driver reads, and raises a configuration change interrupt when it
     * changed (Linux then turns its carrier on or off). Frames go on flowing either way: stopping
     * them is the driver's part. Callable from any thread.
     *
     * @param up whether the link is up
     */
    public void setLinkUp(boolean up) {
        synchronized (this) {
            if (linkUp == up) {
                return;
            }
            linkUp = up;
        }
        configChanged.run(); // after the change, which the driver reads when the interrupt comes
    }

    /** {@return what the device has done since it was made} */
    public Counters counters() {
        return new Counters(txFrames.get(), txDropped.get(), rxFrames.get(), rxDropped.get());
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long features() {
        return offered;
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {QUEUE_SIZE, QUEUE_SIZE};
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public synchronized void readConfig(int offset, byte[] data) {
        ByteBuffer config = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        config.put(0, mac.bytes()).putShort(STATUS_OFFSET, (short) (linkUp ? S_LINK_UP : 0)).putShort(PAIRS_OFFSET, (short) 1);
        config.get(offset, data);
    }

    /** Ignored: nothing the device offers is writable. */
    @Override
    public void writeConfig(int offset, byte[] data) {
    }

    @Override
    public void setConfigChangeNotifier(Runnable configChanged) {
        this.configChanged = configChanged;
    }

    /**
     * Sets the port's receive offloads to those the driver accepted and starts the worker; a
     * closed device starts none. A port that refuses them is set to none; a port closed under the
     * device, or no eventfd to be had, goes to {@code faults}.
     */
    @Override
    public synchronized void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupt usedBuffers, Faults faults) {
        worker.start(faults, () -> {
            Set<Offload> offloads = receiveOffloads(features);
            if (!port.setOffloads(offloads)) {
                offloads = Set.of(); // what it hands over now is fully formed, whatever the driver took
                port.setOffloads(offloads);
            }
            return new Worker(memory, queues.get(RX_QUEUE), queues.get(TX_QUEUE), usedBuffers, faults, features, offloads);
        });
    }

    /** Wakes the worker; no frame is touched here. */
    @Override
    public synchronized void queueNotified(int queue) {
        worker.wake();
    }

    /**
     * Lets the worker finish the frame in hand, then stops it and waits for it; the receive chains
     * it held waiting for frames go back to the ring ({@link Virtqueue#undoPop}), so that a
     * snapshot saves them as available. Frames meanwhile wait in the port.
     */
    @Override
    public synchronized void pause() {
        worker.pause();
    }

    /** Starts a worker again on the same queues, which looks at them at once. */
    @Override
    public synchronized void resume() {
        worker.resume();
    }

    /** Stops the worker and waits for it: it no longer touches the queues or guest memory when this returns. */
    @Override
    public synchronized void reset() {
        worker.stop();
    }

    /** Stops the worker as {@link #reset()} does and closes the port; the device serves nothing more. */
    @Override
    public synchronized void close() {
        if (worker.close()) {
            port.close();
            buffers.close();
        }
    }

    /** The current worker thread, for tests. */
    Thread workerThread() {
        return worker.thread();
    }

    /** One activation's thread: moves frames both ways until stopped. */
    private final class Worker extends VirtioWorker {
        private final GuestMemory memory;
        private final Virtqueue rx;
        private final Virtqueue tx;
        private final Interrupt usedBuffers;
        private final Faults faults;
        private final boolean mergeable;
        private final boolean guestChecksum;
        private final Set<Offload> offloads;
        private final long roomToRead;
        private final EventFd wakeUp; // signalled by wake(), waited on in poll(2)
        // Receive chains popped and not yet used, in ring order, and their writable bytes in all.
        private final List<DescriptorChain> held = new ArrayList<>(QUEUE_SIZE);
        private final int[] written = new int[QUEUE_SIZE];
        private long heldRoom;
        private boolean portEmpty; // the last read found no frame, with room for one: wait on the port too

        Worker(GuestMemory memory, Virtqueue rx, Virtqueue tx, Interrupt usedBuffers, Faults faults, long features, Set<Offload> offloads) {
            super("vmm-virtio-net");
            this.memory = memory;
            this.rx = rx;
            this.tx = tx;
            this.usedBuffers = usedBuffers;
            this.faults = faults;
            this.mergeable = (features & F_MRG_RXBUF) != 0;
            this.guestChecksum = (features & F_GUEST_CSUM) != 0;
            this.offloads = offloads;
            this.roomToRead = offloads.contains(Offload.TSO4) || offloads.contains(Offload.TSO6) ? MAX_FRAME : MIN_RX_BUFFER;
            this.wakeUp = EventFd.create();
        }

        @Override
        protected void wake() {
            wakeUp.signal(1);
        }

        @Override
        protected void afterStop() {
            wakeUp.close();
        }

        @Override
        public void run() {
            try {
                while (!stopped()) {
                    wakeUp.take();
                    boolean busy;
                    do {
                        busy = transmit() | receive();
                    } while (busy && !stopped());
                    if (stopped()) {
                        return;
                    }
                    if (portEmpty) {
                        port.awaitReadable(wakeUp);
                    } else {
                        EventFd.awaitAny(wakeUp);
                    }
                }
            } catch (VirtqueueException e) {
                faults.needsReset(e); // and serve nothing more: the transport waits for a reset
            } catch (Throwable t) { // never a silent death that leaves the driver waiting
                faults.failed(t);
            } finally {
                rx.undoPop(held); // a paused device's next worker, or a restored one, pops them again
            }
        }

        /** Sends what the driver made available, up to a budget; returns whether there was any. */
        private boolean transmit() throws VirtqueueException {
            boolean any = false;
            for (int i = 0; i < BUDGET && !stopped(); i++) {
                Optional<DescriptorChain> next = tx.pop();
                if (next.isEmpty()) {
                    break;
                }
                DescriptorChain chain = next.get();
                any = true;
                long length = chain.readableLength();
                if (chain.writableLength() > 0 || length < FramePort.VNET_HEADER_SIZE || length > MAX_FRAME) {
                    txDropped.incrementAndGet();
                } else {
                    txFrame.clear();
                    for (DescriptorChain.Buffer b : chain.readable()) {
                        txFrame.limit(txFrame.position() + (int) b.length());
                        memory.read(b.address(), txFrame);
                    }
                    txFrame.flip();
                    (port.write(txFrame) ? txFrames : txDropped).incrementAndGet();
                }
                tx.addUsed(chain, 0);
            }
            if (any && tx.needsNotification()) {
                usedBuffers.trigger();
            }
            return any;
        }

        /** Receives frames while the driver has room for them, up to a budget; returns whether any came. */
        private boolean receive() throws VirtqueueException, IOException {
            portEmpty = false;
            boolean any = false;
            for (int i = 0; i < BUDGET && !stopped(); i++) {
                if (!collect(roomToRead)) {
                    break; // the driver's next notification says there is more room
                }
                rxFrame.clear();
                int length = port.read(rxFrame);
                if (length == 0) {
                    portEmpty = true;
                    break;
                }
                any = true;
                deliver(length);
            }
            if (any && rx.needsNotification()) {
                usedBuffers.trigger();
            }
            return any;
        }

        /**
         * Pops receive chains until those held have {@code room} bytes (with MRG_RXBUF), or one is
         * held (without); returns whether they do, or the whole queue is held.
         */
        private boolean collect(long room) throws VirtqueueException {
            while (held.isEmpty() || mergeable && heldRoom < room && held.size() < rx.size()) {
                Optional<DescriptorChain> next = rx.pop();
                if (next.isEmpty()) {
                    return !held.isEmpty() && (!mergeable || held.size() == rx.size());
                }
                DescriptorChain chain = next.get();
                if (chain.writableLength() < FramePort.VNET_HEADER_SIZE) {
                    throw new VirtqueueException("Receive chain " + chain.head() + " has " + chain.writableLength()
                            + " device-writable bytes, no room for the 12-byte virtio-net header.");
                }
                held.add(chain);
                heldRoom += chain.writableLength();
            }
            return true;
        }

        /** Puts the frame of {@code length} bytes in {@link #rxFrame} into the held chains, or drops it. */
        private void deliver(int length) throws VirtqueueException {
            if (length < FramePort.VNET_HEADER_SIZE || length > MAX_FRAME || !agreed(rxFrame.get(HDR_FLAGS) & 0xff, rxFrame.get(HDR_GSO_TYPE) & 0xff)) {
                rxDropped.incrementAndGet();
                return;
            }
            if (mergeable && heldRoom < length) {
                collect(length); // a frame bigger than the room to read: more chains, if the driver has them
            }
            if (length > (mergeable ? heldRoom : held.getFirst().writableLength())) {
                rxDropped.incrementAndGet(); // the chains wait for the next frame
                return;
            }
            int count = 0;
            for (int done = 0; done < length; count++) {
                written[count] = (int) Math.min(held.get(count).writableLength(), length - done);
                done += written[count];
            }
            if (!guestChecksum) {
                rxFrame.put(HDR_FLAGS, (byte) 0);
            }
            rxFrame.putShort(HDR_NUM_BUFFERS, (short) count);
            for (int c = 0, done = 0; c < count; c++) {
                scatter(held.get(c), done, written[c]);
                done += written[c];
            }
            rxFrames.incrementAndGet(); // counted before the driver can see it, as a sent frame is
            rx.addUsed(held, written, count);
            for (int c = 0; c < count; c++) {
                heldRoom -= held.get(c).writableLength();
            }
            held.subList(0, count).clear();
        }

        /** Whether a frame with these header flags and GSO type uses only the offloads the driver accepted. */
        private boolean agreed(int flags, int gsoType) {
            if ((flags & NEEDS_CSUM) != 0 && !offloads.contains(Offload.CHECKSUM)) {
                return false;
            }
            if ((gsoType & GSO_ECN) != 0 && !offloads.contains(Offload.TSO_ECN)) {
                return false;
            }
            return switch (gsoType & ~GSO_ECN) {
                case GSO_NONE -> true;
                case GSO_TCPV4 -> offloads.contains(Offload.TSO4);
                case GSO_TCPV6 -> offloads.contains(Offload.TSO6);
                default -> false; // UDP fragmentation and segmentation: never offered
            };
        }

        /** Copies {@code length} bytes of {@link #rxFrame} from {@code from} to the start of the chain's writable buffers. */
        private void scatter(DescriptorChain chain, int from, int length) {
            int end = from + length;
            for (DescriptorChain.Buffer b : chain.writable()) {
                if (from == end) {
                    break;
                }
                int piece = (int) Math.min(b.length(), end - from);
                rxFrame.limit(from + piece).position(from);
                memory.write(b.address(), rxFrame);
                from += piece;
            }
        }
    }
}
