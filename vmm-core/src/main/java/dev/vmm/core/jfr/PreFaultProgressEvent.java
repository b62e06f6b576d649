// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A chunk of a pre-fault done: one per chunk (64 MiB by default), as its progress callback gets. */
@Name("dev.vmm.PreFaultProgress")
@Label("Pre-fault Progress")
@Category("VMM")
public final class PreFaultProgressEvent extends jdk.jfr.Event {
    @Label("Phase")
    public String phase;

    @Label("Done")
    @DataAmount
    public long done;

    @Label("Total")
    @DataAmount
    public long total;
}
