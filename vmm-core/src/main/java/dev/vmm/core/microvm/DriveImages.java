// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.snapshot.SnapshotProgress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The copies of writable drive images a MicroVm snapshot holds. */
final class DriveImages {
    private static final int CHUNK = 1 << 20;

    private DriveImages() {}

    /**
     * Copies {@code image} to {@code name} in {@code directory}, sparse (a megabyte of zeros is a
     * hole), under a temporary name and then renamed: the copy is there whole or not at all. An
     * image that already is that file (a clone saved over the snapshot it was restored from) stays
     * as it is.
     *
     * @param progress receives the copy's progress after each chunk, as drive {@code index}
     * @return the copy
     */
    static Path copy(Path image, Path directory, String name, SnapshotProgress progress, int index) throws IOException {
        Path copy = directory.resolve(name);
        if (Files.exists(copy) && Files.isSameFile(image, copy)) {
            return copy;
        }
        Path temporary = directory.resolve(name + ".tmp");
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel from = FileChannel.open(image, StandardOpenOption.READ);
             FileChannel to = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = from.size();
            for (long position = 0; position < size; position += CHUNK) {
                chunk.clear().limit((int) Math.min(CHUNK, size - position));
                while (chunk.hasRemaining()) {
                    if (from.read(chunk, position + chunk.position()) < 0) {
                        throw new IOException(image + " became shorter while it was copied");
                    }
                }
                if (!allZero(chunk.flip())) {
                    while (chunk.hasRemaining()) {
                        to.write(chunk, position + chunk.position());
                    }
                }
                progress.update(SnapshotProgress.Part.DRIVE, index, position + chunk.limit(), size);
            }
            to.truncate(size);
            if (to.size() < size) { // the image ends in a hole: give the copy its length
                to.write(ByteBuffer.allocate(1), size - 1);
            }
            to.force(true);
        }
        Files.move(temporary, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return copy;
    }

    private static boolean allZero(ByteBuffer chunk) {
        int i = chunk.position();
        for (; i + Long.BYTES <= chunk.limit(); i += Long.BYTES) {
            if (chunk.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < chunk.limit(); i++) {
            if (chunk.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
