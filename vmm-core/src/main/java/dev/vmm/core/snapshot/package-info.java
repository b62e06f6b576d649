// SPDX-License-Identifier: Apache-2.0
/**
 * Snapshot and restore of a stopped VM: {@link dev.vmm.core.snapshot.VmSnapshot#save} writes a
 * snapshot directory, {@link dev.vmm.core.snapshot.VmSnapshot#restore} builds a new VM from it
 * ({@link dev.vmm.core.snapshot.RestoredVm}). A bad snapshot is a
 * {@link dev.vmm.core.snapshot.SnapshotException} of one sentence, and leaves nothing open.
 *
 * <p>With the VM, a save can take the state of the PC's legacy devices,
 * {@link dev.vmm.core.snapshot.LegacyDeviceState}: the UART's registers and unread input, the
 * i8042's registers and a command awaiting its data byte, the RTC's index and CMOS (not its time,
 * which is the host's clock's). A restore gives it back checked, as values, for the caller to put
 * into the new machine's devices. {@link dev.vmm.core.microvm.MicroVm#snapshot} and
 * {@link dev.vmm.core.microvm.MicroVm#restore} do that for a whole MicroVm. A save can also take
 * the state of virtio-mmio transports ({@link dev.vmm.core.virtio.VirtioMmio.State}: the registers
 * the driver set and each queue's rings and indices), taken with each device paused so that every
 * request it took is completed in the saved memory; a restore gives them back in the same order.
 *
 * <p>A restore can pre-fault the restored memory ({@link dev.vmm.core.snapshot.RestoreOptions#preFault}),
 * all of it or only a {@link dev.vmm.core.snapshot.WorkingSet} recorded after an earlier restore.
 *
 * <h2>The snapshot directory</h2>
 * <ul>
 *   <li>{@code memory}: guest memory, the regions one after another in guest address order, each
 *       at the sum of the sizes before it; exactly as long as all of them. Sparse: only pages with
 *       a non-zero byte are written (found by scanning), every other page is a hole. Not
 *       checksummed, so that a restore can map it without reading it; its size is checked.</li>
 *   <li>{@code vmstate}: the vCPU, VM and device state, format version 3, below.</li>
 *   <li>{@code workingset}, optional: the pages a restored guest touched first
 *       ({@link dev.vmm.core.snapshot.WorkingSet}, whose documentation lays the file out), for
 *       later restores to pre-fault alone.</li>
 * </ul>
 * Every file but {@code memory} has the same frame: an 8-byte magic, u32 version, u32 reserved 0,
 * u64 body length, the body, and a CRC32C of header and body.
 *
 * <h2>State file format, version 3</h2>
 * All integers little-endian. u32 and u64 are unsigned unless said otherwise.
 * <pre>
 * header   magic    8 bytes  "VMMSNAP\0"
 *          version  u32      3
 *          reserved u32      0
 *          length   u64      bytes of the body
 * body     records, each:  tag u32, length u32, then length bytes of payload
 * trailer  crc      u32      CRC32C (Castagnoli) of header and body
 * </pre>
 * The records come in this order, which is also the order of the restore:
 * <pre>
 * 0x01 machine      u32 vCPU count (1..4096), u32 flags (bit 0 in-kernel irqchip, bit 1 PIT, bit 2 legacy devices;
 *                   PIT needs irqchip), u32 virtio device count (0..64)
 * 0x02 memory       u64 memory file size, u32 n (1..32768), n x (u64 guest address, u64 size, u64 file offset)
 *   then for each vCPU, in creation order:
 * 0x10 vcpu         u32 vCPU id
 * 0x11 cpuid        u32 n (0..256), n x 7 u32 (function, index, flags, eax, ebx, ecx, edx)
 * 0x12 tsc-khz      u32 TSC frequency in kHz, 0 when KVM did not know it
 * 0x13 mp-state     u32 KVM_MP_STATE_*
 * 0x14 regs         struct kvm_regs as KVM lays it out (144 bytes)
 * 0x15 sregs        struct kvm_sregs (312 bytes)
 * 0x16 xsave        struct kvm_xsave, 4096 bytes or the larger KVM_CAP_XSAVE2 size (at most 1 MiB)
 * 0x17 xcrs         u32 n (0..16), n x (u32 index, u64 value)
 * 0x18 debugregs    6 u64: DR0, DR1, DR2, DR3, DR6, DR7
 * 0x19 lapic        struct kvm_lapic_state (1024 bytes)
 * 0x1a msrs         u32 n (0..4096), n x (u32 index, u64 value)
 * 0x1b vcpu-events  struct kvm_vcpu_events (64 bytes)
 *   then, with the irqchip flag, three times (PIC master, PIC slave, IOAPIC):
 * 0x20 irqchip      u32 KVM_IRQCHIP_* id, 512 bytes of kvm_irqchip.chip
 *   then, with the PIT flag:
 * 0x21 pit          struct kvm_pit_state2 (112 bytes)
 * 0x22 clock        u64 kvmclock ns, u32 KVM_CLOCK_* flags, u64 realtime ns, u64 host TSC
 *   then, with the legacy devices flag:
 * 0x30 uart         u8 IER, u8 LCR, u8 MCR, u8 SCR, u8 FCR (bits 0, 3, 6, 7 kept), u8 flags (bit 0 THR-empty
 *                   interrupt pending), u16 divisor latch, u32 n (0..4096), n bytes of unread input, oldest first
 * 0x31 i8042        u8 flags (bit 0 output buffer full), u8 output byte (0 when empty), u8 command byte,
 *                   u8 command awaiting a data byte (0, 0x60 or 0xd1), u8 last command (0 after a data byte)
 * 0x32 rtc          u8 index (0..127), 128 bytes of CMOS: the time, century and status C bytes are 0 and
 *                   status D is 0x80 (the guest cannot write them), status A's bit 7 is 0
 *   then once per virtio device, in the saver's order:
 * 0x40 virtio       u32 device ID, u32 Status (driver bits only), u64 accepted features, u32 DeviceFeaturesSel,
 *                   u32 DriverFeaturesSel, u32 QueueSel, u32 InterruptStatus (bits 0, 1), u32 ConfigGeneration,
 *                   u32 n (0..1024), n x (u32 size, u32 ready (0 or 1), u64 descriptor table, u64 available ring,
 *                   u64 used ring, u32 next available index, u32 used index (both 0..65535)),
 *                   u32 length of the needs-reset reason (0xffffffff: none; else 0..1024), that many bytes of UTF-8
 * </pre>
 * A reader checks, in this order, and refuses with one sentence: the magic (a foreign file), the
 * version, the length against the file's size (truncated, or bytes after the checksum), the
 * checksum, then each record's tag, its length against its bounds and what is left, and each
 * count against its bound, before it allocates anything for it, and each device record against
 * what its device can hold (every register within its width, the input within the UART's
 * bound). No record may be left over.
 *
 * <h2>Versioning</h2>
 * Any change to the records, their order or their meaning makes a new version (version 2 added
 * the legacy devices' flag and records, version 3 the virtio device count and records). A reader refuses
 * every version it does not know, older or newer: a snapshot is restored by the library version
 * that wrote it (or one that still reads that version), never guessed at.
 */
package dev.vmm.core.snapshot;
