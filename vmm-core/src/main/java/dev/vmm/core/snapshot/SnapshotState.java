// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.CpuidEntry;
import dev.vmm.core.DebugRegisters;
import dev.vmm.core.IrqchipState;
import dev.vmm.core.KvmClock;
import dev.vmm.core.MpState;
import dev.vmm.core.PitState;
import dev.vmm.core.Registers;
import dev.vmm.core.SpecialRegisters;
import dev.vmm.core.VcpuEvents;
import dev.vmm.core.XsaveState;
import dev.vmm.core.Xcr;
import dev.vmm.core.virtio.VirtioMmio;

import java.util.List;
import java.util.Optional;

/**
 * Everything a state file holds, as typed values; {@link SnapshotFile} encodes and decodes it.
 * The order of the fields is the order of the records in the file and of the restore.
 *
 * @param memoryFileSize the memory file's exact size in bytes
 * @param regions where each region of guest memory lives in the guest and in the memory file
 * @param vcpus each vCPU's state, in the order they are created on restore
 * @param irqchips PIC master, PIC slave and IOAPIC, or none when the VM had no in-kernel irqchip
 * @param pit the in-kernel PIT, when the VM had one
 * @param clock the VM's kvmclock
 * @param devices the legacy devices' state, when the caller saved it
 * @param virtio the virtio transports' state, in the caller's order (none when it saved none)
 */
record SnapshotState(long memoryFileSize, List<Region> regions, List<VcpuState> vcpus, List<IrqchipState> irqchips,
                     Optional<PitState> pit, KvmClock clock, Optional<LegacyDeviceState> devices, List<VirtioMmio.State> virtio) {
    SnapshotState {
        virtio = List.copyOf(virtio);
        regions = List.copyOf(regions);
        vcpus = List.copyOf(vcpus);
        irqchips = List.copyOf(irqchips);
    }

    /**
     * One region of guest memory.
     *
     * @param guestAddress its first guest physical address
     * @param size its size in bytes
     * @param fileOffset where its bytes start in the memory file
     */
    record Region(long guestAddress, long size, long fileOffset) {}

    /**
     * One vCPU's state, fields in the order KVM needs them set (see {@link VmSnapshot}).
     *
     * @param id the vCPU id (its APIC ID)
     * @param cpuid the CPUID leaves it had
     * @param tscKhz its TSC frequency, 0 when KVM did not know it
     * @param mpState its multiprocessing state
     * @param regs its general-purpose registers
     * @param sregs its segment and control registers
     * @param xsave its XSAVE area
     * @param xcrs its extended control registers
     * @param debugRegisters DR0 to DR3, DR6, DR7
     * @param lapic its local APIC's register page
     * @param msrIndices the MSRs saved
     * @param msrValues their values
     * @param events its pending exception, interrupt and NMI
     */
    record VcpuState(int id, List<CpuidEntry> cpuid, int tscKhz, MpState mpState, Registers regs, SpecialRegisters sregs,
                     XsaveState xsave, List<Xcr> xcrs, DebugRegisters debugRegisters, byte[] lapic, int[] msrIndices,
                     long[] msrValues, VcpuEvents events) {
        VcpuState {
            cpuid = List.copyOf(cpuid);
            xcrs = List.copyOf(xcrs);
        }
    }
}
