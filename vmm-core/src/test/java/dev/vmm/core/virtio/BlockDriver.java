// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A virtio-blk driver for tests, as Linux's virtio_mmio and virtio_blk drive the device: bring-up
 * through the registers ({@link MmioDriver}), each request a chain of descriptors (header, data,
 * status) in guest memory, and completion awaited on the interrupt, never by sleeping. Numbers are
 * spelled out from the spec (virtio 1.2, 5.2), not taken from the device.
 */
final class BlockDriver extends MmioDriver {
    static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    static final long F_SEG_MAX = 1L << 2, F_RO = 1L << 5, F_BLK_SIZE = 1L << 6, F_FLUSH = 1L << 9;
    static final long LINUX_FEATURES = VERSION_1 | INDIRECT_DESC | EVENT_IDX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH;
    /** Where indirect tables go, one per request (0x100 bytes: 16 descriptors each), and where data buffers start. */
    static final long INDIRECT = 0x10000, DATA = 0x20000;

    /** One descriptor of a request: {@code length} bytes at {@code address}, device-writable or not. */
    record Segment(long address, long length, boolean writable) {
    }

    /** A request made: its head descriptor and its buffers in chain order (the status is the last writable byte). */
    record Request(int head, List<Segment> segments) {
        long writableLength() {
            return segments.stream().filter(Segment::writable).mapToLong(Segment::length).sum();
        }
    }

    private TestDriver ring;
    private int nextDescriptor;
    private int nextIndirect;
    private long nextData = DATA;
    private int published;

    BlockDriver(VirtioDevice device, GuestMemory memory) {
        super(device, memory);
    }

    /** Linux's bring-up with queue 0 of {@code size} at guest address 0; false when the device refused the features. */
    boolean bringUp(int size, long features) {
        if (!negotiate(features)) {
            return false;
        }
        memory.fill(GuestAddress.of(0), INDIRECT, (byte) 0); // fresh rings
        ring = TestDriver.at(memory, size, 0);
        setUpQueue(0, ring);
        driverOk();
        published = 0;
        free();
        return true;
    }

    /**
     * A request in the shape Linux builds: the 16-byte header, then {@code out} as one readable
     * buffer per element (T_OUT), then writable buffers of {@code in} bytes each (T_IN, T_GET_ID),
     * then a 1-byte status buffer; through an indirect table when {@code indirect}.
     */
    Request request(int type, long sector, byte[][] out, int[] in, boolean indirect) {
        List<Segment> segments = new ArrayList<>();
        segments.add(buffer(header(type, sector), false));
        for (byte[] data : out) {
            segments.add(buffer(data, false));
        }
        for (int length : in) {
            segments.add(buffer(new byte[length], true));
        }
        segments.add(buffer(new byte[] {(byte) 0xee}, true)); // not a status: the device must write it
        return chain(segments, indirect);
    }

    Request request(int type, long sector, byte[][] out, int... in) {
        return request(type, sector, out, in, false);
    }

    static byte[] header(int type, long sector) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, type).putLong(8, sector).array();
    }

    /** A buffer of guest memory holding {@code content}, for a request's segment. */
    Segment buffer(byte[] content, boolean writable) {
        if (!memory.contains(GuestAddress.of(nextData), content.length)) {
            throw new IllegalArgumentException("the requests in flight fill guest memory");
        }
        Segment s = new Segment(nextData, content.length, writable);
        memory.write(GuestAddress.of(nextData), content);
        nextData = (nextData + content.length + 15) & ~15L;
        return s;
    }

    /** Descriptors for {@code segments}, chained in the queue's table or in an indirect one, not yet available. */
    Request chain(List<Segment> segments, boolean indirect) {
        if (indirect && (segments.size() > 16 || nextIndirect == 256)) {
            throw new IllegalArgumentException("an indirect table holds 16 descriptors here, and there are 256 tables");
        }
        GuestAddress table = indirect ? GuestAddress.of(INDIRECT + 0x100L * nextIndirect++) : ring.desc;
        int first = indirect ? 0 : nextDescriptor;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            boolean last = i == segments.size() - 1;
            TestDriver.descriptor(memory, table, first + i, s.address(), s.length(),
                    (s.writable() ? TestDriver.WRITE : 0) | (last ? 0 : TestDriver.NEXT), last ? 0 : first + i + 1);
        }
        int head = nextDescriptor;
        if (indirect) {
            ring.descriptor(head, table.value(), 16L * segments.size(), TestDriver.INDIRECT, 0);
            nextDescriptor++;
        } else {
            nextDescriptor += segments.size();
        }
        return new Request(head, List.copyOf(segments));
    }

    /** Makes the requests available and notifies, asking for an interrupt once the last is used. */
    void submit(Request... requests) {
        publish(requests);
        write(QUEUE_NOTIFY, 0);
    }

    /** Makes the requests available, asking for an interrupt once the last is used, without notifying. */
    void publish(Request... requests) {
        published += requests.length;
        ring.setUsedEvent(published - 1); // as virtqueue_enable_cb_delayed would, for the whole batch
        for (Request r : requests) {
            ring.publish(r.head());
        }
    }

    /** Submits the requests and waits until the device used them all. */
    void complete(Request... requests) {
        submit(requests);
        awaitUsed();
    }

    /** Waits until every request submitted since the bring-up is used; the buffers may then be reused. */
    void awaitUsed() {
        await(() -> ring.usedIdx() == (published & 0xffff), "the device to use " + published + " requests");
        free();
    }

    @Override
    protected String progress() {
        return ", used index " + ring.usedIdx();
    }

    private void free() {
        nextDescriptor = 0;
        nextIndirect = 0;
        nextData = DATA;
    }

    /** The status byte the device wrote: the request's last writable byte. */
    int status(Request r) {
        Segment last = r.segments().getLast();
        return memory.read(GuestAddress.of(last.address() + last.length() - 1), 1)[0] & 0xff;
    }

    /** The writable bytes before the status. */
    byte[] in(Request r) {
        ByteBuffer all = ByteBuffer.allocate((int) r.writableLength());
        for (Segment s : r.segments()) {
            if (s.writable()) {
                all.put(memory.read(GuestAddress.of(s.address()), (int) s.length()));
            }
        }
        return java.util.Arrays.copyOf(all.array(), all.capacity() - 1);
    }

    /** The length the used ring gives for the request (the last used element with its head). */
    long usedLength(Request r) {
        for (int i = ring.usedIdx() - 1; i >= 0; i--) {
            long[] element = ring.usedElement(i);
            if (element[0] == r.head()) {
                return element[1];
            }
        }
        throw new AssertionError("request " + r.head() + " is not in the used ring");
    }

    int usedIdx() {
        return ring.usedIdx();
    }
}
