// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A moment of a microVM's boot (a {@code BootEvent}), with the time since the one before. */
@Name("dev.vmm.BootPhase")
@Label("Boot Phase")
@Category("VMM")
@Description("A microVM reached a moment of its boot")
public final class BootPhaseEvent extends jdk.jfr.Event {
    @Label("Moment")
    @Description("The BootEvent reached: IMAGES_CHECKED, VM_CREATED, ..., VM_EXIT")
    public String moment;

    @Label("Since Previous")
    @Description("Time since the previous moment (0 for the first)")
    @Timespan(Timespan.NANOSECONDS)
    public long sincePrevious;
}
