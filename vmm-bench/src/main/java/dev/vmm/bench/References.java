// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a run measures beside JMH, for the Java results to be read against: the C programs'
 * rounds ({@link CProgram}) and the resident memory per open VM, in C and in Java.
 *
 * @param ioctl ioctl_loop.c: ns per KVM_CHECK_EXTENSION
 * @param vmCycle vm_cycle.c cycle: µs per VM life cycle
 * @param vmCreate vm_cycle.c create: µs per KVM_CREATE_VM and close
 * @param cKibPerVm vm_cycle.c rss: KiB of resident memory per open VM
 * @param javaKibPerVm {@link VmCycleBenchmark#kibPerOpenVm}: the same through the typed API
 */
record References(Optional<CProgram.Result> ioctl, Optional<CProgram.Result> vmCycle, Optional<CProgram.Result> vmCreate,
                  OptionalDouble cKibPerVm, OptionalDouble javaKibPerVm) {
    static final References NONE = new References(Optional.empty(), Optional.empty(), Optional.empty(), OptionalDouble.empty(),
            OptionalDouble.empty());
}
