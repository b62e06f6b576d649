// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Errno;
import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.libc.NativeAccess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * The bytes of a kernel image or an initrd. A file is checked when it is named (a regular,
 * non-empty file of at most {@link #MAX_SIZE} bytes), its headers are read when it is parsed, and
 * its contents go from the file straight into guest memory, in bounded chunks, when it is loaded:
 * never whole onto the Java heap, and never more bytes than the size that was checked. Bytes in
 * memory ({@link #of}) take the same paths, for tests and fuzzing.
 */
public final class BootImage {
    /** The largest file this VMM loads, far above any kernel or initrd. */
    public static final long MAX_SIZE = 1L << 30;

    private final String what;
    private final String kind;
    private final String name;
    private final Path path;
    private final byte[] bytes;
    private final long size;
    private final Object fileKey;
    private final FileTime modified;

    private BootImage(String what, String kind, String name, Path path, byte[] bytes, long size, Object fileKey, FileTime modified) {
        this.what = what;
        this.kind = kind;
        this.name = name;
        this.path = path;
        this.bytes = bytes;
        this.size = size;
        this.fileKey = fileKey;
        this.modified = modified;
    }

    /**
     * {@return the initrd at {@code path}, checked}
     *
     * @param path a regular, non-empty file of at most {@link #MAX_SIZE} bytes, normally a cpio archive
     * @throws BootException when the path is not such a file, saying what to give instead
     */
    public static BootImage initrd(Path path) {
        return file(path, "The initrd", "a cpio archive");
    }

    /**
     * {@return an image of bytes in memory, for tests and fuzzing}
     *
     * @param name what error messages call it
     * @param bytes the image, copied
     */
    public static BootImage of(String name, byte[] bytes) {
        return new BootImage("Image", "", name, null, bytes.clone(), bytes.length, null, null);
    }

    /**
     * The file at {@code path}, checked; {@code what} starts its error sentences ("Kernel image")
     * and {@code kind} says what to give instead ("a bzImage or an ELF vmlinux").
     */
    static BootImage file(Path path, String what, String kind) {
        BootImage unchecked = new BootImage(what, kind, path.toString(), path, null, 0, null, null);
        try (Opened file = unchecked.openRegular()) {
            long size = file.attributes.size();
            if (size == 0) {
                throw unchecked.refuse("is empty");
            }
            if (size > MAX_SIZE) {
                throw unchecked.refuse("is " + (size >> 20) + " MiB, more than the " + (MAX_SIZE >> 30) + " GiB this VMM loads");
            }
            return new BootImage(what, kind, path.toString(), path, null, size, file.attributes.fileKey(), file.attributes.lastModifiedTime());
        }
    }

    /** {@return the path, or the name given to {@link #of}} */
    public String name() {
        return name;
    }

    /** {@return the image's size in bytes, as checked} */
    public long size() {
        return size;
    }

    /** Opens the image for reading; a file must still be the one that was checked. */
    Reader open() {
        if (path == null) {
            return new Reader(null);
        }
        Opened file = openRegular();
        BasicFileAttributes now = file.attributes;
        if (now.size() != size || !Objects.equals(now.fileKey(), fileKey) || !now.lastModifiedTime().equals(modified)) {
            file.close();
            throw new BootException(what + " " + name + " changed since it was checked"
                    + (now.size() != size ? " (" + size + " bytes then, " + now.size() + " now)" : "") + ": leave it alone while the VM starts.");
        }
        return new Reader(file.channel);
    }

    /** An open file and the attributes of what was opened. */
    private record Opened(FileChannel channel, BasicFileAttributes attributes) implements AutoCloseable {
        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // only read from: nothing can be lost
        }
    }

    /**
     * Opens the file if it is a regular one. The path is looked at before it is opened, because
     * opening a FIFO for reading blocks until a writer comes and opening some devices acts on them;
     * the open is non-blocking and what it opened is looked at again, in case the path changed in
     * between, then reopened through /proc/self/fd as a channel: the very file that was looked at.
     */
    private Opened openRegular() {
        try {
            refuseUnlessRegular(Files.readAttributes(path, BasicFileAttributes.class));
            NativeAccess.require();
            int fd = Libc.open(path.toAbsolutePath().toString(), Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                int errno = Libc.errno();
                if (errno == Errno.ENOENT.value()) {
                    throw new NoSuchFileException(name);
                }
                throw new IOException(Errno.describe(errno));
            }
            try {
                Path opened = Path.of("/proc/self/fd/" + fd);
                BasicFileAttributes attributes = Files.readAttributes(opened, BasicFileAttributes.class);
                refuseUnlessRegular(attributes);
                return new Opened(FileChannel.open(opened, StandardOpenOption.READ), attributes);
            } catch (NoSuchFileException e) {
                throw new IOException("no " + e.getFile() + ": is /proc mounted?");
            } finally {
                Libc.close(fd);
            }
        } catch (NoSuchFileException e) {
            throw refuse("does not exist");
        } catch (IOException e) {
            throw new BootException(what + " " + name + " cannot be read (" + e.getMessage() + "): check the path and its permissions.");
        }
    }

    private void refuseUnlessRegular(BasicFileAttributes attributes) {
        if (!attributes.isRegularFile()) {
            throw refuse("is not a regular file but " + (attributes.isDirectory() ? "a directory" : "a device, FIFO or socket"));
        }
    }

    private BootException refuse(String why) {
        return new BootException(what + " " + name + " " + why + ": give the path of " + kind + ".");
    }

    private BootException endedEarly() {
        return new BootException(what + " " + name + " ended before the " + size
                + " bytes it had when it was checked: leave it alone while the VM starts, or give a regular file.");
    }

    /** Reads an open image; every read stays within the size that was checked. */
    final class Reader implements AutoCloseable {
        private final FileChannel channel;

        private Reader(FileChannel channel) {
            this.channel = channel;
        }

        /** {@code length} bytes from {@code offset}, which must lie within the image. */
        byte[] read(long offset, int length) {
            checkRange(offset, length);
            if (channel == null) {
                return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
            }
            ByteBuffer buffer = ByteBuffer.allocate(length);
            try {
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, offset + buffer.position()) <= 0) {
                        throw endedEarly();
                    }
                }
            } catch (IOException e) {
                throw cannotRead(e);
            }
            return buffer.array();
        }

        /** Copies {@code length} bytes from {@code offset} to guest memory at {@code address}. */
        void copyTo(GuestMemory memory, GuestAddress address, long offset, long length) {
            checkRange(offset, length);
            if (channel == null) {
                memory.write(address, ByteBuffer.wrap(bytes, (int) offset, (int) length));
                return;
            }
            try {
                if (memory.write(address, channel, offset, length) != length) {
                    throw endedEarly();
                }
            } catch (IOException e) {
                throw cannotRead(e);
            }
        }

        private void checkRange(long offset, long length) {
            if (offset < 0 || length < 0 || length > size - offset) {
                throw new IllegalArgumentException("Range " + offset + " + " + length + " is outside the image's " + size + " bytes.");
            }
        }

        private BootException cannotRead(IOException e) {
            return new BootException(what + " " + name + " cannot be read (" + e.getMessage() + "): check the file and its disk.");
        }

        @Override
        public void close() {
            if (channel != null) {
                closeQuietly(channel);
            }
        }
    }
}
