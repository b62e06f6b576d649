// SPDX-License-Identifier: Apache-2.0
/** Must not compile: the raw downcalls are the library's own (scripts/consumer-test.sh). */
module dev.vmm.probe {
    requires dev.vmm.core;
}
