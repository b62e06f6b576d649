// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.snapshot;

import dev.vmm.core.CpuidEntry;
import dev.vmm.core.Errno;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Irqchip;
import dev.vmm.core.IrqchipState;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmException;
import dev.vmm.core.MemoryRegion;
import dev.vmm.core.PitState;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
import dev.vmm.core.prefault.PreFaulter;
import dev.vmm.core.virtio.VirtioMmio;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Saves a stopped VM to a snapshot directory and restores it into a new VM, in this process or
 * another. The directory holds {@value #STATE_FILE} (the vCPU and VM state, see the package
 * documentation for its format) and {@value #MEMORY_FILE} (guest memory, sparse).
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=vm-snapshot}
 * }
 *
 * <p>Restore order, per vCPU, as Firecracker ({@code arch/x86_64/vcpu.rs}, {@code restore_state})
 * and Cloud Hypervisor ({@code hypervisor/src/kvm/mod.rs}, {@code set_state}) do it: CPUID (MSRs
 * and XCR0 are checked against it; MP state depends on it), TSC frequency (before the TSC MSR is
 * written at that rate), MP state, registers, special registers (they hold the APIC base), XSAVE,
 * XCRs, debug registers, LAPIC (after the APIC base; before the MSRs, as the TSC deadline MSR
 * needs a LAPIC in deadline mode), MSRs, and vCPU events last (KVM_SET_REGS clears a pending
 * exception that the events put back). The VM's state comes after every vCPU's, as in Firecracker's
 * {@code build_microvm_from_snapshot} (builder.rs): the irqchips, the PIT, and the kvmclock last,
 * closest to the resume; then {@code KVM_KVMCLOCK_CTRL} on every vCPU whose guest uses kvmclock, so
 * that its watchdog forgives the pause (as QEMU does on resume). The in-kernel irqchip and PIT are
 * created before the vCPUs, as KVM requires.
 */
public final class VmSnapshot {
    /** The state file's name in a snapshot directory. */
    public static final String STATE_FILE = "vmstate";
    /** The memory file's name in a snapshot directory. */
    public static final String MEMORY_FILE = "memory";

    private static final int SCAN_CHUNK = 1 << 20;
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[(int) GuestMemory.PAGE_SIZE]);
    // CPUID bits that are not features KVM must offer: OSXSAVE and OSPKE follow CR4, the hypervisor
    // and HTT bits are set by the VMM, and KVM reports the TSC deadline timer as a capability.
    private static final int LEAF1_ECX_NOT_FEATURES = 1 << 24 | 1 << 27 | 1 << 31;
    private static final int LEAF1_EDX_NOT_FEATURES = 1 << 28;
    private static final int LEAF7_ECX_NOT_FEATURES = 1 << 4;
    /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the leaf has subleaves; otherwise its index means nothing. */
    private static final int SIGNIFICANT_INDEX = 1;

    private VmSnapshot() {}

    /**
     * Saves the VM's state and memory into {@code directory} (created if missing; an earlier
     * snapshot there is replaced). The vCPUs must be stopped: kicked, and their {@link Vcpu#run()}
     * returned, for the whole save. Each vCPU's last exit is completed first
     * ({@link Vcpu#completePendingExit()}), as api.rst asks before a migration. The state file is
     * written last, under a temporary name and then renamed: a directory without it holds no
     * snapshot.
     *
     * @param directory where the snapshot goes
     * @param vm the VM
     * @param vcpus its vCPUs, in the order a restore creates them again
     * @param memory its guest memory
     * @throws IllegalStateException when a vCPU is running
     * @throws IllegalArgumentException when {@code vcpus} is empty
     * @throws SnapshotException when a file cannot be written
     * @throws KvmException when KVM cannot report a piece of state
     */
    public static void save(Path directory, Vm vm, List<Vcpu> vcpus, GuestMemory memory) {
        save(directory, vm, vcpus, memory, Optional.empty(), List.of(), SnapshotProgress.NONE);
    }

    /**
     * Saves the VM as {@link #save(Path, Vm, List, GuestMemory)} does, with the state of its legacy
     * devices, which {@link RestoredVm#devices()} gives back. Take the devices' state while the
     * vCPUs are stopped ({@link LegacyDeviceState#of}), so that it is of the same moment as theirs.
     *
     * @param directory where the snapshot goes
     * @param vm the VM
     * @param vcpus its vCPUs, in the order a restore creates them again
     * @param memory its guest memory
     * @param devices its legacy devices' state
     * @throws IllegalStateException when a vCPU is running
     * @throws IllegalArgumentException when {@code vcpus} is empty
     * @throws SnapshotException when a file cannot be written
     * @throws KvmException when KVM cannot report a piece of state
     */
    public static void save(Path directory, Vm vm, List<Vcpu> vcpus, GuestMemory memory, LegacyDeviceState devices) {
        save(directory, vm, vcpus, memory, Optional.of(devices), List.of(), SnapshotProgress.NONE);
    }

    /**
     * Saves the VM as {@link #save(Path, Vm, List, GuestMemory, LegacyDeviceState)} does, with the
     * state of its virtio transports, which {@link RestoredVm#virtio()} gives back in the same
     * order. Take them while the vCPUs are stopped and each device is paused
     * ({@link VirtioMmio#pause()}, then {@link VirtioMmio#state()}), so that every request a device
     * took is in the saved memory, completed.
     *
     * @param directory where the snapshot goes
     * @param vm the VM
     * @param vcpus its vCPUs, in the order a restore creates them again
     * @param memory its guest memory
     * @param devices its legacy devices' state
     * @param virtio its virtio transports' state, at most 64
     * @throws IllegalStateException when a vCPU is running
     * @throws IllegalArgumentException when {@code vcpus} is empty, or there are more than 64 transports
     * @throws SnapshotException when a file cannot be written
     * @throws KvmException when KVM cannot report a piece of state
     */
    public static void save(Path directory, Vm vm, List<Vcpu> vcpus, GuestMemory memory, LegacyDeviceState devices,
                            List<VirtioMmio.State> virtio) {
        save(directory, vm, vcpus, memory, Optional.of(devices), virtio, SnapshotProgress.NONE);
    }

    /**
     * Saves the VM as {@link #save(Path, Vm, List, GuestMemory, LegacyDeviceState, List)} does,
     * reporting the memory file's progress to {@code progress} ({@link SnapshotProgress.Part#MEMORY}).
     *
     * @param directory where the snapshot goes
     * @param vm the VM
     * @param vcpus its vCPUs, in the order a restore creates them again
     * @param memory its guest memory
     * @param devices its legacy devices' state
     * @param virtio its virtio transports' state, at most 64
     * @param progress receives the memory file's progress, on this thread
     * @throws IllegalStateException when a vCPU is running
     * @throws IllegalArgumentException when {@code vcpus} is empty, or there are more than 64 transports
     * @throws SnapshotException when a file cannot be written
     * @throws KvmException when KVM cannot report a piece of state
     */
    public static void save(Path directory, Vm vm, List<Vcpu> vcpus, GuestMemory memory, LegacyDeviceState devices,
                            List<VirtioMmio.State> virtio, SnapshotProgress progress) {
        save(directory, vm, vcpus, memory, Optional.of(devices), virtio, progress);
    }

    private static void save(Path directory, Vm vm, List<Vcpu> vcpus, GuestMemory memory, Optional<LegacyDeviceState> devices,
                             List<VirtioMmio.State> virtio, SnapshotProgress progress) {
        if (virtio.size() > SnapshotFile.MAX_VIRTIO) {
            throw new IllegalArgumentException("A snapshot holds at most " + SnapshotFile.MAX_VIRTIO + " virtio devices, not " + virtio.size() + ".");
        }
        if (vcpus.isEmpty()) {
            throw new IllegalArgumentException("A snapshot needs the VM's vCPUs; none were given.");
        }
        for (Vcpu vcpu : vcpus) {
            if (vcpu.isRunning()) {
                throw new IllegalStateException("vCPU " + vcpu.id() + " is running: kick it and let its run() return before saving,"
                        + " as a snapshot of a running vCPU would be torn.");
            }
        }
        for (Vcpu vcpu : vcpus) {
            vcpu.completePendingExit();
        }
        int[] msrs = savableMsrs(vm.kvm().msrIndexList(), vcpus.getFirst());
        List<SnapshotState.VcpuState> states = new ArrayList<>();
        for (Vcpu vcpu : vcpus) {
            states.add(new SnapshotState.VcpuState(vcpu.id(), vcpu.cpuid(), tscKhz(vcpu), vcpu.mpState(), vcpu.registers(),
                    vcpu.specialRegisters(), vcpu.xsave(), vcpu.xcrs(), vcpu.debugRegisters(), vcpu.lapic(), msrs, vcpu.msrs(msrs),
                    vcpu.vcpuEvents()));
        }
        List<IrqchipState> chips = new ArrayList<>();
        if (present(() -> vm.irqchip(Irqchip.PIC_MASTER))) {
            for (Irqchip chip : Irqchip.values()) {
                chips.add(vm.irqchip(chip));
            }
        }
        Optional<PitState> pit = present(vm::pitState) ? Optional.of(vm.pitState()) : Optional.empty();
        List<SnapshotState.Region> regions = new ArrayList<>();
        long offset = 0;
        for (MemoryRegion region : memory.regions()) {
            regions.add(new SnapshotState.Region(region.start().value(), region.size(), offset));
            offset += region.size();
        }
        SnapshotState state = new SnapshotState(offset, regions, states, chips, pit, vm.clock(), devices, virtio);
        try {
            Files.createDirectories(directory);
            // An earlier snapshot's state must not pair with this memory if the save fails halfway.
            Files.deleteIfExists(directory.resolve(STATE_FILE));
            writeMemory(directory.resolve(MEMORY_FILE), memory, offset, progress);
            Path temporary = directory.resolve(STATE_FILE + ".tmp");
            Files.write(temporary, SnapshotFile.encode(state));
            Files.move(temporary, directory.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SnapshotException("Cannot write the snapshot into " + directory + " (" + e + ").", e);
        }
    }

    /** The MSRs in KVM's list that this vCPU can read: the list names some a vCPU's CPUID leaves out. */
    private static int[] savableMsrs(int[] list, Vcpu vcpu) {
        try {
            vcpu.msrs(list);
            return list;
        } catch (KvmException e) {
            return java.util.Arrays.stream(list).filter(index -> {
                try {
                    vcpu.msrs(index);
                    return true;
                } catch (KvmException refused) {
                    return false;
                }
            }).toArray();
        }
    }

    private static int tscKhz(Vcpu vcpu) {
        try {
            return vcpu.tscKhz();
        } catch (KvmException e) {
            return 0; // KVM does not know the host's TSC frequency: the restore keeps its own
        }
    }

    /** Whether the VM has the device {@code get} reads: ENXIO says it was never created. */
    private static boolean present(Runnable get) {
        try {
            get.run();
            return true;
        } catch (KvmException e) {
            if (e.is(Errno.ENXIO)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The regions one after another, each non-zero page written and every zero page left a hole:
     * the file takes only the disk space of the memory the guest wrote.
     */
    private static void writeMemory(Path path, GuestMemory memory, long size, SnapshotProgress progress) throws IOException {
        // A fresh file: holes where the old one had data would not be holes, and a VM restored
        // MAP_PRIVATE from the old one keeps mapping it (unlinked) instead of seeing it truncated.
        Files.deleteIfExists(path);
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw"); FileChannel channel = file.getChannel()) {
            file.setLength(size);
            ByteBuffer chunk = ByteBuffer.allocateDirect(SCAN_CHUNK);
            MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
            long fileOffset = 0;
            for (MemoryRegion region : memory.regions()) {
                for (long done = 0; done < region.size(); done += SCAN_CHUNK) {
                    int length = (int) Math.min(SCAN_CHUNK, region.size() - done);
                    chunk.clear().limit(length);
                    memory.read(region.start().plus(done), chunk);
                    int runStart = -1;
                    for (int page = 0; page <= length; page += (int) GuestMemory.PAGE_SIZE) {
                        boolean zero = page == length
                                || chunkSegment.asSlice(page, GuestMemory.PAGE_SIZE).mismatch(ZERO_PAGE) == -1;
                        if (!zero && runStart < 0) {
                            runStart = page;
                        } else if (zero && runStart >= 0) {
                            ByteBuffer run = chunk.duplicate().limit(page).position(runStart);
                            while (run.hasRemaining()) {
                                channel.write(run, fileOffset + done + run.position());
                            }
                            runStart = -1;
                        }
                    }
                    progress.update(SnapshotProgress.Part.MEMORY, 0, fileOffset + done + length, size);
                }
                fileOffset += region.size();
            }
            channel.force(false);
        }
    }

    /**
     * Restores the snapshot in {@code directory} into a new VM, stopped: run its vCPUs to resume
     * the guest. Everything is checked that can be before anything is created (the state file
     * whole, the memory file's size, the vCPU count, the CPUID), and everything created is closed
     * again when a later step fails.
     *
     * @param directory a directory {@link #save} wrote
     * @param kvm the KVM to create the VM in
     * @param options how to provide the memory and set up the VM
     * @return the restored VM, its vCPUs and memory, to close when done
     * @throws SnapshotException in one sentence, for a missing, foreign, truncated or corrupt file,
     *     an unknown format version, more vCPUs or CPU features than this KVM gives, or state KVM
     *     refuses
     */
    public static RestoredVm restore(Path directory, Kvm kvm, RestoreOptions options) {
        SnapshotState state = SnapshotFile.read(directory.resolve(STATE_FILE));
        Path memoryFile = directory.resolve(MEMORY_FILE);
        long memorySize;
        try {
            memorySize = Files.size(memoryFile);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(directory + " has no memory file '" + MEMORY_FILE + "': copy it along with the state file.", e);
        } catch (IOException e) {
            throw new SnapshotException("Cannot read " + memoryFile + " (" + e + ").", e);
        }
        if (memorySize != state.memoryFileSize()) {
            throw new SnapshotException(memoryFile + " is " + memorySize + " bytes, but the snapshot's memory is " + state.memoryFileSize()
                    + ": it is truncated or belongs to another snapshot.");
        }
        int maxVcpus = kvm.maxVcpus();
        if (state.vcpus().size() > maxVcpus) {
            throw new SnapshotException("The snapshot has " + state.vcpus().size() + " vCPUs, but this KVM gives a VM at most " + maxVcpus + ".");
        }
        checkCpuid(state, offeredCpuid(kvm));
        List<GuestMemory.Range> ranges = state.regions().stream()
                .map(r -> new GuestMemory.Range(GuestAddress.of(r.guestAddress()), r.size())).toList();
        options.preFaultOnly().ifPresent(only -> only.checkWithin(ranges));

        GuestMemory memory = null;
        Vm vm = null;
        try {
            memory = switch (options.memory()) {
                case MAP_PRIVATE -> GuestMemory.mapPrivate(memoryFile, ranges);
                case COPY -> copied(memoryFile, ranges, state);
            };
            vm = kvm.createVm();
            Vm created = vm; // final, for the lambdas below
            options.tssAddress().ifPresent(created::setTssAddress);
            if (!state.irqchips().isEmpty()) {
                vm.createIrqchip(); // before the vCPUs, which get their LAPICs from it
            }
            if (state.pit().isPresent()) {
                vm.createPit();
            }
            vm.map(memory);
            List<Vcpu> vcpus = new ArrayList<>();
            for (SnapshotState.VcpuState v : state.vcpus()) {
                vcpus.add(step("vCPU " + v.id(), () -> created.createVcpu(v.id())));
            }
            for (int i = 0; i < vcpus.size(); i++) {
                restoreVcpu(vcpus.get(i), state.vcpus().get(i));
            }
            // After the vCPUs' state, whose mode the stage-2 roots are built for; before the clock,
            // so that the guest does not see the pre-fault's time pass.
            Optional<PreFaultResult> preFault = Optional.empty();
            if (options.preFault() != PreFaultPolicy.NONE) {
                PreFaulter preFaulter = PreFaulter.of(vm, memory).vcpus(vcpus).policy(options.preFault());
                options.preFaultOnly().ifPresent(only -> preFaulter.ranges(only.ranges()).populateOnly(only.written()));
                preFault = Optional.of(preFaulter.run());
            }
            for (IrqchipState chip : state.irqchips()) {
                step("the " + chip.chip() + " state", () -> created.setIrqchip(chip));
            }
            state.pit().ifPresent(pit -> step("the PIT state", () -> created.setPitState(pit)));
            step("the kvmclock", () -> created.setClock(state.clock()));
            for (Vcpu vcpu : vcpus) {
                notifyPaused(vcpu);
            }
            return new RestoredVm(vm, vcpus, memory, state.devices(), state.virtio(), preFault);
        } catch (RuntimeException e) {
            if (vm != null) {
                vm.close();
            }
            if (memory != null) {
                memory.close();
            }
            if (e instanceof SnapshotException) {
                throw e;
            }
            throw new SnapshotException("Cannot restore " + directory + ": " + sentence(e), e);
        }
    }

    private static void restoreVcpu(Vcpu vcpu, SnapshotState.VcpuState s) {
        String of = "vCPU " + s.id() + "'s ";
        step(of + "CPUID", () -> vcpu.setCpuid(s.cpuid()));
        if (s.tscKhz() != 0 && tscKhz(vcpu) != s.tscKhz()) {
            step(of + "TSC frequency of " + s.tscKhz() + " kHz", () -> vcpu.setTscKhz(s.tscKhz()));
        }
        step(of + "MP state", () -> vcpu.setMpState(s.mpState()));
        step(of + "registers", () -> vcpu.setRegisters(s.regs()));
        step(of + "special registers", () -> vcpu.setSpecialRegisters(s.sregs()));
        step(of + "XSAVE state", () -> vcpu.setXsave(s.xsave()));
        step(of + "XCRs", () -> vcpu.setXcrs(s.xcrs()));
        step(of + "debug registers", () -> vcpu.setDebugRegisters(s.debugRegisters()));
        step(of + "LAPIC", () -> vcpu.setLapic(s.lapic()));
        step(of + "MSRs", () -> vcpu.setMsrs(s.msrIndices(), s.msrValues()));
        step(of + "events", () -> vcpu.setVcpuEvents(s.events()));
    }

    /** KVM_KVMCLOCK_CTRL where the guest uses kvmclock; EINVAL says it does not. */
    private static void notifyPaused(Vcpu vcpu) {
        try {
            vcpu.notifyGuestPaused();
        } catch (KvmException e) {
            if (!e.is(Errno.EINVAL)) {
                throw new SnapshotException("KVM refused KVM_KVMCLOCK_CTRL on vCPU " + vcpu.id() + ": " + sentence(e), e);
            }
        }
    }

    private static void step(String what, Runnable set) {
        step(what, () -> {
            set.run();
            return null;
        });
    }

    private static <T> T step(String what, java.util.function.Supplier<T> set) {
        try {
            return set.get();
        } catch (KvmException | IllegalArgumentException e) {
            throw new SnapshotException("This KVM refused " + what + " from the snapshot: " + sentence(e), e);
        }
    }

    /** An exception's message as the end of one sentence: one line, one final period. */
    private static String sentence(Exception e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
        return message.endsWith(".") ? message : message + ".";
    }

    /** Fresh anonymous memory with the file's non-zero pages copied in; zero pages stay untouched. */
    private static GuestMemory copied(Path file, List<GuestMemory.Range> ranges, SnapshotState state) {
        GuestMemory memory = GuestMemory.anonymous(ranges);
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(SCAN_CHUNK);
            MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
            for (SnapshotState.Region region : state.regions()) {
                for (long done = 0; done < region.size(); done += SCAN_CHUNK) {
                    int length = (int) Math.min(SCAN_CHUNK, region.size() - done);
                    chunk.clear().limit(length);
                    while (chunk.hasRemaining()) {
                        if (channel.read(chunk, region.fileOffset() + done + chunk.position()) < 0) {
                            throw new SnapshotException(file + " ended early: it is truncated.");
                        }
                    }
                    for (int page = 0; page < length; page += (int) GuestMemory.PAGE_SIZE) {
                        if (chunkSegment.asSlice(page, GuestMemory.PAGE_SIZE).mismatch(ZERO_PAGE) != -1) {
                            memory.write(GuestAddress.of(region.guestAddress() + done + page),
                                    chunk.duplicate().limit(page + (int) GuestMemory.PAGE_SIZE).position(page));
                        }
                    }
                }
            }
            return memory;
        } catch (IOException | RuntimeException e) {
            memory.close();
            if (e instanceof SnapshotException s) {
                throw s;
            }
            throw new SnapshotException("Cannot copy " + file + " into guest memory (" + e + ").", e);
        }
    }

    private static volatile List<CpuidEntry> offered; // the host's CPU does not change while the process runs

    /**
     * The CPUID a vCPU of this KVM has after asking for everything {@code KVM_GET_SUPPORTED_CPUID}
     * lists: on most hosts that list itself, but some KVMs (this project's PVM host) give a vCPU
     * more than they list. Found once per process with a throwaway VM.
     */
    private static List<CpuidEntry> offeredCpuid(Kvm kvm) {
        List<CpuidEntry> known = offered;
        if (known == null) {
            List<CpuidEntry> supported = kvm.supportedCpuid();
            try (Vm probe = kvm.createVm(); Vcpu vcpu = probe.createVcpu(0)) {
                vcpu.setCpuid(supported);
                List<CpuidEntry> given = new ArrayList<>(vcpu.cpuid());
                given.addAll(supported); // where both have a leaf, either may offer a bit
                offered = known = List.copyOf(given);
            }
        }
        return known;
    }

    /**
     * Refuses CPU features this KVM cannot offer: each feature bit the snapshot's vCPUs had must be
     * in {@code supported} ({@link #offeredCpuid}), or the guest would find an instruction gone after restore.
     */
    static void checkCpuid(SnapshotState state, List<CpuidEntry> supported) {
        for (SnapshotState.VcpuState v : state.vcpus()) {
            for (CpuidEntry saved : v.cpuid()) {
                int[] masks = featureMasks(saved.function(), saved.index());
                if (masks == null) {
                    continue;
                }
                int[] can = new int[4];
                for (CpuidEntry e : supported) {
                    if (e.function() == saved.function() && ((e.flags() & SIGNIFICANT_INDEX) == 0 || e.index() == saved.index())) {
                        can[0] |= e.eax();
                        can[1] |= e.ebx();
                        can[2] |= e.ecx();
                        can[3] |= e.edx();
                    }
                }
                int[] have = {saved.eax(), saved.ebx(), saved.ecx(), saved.edx()};
                String[] names = {"EAX", "EBX", "ECX", "EDX"};
                for (int r = 0; r < 4; r++) {
                    int missing = have[r] & masks[r] & ~can[r];
                    if (missing != 0) {
                        throw new SnapshotException("The snapshot's vCPU " + v.id() + " has CPUID leaf 0x" + Integer.toHexString(saved.function())
                                + (saved.index() != 0 ? "." + saved.index() : "") + " " + names[r] + " bit " + Integer.numberOfTrailingZeros(missing)
                                + ", a CPU feature this KVM cannot give: restore it on a host with the same CPU features.");
                    }
                }
            }
        }
    }

    /** Which bits of EAX, EBX, ECX, EDX of a leaf are features; null for leaves that describe, not offer. */
    private static int[] featureMasks(int function, int index) {
        return switch (function) {
            case 0x1 -> new int[] {0, 0, ~LEAF1_ECX_NOT_FEATURES, ~LEAF1_EDX_NOT_FEATURES};
            case 0x7 -> index == 0 ? new int[] {0, -1, ~LEAF7_ECX_NOT_FEATURES, -1} : null;
            case 0xd -> index == 1 ? new int[] {-1, 0, 0, 0} : null;
            case 0x80000001 -> new int[] {0, 0, -1, -1};
            default -> null;
        };
    }
}
