// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.snapshot.SnapshotException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The {@value #NAME} file of a {@link MicroVm} snapshot, format version 1 (the package
 * documentation lays it out): what of the {@link MicroVmConfig} a restore needs beside the VM's
 * state. Reading checks the magic, version, length and CRC32C before it parses, and every length
 * against its bound and what is left before it allocates.
 */
final class MicroVmConfigFile {
    static final String NAME = "microvm";
    static final byte[] MAGIC = "VMMMICRO".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_SIZE = 24; // magic, version, reserved, body length
    static final int MAX_TEXT = 1 << 20; // a path or a command line: far above any real one
    static final int MAX_VCPUS = 4096;
    private static final int FIXED_BODY = 12; // memory size, vCPU count
    static final int MAX_SIZE = HEADER_SIZE + FIXED_BODY + 3 * (4 + MAX_TEXT) + 4;

    private MicroVmConfigFile() {}

    /** Writes the file into {@code directory}, under a temporary name and then renamed: it is there whole or not at all. */
    static void write(Path directory, MicroVmConfig config) {
        try {
            Path temporary = directory.resolve(NAME + ".tmp");
            Files.write(temporary, encode(config));
            Files.move(temporary, directory.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SnapshotException("Cannot write the MicroVm's configuration into " + directory + " (" + e + ").", e);
        }
    }

    /** Reads the file in {@code directory}: the configuration to restore with (pre-fault NONE, no virtio devices). */
    static MicroVmConfig read(Path directory) {
        Path path = directory.resolve(NAME);
        try {
            long size = Files.size(path);
            if (size > MAX_SIZE) {
                throw new SnapshotException(path + " is " + size + " bytes, more than any MicroVm configuration file (at most " + MAX_SIZE
                        + "): it is not one.");
            }
            return decode(path.toString(), Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new SnapshotException(directory + " holds no MicroVm snapshot (no '" + NAME + "' file): give a directory MicroVm.snapshot"
                    + " wrote, or restore a VmSnapshot.save directory with VmSnapshot.restore.", e);
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + path + " (" + e + ").", e);
        }
    }

    static byte[] encode(MicroVmConfig config) {
        byte[] kernel = utf8(config.kernel().toString());
        byte[] initrd = config.initrd() == null ? new byte[0] : utf8(config.initrd().toString());
        byte[] commandLine = utf8(config.commandLine());
        int bodyLength = FIXED_BODY + 3 * 4 + kernel.length + initrd.length + commandLine.length;
        ByteBuffer file = ByteBuffer.allocate(HEADER_SIZE + bodyLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.put(MAGIC).putInt(VERSION).putInt(0).putLong(bodyLength);
        file.putLong(config.memoryBytes()).putInt(config.cpus());
        for (byte[] text : new byte[][] {kernel, initrd, commandLine}) {
            file.putInt(text.length).put(text);
        }
        file.putInt(crc(file.array(), file.position()));
        return file.array();
    }

    /** Decodes a whole file; {@code name} says which in the messages, each one sentence. */
    static MicroVmConfig decode(String name, byte[] file) {
        if (file.length < MAGIC.length || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotException(name + " is not a MicroVm snapshot's configuration: it does not start with \"VMMMICRO\".");
        }
        if (file.length < HEADER_SIZE + 4) {
            throw new SnapshotException(name + " is truncated: it ends before its header and checksum.");
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new SnapshotException(name + " is MicroVm configuration format version " + Integer.toUnsignedString(version)
                    + ", and this library reads only version " + VERSION + ": restore it with the library that wrote it.");
        }
        long bodyLength = b.getLong(16);
        if (bodyLength < 0 || bodyLength != file.length - HEADER_SIZE - 4) {
            throw new SnapshotException(name + " is truncated or corrupt: its header promises a body of " + Long.toUnsignedString(bodyLength)
                    + " bytes, but the file holds " + (file.length - HEADER_SIZE - 4) + ".");
        }
        if (b.getInt(file.length - 4) != crc(file, file.length - 4)) {
            throw new SnapshotException(name + " is corrupt: its CRC32C checksum does not match its content.");
        }
        if (b.getInt(12) != 0) {
            throw new SnapshotException(name + " is corrupt: its reserved header field is not 0.");
        }
        ByteBuffer body = b.slice(HEADER_SIZE, (int) bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        if (body.remaining() < FIXED_BODY) {
            throw corrupt(name, "it ends inside its memory size and vCPU count");
        }
        long memoryBytes = body.getLong();
        int cpus = body.getInt();
        if (memoryBytes <= 0 || memoryBytes % 4096 != 0) {
            throw corrupt(name, "its memory size " + Long.toUnsignedString(memoryBytes) + " is not a positive multiple of 4 KiB");
        }
        if (cpus < 1 || cpus > MAX_VCPUS) {
            throw corrupt(name, "it has " + Integer.toUnsignedString(cpus) + " vCPUs, not 1 to " + MAX_VCPUS);
        }
        String kernel = text(name, body, "kernel path");
        String initrd = text(name, body, "initrd path");
        String commandLine = text(name, body, "command line");
        if (body.hasRemaining()) {
            throw corrupt(name, "it has " + body.remaining() + " bytes after its command line");
        }
        if (kernel.isEmpty()) {
            throw corrupt(name, "its kernel path is empty");
        }
        try {
            return new MicroVmConfig(Path.of(kernel), initrd.isEmpty() ? null : Path.of(initrd), commandLine, memoryBytes, cpus,
                    PreFaultPolicy.NONE);
        } catch (InvalidPathException e) {
            throw corrupt(name, "its kernel or initrd path is not a path on this system");
        }
    }

    /** A length-prefixed UTF-8 string, its length checked against the bound and what is left. */
    private static String text(String name, ByteBuffer body, String what) {
        if (body.remaining() < 4) {
            throw corrupt(name, "it ends where its " + what + " should start");
        }
        int length = body.getInt();
        if (length < 0 || length > MAX_TEXT || length > body.remaining()) {
            throw corrupt(name, "its " + what + " of " + Integer.toUnsignedString(length) + " bytes does not fit the file");
        }
        ByteBuffer bytes = body.slice(body.position(), length);
        body.position(body.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(name, "its " + what + " is not UTF-8");
        }
    }

    private static byte[] utf8(String text) {
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(text));
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            if (array.length > MAX_TEXT) {
                throw new SnapshotException("A path or command line of " + array.length + " bytes is more than a MicroVm snapshot holds ("
                        + MAX_TEXT + ").");
            }
            return array;
        } catch (CharacterCodingException e) {
            throw new SnapshotException("The path or command line \"" + text + "\" is not valid Unicode, which a MicroVm snapshot stores as UTF-8.");
        }
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static SnapshotException corrupt(String name, String what) {
        return new SnapshotException(name + " is corrupt: " + what + ".");
    }
}
