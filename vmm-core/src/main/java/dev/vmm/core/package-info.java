// SPDX-License-Identifier: Apache-2.0
/**
 * Typed access to KVM on top of {@code dev.vmm.ffm}: {@link dev.vmm.core.Kvm} (an open /dev/kvm),
 * {@link dev.vmm.core.Vm} (memory slots, irqchip, irqfd and ioeventfd) and
 * {@link dev.vmm.core.Vcpu} (registers, {@link dev.vmm.core.Vcpu#run() run} and kick), guest memory
 * as {@link dev.vmm.core.GuestMemory} addressed by {@link dev.vmm.core.GuestAddress}, exits as the
 * sealed {@link dev.vmm.core.VcpuExit}, and every failed call as a
 * {@link dev.vmm.core.KvmException} naming the call, the errno and the arguments. Objects are
 * closed from any thread, and any use after close is an {@link java.lang.IllegalStateException}.
 * The state a snapshot saves and restores comes as get/set pairs: on the vCPU
 * {@link dev.vmm.core.XsaveState}, {@link dev.vmm.core.Xcr}, {@link dev.vmm.core.VcpuEvents},
 * {@link dev.vmm.core.DebugRegisters} and the TSC frequency; on the VM
 * {@link dev.vmm.core.IrqchipState}, {@link dev.vmm.core.PitState} and {@link dev.vmm.core.KvmClock}:
 * {@snippet class=dev.vmm.core.ApiSnippets region=snapshot-state}
 * On the host side of a network device: {@link dev.vmm.core.Tap}, a Linux tap with a virtio-net
 * header before each frame, one kind of {@link dev.vmm.core.FramePort}.
 * The other packages build on this one: the pre-fault API, x86 setup, Linux boot, ACPI, devices,
 * virtio and the {@code MicroVm} that puts them together.
 */
package dev.vmm.core;
