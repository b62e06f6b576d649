// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_xsave;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A vCPU's XSAVE area ({@code struct kvm_xsave}): the x87, SSE, AVX and other enabled state
 * components, as {@link Vcpu#xsave()} reads them and {@link Vcpu#setXsave} writes them back. Kept
 * opaque: its layout follows the host's CPUID leaf 0xD, and a snapshot only stores and restores it.
 * At least 4 KiB; larger when {@code KVM_CAP_XSAVE2} reports a larger area (dynamic features such
 * as AMX enabled for the process). Immutable.
 */
public final class XsaveState {
    /** The size of {@code struct kvm_xsave}, the smallest XSAVE state KVM reads or writes. */
    public static final int MIN_SIZE = (int) kvm_xsave.sizeof();

    private final byte[] bytes;

    private XsaveState(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * {@return the XSAVE state held in a copy of {@code bytes}}
     *
     * @param bytes an XSAVE area, as {@link #bytes()} returned it: at least {@link #MIN_SIZE} bytes and
     *     a multiple of 4
     * @throws IllegalArgumentException when the size is not one KVM uses
     */
    public static XsaveState of(byte[] bytes) {
        if (bytes.length < MIN_SIZE || bytes.length % Integer.BYTES != 0) {
            throw new IllegalArgumentException("An XSAVE state is a multiple of 4 bytes and at least " + MIN_SIZE + ", not " + bytes.length + ".");
        }
        return new XsaveState(bytes.clone());
    }

    /** Takes ownership of {@code bytes}, which came from KVM. */
    static XsaveState wrap(byte[] bytes) {
        return new XsaveState(bytes);
    }

    /** {@return the size in bytes: 4096, or the size {@code KVM_CAP_XSAVE2} reported} */
    public int size() {
        return bytes.length;
    }

    /** {@return a copy of the bytes, for storing in a snapshot} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the bytes into {@code target} from its start, without another copy on the heap. */
    void copyTo(MemorySegment target) {
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof XsaveState state && Arrays.equals(bytes, state.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "XsaveState[" + bytes.length + " bytes]";
    }
}
