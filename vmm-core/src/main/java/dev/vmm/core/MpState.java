// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;

/**
 * A vCPU's multiprocessing state ({@code struct kvm_mp_state}, api.rst "KVM_GET_MP_STATE"), as
 * {@link Vcpu#mpState()} reads it and {@link Vcpu#setMpState} sets it. RUNNABLE to SIPI_RECEIVED
 * and AP_RESET_HOLD are x86's; the others belong to other architectures and are listed so that any
 * value KVM reports has a name.
 */
public enum MpState {
    /** Running or runnable. */
    RUNNABLE(KvmConstants.KVM_MP_STATE_RUNNABLE),
    /** An application processor that has not received INIT yet. */
    UNINITIALIZED(KvmConstants.KVM_MP_STATE_UNINITIALIZED),
    /** INIT received, waiting for a SIPI. */
    INIT_RECEIVED(KvmConstants.KVM_MP_STATE_INIT_RECEIVED),
    /** Halted (HLT) until an interrupt. */
    HALTED(KvmConstants.KVM_MP_STATE_HALTED),
    /** A SIPI received: the vCPU starts at its vector on the next run. */
    SIPI_RECEIVED(KvmConstants.KVM_MP_STATE_SIPI_RECEIVED),
    /** Stopped (s390, RISC-V). */
    STOPPED(KvmConstants.KVM_MP_STATE_STOPPED),
    /** Check-stopped: a serious error (s390). */
    CHECK_STOP(KvmConstants.KVM_MP_STATE_CHECK_STOP),
    /** Operating, running and not halted (s390). */
    OPERATING(KvmConstants.KVM_MP_STATE_OPERATING),
    /** Loading, in a special state (s390). */
    LOAD(KvmConstants.KVM_MP_STATE_LOAD),
    /** An SEV-ES application processor parked by the guest until an INIT (AP reset hold). */
    AP_RESET_HOLD(KvmConstants.KVM_MP_STATE_AP_RESET_HOLD),
    /** Suspended until a wake-up event (arm64). */
    SUSPENDED(KvmConstants.KVM_MP_STATE_SUSPENDED);

    private final int value;

    MpState(int value) {
        this.value = value;
    }

    /** {@return the {@code KVM_MP_STATE_*} value} */
    public int value() {
        return value;
    }

    /**
     * {@return the state whose {@code KVM_MP_STATE_*} value is {@code value}}
     *
     * @param value a {@code KVM_MP_STATE_*} value
     * @throws IllegalArgumentException for a value that names no state (a kernel newer than these bindings)
     */
    public static MpState of(int value) {
        for (MpState state : values()) {
            if (state.value == value) {
                return state;
            }
        }
        throw new IllegalArgumentException("KVM reported MP state " + value + ", which these bindings do not know: update them.");
    }
}
