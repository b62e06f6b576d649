// SPDX-License-Identifier: Apache-2.0
/** A library user's program: it needs nothing of the library but its exported API. */
module dev.vmm.consumer {
    requires dev.vmm.core;
}
