// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.virtio.VirtioNet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The hostile guest "virtio-net-hostile" of {@link HostileGuests}: a driver of its virtio-net
 * interface ({@link VirtioScript}) that sends a valid frame, then frames the device must drop and
 * go on (a device-writable buffer, a chain shorter than the 12-byte header, a frame beyond 64 KiB),
 * a flood of 8192 frames, then rings that break the rules (a loop, buffers past the end of RAM or
 * wrapping at 2^64, an available index far ahead, a head past the queue, receive buffers with no
 * room for the header or none writable), each of which must leave the device DEVICE_NEEDS_RESET,
 * and last a valid frame again after the reset. It powers the VM off only if every round went so.
 */
final class HostileNetGuest {
    static final String NAME = "virtio-net-hostile";
    private static final int RX = VirtioNet.RX_QUEUE, TX = VirtioNet.TX_QUEUE;
    private static final long FRAME = VirtioScript.BUFFERS, BIG = VirtioScript.BUFFERS + 0x10000, RX_BUFFER = VirtioScript.BUFFERS + 0x40000;
    /** The 12-byte header (no offloads) and a 60-byte broadcast frame of the local experimental EtherType. */
    private static final int FRAME_BYTES = 12 + 60;

    private HostileNetGuest() {}

    static byte[] kernel() {
        VirtioScript driver = new VirtioScript(VirtioNet.DEVICE_TYPE, 2);
        driver.script().write(FRAME, frame());
        validFrame(driver);
        // Frames the device drops, and goes on.
        driver.bringUp().descriptor(TX, 0, FRAME, 12, VirtioScript.NEXT, 1).descriptor(TX, 1, FRAME + 12, 60, VirtioScript.WRITE, 0)
                .offer(TX, 1, 0).awaitUsed(TX, 1).expectHealthy();
        driver.bringUp().descriptor(TX, 0, FRAME, 8, 0, 0).offer(TX, 1, 0).awaitUsed(TX, 1).expectHealthy();
        driver.bringUp().descriptor(TX, 0, FRAME, 12, VirtioScript.NEXT, 1).descriptor(TX, 1, BIG, 0x10000, VirtioScript.NEXT, 2)
                .descriptor(TX, 2, BIG, 0x100, 0, 0).offer(TX, 1, 0).awaitUsed(TX, 1).expectHealthy();
        // A flood: the whole ring, 32 times over.
        driver.bringUp().descriptors(TX, VirtioScript.QUEUE_SIZE, i -> FRAME, FRAME_BYTES, 0).flood(TX, 32).expectHealthy();
        // Rings that break the rules.
        driver.bringUp().descriptor(TX, 0, FRAME, 12, VirtioScript.NEXT, 0).offer(TX, 1, 0).expectBroken(TX);
        driver.bringUp().descriptor(TX, 0, HostileGuests.MEMORY - 0x800, 0x1000, 0, 0).offer(TX, 1, 0).expectBroken(TX);
        driver.bringUp().descriptor(TX, 0, -0x800, 0x1000, 0, 0).offer(TX, 1, 0).expectBroken(TX);
        driver.bringUp().descriptor(TX, 0, FRAME, FRAME_BYTES, 0, 0).offer(TX, 0x8000, 0).expectBroken(TX);
        driver.bringUp().offer(TX, 1, 300).expectBroken(TX);
        driver.bringUp().descriptor(RX, 0, RX_BUFFER, 4, VirtioScript.WRITE, 0).offer(RX, 1, 0).expectBroken(RX);
        driver.bringUp().descriptor(RX, 0, RX_BUFFER, 2048, 0, 0).offer(RX, 1, 0).expectBroken(RX);
        validFrame(driver);
        return driver.kernel();
    }

    /** The whole transmit ring of valid frames sent round after round without end: a guest a snapshot catches mid-flood. */
    static byte[] floodingKernel() {
        VirtioScript driver = new VirtioScript(VirtioNet.DEVICE_TYPE, 2);
        driver.script().write(FRAME, frame());
        driver.bringUp().descriptors(TX, VirtioScript.QUEUE_SIZE, i -> FRAME, FRAME_BYTES, 0).flood(TX, Integer.MAX_VALUE);
        return driver.kernel();
    }

    private static void validFrame(VirtioScript driver) {
        driver.bringUp().descriptor(TX, 0, FRAME, FRAME_BYTES, 0, 0).offer(TX, 1, 0).awaitUsed(TX, 1).expectHealthy();
    }

    private static byte[] frame() {
        ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES);
        frame.position(12).put(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 0x13}).putShort((short) 0x88b5)
                .put(NAME.getBytes(StandardCharsets.US_ASCII));
        return frame.array();
    }
}
