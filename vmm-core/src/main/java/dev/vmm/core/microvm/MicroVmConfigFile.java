// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.boot.BootException;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.virtio.MacAddress;
import dev.vmm.core.virtio.vsock.VirtioVsock;

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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The {@value #NAME} file of a {@link MicroVm} snapshot, format version 3 (the package
 * documentation lays it out): what of the {@link MicroVmConfig} a restore needs beside the VM's
 * state, with its drives and what each image was at the snapshot, its network interfaces (tap
 * and MAC address) and its vsock device. Reading checks the magic,
 * version, length and CRC32C before it parses, and every length against its bound and what is
 * left before it allocates.
 */
final class MicroVmConfigFile {
    /**
     * A drive's image as the snapshot left it: a restore refuses an image that changed since, as
     * the guest's page cache, in the saved memory, would no longer match the disk.
     *
     * @param size its size in bytes
     * @param modified its last modification time, in nanoseconds since the epoch
     */
    record ImageStamp(long size, long modified) {
        static ImageStamp of(Path image) throws IOException {
            BasicFileAttributes a = Files.readAttributes(image, BasicFileAttributes.class);
            return new ImageStamp(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        }
    }

    /**
     * What a file holds.
     *
     * @param config the configuration, with pre-fault NONE, each network interface's MAC address
     *     given; a drive copied into the snapshot has the bare file name {@link #copyName(int)} as its image
     * @param images each drive's stamp, in order
     */
    record Contents(MicroVmConfig config, List<ImageStamp> images) {}

    static final String NAME = "microvm";
    static final byte[] MAGIC = "VMMMICRO".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 3;
    static final int HEADER_SIZE = 24; // magic, version, reserved, body length
    static final int MAX_TEXT = 1 << 20; // a path or a command line: far above any real one
    static final int MAX_VCPUS = 4096;
    private static final int FIXED_BODY = 12; // memory size, vCPU count
    private static final int DRIVE_FIXED = 20; // flags, size, modification time
    private static final int READ_ONLY = 1;
    private static final int NIC_FIXED = 8; // MAC address, 2 reserved bytes
    private static final int VSOCK_FIXED = 8; // guest CID
    private static final int MAX_TAP = 15;
    static final int MAX_SIZE = HEADER_SIZE + FIXED_BODY + (3 + MicroVmConfig.MAX_VIRTIO_DEVICES) * (4 + MAX_TEXT) + 4
            + MicroVmConfig.MAX_VIRTIO_DEVICES * Math.max(DRIVE_FIXED, NIC_FIXED + 4 + MAX_TAP) + 4 + 4 + VSOCK_FIXED + 4;

    private MicroVmConfigFile() {}

    /** {@return the file name of drive {@code index}'s image when the snapshot holds a copy of it} */
    static String copyName(int index) {
        return "drive-" + index;
    }

    /**
     * Writes the file into {@code directory}, under a temporary name and then renamed: it is there
     * whole or not at all. A writable drive's image is the copy in {@code directory}, named
     * {@link #copyName}; a read-only drive's is where it was, an absolute path.
     */
    static void write(Path directory, MicroVmConfig config, List<ImageStamp> images) {
        try {
            Path temporary = directory.resolve(NAME + ".tmp");
            Files.write(temporary, encode(config, images));
            Files.move(temporary, directory.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SnapshotException("Cannot write the MicroVm's configuration into " + directory + " (" + e + ").", e);
        }
    }

    /**
     * Reads the file in {@code directory}: the configuration to restore with (pre-fault NONE), each
     * drive's image where it is now (a copy in the snapshot is found in {@code directory}), and
     * checked to be as the snapshot left it.
     */
    static MicroVmConfig read(Path directory) {
        Path path = directory.resolve(NAME);
        Contents contents;
        try {
            long size = Files.size(path);
            if (size > MAX_SIZE) {
                throw new SnapshotException(path + " is " + size + " bytes, more than any MicroVm configuration file (at most " + MAX_SIZE
                        + "): it is not one.");
            }
            contents = decode(path.toString(), Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new SnapshotException(directory + " holds no MicroVm snapshot (no '" + NAME + "' file): give a directory MicroVm.snapshot"
                    + " wrote, or restore a VmSnapshot.save directory with VmSnapshot.restore.", e);
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + path + " (" + e + ").", e);
        }
        MicroVmConfig config = contents.config();
        List<MicroVmConfig.Drive> drives = new ArrayList<>();
        for (int i = 0; i < config.drives().size(); i++) {
            MicroVmConfig.Drive drive = config.drives().get(i);
            Path image = drive.readOnly() ? drive.image() : directory.resolve(drive.image());
            ImageStamp now;
            try {
                now = ImageStamp.of(image);
            } catch (IOException e) {
                throw new SnapshotException("Drive " + i + "'s image " + image + " cannot be read ("
                        + (e instanceof NoSuchFileException ? "it does not exist" : e.getMessage()) + "): the snapshot needs it"
                        + (drive.readOnly() ? " where it was." : "; restore a whole snapshot directory."), e);
            }
            if (!now.equals(contents.images().get(i))) {
                throw new SnapshotException("Drive " + i + "'s image " + image + " changed since the snapshot (" + now.size() + " bytes, modified "
                        + java.time.Instant.EPOCH.plusNanos(now.modified()) + "), so the guest's saved page cache would not match it"
                        + (drive.readOnly() ? ": restore with the image as it was." : ": a restore writes to the snapshot's copy,"
                        + " so restore such a snapshot once, or a copy of its directory each time."));
            }
            drives.add(new MicroVmConfig.Drive(image, drive.readOnly()));
        }
        return new MicroVmConfig(config.kernel(), config.initrd(), config.commandLine(), config.memoryBytes(), config.cpus(), PreFaultPolicy.NONE,
                drives, config.networkInterfaces(), config.vsock());
    }

    static byte[] encode(MicroVmConfig config, List<ImageStamp> images) {
        byte[] kernel = utf8(config.kernel().toString());
        byte[] initrd = config.initrd() == null ? new byte[0] : utf8(config.initrd().toString());
        byte[] commandLine = utf8(config.commandLine());
        List<byte[]> drivePaths = new ArrayList<>();
        int bodyLength = FIXED_BODY + 3 * 4 + kernel.length + initrd.length + commandLine.length + 4;
        for (int i = 0; i < config.drives().size(); i++) {
            MicroVmConfig.Drive drive = config.drives().get(i);
            if (drive.readOnly() ? !drive.image().isAbsolute() : !drive.image().toString().equals(copyName(i))) {
                throw new IllegalArgumentException("Drive " + i + "'s image is " + drive.image() + ": a read-only drive's is an absolute path, a"
                        + " writable drive's " + copyName(i) + ", the copy.");
            }
            drivePaths.add(utf8(drive.image().toString()));
            bodyLength += DRIVE_FIXED + 4 + drivePaths.getLast().length;
        }
        List<byte[]> taps = new ArrayList<>();
        for (MicroVmConfig.NetworkInterface nic : config.networkInterfaces()) {
            if (nic.mac() == null) {
                throw new IllegalArgumentException("Network interface on tap " + nic.tap() + " has no MAC address: give the device's own.");
            }
            taps.add(utf8(nic.tap()));
            bodyLength += 4 + taps.getLast().length + NIC_FIXED;
        }
        byte[] socket = config.vsock() == null ? null : utf8(config.vsock().socket().toString());
        bodyLength += 4 + 4 + (socket == null ? 0 : VSOCK_FIXED + 4 + socket.length);
        ByteBuffer file = ByteBuffer.allocate(HEADER_SIZE + bodyLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.put(MAGIC).putInt(VERSION).putInt(0).putLong(bodyLength);
        file.putLong(config.memoryBytes()).putInt(config.cpus());
        for (byte[] text : new byte[][] {kernel, initrd, commandLine}) {
            file.putInt(text.length).put(text);
        }
        file.putInt(config.drives().size());
        for (int i = 0; i < config.drives().size(); i++) {
            ImageStamp stamp = images.get(i);
            file.putInt(config.drives().get(i).readOnly() ? READ_ONLY : 0).putLong(stamp.size()).putLong(stamp.modified());
            file.putInt(drivePaths.get(i).length).put(drivePaths.get(i));
        }
        file.putInt(taps.size());
        for (int i = 0; i < taps.size(); i++) {
            file.putInt(taps.get(i).length).put(taps.get(i)).put(config.networkInterfaces().get(i).mac().bytes()).putShort((short) 0);
        }
        file.putInt(socket == null ? 0 : 1);
        if (socket != null) {
            file.putLong(config.vsock().guestCid()).putInt(socket.length).put(socket);
        }
        file.putInt(crc(file.array(), file.position()));
        return file.array();
    }

    /** Decodes a whole file; {@code name} says which in the messages, each one sentence. */
    static Contents decode(String name, byte[] file) {
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
        int driveCount = count(name, body, "drive count", MicroVmConfig.MAX_VIRTIO_DEVICES);
        List<MicroVmConfig.Drive> drives = new ArrayList<>();
        List<ImageStamp> images = new ArrayList<>();
        for (int i = 0; i < driveCount; i++) {
            if (body.remaining() < DRIVE_FIXED) {
                throw corrupt(name, "it ends inside drive " + i);
            }
            int flags = body.getInt();
            long size = body.getLong();
            long modified = body.getLong();
            if ((flags & ~READ_ONLY) != 0 || size <= 0 || size % 512 != 0) {
                throw corrupt(name, "drive " + i + " has flags 0x" + Integer.toHexString(flags) + " and an image of " + Long.toUnsignedString(size)
                        + " bytes, not a known flag and whole sectors");
            }
            String image = text(name, body, "drive " + i + " image path");
            Path path = path(name, image, "drive " + i + " image");
            boolean readOnly = (flags & READ_ONLY) != 0;
            if (readOnly ? !path.isAbsolute() : !image.equals(copyName(i))) {
                throw corrupt(name, "drive " + i + "'s image \"" + image + "\" is not " + (readOnly ? "an absolute path, as a read-only drive's is"
                        : copyName(i) + ", the snapshot's copy, as a writable drive's is"));
            }
            drives.add(new MicroVmConfig.Drive(path, readOnly));
            images.add(new ImageStamp(size, modified));
        }
        int nicCount = count(name, body, "network interface count", MicroVmConfig.MAX_VIRTIO_DEVICES - driveCount);
        List<MicroVmConfig.NetworkInterface> nics = new ArrayList<>();
        for (int i = 0; i < nicCount; i++) {
            String tap = text(name, body, "network interface " + i + " tap name");
            if (body.remaining() < NIC_FIXED) {
                throw corrupt(name, "it ends inside network interface " + i);
            }
            byte[] mac = new byte[MacAddress.LENGTH];
            body.get(mac);
            if (body.getShort() != 0) {
                throw corrupt(name, "network interface " + i + "'s reserved bytes are not 0");
            }
            try {
                nics.add(new MicroVmConfig.NetworkInterface(tap, MacAddress.of(mac)));
            } catch (BootException e) {
                throw corrupt(name, "network interface " + i + " is not one a MicroVm takes (" + e.getMessage().replaceFirst("\\.$", "") + ")");
            }
        }
        MicroVmConfig.Vsock vsock = null;
        if (count(name, body, "vsock count", Math.min(1, MicroVmConfig.MAX_VIRTIO_DEVICES - driveCount - nicCount)) == 1) {
            if (body.remaining() < VSOCK_FIXED) {
                throw corrupt(name, "it ends inside its vsock device");
            }
            long cid = body.getLong();
            String socket = text(name, body, "vsock socket path");
            if (cid < VirtioVsock.MIN_GUEST_CID || cid > VirtioVsock.MAX_GUEST_CID || socket.isEmpty()) {
                throw corrupt(name, "its vsock device has guest CID " + Long.toUnsignedString(cid) + " and socket \"" + socket
                        + "\", not a CID from 3 to 4294967294 and a path");
            }
            vsock = new MicroVmConfig.Vsock(cid, path(name, socket, "vsock socket"));
        }
        if (body.hasRemaining()) {
            throw corrupt(name, "it has " + body.remaining() + " bytes after its devices");
        }
        if (kernel.isEmpty()) {
            throw corrupt(name, "its kernel path is empty");
        }
        return new Contents(new MicroVmConfig(path(name, kernel, "kernel"), initrd.isEmpty() ? null : path(name, initrd, "initrd"), commandLine,
                memoryBytes, cpus, PreFaultPolicy.NONE, drives, nics, vsock), images);
    }

    /** A count of devices, 0 to {@code max}. */
    private static int count(String name, ByteBuffer body, String what, int max) {
        if (body.remaining() < 4) {
            throw corrupt(name, "it ends where its " + what + " should be");
        }
        int count = body.getInt();
        if (count < 0 || count > max) {
            throw corrupt(name, "its " + what + " is " + Integer.toUnsignedString(count) + ", not 0 to " + max);
        }
        return count;
    }

    private static Path path(String name, String path, String what) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw corrupt(name, "its " + what + " path is not a path on this system");
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
