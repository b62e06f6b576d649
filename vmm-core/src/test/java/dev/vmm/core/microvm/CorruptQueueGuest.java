// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.virtio.VirtioBlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.vmm.core.microvm.VirtioScript.INDIRECT;
import static dev.vmm.core.microvm.VirtioScript.NEXT;
import static dev.vmm.core.microvm.VirtioScript.WRITE;

/**
 * The hostile guest "virtio-blk-corrupt-queue" of {@link HostileGuests}: a driver of the first
 * drive's virtio-blk device ({@link VirtioScript}). Its first round is a valid read of sector 0,
 * which must complete with the image's bytes; each other round's queue breaks a rule (a loop,
 * buffers past the end of RAM or wrapping at 2^64, an available index far ahead, a head or a next
 * past the queue, an indirect table the driver did not negotiate, a descriptor table outside
 * memory), and must leave the device DEVICE_NEEDS_RESET, still broken after a flood of
 * notifications. It powers the VM off only if every round went so.
 *
 * <p>The corrupt chains are writes of sector 0 to a read-write image: had the device served one,
 * the image would hold zeros where it holds {@link #PATTERN}.
 */
final class CorruptQueueGuest {
    static final String NAME = "virtio-blk-corrupt-queue";
    /** What the image holds, over and over; the valid round reads it back. */
    static final byte[] PATTERN = "VMM-DISK".getBytes(StandardCharsets.US_ASCII);
    static final int IMAGE_BYTES = 1 << 20;

    private static final long HEADER_IN = VirtioScript.BUFFERS, HEADER_OUT = HEADER_IN + 0x10, DATA_IN = HEADER_IN + 0x1000,
            STATUS = HEADER_IN + 0x2000, DATA_OUT = HEADER_IN + 0x3000;
    private static final int T_OUT = 1;

    private CorruptQueueGuest() {}

    static byte[] kernel() {
        VirtioScript driver = new VirtioScript(VirtioBlock.DEVICE_TYPE, 1);
        ByteBuffer pattern = ByteBuffer.wrap(PATTERN).order(ByteOrder.LITTLE_ENDIAN);
        // Valid: a read of sector 0 (the header at HEADER_IN is zeros: T_IN) into DATA_IN, and its status.
        driver.script().store32(HEADER_OUT, T_OUT).store32(STATUS, 0xff);
        driver.bringUp().descriptor(0, 0, HEADER_IN, 16, NEXT, 1).descriptor(0, 1, DATA_IN, 512, WRITE | NEXT, 2)
                .descriptor(0, 2, STATUS, 1, WRITE, 0).offer(0, 1, 0).awaitUsed(0, 1).expectHealthy();
        driver.script().check32(VirtioScript.used(0) + 4, -1, 0).check32(VirtioScript.used(0) + 8, -1, 513) // chain 0, 512 bytes and the status
                .check32(STATUS, 0xff, 0).check32(DATA_IN, -1, pattern.getInt(0)).check32(DATA_IN + 4, -1, pattern.getInt(4));
        // A chain that loops: descriptor 0 continues at descriptor 0.
        driver.bringUp().descriptor(0, 0, HEADER_OUT, 16, NEXT, 0).offer(0, 1, 0).expectBroken(0);
        // The status buffer runs past the end of RAM, or wraps at 2^64.
        for (long status : new long[] {HostileGuests.MEMORY - 0x800, -0x800}) {
            writeOfSector0(driver.bringUp(), 1).descriptor(0, 2, status, 0x1000, WRITE, 0).offer(0, 1, 0).expectBroken(0);
        }
        // The available index 0x8000 ahead; the ring naming descriptor 300 of 256; descriptor 0 continuing at 300.
        writeOfSector0(driver.bringUp(), 1).offer(0, 0x8000, 0).expectBroken(0);
        writeOfSector0(driver.bringUp(), 1).offer(0, 1, 300).expectBroken(0);
        writeOfSector0(driver.bringUp(), 300).offer(0, 1, 0).expectBroken(0);
        // Descriptor 0 an indirect table (over descriptors 1 to 3), a feature the driver did not accept.
        driver.bringUp().descriptor(0, 0, VirtioScript.descriptors(0) + 16, 48, INDIRECT, 0).offer(0, 1, 0).expectBroken(0);
        // The descriptor table outside guest memory: refused at DRIVER_OK, before any notification.
        driver.bringUp(-0x1000).expectBroken(0);
        return driver.kernel();
    }

    /** A valid write of sector 0 (zeros over the pattern) in descriptors 0 to 2, the header's next being {@code headerNext}. */
    private static VirtioScript writeOfSector0(VirtioScript driver, int headerNext) {
        return driver.descriptor(0, 0, HEADER_OUT, 16, NEXT, headerNext).descriptor(0, 1, DATA_OUT, 512, NEXT, 2)
                .descriptor(0, 2, STATUS, 1, WRITE, 0);
    }

    /** A raw image of {@link #IMAGE_BYTES} filled with {@link #PATTERN}, in {@code dir}. */
    static Path image(Path dir) throws IOException {
        return Files.write(dir.resolve(NAME + ".img"), expectedImage());
    }

    /** Whether the image holds what {@link #image} wrote, byte for byte. */
    static boolean imageUnchanged(Path image) throws IOException {
        return Arrays.equals(expectedImage(), Files.readAllBytes(image));
    }

    private static byte[] expectedImage() {
        byte[] bytes = new byte[IMAGE_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = PATTERN[i % PATTERN.length];
        }
        return bytes;
    }
}
