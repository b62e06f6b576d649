// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.boot;

/**
 * Something the caller gave cannot boot: a kernel image of the wrong format or truncated, an initrd
 * that does not fit, a disk image that is not whole sectors, a command line that is too long, too
 * little memory. The message is one sentence saying what is wrong and what to do; it is raised
 * before the VM starts.
 */
public final class BootException extends RuntimeException {
    /**
     * A failure to boot.
     *
     * @param message one sentence: what is wrong and what to do
     */
    public BootException(String message) {
        super(message);
    }
}
