// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

/**
 * One extended control register ({@code struct kvm_xcr}), as {@link Vcpu#xcrs()} reads them and
 * {@link Vcpu#setXcrs} writes them. x86 has one, XCR0: the state components XSAVE manages.
 *
 * @param index the register number, 0 for XCR0
 * @param value the register's value; XCR0 always has bit 0 (x87) set
 */
public record Xcr(int index, long value) {
    /** The number of XCR0, the XSAVE feature mask. */
    public static final int XCR0 = 0;
}
