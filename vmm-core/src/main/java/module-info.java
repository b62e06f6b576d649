// SPDX-License-Identifier: Apache-2.0
/** Typed access to KVM: {@code Kvm}, {@code Vm}, {@code Vcpu} and guest memory. */
module dev.vmm.core {
    requires transitive dev.vmm.ffm;
    requires jdk.jfr; // the dev.vmm.* Flight Recorder events (package dev.vmm.core.jfr, not exported)
    exports dev.vmm.core;
    exports dev.vmm.core.acpi;
    exports dev.vmm.core.boot;
    exports dev.vmm.core.devices;
    exports dev.vmm.core.microvm;
    exports dev.vmm.core.prefault;
    exports dev.vmm.core.snapshot;
    exports dev.vmm.core.virtio;
    exports dev.vmm.core.virtio.vsock;
    exports dev.vmm.core.x86;
}
