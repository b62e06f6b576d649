// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** KVM_CREATE_VM returned, after {@code createTime}. */
@Name("dev.vmm.VmCreated")
@Label("VM Created")
@Category("VMM")
@Description("KVM_CREATE_VM returned a new VM")
public final class VmCreatedEvent extends jdk.jfr.Event {
    @Label("VM Type")
    @Description("The KVM_X86_*_VM type asked for")
    public int vmType;

    @Label("Create Time")
    @Description("How long KVM_CREATE_VM took")
    @Timespan(Timespan.NANOSECONDS)
    public long createTime;
}
