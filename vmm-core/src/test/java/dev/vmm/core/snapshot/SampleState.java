// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.CpuidEntry;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.DebugRegisters;
import dev.vmm.core.Irqchip;
import dev.vmm.core.IrqchipState;
import dev.vmm.core.KvmClock;
import dev.vmm.core.MpState;
import dev.vmm.core.PitState;
import dev.vmm.core.Registers;
import dev.vmm.core.SpecialRegisters;
import dev.vmm.core.VcpuEvents;
import dev.vmm.core.XsaveState;
import dev.vmm.core.Xcr;
import dev.vmm.core.devices.I8042;
import dev.vmm.core.devices.RtcCmos;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.virtio.VirtioMmio;
import dev.vmm.core.virtio.Virtqueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Snapshot states made without KVM: every record filled with a pattern, so that a misplaced byte shows. */
final class SampleState {
    private SampleState() {}

    /** A state of {@code vcpus} vCPUs; {@code devices}: with the irqchips, the PIT and the legacy devices. */
    static SnapshotState of(int vcpus, boolean devices) {
        List<SnapshotState.VcpuState> states = new ArrayList<>();
        for (int id = 0; id < vcpus; id++) {
            states.add(new SnapshotState.VcpuState(id,
                    List.of(new CpuidEntry(0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69), new CpuidEntry(7, 0, 1, 0, 1 << 5, 0, id)),
                    2_000_000 + id, id == 0 ? MpState.RUNNABLE : MpState.HALTED,
                    Registers.of(pattern(Registers.SIZE, 1 + id)), SpecialRegisters.of(pattern(SpecialRegisters.SIZE, 2 + id)),
                    XsaveState.of(pattern(XsaveState.MIN_SIZE + 64 * id, 3)), List.of(new Xcr(Xcr.XCR0, 0x7)),
                    new DebugRegisters(1, 2, 3, 4, 0xffff0ff0L, 0x400), pattern(SnapshotFile.LAPIC_SIZE, 4 + id),
                    new int[] {0x10, 0x1b, 0xc0000080}, new long[] {123456789L + id, 0xfee00900L, 0xd01},
                    VcpuEvents.of(pattern(VcpuEvents.SIZE, 5 + id))));
        }
        List<IrqchipState> chips = new ArrayList<>();
        if (devices) {
            for (Irqchip chip : Irqchip.values()) {
                chips.add(IrqchipState.of(chip, pattern(IrqchipState.SIZE, 6 + chip.ordinal())));
            }
        }
        return new SnapshotState(0x300000, List.of(new SnapshotState.Region(0, 0x100000, 0), new SnapshotState.Region(0x200000, 0x200000, 0x100000)),
                states, chips, devices ? Optional.of(PitState.of(pattern(PitState.SIZE, 9))) : Optional.empty(),
                new KvmClock(5_000_000_000L, Set.of(KvmClock.Flag.REALTIME), 1_700_000_000_000_000_000L, 0),
                devices ? Optional.of(legacyDevices()) : Optional.empty(), List.of());
    }

    /** {@code state} with two virtio transports: an active block device, and a two-queue device that needs a reset. */
    static SnapshotState withVirtio(SnapshotState state) {
        Virtqueue.State requests = new Virtqueue.State(256, true, GuestAddress.of(0x10000), GuestAddress.of(0x11000),
                GuestAddress.of(0x12000), 0x1234, 0xfffe);
        Virtqueue.State idle = new Virtqueue.State(0, false, GuestAddress.of(0), GuestAddress.of(0), GuestAddress.of(0), 0, 0);
        List<VirtioMmio.State> virtio = List.of(
                new VirtioMmio.State(2, 0xf, Optional.empty(), 0x1_3000_0244L, 1, 1, 0, 1, 3, List.of(requests)),
                new VirtioMmio.State(1, 0xb, Optional.of("Chain 7 loops: \u00e9t\u00e9."), 0x1_0000_0000L, 0, 0, 1, 2, 0, List.of(requests, idle)));
        return new SnapshotState(state.memoryFileSize(), state.regions(), state.vcpus(), state.irqchips(), state.pit(), state.clock(),
                state.devices(), virtio);
    }

    /** Legacy device states with every field away from its power-on value. */
    static LegacyDeviceState legacyDevices() {
        byte[] cmos = new RtcCmos(java.time.Clock.systemUTC()).state().cmos();
        cmos[0x1] = 0x30;  // the alarm's seconds
        cmos[0xb] = 0x26;  // status B: binary, 24-hour, alarm interrupt enabled
        cmos[0x40] = 0x5a; // RAM
        return new LegacyDeviceState(new Serial16550.State(0x03, 0x03, 0x0b, 0x5a, 0xc1, 0x000c, true, "typed\n".getBytes()),
                new I8042.State(OptionalInt.of(0x55), 0x47, 0x60, 0x60), new RtcCmos.State(0x40, cmos));
    }

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seed * 7);
        }
        return bytes;
    }
}
