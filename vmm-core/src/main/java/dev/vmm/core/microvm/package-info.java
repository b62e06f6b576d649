// SPDX-License-Identifier: Apache-2.0
/**
 * A microVM that boots Linux: {@link dev.vmm.core.microvm.MicroVm} puts together KVM
 * ({@code dev.vmm.core}), the pre-fault policy, the Linux boot, the ACPI tables, the devices of
 * {@link dev.vmm.core.microvm.MicroVmDevices} (which hold no KVM and run in tests as the vCPUs
 * drive them) and the virtio devices: a virtio-blk disk per
 * {@link dev.vmm.core.microvm.MicroVmConfig.Drive}, a virtio-net interface per
 * {@link dev.vmm.core.microvm.MicroVmConfig.NetworkInterface} and a virtio-vsock device for a
 * {@link dev.vmm.core.microvm.MicroVmConfig.Vsock}, each in its own MMIO window with an irqfd and an
 * ioeventfd per queue. It runs a vCPU thread each until the guest
 * ends the VM, and reports how ({@link dev.vmm.core.microvm.MicroVmExit}) and when each boot phase
 * happened ({@link dev.vmm.core.microvm.BootEvent}). {@code ./vmm boot}'s launcher in
 * {@code examples} is built on it.
 */
package dev.vmm.core.microvm;
