// SPDX-License-Identifier: Apache-2.0
package dev.vmm.probe;

import dev.vmm.ffm.libc.Libc;

/** A user's module reaching for the raw downcalls through the library's transitive dependency. */
final class RawCall {
    static int kvm() {
        return Libc.open("/dev/kvm", 2, 0);
    }
}
