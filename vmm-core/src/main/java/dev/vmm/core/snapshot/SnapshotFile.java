// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.CpuidEntry;
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

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The state file's encoding, version 3 (the package documentation describes it): a header, typed
 * length-prefixed records, a CRC32C. Reading checks magic, version, length and checksum before it
 * parses a record, and every count and length against what is left before it allocates.
 */
final class SnapshotFile {
    static final int VERSION = 3;
    static final int HEADER_SIZE = FramedFile.HEADER_SIZE;
    static final int TRAILER_SIZE = FramedFile.TRAILER_SIZE;
    /** Largest state file read: far above any real one (a vCPU's state is a few KiB), and it bounds the read. */
    static final int MAX_SIZE = 16 << 20;
    static final FramedFile FORMAT = new FramedFile("VM snapshot state file", "VMMSNAP\0", VERSION, MAX_SIZE);
    static final int MAX_VCPUS = 4096;
    static final int MAX_REGIONS = 32768; // KVM's slots per address space
    static final int MAX_CPUID_ENTRIES = 256; // KVM_MAX_CPUID_ENTRIES
    static final int MAX_XCRS = 16; // KVM_MAX_XCRS
    static final int MAX_MSRS = 4096;
    static final int MAX_XSAVE = 1 << 20;
    static final int MAX_VIRTIO = 64;

    // Record tags, in file order.
    static final int MACHINE = 0x01;
    static final int MEMORY = 0x02;
    static final int VCPU = 0x10;
    static final int CPUID = 0x11;
    static final int TSC_KHZ = 0x12;
    static final int MP_STATE = 0x13;
    static final int REGS = 0x14;
    static final int SREGS = 0x15;
    static final int XSAVE = 0x16;
    static final int XCRS = 0x17;
    static final int DEBUGREGS = 0x18;
    static final int LAPIC = 0x19;
    static final int MSRS = 0x1a;
    static final int VCPU_EVENTS = 0x1b;
    static final int IRQCHIP = 0x20;
    static final int PIT = 0x21;
    static final int CLOCK = 0x22;
    static final int UART_STATE = 0x30;
    static final int I8042_STATE = 0x31;
    static final int RTC_STATE = 0x32;
    static final int VIRTIO = 0x40;

    private static final int HAS_IRQCHIP = 1;
    private static final int HAS_PIT = 2;
    private static final int HAS_DEVICES = 4;
    static final int LAPIC_SIZE = 1024;
    private static final int CLOCK_SIZE = 28;
    private static final int MACHINE_SIZE = 12;

    private SnapshotFile() {}

    // ---- writing

    static byte[] encode(SnapshotState state) {
        Body body = new Body();
        body.record(MACHINE, MACHINE_SIZE).putInt(state.vcpus().size()).putInt((state.irqchips().isEmpty() ? 0 : HAS_IRQCHIP)
                | (state.pit().isPresent() ? HAS_PIT : 0) | (state.devices().isPresent() ? HAS_DEVICES : 0)).putInt(state.virtio().size());
        ByteBuffer memory = body.record(MEMORY, 12 + 24 * state.regions().size()).putLong(state.memoryFileSize()).putInt(state.regions().size());
        for (SnapshotState.Region r : state.regions()) {
            memory.putLong(r.guestAddress()).putLong(r.size()).putLong(r.fileOffset());
        }
        for (SnapshotState.VcpuState v : state.vcpus()) {
            body.record(VCPU, 4).putInt(v.id());
            ByteBuffer cpuid = body.record(CPUID, 4 + 28 * v.cpuid().size()).putInt(v.cpuid().size());
            for (CpuidEntry e : v.cpuid()) {
                cpuid.putInt(e.function()).putInt(e.index()).putInt(e.flags()).putInt(e.eax()).putInt(e.ebx()).putInt(e.ecx()).putInt(e.edx());
            }
            body.record(TSC_KHZ, 4).putInt(v.tscKhz());
            body.record(MP_STATE, 4).putInt(v.mpState().value());
            body.bytes(REGS, v.regs().bytes());
            body.bytes(SREGS, v.sregs().bytes());
            body.bytes(XSAVE, v.xsave().bytes());
            ByteBuffer xcrs = body.record(XCRS, 4 + 12 * v.xcrs().size()).putInt(v.xcrs().size());
            for (Xcr x : v.xcrs()) {
                xcrs.putInt(x.index()).putLong(x.value());
            }
            DebugRegisters d = v.debugRegisters();
            body.record(DEBUGREGS, 48).putLong(d.dr0()).putLong(d.dr1()).putLong(d.dr2()).putLong(d.dr3()).putLong(d.dr6()).putLong(d.dr7());
            body.bytes(LAPIC, v.lapic());
            ByteBuffer msrs = body.record(MSRS, 4 + 12 * v.msrIndices().length).putInt(v.msrIndices().length);
            for (int i = 0; i < v.msrIndices().length; i++) {
                msrs.putInt(v.msrIndices()[i]).putLong(v.msrValues()[i]);
            }
            body.bytes(VCPU_EVENTS, v.events().bytes());
        }
        for (IrqchipState chip : state.irqchips()) {
            body.record(IRQCHIP, 4 + IrqchipState.SIZE).putInt(chip.chip().id()).put(chip.bytes());
        }
        state.pit().ifPresent(pit -> body.bytes(PIT, pit.bytes()));
        KvmClock clock = state.clock();
        int flags = 0;
        for (KvmClock.Flag f : clock.flags()) {
            flags |= f.bit();
        }
        body.record(CLOCK, CLOCK_SIZE).putLong(clock.nanoseconds()).putInt(flags).putLong(clock.realtimeNanoseconds()).putLong(clock.hostTsc());
        state.devices().ifPresent(devices -> {
            body.bytes(UART_STATE, DeviceRecords.serial(devices.serial()));
            body.bytes(I8042_STATE, DeviceRecords.i8042(devices.i8042()));
            body.bytes(RTC_STATE, DeviceRecords.rtc(devices.rtc()));
        });
        for (VirtioMmio.State transport : state.virtio()) {
            body.bytes(VIRTIO, DeviceRecords.virtio(transport));
        }

        return FORMAT.frame(body.finish());
    }

    /** The body, built record by record: each one a tag, a length and that many bytes. */
    private static final class Body {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteBuffer open;

        ByteBuffer record(int tag, int length) {
            flush();
            ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(tag).putInt(length);
            out.writeBytes(header.array());
            open = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            return open;
        }

        void bytes(int tag, byte[] payload) {
            record(tag, payload.length).put(payload);
        }

        byte[] finish() {
            flush();
            return out.toByteArray();
        }

        private void flush() {
            if (open != null) {
                out.writeBytes(open.array());
                open = null;
            }
        }
    }

    // ---- reading

    /** Reads and decodes the state file at {@code path}. */
    static SnapshotState read(Path path) {
        return decode(path.toString(), FORMAT.read(path, "give the directory VmSnapshot.save wrote."));
    }

    /** Decodes a whole state file; {@code name} says which in the messages. */
    static SnapshotState decode(String name, byte[] file) {
        return new Reader(name, FORMAT.body(name, file)).state();
    }

    /** Parses the body; every failure is one sentence naming the record. */
    private static final class Reader {
        private final String name;
        private final ByteBuffer body;

        Reader(String name, ByteBuffer body) {
            this.name = name;
            this.body = body;
        }

        SnapshotState state() {
            ByteBuffer machine = record(MACHINE, "machine", MACHINE_SIZE, MACHINE_SIZE);
            int vcpuCount = machine.getInt();
            int flags = machine.getInt();
            int virtioCount = machine.getInt();
            if (vcpuCount < 1 || vcpuCount > MAX_VCPUS) {
                throw corrupt("it has " + Integer.toUnsignedString(vcpuCount) + " vCPUs, not 1 to " + MAX_VCPUS);
            }
            if ((flags & ~(HAS_IRQCHIP | HAS_PIT | HAS_DEVICES)) != 0 || (flags & (HAS_IRQCHIP | HAS_PIT)) == HAS_PIT) {
                throw corrupt("its machine flags 0x" + Integer.toHexString(flags) + " are not a known combination");
            }
            if (virtioCount < 0 || virtioCount > MAX_VIRTIO) {
                throw corrupt("it has " + Integer.toUnsignedString(virtioCount) + " virtio devices, not 0 to " + MAX_VIRTIO);
            }
            ByteBuffer memory = record(MEMORY, "memory", 12, 12 + 24L * MAX_REGIONS);
            long fileSize = memory.getLong();
            if (fileSize <= 0) {
                throw corrupt("its memory file size " + Long.toUnsignedString(fileSize) + " is not positive");
            }
            int count = count(memory, 24, MAX_REGIONS, "memory regions");
            List<SnapshotState.Region> regions = new ArrayList<>(count);
            long nextOffset = 0;
            long lastEnd = 0;
            for (int i = 0; i < count; i++) {
                long address = memory.getLong();
                long size = memory.getLong();
                long offset = memory.getLong();
                if ((address | size | offset) % 4096 != 0 || size <= 0 || address < lastEnd || address + size < address
                        || offset != nextOffset || Long.compareUnsigned(offset + size, fileSize) > 0) {
                    throw corrupt("memory region " + i + " is not page aligned, in address order and inside the memory file");
                }
                regions.add(new SnapshotState.Region(address, size, offset));
                nextOffset = offset + size;
                lastEnd = address + size;
            }
            if (count == 0 || nextOffset != fileSize) {
                throw corrupt("its memory regions do not fill the memory file of " + fileSize + " bytes");
            }
            done(memory, "memory");
            List<SnapshotState.VcpuState> vcpus = new ArrayList<>();
            for (int i = 0; i < vcpuCount; i++) {
                vcpus.add(vcpu(i));
            }
            List<IrqchipState> chips = new ArrayList<>();
            if ((flags & HAS_IRQCHIP) != 0) {
                for (Irqchip chip : Irqchip.values()) {
                    ByteBuffer r = record(IRQCHIP, "irqchip", 4 + IrqchipState.SIZE, 4 + IrqchipState.SIZE);
                    if (r.getInt() != chip.id()) {
                        throw corrupt("its irqchip records are not PIC master, PIC slave and IOAPIC in that order");
                    }
                    chips.add(IrqchipState.of(chip, rest(r)));
                }
            }
            Optional<PitState> pit = (flags & HAS_PIT) != 0 ? Optional.of(PitState.of(rest(record(PIT, "PIT", PitState.SIZE, PitState.SIZE))))
                    : Optional.empty();
            ByteBuffer c = record(CLOCK, "clock", CLOCK_SIZE, CLOCK_SIZE);
            long nanoseconds = c.getLong();
            int clockFlags = c.getInt();
            Set<KvmClock.Flag> set = EnumSet.noneOf(KvmClock.Flag.class);
            for (KvmClock.Flag f : KvmClock.Flag.values()) {
                if ((clockFlags & f.bit()) != 0) {
                    set.add(f);
                    clockFlags &= ~f.bit();
                }
            }
            if (clockFlags != 0) {
                throw corrupt("its clock has unknown flags 0x" + Integer.toHexString(clockFlags));
            }
            KvmClock clock = new KvmClock(nanoseconds, set, c.getLong(), c.getLong());
            Optional<LegacyDeviceState> devices = (flags & HAS_DEVICES) != 0 ? Optional.of(devices()) : Optional.empty();
            List<VirtioMmio.State> virtio = new ArrayList<>();
            for (int i = 0; i < virtioCount; i++) {
                virtio.add(device(record(VIRTIO, "virtio device", DeviceRecords.VIRTIO_FIXED + 4, DeviceRecords.VIRTIO_MAX), "virtio device " + i,
                        DeviceRecords::virtio));
            }
            if (body.hasRemaining()) {
                throw corrupt("it has " + body.remaining() + " bytes after its last record");
            }
            return new SnapshotState(fileSize, regions, vcpus, chips, pit, clock, devices, virtio);
        }

        private LegacyDeviceState devices() {
            Serial16550.State serial = device(record(UART_STATE, "UART", DeviceRecords.SERIAL_FIXED, DeviceRecords.SERIAL_MAX), "UART",
                    DeviceRecords::serial);
            I8042.State i8042 = device(record(I8042_STATE, "i8042", DeviceRecords.I8042_SIZE, DeviceRecords.I8042_SIZE), "i8042",
                    DeviceRecords::i8042);
            RtcCmos.State rtc = device(record(RTC_STATE, "RTC", DeviceRecords.RTC_SIZE, DeviceRecords.RTC_SIZE), "RTC", DeviceRecords::rtc);
            return new LegacyDeviceState(serial, i8042, rtc);
        }

        /** A device state from its record: a value the device refuses makes the file corrupt. */
        private <T> T device(ByteBuffer record, String what, Function<ByteBuffer, T> decode) {
            try {
                return decode.apply(record);
            } catch (IllegalArgumentException e) {
                String reason = String.valueOf(e.getMessage()).replaceFirst("\\.$", ""); // one sentence, inside this one
                throw corrupt("its " + what + " record holds a state the device cannot have (" + Character.toLowerCase(reason.charAt(0))
                        + reason.substring(1) + ")");
            }
        }

        private SnapshotState.VcpuState vcpu(int index) {
            int id = record(VCPU, "vCPU", 4, 4).getInt();
            if (id < 0) {
                throw corrupt("vCPU " + index + " has id " + Integer.toUnsignedString(id));
            }
            ByteBuffer c = record(CPUID, "CPUID", 4, 4 + 28L * MAX_CPUID_ENTRIES);
            int leaves = count(c, 28, MAX_CPUID_ENTRIES, "CPUID leaves");
            List<CpuidEntry> cpuid = new ArrayList<>(leaves);
            for (int i = 0; i < leaves; i++) {
                cpuid.add(new CpuidEntry(c.getInt(), c.getInt(), c.getInt(), c.getInt(), c.getInt(), c.getInt(), c.getInt()));
            }
            done(c, "CPUID");
            int tscKhz = record(TSC_KHZ, "TSC frequency", 4, 4).getInt();
            if (tscKhz < 0) {
                throw corrupt("vCPU " + id + " has a TSC frequency of " + Integer.toUnsignedString(tscKhz) + " kHz");
            }
            int mp = record(MP_STATE, "MP state", 4, 4).getInt();
            MpState mpState = null;
            for (MpState s : MpState.values()) {
                if (s.value() == mp) {
                    mpState = s;
                }
            }
            if (mpState == null) {
                throw corrupt("vCPU " + id + " has MP state " + mp + ", which KVM does not define");
            }
            Registers regs = Registers.of(rest(record(REGS, "registers", Registers.SIZE, Registers.SIZE)));
            SpecialRegisters sregs = SpecialRegisters.of(rest(record(SREGS, "special registers", SpecialRegisters.SIZE, SpecialRegisters.SIZE)));
            ByteBuffer x = record(XSAVE, "XSAVE", XsaveState.MIN_SIZE, MAX_XSAVE);
            if (x.remaining() % 4 != 0) {
                throw corrupt("vCPU " + id + "'s XSAVE area is " + x.remaining() + " bytes, not a multiple of 4");
            }
            XsaveState xsave = XsaveState.of(rest(x));
            ByteBuffer xc = record(XCRS, "XCRs", 4, 4 + 12L * MAX_XCRS);
            int xcrCount = count(xc, 12, MAX_XCRS, "XCRs");
            List<Xcr> xcrs = new ArrayList<>(xcrCount);
            for (int i = 0; i < xcrCount; i++) {
                xcrs.add(new Xcr(xc.getInt(), xc.getLong()));
            }
            done(xc, "XCRs");
            ByteBuffer d = record(DEBUGREGS, "debug registers", 48, 48);
            DebugRegisters debug = new DebugRegisters(d.getLong(), d.getLong(), d.getLong(), d.getLong(), d.getLong(), d.getLong());
            byte[] lapic = rest(record(LAPIC, "LAPIC", LAPIC_SIZE, LAPIC_SIZE));
            ByteBuffer m = record(MSRS, "MSRs", 4, 4 + 12L * MAX_MSRS);
            int msrCount = count(m, 12, MAX_MSRS, "MSRs");
            int[] indices = new int[msrCount];
            long[] values = new long[msrCount];
            for (int i = 0; i < msrCount; i++) {
                indices[i] = m.getInt();
                values[i] = m.getLong();
            }
            done(m, "MSRs");
            VcpuEvents events = VcpuEvents.of(rest(record(VCPU_EVENTS, "vCPU events", VcpuEvents.SIZE, VcpuEvents.SIZE)));
            return new SnapshotState.VcpuState(id, cpuid, tscKhz, mpState, regs, sregs, xsave, xcrs, debug, lapic, indices, values, events);
        }

        /** The next record, which must be {@code tag} with a length in [min, max]: its payload. */
        private ByteBuffer record(int tag, String what, long min, long max) {
            if (body.remaining() < 8) {
                throw corrupt("it ends where its " + what + " record should start");
            }
            int found = body.getInt();
            long length = Integer.toUnsignedLong(body.getInt());
            if (found != tag) {
                throw corrupt("record 0x" + Integer.toHexString(found) + " stands where its " + what + " record (0x" + Integer.toHexString(tag)
                        + ") should");
            }
            if (length < min || length > max) {
                throw corrupt("its " + what + " record is " + length + " bytes, not " + (min == max ? "" + min : min + " to " + max));
            }
            if (length > body.remaining()) {
                throw corrupt("its " + what + " record of " + length + " bytes runs past the end of the file");
            }
            ByteBuffer payload = body.slice(body.position(), (int) length).order(ByteOrder.LITTLE_ENDIAN);
            body.position(body.position() + (int) length);
            return payload;
        }

        /** A count of entries of {@code size} bytes each, checked against the bound and what is left. */
        private int count(ByteBuffer record, int size, int max, String what) {
            int count = record.getInt();
            if (count < 0 || count > max || (long) count * size != record.remaining()) {
                throw corrupt("its count of " + Integer.toUnsignedString(count) + " " + what + " does not fit its record");
            }
            return count;
        }

        private void done(ByteBuffer record, String what) {
            if (record.hasRemaining()) {
                throw corrupt("its " + what + " record has " + record.remaining() + " bytes too many");
            }
        }

        private static byte[] rest(ByteBuffer record) {
            byte[] bytes = new byte[record.remaining()];
            record.get(bytes);
            return bytes;
        }

        private SnapshotException corrupt(String what) {
            return new SnapshotException(name + " is corrupt: " + what + ".");
        }
    }
}
