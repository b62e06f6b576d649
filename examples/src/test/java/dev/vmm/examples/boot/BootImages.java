package dev.vmm.examples.boot;

import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The stock kernel and test initramfs that {@code ./vmm test} prepares (scripts/boot-assets.sh) and
 * hands over in VMM_BOOT_KERNEL, VMM_BOOT_INITRD and VMM_BOOT_VMLINUX. Missing ones fail the test
 * under CI=true and skip it elsewhere.
 */
final class BootImages {
    private BootImages() {}

    static Path kernel() {
        return image("VMM_BOOT_KERNEL");
    }

    static Path initrd() {
        return image("VMM_BOOT_INITRD");
    }

    static Path vmlinux() {
        return image("VMM_BOOT_VMLINUX");
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
