// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.jfr.VcpuExitCounts;
import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_cpuid2;
import dev.vmm.ffm.kvm.kvm_fpu;
import dev.vmm.ffm.kvm.kvm_lapic_state;
import dev.vmm.ffm.kvm.kvm_mp_state;
import dev.vmm.ffm.kvm.kvm_pre_fault_memory;
import dev.vmm.ffm.kvm.kvm_msr_entry;
import dev.vmm.ffm.kvm.kvm_msrs;
import dev.vmm.ffm.kvm.kvm_run;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A virtual CPU: its registers and the run loop's single step, {@link #run()}. Use a vCPU from one
 * thread at a time, as KVM does (it holds the vCPU's mutex for every vCPU ioctl); {@link #kick()}
 * and {@link #close()} work from any thread. Closing its {@link Vm} closes it too. A failed ioctl
 * is a {@link KvmException}; any use after close is an {@link IllegalStateException}.
 */
public final class Vcpu implements AutoCloseable {
    /** The signal {@link #kick()} sends; its handler only interrupts the blocking ioctl. */
    private static final int KICK_SIGNAL = Libc.sigrtmin() + 2;
    /** KVM_MAX_CPUID_ENTRIES: no vCPU has more CPUID leaves than this. */
    private static final int MAX_CPUID_ENTRIES = 256;

    static {
        if (Libc.installInterruptingSignalHandler(KICK_SIGNAL) != 0) {
            throw new KvmException("sigaction", Libc.errno(), "signal=" + KICK_SIGNAL);
        }
    }

    private final FileDescriptor fd;
    // Which thread is inside a blocking vCPU ioctl, so that kick() and close() can interrupt it.
    // Guarded by `this`, which also keeps that thread from leaving the call while it is being signalled.
    private long callThread;
    private long callSequence;
    private boolean inCall;
    private boolean inRun;
    // Kicks not yet answered by an Interrupted run. immediate_exit is 1 exactly while this is
    // positive; both change only under `this`, so clearing the one can never erase a kick.
    private long kicksPending;
    private boolean stage2RootStale;
    // A memory slot change is under way (Vm.breakingPreFaults): pre-faults wait to enter until it ends.
    private boolean slotChanging;
    private final int id;
    private final Arena runArena;
    private final MemorySegment run;
    private final VcpuExitCounts exits; // counted by the running thread, sampled by JFR

    private Vcpu(FileDescriptor fd, int id, Arena runArena, MemorySegment run) {
        this.fd = fd;
        this.id = id;
        this.runArena = runArena;
        this.run = run;
        this.exits = VcpuExitCounts.open(id);
    }

    /** Maps the vCPU's {@code kvm_run} area; takes ownership of {@code fd}. */
    static Vcpu map(FileDescriptor fd, int id, int mmapSize) {
        Arena arena = Arena.ofShared();
        MemorySegment run;
        int raw = fd.acquire();
        try {
            run = Libc.mmap(mmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, raw, 0, arena);
        } finally {
            fd.release();
        }
        if (run == null) {
            int errno = Libc.errno();
            arena.close();
            fd.close();
            throw new KvmException("mmap(kvm_run)", errno, "vcpu=" + id + " size=" + mmapSize);
        }
        return new Vcpu(fd, id, arena, run);
    }

    /** {@return the id given at creation (the initial APIC ID)} */
    public int id() {
        return id;
    }

    /** {@return the general-purpose registers, read with {@code KVM_GET_REGS}} */
    public Registers registers() {
        Registers regs = new Registers();
        Ioctls.call(fd, KvmIoctls.KVM_GET_REGS, "KVM_GET_REGS", regs.struct);
        return regs;
    }

    /**
     * Writes the general-purpose registers with {@code KVM_SET_REGS}.
     *
     * @param regs the registers, as {@link #registers()} returned them and changed since
     */
    public void setRegisters(Registers regs) {
        Ioctls.call(fd, KvmIoctls.KVM_SET_REGS, "KVM_SET_REGS", regs.struct);
    }

    /** {@return the segment, descriptor-table and control registers, read with {@code KVM_GET_SREGS}} */
    public SpecialRegisters specialRegisters() {
        SpecialRegisters sregs = new SpecialRegisters();
        Ioctls.call(fd, KvmIoctls.KVM_GET_SREGS, "KVM_GET_SREGS", sregs.struct);
        return sregs;
    }

    /**
     * Writes the segment, descriptor-table and control registers with {@code KVM_SET_SREGS}.
     *
     * @param sregs the registers, as {@link #specialRegisters()} returned them and changed since
     */
    public void setSpecialRegisters(SpecialRegisters sregs) {
        Ioctls.call(fd, KvmIoctls.KVM_SET_SREGS, "KVM_SET_SREGS", sregs.struct);
    }

    /** {@return {@code KVM_GET_FPU}: the x87/SSE state as a copy of {@code kvm_fpu}'s bytes} */
    public byte[] fpu() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fpu = kvm_fpu.allocate(arena);
            Ioctls.call(fd, KvmIoctls.KVM_GET_FPU, "KVM_GET_FPU", fpu);
            return fpu.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** {@code KVM_SET_FPU} with the power-on defaults Linux expects: FCW 0x37f, MXCSR 0x1f80. */
    public void setDefaultFpu() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fpu = kvm_fpu.allocate(arena);
            kvm_fpu.fcw(fpu, (short) 0x37f);
            kvm_fpu.mxcsr(fpu, 0x1f80);
            Ioctls.call(fd, KvmIoctls.KVM_SET_FPU, "KVM_SET_FPU", fpu);
        }
    }

    /**
     * {@code KVM_SET_CPUID2}: the CPUID leaves the guest sees on this vCPU.
     *
     * @param entries the leaves, e.g. from {@link Kvm#supportedCpuid()}, adjusted
     * @throws KvmException when KVM refuses them, e.g. E2BIG for more than 256 leaves
     */
    public void setCpuid(List<CpuidEntry> entries) {
        try (Arena arena = Arena.ofConfined()) {
            Ioctls.call(fd, KvmIoctls.KVM_SET_CPUID2, "KVM_SET_CPUID2", CpuidEntry.writeAll(arena, entries),
                    () -> "nent=" + entries.size());
        }
    }

    /** {@return {@code KVM_GET_CPUID2}: the CPUID leaves set on this vCPU} */
    public List<CpuidEntry> cpuid() {
        // KVM answers E2BIG for a buffer smaller than the vCPU's CPUID, but not every kernel writes
        // the count back (6.1 leaves nent as it was): find the smallest buffer that works.
        int low = 0;
        int high = MAX_CPUID_ENTRIES;
        try (Arena arena = Arena.ofConfined()) {
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (getCpuid(arena, middle) != null) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            MemorySegment cpuid = getCpuid(arena, low);
            if (cpuid == null) {
                throw new KvmException("KVM_GET_CPUID2", Errno.E2BIG.value(), "nent=" + low);
            }
            kvm_cpuid2.nent(cpuid, low);
            return CpuidEntry.readAll(cpuid);
        }
    }

    /** One KVM_GET_CPUID2 with room for {@code entries}; null when KVM says E2BIG. */
    private MemorySegment getCpuid(Arena arena, int entries) {
        MemorySegment cpuid = kvm_cpuid2.allocate(arena, entries);
        return Ioctls.callUnless(Errno.E2BIG, fd, KvmIoctls.KVM_GET_CPUID2, "KVM_GET_CPUID2", cpuid, () -> "nent=" + entries) ? cpuid : null;
    }

    /**
     * {@code KVM_GET_MSRS}: the values of the given MSRs.
     *
     * @param indices the MSR numbers, e.g. from {@link Kvm#msrIndexList()}
     * @return their values, in the same order
     * @throws KvmException when KVM cannot read one of them
     */
    public long[] msrs(int... indices) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msrs = kvm_msrs.allocate(arena, indices.length);
            for (int i = 0; i < indices.length; i++) {
                kvm_msr_entry.index(kvm_msrs.entry(msrs, i), indices[i]);
            }
            int read = Ioctls.call(fd, KvmIoctls.KVM_GET_MSRS, "KVM_GET_MSRS", msrs, () -> "nmsrs=" + indices.length);
            if (read != indices.length) {
                throw new KvmException("KVM_GET_MSRS", 0, "read " + read + " of " + indices.length + " MSRs; MSR 0x"
                        + Integer.toHexString(indices[read]) + " is not supported");
            }
            long[] values = new long[indices.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = kvm_msr_entry.data(kvm_msrs.entry(msrs, i));
            }
            return values;
        }
    }

    /**
     * {@code KVM_SET_MSRS}: writes {@code values[i]} to MSR {@code indices[i]}.
     *
     * @param indices the MSR numbers
     * @param values their new values, as many as {@code indices}
     * @throws IllegalArgumentException when the arrays differ in length
     * @throws KvmException when KVM refuses one of them
     */
    public void setMsrs(int[] indices, long[] values) {
        if (indices.length != values.length) {
            throw new IllegalArgumentException(indices.length + " MSR indices but " + values.length + " values: give one value per index.");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msrs = kvm_msrs.allocate(arena, indices.length);
            for (int i = 0; i < indices.length; i++) {
                kvm_msr_entry.index(kvm_msrs.entry(msrs, i), indices[i]);
                kvm_msr_entry.data(kvm_msrs.entry(msrs, i), values[i]);
            }
            int written = Ioctls.call(fd, KvmIoctls.KVM_SET_MSRS, "KVM_SET_MSRS", msrs, () -> "nmsrs=" + indices.length);
            if (written != indices.length) {
                throw new KvmException("KVM_SET_MSRS", 0, "wrote " + written + " of " + indices.length + " MSRs; MSR 0x"
                        + Integer.toHexString(indices[written]) + " was refused");
            }
        }
    }

    /** {@return {@code KVM_GET_LAPIC}: the in-kernel local APIC's 1 KiB register page} */
    public byte[] lapic() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lapic = kvm_lapic_state.allocate(arena);
            Ioctls.call(fd, KvmIoctls.KVM_GET_LAPIC, "KVM_GET_LAPIC", lapic);
            return lapic.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * {@code KVM_SET_LAPIC}: replaces the local APIC's register page.
     *
     * @param registers the page, 1024 bytes, as {@link #lapic()} returned it and changed since
     * @throws IllegalArgumentException when it is not 1024 bytes
     */
    public void setLapic(byte[] registers) {
        if (registers.length != kvm_lapic_state.sizeof()) {
            throw new IllegalArgumentException("A LAPIC register page is " + kvm_lapic_state.sizeof() + " bytes, not " + registers.length + ".");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lapic = arena.allocateFrom(ValueLayout.JAVA_BYTE, registers);
            Ioctls.call(fd, KvmIoctls.KVM_SET_LAPIC, "KVM_SET_LAPIC", lapic);
        }
    }

    /** {@return {@code KVM_GET_MP_STATE}: the vCPU's multiprocessing state (RUNNABLE, HALTED, ...)} */
    public MpState mpState() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = kvm_mp_state.allocate(arena);
            Ioctls.call(fd, KvmIoctls.KVM_GET_MP_STATE, "KVM_GET_MP_STATE", state);
            return MpState.of(kvm_mp_state.mp_state(state));
        }
    }

    /**
     * {@code KVM_SET_MP_STATE}: e.g. makes an application processor runnable without INIT and SIPI.
     *
     * @param mpState the state to set
     */
    public void setMpState(MpState mpState) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = kvm_mp_state.allocate(arena);
            kvm_mp_state.mp_state(state, mpState.value());
            Ioctls.call(fd, KvmIoctls.KVM_SET_MP_STATE, "KVM_SET_MP_STATE", state, () -> "mp_state=" + mpState);
        }
    }

    /**
     * {@code KVM_RUN}: runs the guest until it needs the VMM, and says why.
     *
     * @return the decoded exit; {@link VcpuExit.Interrupted} for a {@link #kick()} (without entering
     *     the guest when the kick came before this run) or a {@link #close()} from another thread.
     *     Any other signal that interrupts KVM_RUN is not reported: the guest runs on.
     * @throws KvmException when KVM_RUN fails for another reason
     * @throws IllegalStateException when the vCPU is closed
     */
    public VcpuExit run() {
        int vcpuFd = fd.acquire(); // held until the exit is decoded: close() unmaps kvm_run only after
        try {
            while (true) {
                synchronized (this) {
                    if (kicksPending > 0) {
                        answerKick();
                        exits.interrupted();
                        return new VcpuExit.Interrupted();
                    }
                    enterCall(true);
                }
                int r = Libc.ioctl(vcpuFd, KvmIoctls.KVM_RUN, 0L);
                int errno = r < 0 ? Libc.errno() : 0;
                if (errno == Errno.EINTR.value() || errno == Errno.EAGAIN.value()) {
                    leaveCall(); // a kick that came meanwhile is answered at the top of the loop
                    exits.interrupted();
                    if (!fd.isOpen()) {
                        return new VcpuExit.Interrupted(); // close() is waiting for this run to leave
                    }
                    continue; // a signal meant for an earlier call, or not ours: run on unless a kick is pending
                }
                leaveCall();
                if (r < 0) {
                    throw new KvmException("KVM_RUN", errno, "vcpu=" + id);
                }
                return decodeExit();
            }
        } finally {
            fd.release();
        }
    }

    /** Counts one kick as answered; immediate_exit stays set while others wait. Caller holds `this`. */
    private void answerKick() {
        if (--kicksPending == 0) {
            kvm_run.immediate_exit(run, (byte) 0);
        }
    }

    /**
     * One {@code KVM_PRE_FAULT_MEMORY} call: asks KVM to build the stage-2 mappings for
     * {@code [gpa, gpa + size)} as a guest read would. KVM may stop early; the result says where.
     * Most callers want {@link dev.vmm.core.prefault.PreFaulter}, which loops, retries and probes.
     *
     * @param gpa the range's first guest physical address, 4 KiB aligned
     * @param size the range's length in bytes, 4 KiB aligned and not 0
     * @return where the unmapped rest starts and how long it is, and the errno when the call failed
     *     (a failure is reported, not thrown)
     * @throws IllegalArgumentException when gpa or size is not 4 KiB aligned, size is 0, or the
     *     range wraps around 2^64 (checked here so the kernel never sees it)
     */
    public PreFaultCall preFaultMemory(GuestAddress gpa, long size) {
        if ((gpa.value() & (GuestMemory.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("Pre-fault address " + gpa + " is not 4 KiB aligned: round it down to a multiple of 0x1000.");
        }
        if (size == 0 || (size & (GuestMemory.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("Pre-fault size 0x" + Long.toHexString(size) + " is not a positive multiple of 4 KiB.");
        }
        if (Long.compareUnsigned(gpa.value() + size, gpa.value()) <= 0) {
            throw new IllegalArgumentException("Pre-fault range " + gpa + " + 0x" + Long.toHexString(size) + " wraps around the 64-bit address space.");
        }
        int vcpuFd = fd.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = kvm_pre_fault_memory.allocate(arena);
            kvm_pre_fault_memory.gpa(range, gpa.value());
            kvm_pre_fault_memory.size(range, size);
            while (!enterPreFault()) {
                dropStage2Root();
            }
            int r;
            int errno;
            try {
                r = Libc.ioctl(vcpuFd, KvmIoctls.KVM_PRE_FAULT_MEMORY, range);
                errno = r < 0 ? Libc.errno() : 0;
            } finally {
                leaveCall();
            }
            return new PreFaultCall(GuestAddress.of(kvm_pre_fault_memory.gpa(range)), kvm_pre_fault_memory.size(range), errno);
        } finally {
            fd.release();
        }
    }

    /**
     * Makes this vCPU's {@link #run()} return promptly, from any thread. Every kick is answered by
     * exactly one {@link VcpuExit.Interrupted}: from the run in KVM_RUN when the kick comes, or else
     * from the next run, which then returns at once (KVM's {@code immediate_exit}). Kicks are never
     * lost, and never merged: two kicks make two runs return Interrupted. A
     * {@link #preFaultMemory} in progress is interrupted too.
     *
     * @throws IllegalStateException when the vCPU is closed
     */
    public void kick() {
        fd.acquire(); // keeps kvm_run mapped while immediate_exit is written
        try {
            synchronized (this) {
                kicksPending++;
                kvm_run.immediate_exit(run, (byte) 1);
            }
        } finally {
            fd.release();
        }
        interruptCall(true);
    }

    /**
     * Makes a {@link #preFaultMemory} in progress on another thread return promptly, with what it
     * mapped so far or EINTR. Does nothing when no pre-fault is in progress; never affects a run.
     */
    public void interruptPreFault() {
        interruptCall(false);
    }

    /**
     * Called by {@link Vm} before a memory slot change: until {@link #endSlotChange}, a pre-fault
     * waits before it enters the kernel.
     *
     * @return whether a pre-fault is inside its call now, to be signalled out while the change waits for it
     */
    synchronized boolean beginSlotChange() {
        slotChanging = true;
        return inCall && !inRun;
    }

    /**
     * Called by {@link Vm} after the slot change, which may have left this vCPU's root stale; the
     * Vm then interrupts a pre-fault that was under way when the change began.
     */
    synchronized void endSlotChange(boolean rootMayBeStale) {
        slotChanging = false;
        if (rootMayBeStale) {
            stage2RootStale = true;
        }
        notifyAll();
    }

    /**
     * Enters a pre-fault call once no slot change is under way, or, when one has made the root
     * stale since the last call, clears the flag and returns false so that the root is dropped
     * first. Checking and entering under one lock leaves no window for a slot change to slip
     * between them unnoticed.
     */
    private synchronized boolean enterPreFault() {
        boolean interrupted = false;
        while (slotChanging) { // a change ends within milliseconds: wait it out, interrupted or not
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (stage2RootStale) {
            stage2RootStale = false;
            return false;
        }
        enterCall(false);
        return true;
    }

    /**
     * Makes KVM drop this vCPU's stage-2 page-table root, so that the next pre-fault loads a fresh
     * one. Deleting or moving a memory slot makes every root obsolete; KVM_RUN replaces an obsolete
     * root, but KVM_PRE_FAULT_MEMORY on 6.12 does not and retries on it until a signal arrives
     * (measured in the sandbox). Any change of CR3 through KVM_SET_SREGS resets the vCPU's MMU
     * context, so CR3 is changed and put back: the guest-visible state is the same afterwards.
     */
    private void dropStage2Root() {
        SpecialRegisters sregs = specialRegisters();
        long cr3 = sregs.cr3();
        setSpecialRegisters(sregs.cr3(cr3 ^ GuestMemory.PAGE_SIZE));
        setSpecialRegisters(sregs.cr3(cr3));
    }

    /** Signals the thread inside a {@link #preFaultMemory} on this vCPU once; nothing otherwise. */
    synchronized void signalPreFault() {
        if (inCall && !inRun) {
            Libc.pthreadKill(callThread, KICK_SIGNAL);
        }
    }

    private void interruptCall(boolean includingRun) {
        long sequence;
        synchronized (this) {
            if (!inCall || (inRun && !includingRun)) {
                return;
            }
            sequence = callSequence;
        }
        // A signal that lands just before the thread enters the kernel is lost, so repeat until
        // the call returns (each one interrupts at most one ioctl; the handler does nothing).
        for (int attempt = 0; attempt < 10_000; attempt++) {
            synchronized (this) {
                if (!inCall || callSequence != sequence) {
                    return;
                }
                Libc.pthreadKill(callThread, KICK_SIGNAL);
            }
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Signals the thread inside a vCPU ioctl once, if there is one; close() repeats it until the call leaves. */
    private synchronized void signalCall() {
        if (inCall) {
            Libc.pthreadKill(callThread, KICK_SIGNAL);
        }
    }

    private synchronized void enterCall(boolean isRun) {
        callThread = Libc.pthreadSelf();
        callSequence++;
        inCall = true;
        inRun = isRun;
    }

    private synchronized void leaveCall() {
        inCall = false;
    }

    private VcpuExit decodeExit() {
        int reason = kvm_run.exit_reason(run);
        exits.exit(reason);
        return switch (reason) {
            case KvmConstants.KVM_EXIT_IO -> decodeIo();
            case KvmConstants.KVM_EXIT_MMIO -> decodeMmio();
            case KvmConstants.KVM_EXIT_HLT -> new VcpuExit.Hlt();
            case KvmConstants.KVM_EXIT_SHUTDOWN -> new VcpuExit.Shutdown();
            case KvmConstants.KVM_EXIT_FAIL_ENTRY -> new VcpuExit.FailEntry(
                    kvm_run.fail_entry_hardware_entry_failure_reason(run), kvm_run.fail_entry_cpu(run));
            case KvmConstants.KVM_EXIT_INTERNAL_ERROR -> new VcpuExit.InternalError(
                    kvm_run.internal_suberror(run), words(kvm_run.internal_data(run), kvm_run.internal_ndata(run)));
            case KvmConstants.KVM_EXIT_SYSTEM_EVENT -> new VcpuExit.SystemEvent(
                    kvm_run.system_event_type(run), words(kvm_run.system_event_data(run), kvm_run.system_event_ndata(run)));
            case KvmConstants.KVM_EXIT_INTR -> new VcpuExit.Interrupted();
            default -> new VcpuExit.Unknown(reason);
        };
    }

    private VcpuExit decodeIo() {
        int size = Byte.toUnsignedInt(kvm_run.io_size(run));
        int port = Short.toUnsignedInt(kvm_run.io_port(run));
        int count = kvm_run.io_count(run);
        long offset = kvm_run.io_data_offset(run);
        long length = (long) size * Integer.toUnsignedLong(count);
        // The data lives inside the kvm_run mapping; check before slicing rather than trust it.
        if (offset < 0 || length > run.byteSize() || offset > run.byteSize() - length) {
            throw new IllegalStateException("KVM reported port I/O data outside kvm_run: offset=" + offset + " length=" + length);
        }
        MemorySegment data = run.asSlice(offset, length);
        if (kvm_run.io_direction(run) == KvmConstants.KVM_EXIT_IO_OUT) {
            return new VcpuExit.IoOut(port, size, count, data.toArray(ValueLayout.JAVA_BYTE));
        }
        return new VcpuExit.IoIn(port, size, count, data);
    }

    private VcpuExit decodeMmio() {
        GuestAddress address = GuestAddress.of(kvm_run.mmio_phys_addr(run));
        MemorySegment buffer = kvm_run.mmio_data(run);
        int length = kvm_run.mmio_len(run);
        if (length < 0 || length > buffer.byteSize()) {
            throw new IllegalStateException("KVM reported an MMIO access of " + length + " bytes; at most " + buffer.byteSize() + " fit.");
        }
        MemorySegment data = buffer.asSlice(0, length);
        if (kvm_run.mmio_is_write(run) != 0) {
            return new VcpuExit.MmioWrite(address, data.toArray(ValueLayout.JAVA_BYTE));
        }
        return new VcpuExit.MmioRead(address, data);
    }

    private static long[] words(MemorySegment data, long count) {
        long n = Math.min(Math.max(count, 0), data.byteSize() / Long.BYTES);
        return data.asSlice(0, n * Long.BYTES).toArray(ValueLayout.JAVA_LONG);
    }

    /** {@return whether {@link #close()} has not been called yet} */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * Closes the vCPU from any thread: later calls fail with IllegalStateException, a run or
     * pre-fault in progress on another thread is interrupted (the run returns
     * {@link VcpuExit.Interrupted}) and waited for, and only then is {@code kvm_run} unmapped and
     * the fd closed.
     */
    @Override
    public void close() {
        exits.close();
        fd.close(this::signalCall, () -> {
            if (runArena.scope().isAlive()) {
                runArena.close();
            }
        });
    }
}
