// SPDX-License-Identifier: Apache-2.0
/**
 * The device model, with no KVM inside: {@link dev.vmm.core.devices.Bus} (a port or MMIO address
 * space whose {@link dev.vmm.core.devices.BusDevice}s see whole accesses, and whose unclaimed
 * accesses are counted in bounded space by {@link dev.vmm.core.devices.UnhandledAccesses}), the
 * interrupt line {@link dev.vmm.core.devices.Interrupt} and its irqfd,
 * {@link dev.vmm.core.devices.IrqFdInterrupt}, {@link dev.vmm.core.devices.IoEventNotifier} (an
 * ioeventfd that wakes a device worker without an exit), {@link dev.vmm.core.devices.ConsoleOutput},
 * and the PC devices a Linux guest needs: {@link dev.vmm.core.devices.Serial16550},
 * {@link dev.vmm.core.devices.I8042}, {@link dev.vmm.core.devices.RtcCmos} and
 * {@link dev.vmm.core.devices.BootCompleteSignal}. Every value comes from an untrusted guest: state
 * stays bounded and no access blocks a vCPU. The UART, the i8042 and the RTC give their state as
 * an immutable {@code State} record and take one back ({@code state()}, {@code restore(State)}),
 * for snapshots; a {@code State} checks every field, so a corrupt one cannot be built.
 */
package dev.vmm.core.devices;
