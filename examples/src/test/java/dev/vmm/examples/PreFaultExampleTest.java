// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples;

import dev.vmm.core.Capability;
import dev.vmm.core.Kvm;
import dev.vmm.core.Vm;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's pre-fault example does what the README says, on whichever kernel profile runs it. */
@Tag("kvm")
class PreFaultExampleTest {
    private static final long SIZE = 64L << 20;

    @Test
    void autoPreFaultsBothRegionsAndSkipsTheHole() {
        boolean stage2;
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            stage2 = vm.checkExtension(Capability.PRE_FAULT_MEMORY) == 1;
        }
        PreFaultResult result = PreFaultExample.run(SIZE, PreFaultPolicy.AUTO);
        assertEquals(stage2 ? PreFaultPolicy.FULL : PreFaultPolicy.POPULATE, result.applied(), result.toString());
        assertEquals(SIZE, result.bytesPopulated(), result.toString());
        assertEquals(stage2 ? SIZE : 0, result.bytesMapped(), result.toString());
        assertEquals(1, result.skipped().size(), result.toString());
    }
}
