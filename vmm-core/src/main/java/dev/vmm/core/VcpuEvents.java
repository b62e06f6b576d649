// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.kvm_vcpu_events;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A vCPU's pending and in-flight events ({@code kvm_vcpu_events}): the exception, interrupt and
 * NMI being delivered, the interrupt shadow, the SIPI vector and the SMM state, read with
 * {@link Vcpu#vcpuEvents()} and written back with {@link Vcpu#setVcpuEvents}. A snapshot saves
 * them as read and restores them unchanged: the read fills in which optional fields are valid.
 * The setters mark their field valid, so that KVM takes it. Setters return {@code this} for
 * chaining.
 */
public final class VcpuEvents {
    /** The interrupt shadow after a MOV to SS: interrupts blocked for one instruction. */
    public static final int SHADOW_MOV_SS = KvmConstants.KVM_X86_SHADOW_INT_MOV_SS;
    /** The interrupt shadow after STI: interrupts blocked for one instruction. */
    public static final int SHADOW_STI = KvmConstants.KVM_X86_SHADOW_INT_STI;

    final MemorySegment struct;

    VcpuEvents() {
        this.struct = kvm_vcpu_events.allocate(Arena.ofAuto());
    }

    /** The size of {@code struct kvm_vcpu_events}, the length of {@link #bytes()}. */
    public static final int SIZE = (int) kvm_vcpu_events.sizeof();

    /**
     * {@return vCPU events held in a copy of {@code bytes}}
     *
     * @param bytes {@link #SIZE} bytes, as {@link #bytes()} returned them
     * @throws IllegalArgumentException when {@code bytes} is not {@link #SIZE} bytes
     */
    public static VcpuEvents of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("A kvm_vcpu_events is " + SIZE + " bytes, not " + bytes.length + ".");
        }
        VcpuEvents copy = new VcpuEvents();
        MemorySegment.copy(bytes, 0, copy.struct, ValueLayout.JAVA_BYTE, 0, SIZE);
        return copy;
    }

    /** {@return a copy of the {@code kvm_vcpu_events} bytes, for storing in a snapshot} */
    public byte[] bytes() {
        return struct.toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@return whether an exception is being injected into the guest} */
    public boolean exceptionInjected() { return kvm_vcpu_events.exception_injected(struct) != 0; }
    /** {@return whether an exception is pending, not yet injected (with {@code KVM_CAP_EXCEPTION_PAYLOAD})} */
    public boolean exceptionPending() { return kvm_vcpu_events.exception_pending(struct) != 0; }
    /** {@return the vector of the injected or pending exception} */
    public int exceptionVector() { return Byte.toUnsignedInt(kvm_vcpu_events.exception_nr(struct)); }
    /** {@return whether the exception has an error code} */
    public boolean exceptionHasErrorCode() { return kvm_vcpu_events.exception_has_error_code(struct) != 0; }
    /** {@return the exception's error code, when {@link #exceptionHasErrorCode()}} */
    public int exceptionErrorCode() { return kvm_vcpu_events.exception_error_code(struct); }
    /** {@return whether an external interrupt is being injected} */
    public boolean interruptInjected() { return kvm_vcpu_events.interrupt_injected(struct) != 0; }
    /** {@return the vector of the interrupt being injected} */
    public int interruptVector() { return Byte.toUnsignedInt(kvm_vcpu_events.interrupt_nr(struct)); }
    /** {@return whether the interrupt being injected is a software interrupt (INT n)} */
    public boolean interruptSoft() { return kvm_vcpu_events.interrupt_soft(struct) != 0; }
    /**
     * {@return the interrupt shadow: {@link #SHADOW_MOV_SS} after a MOV to SS, {@link #SHADOW_STI}
     * after STI, or 0}
     */
    public int interruptShadow() { return Byte.toUnsignedInt(kvm_vcpu_events.interrupt_shadow(struct)); }
    /** {@return whether an NMI is being injected} */
    public boolean nmiInjected() { return kvm_vcpu_events.nmi_injected(struct) != 0; }
    /** {@return whether an NMI is pending} */
    public boolean nmiPending() { return kvm_vcpu_events.nmi_pending(struct) != 0; }
    /** {@return whether NMIs are blocked (the guest is in an NMI handler)} */
    public boolean nmiMasked() { return kvm_vcpu_events.nmi_masked(struct) != 0; }
    /** {@return the SIPI vector: always 0 as KVM reports it, which takes it only on set} */
    public int sipiVector() { return kvm_vcpu_events.sipi_vector(struct); }
    /** {@return whether the vCPU is in system management mode} */
    public boolean smm() { return kvm_vcpu_events.smi_smm(struct) != 0; }
    /** {@return whether a triple fault is pending (with {@code KVM_CAP_X86_TRIPLE_FAULT_EVENT})} */
    public boolean tripleFaultPending() { return kvm_vcpu_events.triple_fault_pending(struct) != 0; }

    /**
     * Sets whether an NMI is pending, and marks it valid ({@code KVM_VCPUEVENT_VALID_NMI_PENDING}).
     *
     * @param pending true to leave an NMI pending
     * @return this object, for chaining
     */
    public VcpuEvents nmiPending(boolean pending) {
        kvm_vcpu_events.nmi_pending(struct, (byte) (pending ? 1 : 0));
        return valid(KvmConstants.KVM_VCPUEVENT_VALID_NMI_PENDING);
    }

    /**
     * Sets whether NMIs are blocked.
     *
     * @param masked true to block NMIs, as inside an NMI handler
     * @return this object, for chaining
     */
    public VcpuEvents nmiMasked(boolean masked) {
        kvm_vcpu_events.nmi_masked(struct, (byte) (masked ? 1 : 0));
        return this;
    }

    /**
     * Sets the interrupt shadow, and marks it valid ({@code KVM_VCPUEVENT_VALID_SHADOW}).
     *
     * @param shadow {@link #SHADOW_MOV_SS}, {@link #SHADOW_STI}, both or 0
     * @return this object, for chaining
     * @throws IllegalArgumentException for other bits
     */
    public VcpuEvents interruptShadow(int shadow) {
        if ((shadow & ~(SHADOW_MOV_SS | SHADOW_STI)) != 0) {
            throw new IllegalArgumentException("An interrupt shadow is SHADOW_MOV_SS, SHADOW_STI, both or 0, not " + shadow + ".");
        }
        kvm_vcpu_events.interrupt_shadow(struct, (byte) shadow);
        return valid(KvmConstants.KVM_VCPUEVENT_VALID_SHADOW);
    }

    /**
     * Sets the SIPI vector, and marks it valid ({@code KVM_VCPUEVENT_VALID_SIPI_VECTOR}).
     *
     * @param vector the vector, 0 to 255: the application processor starts at {@code vector * 4096}
     * @return this object, for chaining
     * @throws IllegalArgumentException when {@code vector} is not 0 to 255
     */
    public VcpuEvents sipiVector(int vector) {
        if (vector < 0 || vector > 0xff) {
            throw new IllegalArgumentException("A SIPI vector is 0 to 255, not " + vector + ".");
        }
        kvm_vcpu_events.sipi_vector(struct, vector);
        return valid(KvmConstants.KVM_VCPUEVENT_VALID_SIPI_VECTOR);
    }

    private VcpuEvents valid(int flag) {
        kvm_vcpu_events.flags(struct, kvm_vcpu_events.flags(struct) | flag);
        return this;
    }

    @Override
    public String toString() {
        return "VcpuEvents[exception=" + (exceptionInjected() || exceptionPending() ? exceptionVector() : "none")
                + " interrupt=" + (interruptInjected() ? interruptVector() : "none") + " shadow=" + interruptShadow()
                + " nmi(pending=" + nmiPending() + " masked=" + nmiMasked() + ") sipi=" + sipiVector() + " smm=" + smm() + "]";
    }
}
