// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;

/**
 * A vCPU's exits since it was created, by reason: sampled once a second (and at the end of each
 * recording chunk) from counters the vCPU keeps, rather than an event per exit.
 */
@Name("dev.vmm.VcpuExits")
@Label("vCPU Exits")
@Category("VMM")
@Description("KVM_RUN exits of one vCPU since its creation, by reason")
@Period("1 s")
public final class VcpuExitsEvent extends jdk.jfr.Event {
    @Label("vCPU")
    public int vcpu;

    @Label("Port I/O")
    public long io;

    @Label("MMIO")
    public long mmio;

    @Label("HLT")
    public long hlt;

    @Label("Interrupted")
    @Description("KVM_RUN returned for a signal or kick (KVM_EXIT_INTR, EINTR)")
    public long interrupted;

    @Label("Other")
    public long other;
}
