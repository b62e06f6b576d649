// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.WorkingSet;

/** What a restore does to the memory before the guest resumes: a pre-fault policy over all of it, or over the working set only. */
public enum RestorePolicy {
    NONE, POPULATE, STAGE2, FULL,
    /** AUTO over the pages an earlier restore's guest touched: FULL where KVM has stage-2 pre-fault, else POPULATE. */
    WORKING_SET;

    /** {@return the restore options: memory mapped private from the snapshot, pre-faulted by this policy} */
    RestoreOptions options(WorkingSet workingSet) {
        RestoreOptions defaults = RestoreOptions.defaults();
        return this == WORKING_SET ? defaults.preFault(PreFaultPolicy.AUTO, workingSet) : defaults.preFault(PreFaultPolicy.valueOf(name()));
    }
}
