// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.virtio.MacAddress;
import dev.vmm.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutated {@code microvm} files fed to the reader: a SnapshotException sentence is the only
 * acceptable failure, and a file read encodes back to itself (drives, network interfaces and a
 * vsock device included), its drives' images where the format allows them (a writable drive's only the snapshot's own copy). Inputs starting with 'R' get a body
 * length and CRC32C that fit after the mutation, so that the parser behind the checksum is reached.
 */
@Tag("fuzz")
class MicroVmConfigFileFuzzTest {
    @Test
    void anyMicroVmFileIsReadOrRefusedWithOneSentence() {
        long[] counts = {0, 0}; // read, refused behind the checksum
        Fuzzer.Result result = Fuzzer.named("microvm-file").seeds(seeds()).inputs(20_000).maxLength(4 << 10).run(input -> {
            byte[] file = input;
            if (input.length > 1 && input[0] == 'R') {
                file = resealed(Arrays.copyOfRange(input, 1, input.length));
            }
            try {
                MicroVmConfigFile.Contents contents = MicroVmConfigFile.decode("fuzz", file);
                counts[0]++;
                List<MicroVmConfig.Drive> drives = contents.config().drives();
                for (int i = 0; i < drives.size(); i++) {
                    MicroVmConfig.Drive drive = drives.get(i);
                    assertTrue(drive.readOnly() ? drive.image().isAbsolute() : drive.image().equals(Path.of(MicroVmConfigFile.copyName(i))),
                            drive.toString());
                }
                assertArrayEquals(file, MicroVmConfigFile.encode(contents.config(), contents.images()), "one encoding per file");
            } catch (SnapshotException e) {
                String message = e.getMessage();
                assertTrue(message.startsWith("fuzz ") && message.endsWith(".") && message.lines().count() == 1, "one sentence: " + message);
                if (message.contains(" is corrupt: ") && !message.contains("CRC32C")) {
                    counts[1]++;
                }
            }
        });
        System.out.println("microvm-file: " + counts[0] + " of " + result.executed() + " inputs read, " + counts[1] + " refused behind the checksum");
        assertTrue(counts[0] >= 10 && counts[1] >= 500, "read " + counts[0] + ", refused behind the checksum " + counts[1]);
    }

    private static List<byte[]> seeds() {
        MicroVmConfig plain = new MicroVmConfig(Path.of("/images/vmlinux"), null, "console=ttyS0", 256L << 20, 2, null);
        MicroVmConfig drives = new MicroVmConfig(Path.of("/k"), Path.of("/i"), "", 4096, 1, null)
                .withDrive(new MicroVmConfig.Drive(Path.of("/images/root.img"), true))
                .withDrive(new MicroVmConfig.Drive(Path.of(MicroVmConfigFile.copyName(1)), false))
                .withNetworkInterface(new MicroVmConfig.NetworkInterface("vmmtap0", MacAddress.parse("02:00:00:00:00:01")))
                .withVsock(new MicroVmConfig.Vsock(3, Path.of("/run/vmm/v.sock")));
        byte[] one = MicroVmConfigFile.encode(plain, List.of());
        byte[] two = MicroVmConfigFile.encode(drives, List.of(new MicroVmConfigFile.ImageStamp(64 << 20, 1), new MicroVmConfigFile.ImageStamp(512, 2)));
        return List.of(one, two, prefixed(one), prefixed(two));
    }

    /** The file behind an 'R', so that the fuzzer's mutations of it are resealed. */
    private static byte[] prefixed(byte[] file) {
        byte[] input = new byte[file.length + 1];
        input[0] = 'R';
        System.arraycopy(file, 0, input, 1, file.length);
        return input;
    }

    /** {@code file} with the body length and CRC32C that fit its size, when it is long enough to have them. */
    private static byte[] resealed(byte[] file) {
        if (file.length >= MicroVmConfigFile.HEADER_SIZE + 4) {
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(16, file.length - MicroVmConfigFile.HEADER_SIZE - 4L);
            CRC32C crc = new CRC32C();
            crc.update(file, 0, file.length - 4);
            b.putInt(file.length - 4, (int) crc.getValue());
        }
        return file;
    }
}
