// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A pre-fault ended: its fields are the {@code PreFaultResult}'s. */
@Name("dev.vmm.PreFault")
@Label("Pre-fault")
@Category("VMM")
@Description("Guest memory pre-faulted by a PreFaulter")
public final class PreFaultEvent extends jdk.jfr.Event {
    @Label("Requested Policy")
    public String requested;

    @Label("Applied Policy")
    public String applied;

    @Label("Fallback Reason")
    @Description("Why less than requested was applied, or null")
    public String fallbackReason;

    @Label("Bytes Requested")
    @DataAmount
    public long bytesRequested;

    @Label("Bytes Populated")
    @DataAmount
    public long bytesPopulated;

    @Label("Bytes Mapped")
    @Description("Bytes KVM reported mapped in its stage-2 tables")
    @DataAmount
    public long bytesMapped;

    @Label("Populate Time")
    @Timespan(Timespan.NANOSECONDS)
    public long populateTime;

    @Label("Stage-2 Time")
    @Timespan(Timespan.NANOSECONDS)
    public long stage2Time;

    @Label("KVM_PRE_FAULT_MEMORY Calls")
    public long ioctlCalls;

    @Label("Retries")
    public long retries;

    @Label("Cancelled")
    public boolean cancelled;
}
