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
 *
 * <h2>Snapshots of a MicroVm</h2>
 * {@link dev.vmm.core.microvm.MicroVm#snapshot} holds the vCPU threads and writes a directory that
 * {@link dev.vmm.core.microvm.MicroVm#restore} builds a new MicroVm from: the files of
 * {@link dev.vmm.core.snapshot.VmSnapshot} ({@code vmstate}, with the UART, i8042 and RTC state,
 * and {@code memory}, with the virtio transports' state), {@code microvm}, the part of the
 * configuration a restore needs, and {@code drive-N}, a copy of each writable drive's image.
 * Network interfaces and the vsock device are saved as their host ends (tap, MAC address, guest
 * CID, socket path) and their queues; a vsock device's connections are not, and the restored guest
 * resets them. Not saved: devices added to its buses.
 *
 * <p>The {@code microvm} file, format version 3; integers little-endian, texts a u32 length then
 * that many bytes of UTF-8:
 * <pre>
 * header   magic    8 bytes  "VMMMICRO"
 *          version  u32      3
 *          reserved u32      0
 *          length   u64      bytes of the body
 * body     u64 memory size in bytes (a positive multiple of 4096), u32 vCPU count (1..4096),
 *          text kernel path (not empty), text initrd path (empty for none), text command line;
 *          u32 drive count (0..8), then per drive: u32 flags (bit 0 read-only), u64 image size (whole
 *          512-byte sectors), u64 image modification time (ns since the epoch), text image path: an
 *          absolute path for a read-only drive, "drive-N" (N its index) for a writable one, whose
 *          image is that copy in the snapshot directory;
 *          u32 network interface count (at most 8 less the drives), then per interface: text tap name
 *          (1..15 bytes), 6 bytes MAC address (unicast), u16 reserved 0;
 *          u32 vsock count (0, or 1 while fewer than 8 devices come before), then for 1: u64 guest
 *          CID (3..2^32 - 2), text socket path (absolute);
 *          each text at most 1 MiB
 * trailer  u32 CRC32C (Castagnoli) of header and body
 * </pre>
 * A reader refuses in one sentence, in this order: another magic, another version (older or
 * newer), a length that is not the file's, a wrong checksum, then any field out of its bounds or
 * bytes left over. A restore also checks the memory size and vCPU count against the state file, so
 * that files of two snapshots are never paired, and each drive's image against its size and
 * modification time, so that a guest's page cache is never paired with a disk that changed. The
 * command line decides, as at boot, whether a
 * guest that halts every vCPU has powered off ({@code acpi=off}); the kernel and initrd paths are
 * only reported by the restored VM's {@code config()}, never read.
 */
package dev.vmm.core.microvm;
