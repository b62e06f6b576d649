// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The frame every file of this package shares: a 24-byte header (8-byte magic, u32 version, u32
 * reserved 0, u64 body length), the body, and a CRC32C of header and body. Reading checks them in
 * that order, each failure one sentence, before the body is looked at.
 *
 * @param kind what the file is, for messages ("VM snapshot state file")
 * @param magic the first 8 bytes
 * @param version the only format version read and written
 * @param maxSize the largest file of this kind, checked before it is read
 */
record FramedFile(String kind, String magic, int version, long maxSize) {
    static final int HEADER_SIZE = 24;
    static final int TRAILER_SIZE = 4;

    /** {@return the whole file around {@code body}} */
    byte[] frame(byte[] body) {
        ByteBuffer file = ByteBuffer.allocate(HEADER_SIZE + body.length + TRAILER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        file.put(magicBytes()).putInt(version).putInt(0).putLong(body.length).put(body);
        file.putInt(crc(file.array(), HEADER_SIZE + body.length));
        return file.array();
    }

    /** Reads the file at {@code path}, at most {@link #maxSize} bytes; {@code missing} says what to do when it is not there. */
    byte[] read(Path path, String missing) {
        try {
            long size = Files.size(path);
            if (size > maxSize) {
                throw new SnapshotException(path + " is " + size + " bytes, more than any " + kind + " (at most " + maxSize + "): it is not one.");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(path + " does not exist: " + missing, e);
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + path + " (" + e.getMessage() + ").", e);
        }
    }

    /** Checks the frame of a whole file; {@code name} says which in the messages. {@return the body, little-endian} */
    ByteBuffer body(String name, byte[] file) {
        if (file.length > maxSize) {
            throw new SnapshotException(name + " is " + file.length + " bytes, more than any " + kind + " (at most " + maxSize + "): it is not one.");
        }
        byte[] magicBytes = magicBytes();
        if (file.length < magicBytes.length || !Arrays.equals(file, 0, magicBytes.length, magicBytes, 0, magicBytes.length)) {
            throw new SnapshotException(name + " is not a " + kind + ": it does not start with \"" + magic.replace("\0", "") + "\".");
        }
        if (file.length < HEADER_SIZE) {
            throw new SnapshotException(name + " is truncated: it ends inside its " + HEADER_SIZE + "-byte header.");
        }
        ByteBuffer header = ByteBuffer.wrap(file, 0, HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int found = header.getInt(8);
        if (found != version) {
            throw new SnapshotException(name + " is " + kind + " format version " + Integer.toUnsignedString(found)
                    + ", and this library reads only version " + version + ": restore it with the library that wrote it.");
        }
        long bodyLength = header.getLong(16);
        long expected = HEADER_SIZE + bodyLength + TRAILER_SIZE;
        if (bodyLength < 0 || expected > file.length) {
            throw new SnapshotException(name + " is truncated: its header promises " + (bodyLength < 0 ? "more than 2^63" : expected)
                    + " bytes, but it has " + file.length + ".");
        }
        if (expected < file.length) {
            throw new SnapshotException(name + " is corrupt: it has " + (file.length - expected) + " bytes after its checksum.");
        }
        int stored = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt((int) (expected - TRAILER_SIZE));
        if (stored != crc(file, (int) (expected - TRAILER_SIZE))) {
            throw new SnapshotException(name + " is corrupt: its CRC32C checksum does not match its content.");
        }
        if (header.getInt(12) != 0) {
            throw new SnapshotException(name + " is corrupt: its reserved header field is not 0.");
        }
        return ByteBuffer.wrap(file, HEADER_SIZE, (int) bodyLength).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private byte[] magicBytes() {
        return magic.getBytes(StandardCharsets.US_ASCII);
    }

    static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
