// SPDX-License-Identifier: Apache-2.0
/**
 * Bindings for Linux KVM, tun/tap and the few libc calls a VMM needs, in the style of jextract's output:
 * struct layouts with static accessors, constants, ioctl numbers and downcall handles. This is
 * the only module that makes restricted java.lang.foreign calls; start the JVM with
 * {@code --enable-native-access=dev.vmm.ffm} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.vmm.ffm {
    exports dev.vmm.ffm;
    exports dev.vmm.ffm.kvm;
    exports dev.vmm.ffm.tun;
    // The raw downcalls: for the library's own use (a module granted native access lends it to
    // whoever may call its exported downcalls).
    exports dev.vmm.ffm.libc to dev.vmm.core;
}
