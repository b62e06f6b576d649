// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

/**
 * A device's interrupt line, handed to the device when it is built: the device pulls it, and
 * knows nothing of the VM behind it. {@link IrqFdInterrupt} is the usual one; tests record.
 */
@FunctionalInterface
public interface Interrupt {
    /** Raises an edge on the line. Must not block: it is called on a vCPU thread. */
    void trigger();
}
