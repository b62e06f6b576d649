// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

/**
 * A vCPU's debug registers ({@code struct kvm_debugregs}), as {@link Vcpu#debugRegisters()} reads
 * them and {@link Vcpu#setDebugRegisters} writes them.
 *
 * @param dr0 breakpoint address 0
 * @param dr1 breakpoint address 1
 * @param dr2 breakpoint address 2
 * @param dr3 breakpoint address 3
 * @param dr6 the debug status register; KVM refuses bits above 31
 * @param dr7 the debug control register (bit 10 always set); KVM refuses bits above 31
 */
public record DebugRegisters(long dr0, long dr1, long dr2, long dr3, long dr6, long dr7) {
    /**
     * {@return these registers with breakpoint address {@code index} replaced}
     *
     * @param index 0 to 3, for DR0 to DR3
     * @param address the new breakpoint address
     * @throws IndexOutOfBoundsException when {@code index} is not 0 to 3
     */
    public DebugRegisters withBreakpoint(int index, long address) {
        return switch (index) {
            case 0 -> new DebugRegisters(address, dr1, dr2, dr3, dr6, dr7);
            case 1 -> new DebugRegisters(dr0, address, dr2, dr3, dr6, dr7);
            case 2 -> new DebugRegisters(dr0, dr1, address, dr3, dr6, dr7);
            case 3 -> new DebugRegisters(dr0, dr1, dr2, address, dr6, dr7);
            default -> throw new IndexOutOfBoundsException("x86 has breakpoint registers DR0 to DR3, not DR" + index + ".");
        };
    }

    /**
     * {@return these registers with another DR7}
     *
     * @param value the new debug control register
     */
    public DebugRegisters withDr7(long value) {
        return new DebugRegisters(dr0, dr1, dr2, dr3, dr6, value);
    }
}
