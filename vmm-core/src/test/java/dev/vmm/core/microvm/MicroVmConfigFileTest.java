// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.virtio.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The microvm file of a MicroVm snapshot: written and read back, and every damaged one refused in one sentence. */
class MicroVmConfigFileTest {
    private static final MicroVmConfig CONFIG = new MicroVmConfig(Path.of("/images/vmlinux"), Path.of("/images/initrd.cpio"),
            "console=ttyS0 acpi=off", 256L << 20, 2, null);

    /** The network interface and vsock counts (both 0) and the checksum, after the drives. */
    private static final int TAIL = 4 + 4 + 4;
    private static final MicroVmConfig.NetworkInterface NIC = new MicroVmConfig.NetworkInterface("vmmtap7", MacAddress.parse("02:00:00:00:00:07"));
    private static final MicroVmConfig.Vsock VSOCK = new MicroVmConfig.Vsock(0xffff_fffeL, Path.of("/run/vmm/v.sock"));

    @TempDir
    Path dir;

    @Test
    void aConfigurationComesBackAsWritten() {
        assertEquals(CONFIG, decode(MicroVmConfigFile.encode(CONFIG, List.of())));
        MicroVmConfig noInitrd = new MicroVmConfig(Path.of("k"), null, "", 4096, 1, null);
        assertEquals(noInitrd, decode(MicroVmConfigFile.encode(noInitrd, List.of())));
        MicroVmConfigFile.write(dir, CONFIG, List.of());
        assertEquals(CONFIG, MicroVmConfigFile.read(dir));
    }

    /**
     * A read-only drive is found where it was, a copied one in the snapshot directory, wherever
     * that is now; an image that changed since, or is gone, is one sentence.
     */
    @Test
    void drivesAreFoundAndCheckedAgainstWhatTheSnapshotLeft() throws IOException {
        Path shared = Files.write(dir.resolve("root.img"), new byte[4096]);
        Path snapshot = Files.createDirectories(dir.resolve("snapshot"));
        Path copy = Files.write(snapshot.resolve(MicroVmConfigFile.copyName(1)), new byte[1024]);
        MicroVmConfig config = CONFIG.withDrive(new MicroVmConfig.Drive(shared, true)).withDrive(new MicroVmConfig.Drive(Path.of("drive-1"), false));
        MicroVmConfigFile.write(snapshot, config, List.of(MicroVmConfigFile.ImageStamp.of(shared), MicroVmConfigFile.ImageStamp.of(copy)));
        Path moved = Files.move(snapshot, dir.resolve("moved"));
        assertEquals(List.of(new MicroVmConfig.Drive(shared, true), new MicroVmConfig.Drive(moved.resolve("drive-1"), false)),
                MicroVmConfigFile.read(moved).drives());

        Files.write(moved.resolve("drive-1"), new byte[1536]);
        SnapshotException written = assertThrows(SnapshotException.class, () -> MicroVmConfigFile.read(moved));
        assertTrue(written.getMessage().startsWith("Drive 1's image " + moved.resolve("drive-1") + " changed since the snapshot (1536 bytes")
                && written.getMessage().endsWith("restore such a snapshot once, or a copy of its directory each time."), written.getMessage());
        Files.delete(shared);
        SnapshotException gone = assertThrows(SnapshotException.class, () -> MicroVmConfigFile.read(moved));
        assertTrue(gone.getMessage().equals("Drive 0's image " + shared + " cannot be read (it does not exist): the snapshot needs it where it was."),
                gone.getMessage());
    }

    @Test
    void aDrivePathOutsideTheSnapshotIsRefused() {
        MicroVmConfig config = CONFIG.withDrive(new MicroVmConfig.Drive(Path.of("drive-0"), false));
        byte[] good = MicroVmConfigFile.encode(config, List.of(new MicroVmConfigFile.ImageStamp(512, 1)));
        for (String elsewhere : List.of("../etc1", "/etc/pw")) {
            byte[] file = new String(good, StandardCharsets.ISO_8859_1).replace("drive-0", elsewhere).getBytes(StandardCharsets.ISO_8859_1);
            assertRefused(reseal(file), "drive 0's image \"" + elsewhere + "\" is not drive-0, the snapshot's copy, as a writable drive's is");
        }
        byte[] relative = changed(good, b -> b.put(good.length - TAIL - 7 - 4 - 20, (byte) 1), true); // read-only, and still "drive-0"
        assertRefused(relative, "drive 0's image \"drive-0\" is not an absolute path, as a read-only drive's is");
        assertRefused(changed(good, b -> b.putLong(good.length - TAIL - 7 - 4 - 16, 513), true),
                "drive 0 has flags 0x0 and an image of 513 bytes, not a known flag and whole sectors");
        assertRefused(changed(good, b -> b.putInt(good.length - TAIL - 7 - 4 - 20 - 4, 9), true), "its drive count is 9, not 0 to 8");
        assertThrows(IllegalArgumentException.class, () -> MicroVmConfigFile.encode(CONFIG.withDrive(new MicroVmConfig.Drive(Path.of("x"), true)),
                List.of(new MicroVmConfigFile.ImageStamp(512, 1))));
    }

    private static MicroVmConfig decode(byte[] file) {
        return MicroVmConfigFile.decode("microvm", file).config();
    }

    private static byte[] reseal(byte[] file) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, crc(file, file.length - 4));
        return file;
    }

    @Test
    void theLayoutIsTheDocumentedOne() {
        byte[] file = MicroVmConfigFile.encode(CONFIG, List.of());
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("VMMMICRO", new String(file, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(3, b.getInt(8), "version");
        assertEquals(0, b.getInt(12), "reserved");
        assertEquals(file.length - 28, b.getLong(16), "body length");
        assertEquals(256L << 20, b.getLong(24), "memory size");
        assertEquals(2, b.getInt(32), "vCPUs");
        assertEquals("/images/vmlinux".length(), b.getInt(36), "kernel path length");
        assertEquals(0, b.getInt(file.length - 16), "no drives");
        assertEquals(0, b.getInt(file.length - 12), "no network interfaces");
        assertEquals(0, b.getInt(file.length - 8), "no vsock device");
        assertEquals(crc(file, file.length - 4), b.getInt(file.length - 4), "CRC32C of all before it");
    }

    @Test
    void eachDamageIsOneSentence() {
        byte[] good = MicroVmConfigFile.encode(CONFIG, List.of());
        assertRefused(Arrays.copyOf(good, 5), "does not start with \"VMMMICRO\"");
        assertRefused(MicroVmConfigFile.MAGIC, "is truncated: it ends before its header");
        assertRefused(Arrays.copyOf(good, good.length - 1), "its header promises a body of");
        assertRefused(Arrays.copyOf(good, good.length + 1), "its header promises a body of");
        assertRefused(changed(good, b -> b.putInt(8, 1), false), "is MicroVm configuration format version 1, and this library reads only version 3");
        assertRefused(changed(good, b -> b.put(40, (byte) 'X'), false), "its CRC32C checksum does not match");
        assertRefused(changed(good, b -> b.putInt(12, 1), true), "its reserved header field is not 0");
        assertRefused(changed(good, b -> b.putLong(24, 4095), true), "its memory size 4095 is not a positive multiple of 4 KiB");
        assertRefused(changed(good, b -> b.putLong(24, -4096), true), "is not a positive multiple of 4 KiB");
        assertRefused(changed(good, b -> b.putInt(32, 0), true), "it has 0 vCPUs, not 1 to 4096");
        assertRefused(changed(good, b -> b.putInt(32, 4097), true), "it has 4097 vCPUs");
        assertRefused(changed(good, b -> b.putInt(36, -1), true), "its kernel path of 4294967295 bytes does not fit the file");
        assertRefused(changed(good, b -> b.putInt(36, 1000), true), "its kernel path of 1000 bytes does not fit the file");
        assertRefused(changed(good, b -> b.put(40, (byte) 0xff), true), "its kernel path is not UTF-8");
        assertRefused(changed(good, b -> b.putInt(36, 0), true), "its initrd path of"); // the kernel path's bytes read as the next length
        byte[] longer = Arrays.copyOf(good, good.length + 1); // a byte after the drives, the header and checksum made to fit
        ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putLong(16, longer.length - 28).putInt(longer.length - 4, crc(longer, longer.length - 4));
        assertRefused(longer, "it has 1 bytes after its devices");
        MicroVmConfig noKernel = new MicroVmConfig(Path.of(""), null, "", 4096, 1, null);
        assertRefused(MicroVmConfigFile.encode(noKernel, List.of()), "its kernel path is empty");
    }

    /** A network interface: tap name, MAC address, 2 reserved bytes; the vsock device: guest CID, socket path. */
    @Test
    void networkInterfacesAndTheVsockDeviceHaveTheDocumentedLayout() {
        MicroVmConfig config = CONFIG.withNetworkInterface(NIC).withVsock(VSOCK);
        byte[] file = MicroVmConfigFile.encode(config, List.of());
        assertEquals(config, decode(file));
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int socket = "/run/vmm/v.sock".length();
        int vsock = file.length - 4 - socket - 4 - 8 - 4; // the vsock count, before the CID, the path and the checksum
        int nic = vsock - 8 - 7 - 4 - 4; // the interface count, before the tap name's length and bytes, the MAC and reserved
        assertEquals(0, b.getInt(nic - 4), "no drives");
        assertEquals(1, b.getInt(nic), "one network interface");
        assertEquals("vmmtap7", new String(file, nic + 8, 7, StandardCharsets.US_ASCII));
        assertArrayEquals(NIC.mac().bytes(), Arrays.copyOfRange(file, nic + 15, nic + 21));
        assertEquals(0, b.getShort(nic + 21), "reserved");
        assertEquals(1, b.getInt(vsock), "a vsock device");
        assertEquals(0xffff_fffeL, b.getLong(vsock + 4), "guest CID");
        assertEquals("/run/vmm/v.sock", new String(file, vsock + 16, socket, StandardCharsets.US_ASCII));

        assertRefused(changed(file, f -> f.put(nic + 15, (byte) 3), true), "network interface 0 is not one a MicroVm takes (The MAC address"
                + " 03:00:00:00:00:07 is a multicast address");
        assertRefused(changed(file, f -> f.putShort(nic + 21, (short) 1), true), "network interface 0's reserved bytes are not 0");
        assertRefused(changed(file, f -> f.putInt(nic, 9), true), "its network interface count is 9, not 0 to 8");
        assertRefused(changed(file, f -> f.putInt(vsock, 2), true), "its vsock count is 2, not 0 to 1");
        assertRefused(changed(file, f -> f.putLong(vsock + 4, 2), true), "its vsock device has guest CID 2 and socket \"/run/vmm/v.sock\"");
        assertThrows(IllegalArgumentException.class, () -> MicroVmConfigFile.encode(CONFIG.withNetworkInterface(
                new MicroVmConfig.NetworkInterface("tap0", null)), List.of()), "the device's MAC address is saved, never none");
        MicroVmConfig eight = CONFIG;
        for (int i = 0; i < MicroVmConfig.MAX_VIRTIO_DEVICES; i++) {
            eight = eight.withNetworkInterface(NIC);
        }
        byte[] full = MicroVmConfigFile.encode(eight, List.of());
        assertRefused(changed(full, f -> f.putInt(full.length - 8, 1), true), "its vsock count is 1, not 0 to 0");
    }

    @Test
    void everyTruncationAndEveryFlippedBitIsRefused() {
        byte[] good = MicroVmConfigFile.encode(CONFIG.withDrive(new MicroVmConfig.Drive(Path.of("/images/root.img"), true))
                        .withNetworkInterface(NIC).withVsock(VSOCK), List.of(new MicroVmConfigFile.ImageStamp(512, 1)));
        for (int length = 0; length < good.length; length++) {
            assertThrowsOneSentence(Arrays.copyOf(good, length));
        }
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] flipped = good.clone();
            flipped[bit / 8] ^= (byte) (1 << bit % 8);
            assertThrowsOneSentence(flipped);
        }
    }

    @Test
    void aDirectoryWithoutTheFileSaysWhatItIs() {
        SnapshotException e = assertThrows(SnapshotException.class, () -> MicroVmConfigFile.read(dir));
        assertEquals(dir + " holds no MicroVm snapshot (no 'microvm' file): give a directory MicroVm.snapshot wrote,"
                + " or restore a VmSnapshot.save directory with VmSnapshot.restore.", e.getMessage());
    }

    private static void assertRefused(byte[] file, String expected) {
        SnapshotException e = assertThrowsOneSentence(file);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static SnapshotException assertThrowsOneSentence(byte[] file) {
        SnapshotException e = assertThrows(SnapshotException.class, () -> MicroVmConfigFile.decode("microvm", file));
        assertTrue(e.getMessage().startsWith("microvm ") && e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1,
                "one sentence: " + e.getMessage());
        return e;
    }

    /** A copy of {@code file} changed by {@code change}, its checksum made to fit again when {@code reseal}. */
    private static byte[] changed(byte[] file, Consumer<ByteBuffer> change, boolean reseal) {
        byte[] copy = file.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        if (reseal) {
            b.putInt(copy.length - 4, crc(copy, copy.length - 4));
        }
        assertTrue(!Arrays.equals(copy, file));
        return copy;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    @Test
    void theRoundTripIsExact() {
        MicroVmConfig config = CONFIG.withDrive(new MicroVmConfig.Drive(Path.of("/images/root.img"), true)).withNetworkInterface(NIC).withVsock(VSOCK);
        List<MicroVmConfigFile.ImageStamp> images = List.of(new MicroVmConfigFile.ImageStamp(64 << 20, 1_700_000_000_123_456_789L));
        byte[] file = MicroVmConfigFile.encode(config, images);
        MicroVmConfigFile.Contents contents = MicroVmConfigFile.decode("microvm", file);
        assertEquals(images, contents.images());
        assertArrayEquals(file, MicroVmConfigFile.encode(contents.config(), contents.images()));
    }
}
