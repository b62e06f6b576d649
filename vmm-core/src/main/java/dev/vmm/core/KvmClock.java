// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;

import java.util.EnumSet;
import java.util.Set;

/**
 * The VM's kvmclock ({@code struct kvm_clock_data}), as {@link Vm#clock()} reads it and
 * {@link Vm#setClock} sets it: the guest's paravirtual clock in nanoseconds, and, where
 * {@code flags} says so, the host's wall-clock time and TSC at the same instant. A snapshot saves it
 * and restores it, with {@link Flag#REALTIME} to let the guest's clock advance by the time the VM
 * was stopped.
 *
 * @param nanoseconds the kvmclock value
 * @param flags which of {@code realtimeNanoseconds} and {@code hostTsc} are valid, and whether the
 *     clock is stable
 * @param realtimeNanoseconds the host's CLOCK_REALTIME at the instant of {@code nanoseconds}, with
 *     {@link Flag#REALTIME}; else 0
 * @param hostTsc the host's TSC at that instant, with {@link Flag#HOST_TSC}; else 0
 */
public record KvmClock(long nanoseconds, Set<Flag> flags, long realtimeNanoseconds, long hostTsc) {
    /** The flags of {@code kvm_clock_data.flags}. */
    public enum Flag {
        /** The clock is the same on every vCPU (KVM's master clock); reported, ignored on set. */
        TSC_STABLE(KvmConstants.KVM_CLOCK_TSC_STABLE),
        /** {@code realtimeNanoseconds} is valid; on set, KVM adds the wall-clock time since then. */
        REALTIME(KvmConstants.KVM_CLOCK_REALTIME),
        /** {@code hostTsc} is valid; reported, ignored on set. */
        HOST_TSC(KvmConstants.KVM_CLOCK_HOST_TSC);

        private final int bit;

        Flag(int bit) {
            this.bit = bit;
        }

        /** {@return the {@code KVM_CLOCK_*} bit} */
        public int bit() {
            return bit;
        }
    }

    /**
     * A clock value and its flags, copied.
     *
     * @param nanoseconds the kvmclock value
     * @param flags which fields are valid
     * @param realtimeNanoseconds the host's CLOCK_REALTIME at that instant, or 0
     * @param hostTsc the host's TSC at that instant, or 0
     */
    public KvmClock {
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    }

    /**
     * {@return a clock of {@code nanoseconds}, without flags: set as it is}
     *
     * @param nanoseconds the kvmclock value
     */
    public static KvmClock of(long nanoseconds) {
        return new KvmClock(nanoseconds, Set.of(), 0, 0);
    }

    int flagBits() {
        int bits = 0;
        for (Flag flag : flags) {
            bits |= flag.bit;
        }
        return bits;
    }

    static Set<Flag> flagsOf(int bits) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        for (Flag flag : Flag.values()) {
            if ((bits & flag.bit) != 0) {
                set.add(flag);
            }
        }
        return set;
    }
}
