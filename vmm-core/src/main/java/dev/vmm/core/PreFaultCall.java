// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;


/**
 * The outcome of one {@code KVM_PRE_FAULT_MEMORY} call: where the unmapped rest of the range starts
 * and how long it is (the kernel writes both back, on success and on error), and the errno when the
 * call failed. A call that mapped at least one page succeeds even if it stopped early.
 *
 * @param next the first guest physical address the call left unmapped
 * @param remaining the bytes left unmapped from {@code next} on
 * @param errno 0 on success, otherwise the errno
 */
public record PreFaultCall(GuestAddress next, long remaining, int errno) {

    /** {@return whether the call succeeded (errno 0)} */
    public boolean succeeded() {
        return errno == 0;
    }

    /**
     * {@return whether the call failed with {@code expected}}
     *
     * @param expected the errno to compare with
     */
    public boolean failedWith(Errno expected) {
        return errno == expected.value();
    }

    @Override
    public String toString() {
        return "PreFaultCall[next=" + next + ", remaining=0x" + Long.toHexString(remaining)
                + (errno == 0 ? "" : ", " + Errno.nameOf(errno)) + "]";
    }
}
