// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.Errno;
import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.libc.NativeAccess;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A virtio block device (virtio 1.2, section 5.2) on a raw image file: one request queue of up
 * to {@value #QUEUE_SIZE} entries, served on a thread of the device's own.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=virtio-block}
 * }
 *
 * <p><b>The image</b> is checked when it is opened, each problem one sentence ({@link BootException}):
 * a regular file (a device, FIFO or socket is refused before it is opened) whose size is a
 * non-zero multiple of the 512-byte sector. A read-only device opens it O_RDONLY and offers
 * VIRTIO_BLK_F_RO. It is not locked: another process may hold it too. {@link #close()} releases it.
 *
 * <p><b>Requests.</b> The chain's readable bytes start with the 16-byte header (type, reserved,
 * sector), and its last writable byte is the status; the data is the rest of the readable bytes
 * (VIRTIO_BLK_T_OUT) or the writable bytes before the status (T_IN, T_GET_ID). Every value the
 * driver chose is checked, and only a request that passes touches the file: a header shorter than
 * 16 bytes, a data length that is not whole sectors, sectors beyond the capacity (unsigned, so
 * nothing wraps), a write to a read-only device, or a failed host read or write is
 * VIRTIO_BLK_S_IOERR; an unknown type is VIRTIO_BLK_S_UNSUPP. A chain with no writable byte has
 * nowhere for the status: it is malformed, and the device reports it as a broken rule (the
 * transport sets DEVICE_NEEDS_RESET), as QEMU's virtio_error does. Returning it with 0 bytes would
 * look like success to Linux, which never writes the status byte before a request and ignores
 * the used length. A chain goes back with the data bytes the device wrote plus the status byte.
 * Data moves between the file and guest memory directly ({@link GuestMemory#write(GuestAddress,
 * FileChannel, long, long)}, {@link GuestMemory#read(GuestAddress, long, FileChannel, long)}), in
 * pieces of at most 1 MiB: no request makes the VMM allocate in proportion to its lengths.
 *
 * <p><b>Durability.</b> A completed T_OUT means its positional write to the file returned (the
 * bytes are in the host's page cache). A completed T_FLUSH means {@code FileChannel.force(true)}
 * (fsync) returned: an acknowledged flush is on disk, with every write acknowledged before it. A
 * driver that did not accept VIRTIO_BLK_F_FLUSH expects a disk without a write cache (Linux then
 * never flushes), so each of its writes is forced before it completes.
 *
 * <p><b>Threads.</b> The transport calls the device under its lock, on a vCPU thread or an
 * ioeventfd's: {@link #activate} starts the worker (a platform thread, "vmm-virtio-blk"),
 * {@link #queueNotified} only wakes it, and {@link #reset()} and {@link #close()} stop it and wait
 * until it has left the queue and guest memory, at most the 1 MiB piece of I/O or the flush in
 * progress. The worker does all the disk I/O and ring work, under no lock: it never takes the
 * transport's lock or the device's, and reaches the transport only through the lock-free used
 * buffer {@link Interrupt} (raised when {@link Virtqueue#needsNotification()} says so) and
 * {@link VirtioDevice.Faults}, which also hears of the worker's own failure (a bug, an
 * {@link Error}): the device then serves nothing more. It is never interrupted (an interrupt would close the channel).
 */
public final class VirtioBlock implements VirtioDevice, AutoCloseable {
    /** The virtio device ID of a block device. */
    public static final int DEVICE_TYPE = 2;
    /** The sector: the unit of capacity and of every request's position and length. */
    public static final int SECTOR = 512;
    /** The request queue's maximum size. */
    public static final int QUEUE_SIZE = 256;
    /** Data buffers per request, offered as seg_max: a chain holds at most queue-size descriptors, the header and status among them. */
    public static final int SEG_MAX = QUEUE_SIZE - 2;
    /** Bytes of the device ID that T_GET_ID returns. */
    public static final int ID_BYTES = 20;
    /** Feature bits: seg_max is valid, the device is read-only, blk_size is valid, T_FLUSH is supported. */
    public static final long F_SEG_MAX = 1L << 2, F_RO = 1L << 5, F_BLK_SIZE = 1L << 6, F_FLUSH = 1L << 9;

    private static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    private static final byte S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    private static final int HEADER = 16;
    private static final long PIECE = 1 << 20; // the most I/O between two looks at a reset
    // virtio_blk_config up to blk_size: capacity (u64), size_max, seg_max, geometry, blk_size (u32 each).
    private static final int CONFIG_SIZE = 24;

    private final FileChannel file;
    private final boolean readOnly;
    private final long capacity;
    private final byte[] id;
    private final byte[] config;
    private final CurrentWorker<Worker> worker = new CurrentWorker<>();

    private VirtioBlock(FileChannel file, boolean readOnly, long capacity, byte[] id) {
        this.file = file;
        this.readOnly = readOnly;
        this.capacity = capacity;
        this.id = Arrays.copyOf(id, ID_BYTES);
        ByteBuffer c = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(0, capacity).putInt(12, SEG_MAX).putInt(20, SECTOR);
        this.config = c.array();
    }

    /**
     * The image at {@code image}, checked and opened; its ID is its file name, cut to 20 bytes.
     *
     * @param image a raw disk image: a regular file of whole 512-byte sectors
     * @param readOnly whether the guest may only read it (O_RDONLY, VIRTIO_BLK_F_RO)
     * @return the device, to close when done
     * @throws BootException when the image is missing, not a regular file, empty, not whole sectors or cannot be opened
     */
    public static VirtioBlock open(Path image, boolean readOnly) {
        Path name = image.getFileName();
        byte[] id = (name == null ? "" : name.toString()).getBytes(StandardCharsets.UTF_8);
        return open(image, readOnly, Arrays.copyOf(id, Math.min(id.length, ID_BYTES)));
    }

    /**
     * The image at {@code image}, checked and opened, read-only (O_RDONLY, VIRTIO_BLK_F_RO) or
     * read-write, with {@code id} as the ID the driver reads (Linux shows it in /sys/block/vdX/serial).
     *
     * @param image a raw disk image: a regular file of whole 512-byte sectors
     * @param readOnly whether the guest may only read it
     * @param id the device ID, at most 20 bytes of UTF-8
     * @return the device, to close when done
     * @throws BootException when the image is missing, not a regular file, empty, not whole sectors or cannot be opened
     * @throws IllegalArgumentException when {@code id} is more than 20 bytes of UTF-8
     */
    public static VirtioBlock open(Path image, boolean readOnly, String id) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        if (idBytes.length > ID_BYTES) {
            throw new IllegalArgumentException("A virtio-blk ID holds at most 20 bytes, not the " + idBytes.length + " of \"" + id + "\".");
        }
        return open(image, readOnly, idBytes);
    }

    private static VirtioBlock open(Path image, boolean readOnly, byte[] id) {
        String what = "Disk image " + image;
        try {
            refuseUnlessRegular(what, Files.readAttributes(image, BasicFileAttributes.class));
            NativeAccess.require();
            // As BootImage: looked at before it is opened, opened non-blocking, and what was opened looked at again.
            int fd = Libc.open(image.toAbsolutePath().toString(), (readOnly ? Libc.O_RDONLY : Libc.O_RDWR)
                    | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                int errno = Libc.errno();
                if (errno == Errno.ENOENT.value()) {
                    throw new NoSuchFileException(image.toString());
                }
                throw new BootException(what + " cannot be opened " + (readOnly ? "" : "for writing ") + "(" + Errno.describe(errno) + "): "
                        + (readOnly ? "check its permissions." : "check its permissions, or attach it read-only."));
            }
            try {
                Path opened = Path.of("/proc/self/fd/" + fd);
                BasicFileAttributes attributes = Files.readAttributes(opened, BasicFileAttributes.class);
                refuseUnlessRegular(what, attributes);
                long size = attributes.size();
                if (size == 0) {
                    throw new BootException(what + " is empty: give a raw disk image of at least one 512-byte sector.");
                }
                if (size % SECTOR != 0) {
                    throw new BootException(what + " is " + size + " bytes, not a multiple of the 512-byte sector: give a raw disk image of whole sectors.");
                }
                FileChannel channel = readOnly ? FileChannel.open(opened, StandardOpenOption.READ)
                        : FileChannel.open(opened, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return new VirtioBlock(channel, readOnly, size / SECTOR, id);
            } finally {
                Libc.close(fd);
            }
        } catch (NoSuchFileException e) {
            throw new BootException(what + " does not exist: give the path of a raw disk image.");
        } catch (IOException e) {
            throw new BootException(what + " cannot be opened (" + e.getMessage() + "): check the path and its permissions.");
        }
    }

    private static void refuseUnlessRegular(String what, BasicFileAttributes attributes) {
        if (!attributes.isRegularFile()) {
            throw new BootException(what + " is not a regular file but " + (attributes.isDirectory() ? "a directory" : "a device, FIFO or socket")
                    + ": give the path of a raw disk image.");
        }
    }

    /** {@return the capacity in 512-byte sectors} */
    public long capacity() {
        return capacity;
    }

    /** {@return whether the device is read-only} */
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long features() {
        return F_SEG_MAX | F_BLK_SIZE | F_FLUSH | (readOnly ? F_RO : 0);
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {QUEUE_SIZE};
    }

    @Override
    public int configSize() {
        return CONFIG_SIZE;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        System.arraycopy(config, offset, data, 0, data.length);
    }

    /** Ignored: nothing the device offers is writable. */
    @Override
    public void writeConfig(int offset, byte[] data) {
    }

    /** Starts the worker on the request queue; a closed device starts none, and its requests are never served. */
    @Override
    public synchronized void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupt usedBuffers, Faults faults) {
        worker.start(faults, () -> new Worker(memory, queues.getFirst(), usedBuffers, faults, (features & F_FLUSH) == 0));
    }

    /** Wakes the worker; no I/O here. */
    @Override
    public synchronized void queueNotified(int queue) {
        worker.wake();
    }

    /** Lets the worker complete the request in hand, then stops it and waits for it. */
    @Override
    public synchronized void pause() {
        worker.pause();
    }

    /** Starts a worker again on the same queue, which looks at it at once. */
    @Override
    public synchronized void resume() {
        worker.resume();
    }

    /** Stops the worker and waits for it: it no longer touches the queue or guest memory when this returns. */
    @Override
    public synchronized void reset() {
        worker.stop();
    }

    /** Stops the worker as {@link #reset()} does and closes the image; the device serves nothing more. */
    @Override
    public synchronized void close() {
        if (!worker.close()) {
            return;
        }
        try {
            file.close();
        } catch (IOException e) {
            // every acknowledged write was already done, and every acknowledged flush forced
        }
    }

    /** The current worker thread, for tests. */
    Thread workerThread() {
        return worker.thread();
    }

    /** One activation's thread: serves the queue whenever notified, until stopped. */
    private final class Worker extends VirtioWorker {
        private final GuestMemory memory;
        private final Virtqueue queue;
        private final Interrupt usedBuffers;
        private final Faults faults;
        private final boolean writeThrough;
        private final byte[] header = new byte[HEADER];
        private final byte[] status = new byte[1];
        private boolean notified; // guarded by this

        Worker(GuestMemory memory, Virtqueue queue, Interrupt usedBuffers, Faults faults, boolean writeThrough) {
            super("vmm-virtio-blk");
            this.memory = memory;
            this.queue = queue;
            this.usedBuffers = usedBuffers;
            this.faults = faults;
            this.writeThrough = writeThrough;
        }

        @Override
        protected synchronized void wake() {
            notified = true;
            notifyAll();
        }

        @Override
        public void run() {
            try {
                while (awaitNotification()) {
                    serve();
                }
            } catch (VirtqueueException e) {
                faults.needsReset(e); // and serve nothing more: the transport waits for a reset
            } catch (Throwable t) { // never a silent death that leaves the driver waiting
                faults.failed(t);
            }
        }

        private synchronized boolean awaitNotification() {
            while (!notified && !stopped()) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    // nobody interrupts the worker; stop() is the way to end it
                }
            }
            notified = false;
            return !stopped();
        }

        /** Serves every available chain, each returned and notified as soon as it is done. */
        private void serve() throws VirtqueueException {
            while (!stopped()) {
                Optional<DescriptorChain> next = queue.pop();
                if (next.isEmpty()) {
                    return;
                }
                DescriptorChain chain = next.get();
                if (chain.writableLength() == 0) {
                    throw new VirtqueueException("Chain " + chain.head() + " has no device-writable byte for the virtio-blk status.");
                }
                long written = execute(chain);
                if (written < 0) {
                    return; // abandoned midway: the ring is going away
                }
                chain.write(chain.writableLength() - 1, status);
                // The used length is 32 bits but addUsed takes an int: 2 GiB or more is reported as less (a driver may get more than len).
                queue.addUsed(chain, (int) Math.min(written + 1, Integer.MAX_VALUE));
                if (queue.needsNotification()) {
                    usedBuffers.trigger();
                }
            }
        }

        /** Carries out one request: sets {@link #status}, returns the data bytes written to the guest, or -1 when abandoned midway. */
        private long execute(DescriptorChain chain) {
            if (chain.read(0, header) < HEADER) {
                return done(S_IOERR, 0);
            }
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN); // a copy: the driver may change the header meanwhile
            int type = h.getInt(0);
            long sector = h.getLong(8);
            long in = chain.writableLength() - 1;         // T_IN, T_GET_ID: the writable bytes before the status
            long out = chain.readableLength() - HEADER;   // T_OUT: the readable bytes after the header
            try {
                return switch (type) {
                    case T_IN -> !inCapacity(sector, in) ? done(S_IOERR, 0)
                            : transfer(chain.writable(), 0, in, sector * SECTOR, true) ? done(S_OK, in) : -1;
                    case T_OUT -> readOnly || !inCapacity(sector, out) ? done(S_IOERR, 0)
                            : !transfer(chain.readable(), HEADER, out, sector * SECTOR, false) ? -1 : force(writeThrough);
                    case T_FLUSH -> force(true);
                    case T_GET_ID -> {
                        int length = (int) Math.min(ID_BYTES, in);
                        chain.write(0, length == ID_BYTES ? id : Arrays.copyOf(id, length));
                        yield done(S_OK, length);
                    }
                    default -> done(S_UNSUPP, 0);
                };
            } catch (IOException e) {
                return done(S_IOERR, 0); // the host's error is the guest's I/O error, nothing more
            }
        }

        private long force(boolean force) throws IOException {
            if (force) {
                file.force(true);
            }
            return done(S_OK, 0);
        }

        private long done(byte result, long written) {
            status[0] = result;
            return written;
        }

        /** Whether {@code length} bytes from {@code sector} are whole sectors inside the image; the sector is unsigned. */
        private boolean inCapacity(long sector, long length) {
            return length % SECTOR == 0 && Long.compareUnsigned(sector, capacity) <= 0 && length / SECTOR <= capacity - sector;
        }

        /**
         * Moves {@code length} bytes between the file at {@code position} and the run of
         * {@code buffers} from {@code skip}, a piece of at most 1 MiB at a time.
         *
         * @return false when the worker was abandoned midway
         * @throws IOException when the host's read or write fails, or the file ended early
         */
        private boolean transfer(List<DescriptorChain.Buffer> buffers, long skip, long length, long position, boolean toGuest) throws IOException {
            for (DescriptorChain.Buffer b : buffers) {
                if (length == 0) {
                    break;
                }
                if (skip >= b.length()) {
                    skip -= b.length();
                    continue;
                }
                long n = Math.min(b.length() - skip, length);
                for (long done = 0; done < n; ) {
                    if (abandoned()) {
                        return false;
                    }
                    long piece = Math.min(PIECE, n - done);
                    GuestAddress at = b.address().plus(skip + done);
                    if (toGuest) {
                        if (memory.write(at, file, position, piece) != piece) {
                            throw new EOFException("the image is shorter than when it was opened");
                        }
                    } else {
                        memory.read(at, piece, file, position);
                    }
                    done += piece;
                    position += piece;
                }
                length -= n;
                skip = 0;
            }
            return true;
        }
    }
}
