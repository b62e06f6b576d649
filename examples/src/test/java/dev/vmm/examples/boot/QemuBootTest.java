// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QEMU's command line for --compare qemu, built without starting QEMU. */
class QemuBootTest {
    @Test
    void eachDiskIsAVirtioBlkDeviceInOrderWithItsAccessMode() {
        BootOptions o = BootOptions.parse("--kernel", "/k", "--initrd", "/i", "--rootfs", "/images/root.ext4", "--rootfs-ro",
                "--disk", "/images/scratch.img", "--disk-ro", "/images/data.img", "--compare", "qemu");
        List<String> cmd = QemuBoot.command(o);
        assertEquals(List.of("-drive", "file=/images/root.ext4,format=raw,if=none,id=disk0,readonly=on",
                "-device", "virtio-blk-device,drive=disk0",
                "-drive", "file=/images/scratch.img,format=raw,if=none,id=disk1,readonly=off",
                "-device", "virtio-blk-device,drive=disk1",
                "-drive", "file=/images/data.img,format=raw,if=none,id=disk2,readonly=on",
                "-device", "virtio-blk-device,drive=disk2"), cmd.subList(cmd.indexOf("-drive"), cmd.size()));
        assertTrue(cmd.get(cmd.indexOf("-append") + 1).endsWith(" root=/dev/vda ro"), "the same command line as ours: " + cmd);
        assertEquals("/i", cmd.get(cmd.indexOf("-initrd") + 1));
        assertEquals("virtio-mmio.force-legacy=false", cmd.get(cmd.indexOf("-global") + 1), "virtio 1.x transports, as ours");
    }

    @Test
    void commasInADiskPathAreDoubledAndRelativePathsMadeAbsolute() {
        BootOptions o = BootOptions.parse("--kernel", "/boot/a,b", "--disk", "/data/a,b,,c.img", "--disk", "rel:x.img");
        List<String> cmd = QemuBoot.command(o);
        assertEquals("file=/data/a,,b,,,,c.img,format=raw,if=none,id=disk0,readonly=off", cmd.get(cmd.indexOf("-drive") + 1));
        assertEquals("file=" + Path.of("rel:x.img").toAbsolutePath() + ",format=raw,if=none,id=disk1,readonly=off",
                cmd.get(cmd.lastIndexOf("-drive") + 1), "no name QEMU could take for a protocol");
        assertEquals("/boot/a,b", cmd.get(cmd.indexOf("-kernel") + 1), "-kernel takes its value as it is");
    }

    @Test
    void withoutDisksThereIsNoDrive() {
        List<String> cmd = QemuBoot.command(BootOptions.parse("--kernel", "/k"));
        assertFalse(cmd.contains("-drive"));
        assertFalse(cmd.contains("-initrd"));
        assertEquals(0, Collections.frequency(cmd, "-device") - 1, "only the i8042: " + cmd);
    }
}
