// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

/**
 * The driver broke a virtqueue rule: a ring outside guest memory, a descriptor loop, an available
 * index that jumped ahead, and so on. The message is one sentence saying which rule. The device
 * cannot go on with the queue; its transport sets DEVICE_NEEDS_RESET and waits for the driver to
 * reset it. Checked, so that no device forgets it: it is the guest's doing, never the VMM's.
 */
public final class VirtqueueException extends Exception {
    /**
     * A broken rule.
     *
     * @param message one sentence saying which rule the driver broke
     */
    public VirtqueueException(String message) {
        super(message);
    }
}
