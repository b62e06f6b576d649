// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The stock kernels and test initramfs that {@code ./vmm test} prepares (scripts/boot-assets.sh) and
 * hands over in VMM_BOOT_KERNEL, VMM_BOOT_INITRD, VMM_BOOT_VMLINUX (the 6.12 kernel's uncompressed
 * ELF) and VMM_BOOT_CLOUD_KERNEL (Debian's 6.1 cloud kernel: a second stock bzImage, built without
 * /dev/port, MP-table parsing and most drivers). Missing ones fail the test under CI=true and skip
 * it elsewhere.
 */
final class BootImages {
    private BootImages() {}

    static Path kernel() {
        return image("VMM_BOOT_KERNEL");
    }

    static Path initrd() {
        return image("VMM_BOOT_INITRD");
    }

    /** The ext4 root file system image (busybox, scripts/rootfs-init.sh as /sbin/init); shared: boot a copy to write it. */
    static Path rootfs() {
        return image("VMM_BOOT_ROOTFS");
    }

    /** The initramfs that loads virtio_mmio, virtio_blk and ext4 and switches to root=. */
    static Path rootfsInitrd() {
        return image("VMM_BOOT_ROOTFS_INITRD");
    }

    static Path vmlinux() {
        return image("VMM_BOOT_VMLINUX");
    }

    static Path cloudKernel() {
        return image("VMM_BOOT_CLOUD_KERNEL");
    }

    private static Path image(String variable) {
        String value = System.getenv(variable);
        if (value != null && Files.isReadable(Path.of(value))) {
            return Path.of(value);
        }
        String message = variable + (value == null ? " is not set" : " names " + value + ", which cannot be read")
                + ": run the boot tests through ./vmm test, which prepares the kernel and initramfs.";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        throw new TestAbortedException(message);
    }
}
