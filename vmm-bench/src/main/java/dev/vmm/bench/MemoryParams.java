// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The two parameters every memory benchmark shares: the region's size and its host page size. */
@State(Scope.Thread)
public abstract class MemoryParams {
    @Param({"64", "256", "1024"})
    public int sizeMiB;

    /** {@code 4k} or {@code 2m-thp}, see {@link PageSize}. */
    @Param({"4k", "2m-thp"})
    public String pages;

    PageSize pageSize() {
        return PageSize.of(pages);
    }
}
