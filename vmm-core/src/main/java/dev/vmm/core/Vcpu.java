// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.jfr.VcpuExitCounts;
import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_cpuid2;
import dev.vmm.ffm.kvm.kvm_debugregs;
import dev.vmm.ffm.kvm.kvm_fpu;
import dev.vmm.ffm.kvm.kvm_lapic_state;
import dev.vmm.ffm.kvm.kvm_mp_state;
import dev.vmm.ffm.kvm.kvm_pre_fault_memory;
import dev.vmm.ffm.kvm.kvm_msr_entry;
import dev.vmm.ffm.kvm.kvm_msrs;
import dev.vmm.ffm.kvm.kvm_run;
import dev.vmm.ffm.kvm.kvm_xcr;
import dev.vmm.ffm.kvm.kvm_xcrs;
import dev.vmm.ffm.kvm.kvm_xsave;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A virtual CPU: its registers and the run loop's single step, {@link #run()}. Use a vCPU from one
 * thread at a time, as KVM does (it holds the vCPU's mutex for every vCPU ioctl); {@link #kick()}
 * and {@link #close()} work from any thread. Closing its {@link Vm} closes it too. A failed ioctl
 * is a {@link KvmException}; any use after close is an {@link IllegalStateException}.
 */
public final class Vcpu implements AutoCloseable {
    /** KVM_MAX_CPUID_ENTRIES: no vCPU has more CPUID leaves than this. */
    private static final int MAX_CPUID_ENTRIES = 256;

    /**
     * The signal {@link #kick()} sends, its handler installed before the first is sent: a holder
     * class, so that a program that never kicks a vCPU never links the two libc calls it takes
     * (measured: their linking is a tenth of a JVM's time to its first KVM_RUN).
     */
    private static final class KickSignal {
        static final int NUMBER = Libc.sigrtmin() + 2;

        static {
            if (Libc.installInterruptingSignalHandler(NUMBER) != 0) { // its handler only interrupts the blocking ioctl
                throw new KvmException("sigaction", Libc.errno(), "signal=" + NUMBER);
            }
        }
    }

    private final FileDescriptor fd;
    // Which thread is inside a blocking vCPU ioctl, so that kick() and close() can interrupt it.
    // Guarded by `this`, which also keeps that thread from leaving the call while it is being signalled.
    private int callThread; // its Linux thread ID
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
    // KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM fd: asked per call, as the process may enable
    // dynamic XSAVE features (AMX) at any time.
    private final IntSupplier xsave2Size;

    private Vcpu(FileDescriptor fd, int id, Arena runArena, MemorySegment run, IntSupplier xsave2Size) {
        this.fd = fd;
        this.id = id;
        this.runArena = runArena;
        this.run = run;
        this.exits = VcpuExitCounts.open(id);
        this.xsave2Size = xsave2Size;
    }

    /**
     * Maps the vCPU's {@code kvm_run} area; takes ownership of {@code fd}. {@code xsave2Size} answers
     * {@code KVM_CAP_XSAVE2} for the VM (0 when the kernel lacks it).
     */
    static Vcpu map(FileDescriptor fd, int id, int mmapSize, IntSupplier xsave2Size) {
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
        return new Vcpu(fd, id, arena, run, xsave2Size);
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

    /**
     * {@return {@code KVM_GET_FPU}: the x87/SSE state as a copy of {@code kvm_fpu}'s bytes} KVM copies
     * {@code mxcsr} neither way (x86.c, through 6.12): it reads 0 here, and MXCSR is in {@link #xsave()}.
     */
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
     * {@code KVM_SET_FPU}: replaces the x87/SSE state but for MXCSR, which KVM ignores here. A restore
     * uses {@link #setXsave}, which holds all of it and more.
     *
     * @param fpu the state, {@code sizeof(struct kvm_fpu)} (416) bytes, as {@link #fpu()} returned it
     * @throws IllegalArgumentException when it is not 416 bytes
     */
    public void setFpu(byte[] fpu) {
        if (fpu.length != kvm_fpu.sizeof()) {
            throw new IllegalArgumentException("An FPU state is " + kvm_fpu.sizeof() + " bytes, not " + fpu.length + ".");
        }
        try (Arena arena = Arena.ofConfined()) {
            Ioctls.call(fd, KvmIoctls.KVM_SET_FPU, "KVM_SET_FPU", arena.allocateFrom(ValueLayout.JAVA_BYTE, fpu));
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
     * {@code KVM_GET_XSAVE2}, or {@code KVM_GET_XSAVE} on kernels without {@code KVM_CAP_XSAVE2}: the
     * whole XSAVE area (x87, SSE, AVX and the other enabled state components).
     *
     * @return the state, 4 KiB or the larger size {@code KVM_CAP_XSAVE2} reports
     */
    public XsaveState xsave() {
        int size = xsave2Size.getAsInt();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xsave = kvm_xsave.allocate(arena, Math.max(size, XsaveState.MIN_SIZE));
            if (size > 0) {
                Ioctls.call(fd, KvmIoctls.KVM_GET_XSAVE2, "KVM_GET_XSAVE2", xsave, () -> "size=" + xsave.byteSize());
            } else {
                Ioctls.call(fd, KvmIoctls.KVM_GET_XSAVE, "KVM_GET_XSAVE", xsave);
            }
            return XsaveState.wrap(xsave.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * {@code KVM_SET_XSAVE}: replaces the XSAVE area. A state smaller than this VM's area (saved
     * before the process enabled a dynamic feature) is padded with zeros: its header says which
     * components it holds.
     *
     * @param state the state, as {@link #xsave()} returned it
     * @throws IllegalArgumentException when it is larger than the area {@code KVM_CAP_XSAVE2} reports
     *     here: it holds components this process has not enabled
     * @throws KvmException when KVM refuses it, e.g. EINVAL for components the guest's XCR0 or CPUID
     *     does not allow
     */
    public void setXsave(XsaveState state) {
        int size = Math.max(xsave2Size.getAsInt(), XsaveState.MIN_SIZE);
        if (state.size() > size) {
            throw new IllegalArgumentException("The XSAVE state is " + state.size() + " bytes, but this VM's XSAVE area is " + size
                    + " (KVM_CAP_XSAVE2): enable the same dynamic XSAVE features (arch_prctl ARCH_REQ_XCOMP_GUEST_PERM) as where it was saved.");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xsave = kvm_xsave.allocate(arena, size);
            state.copyTo(xsave);
            Ioctls.call(fd, KvmIoctls.KVM_SET_XSAVE, "KVM_SET_XSAVE", xsave, () -> "size=" + state.size());
        }
    }

    /** {@return {@code KVM_GET_XCRS}: the extended control registers, in practice only XCR0} */
    public List<Xcr> xcrs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xcrs = kvm_xcrs.allocate(arena);
            Ioctls.call(fd, KvmIoctls.KVM_GET_XCRS, "KVM_GET_XCRS", xcrs);
            int count = Math.min(kvm_xcrs.nr_xcrs(xcrs), KvmConstants.KVM_MAX_XCRS);
            List<Xcr> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                MemorySegment xcr = kvm_xcrs.xcrs(xcrs, i);
                list.add(new Xcr(kvm_xcr.xcr(xcr), kvm_xcr.value(xcr)));
            }
            return List.copyOf(list);
        }
    }

    /**
     * {@code KVM_SET_XCRS}: writes the extended control registers.
     *
     * @param xcrs the registers, as {@link #xcrs()} returned them, at most 16
     * @throws IllegalArgumentException for more than 16
     * @throws KvmException when KVM refuses one, e.g. EINVAL for an XCR0 the guest's CPUID does not
     *     allow (without {@link #setCpuid} only x87, bit 0, is allowed)
     */
    public void setXcrs(List<Xcr> xcrs) {
        if (xcrs.size() > KvmConstants.KVM_MAX_XCRS) {
            throw new IllegalArgumentException("KVM takes at most " + KvmConstants.KVM_MAX_XCRS + " XCRs, not " + xcrs.size() + ".");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment struct = kvm_xcrs.allocate(arena);
            kvm_xcrs.nr_xcrs(struct, xcrs.size());
            for (int i = 0; i < xcrs.size(); i++) {
                kvm_xcr.xcr(kvm_xcrs.xcrs(struct, i), xcrs.get(i).index());
                kvm_xcr.value(kvm_xcrs.xcrs(struct, i), xcrs.get(i).value());
            }
            Ioctls.call(fd, KvmIoctls.KVM_SET_XCRS, "KVM_SET_XCRS", struct, () -> "xcrs=" + xcrs);
        }
    }

    /** {@return {@code KVM_GET_VCPU_EVENTS}: the pending and in-flight exception, interrupt and NMI} */
    public VcpuEvents vcpuEvents() {
        VcpuEvents events = new VcpuEvents();
        Ioctls.call(fd, KvmIoctls.KVM_GET_VCPU_EVENTS, "KVM_GET_VCPU_EVENTS", events.struct);
        return events;
    }

    /**
     * {@code KVM_SET_VCPU_EVENTS}: writes the events back.
     *
     * @param events the events, as {@link #vcpuEvents()} returned them and changed since
     * @throws KvmException when KVM refuses them, e.g. EINVAL for SMM state on a VM without SMM
     */
    public void setVcpuEvents(VcpuEvents events) {
        Ioctls.call(fd, KvmIoctls.KVM_SET_VCPU_EVENTS, "KVM_SET_VCPU_EVENTS", events.struct, events::toString);
    }

    /** {@return {@code KVM_GET_DEBUGREGS}: DR0 to DR3, DR6 and DR7} */
    public DebugRegisters debugRegisters() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = kvm_debugregs.allocate(arena);
            Ioctls.call(fd, KvmIoctls.KVM_GET_DEBUGREGS, "KVM_GET_DEBUGREGS", regs);
            return new DebugRegisters(kvm_debugregs.db(regs, 0), kvm_debugregs.db(regs, 1), kvm_debugregs.db(regs, 2),
                    kvm_debugregs.db(regs, 3), kvm_debugregs.dr6(regs), kvm_debugregs.dr7(regs));
        }
    }

    /**
     * {@code KVM_SET_DEBUGREGS}: writes DR0 to DR3, DR6 and DR7.
     *
     * @param registers the registers, e.g. as {@link #debugRegisters()} returned them
     * @throws KvmException EINVAL when DR6 or DR7 has bits above 31 set
     */
    public void setDebugRegisters(DebugRegisters registers) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = kvm_debugregs.allocate(arena);
            kvm_debugregs.db(regs, 0, registers.dr0());
            kvm_debugregs.db(regs, 1, registers.dr1());
            kvm_debugregs.db(regs, 2, registers.dr2());
            kvm_debugregs.db(regs, 3, registers.dr3());
            kvm_debugregs.dr6(regs, registers.dr6());
            kvm_debugregs.dr7(regs, registers.dr7());
            Ioctls.call(fd, KvmIoctls.KVM_SET_DEBUGREGS, "KVM_SET_DEBUGREGS", regs, registers::toString);
        }
    }

    /**
     * {@return {@code KVM_GET_TSC_KHZ}: the guest's TSC frequency in kHz}
     *
     * @throws KvmException EIO when KVM does not know the host's TSC frequency
     */
    public int tscKhz() {
        return Ioctls.call(fd, KvmIoctls.KVM_GET_TSC_KHZ, "KVM_GET_TSC_KHZ", 0L);
    }

    /**
     * {@code KVM_SET_TSC_KHZ}: sets the guest's TSC frequency, as a restore on another host must.
     * Without TSC scaling ({@link Capability#TSC_CONTROL} 0) KVM accepts only the host's frequency
     * (within 250 ppm) or a higher one, which it catches up in software. After a refusal KVM still
     * reports the refused frequency in {@link #tscKhz()} (it records it before it fails): set one that
     * works.
     *
     * @param khz the frequency in kHz, as {@link #tscKhz()} returned it
     * @throws IllegalArgumentException when {@code khz} is not positive
     * @throws KvmException EINVAL for a frequency KVM cannot give the guest, e.g. one below the
     *     host's without TSC scaling
     */
    public void setTscKhz(int khz) {
        if (khz <= 0) {
            throw new IllegalArgumentException("A TSC frequency is a positive number of kHz, not " + khz + ".");
        }
        try {
            Ioctls.call(fd, KvmIoctls.KVM_SET_TSC_KHZ, "KVM_SET_TSC_KHZ", khz);
        } catch (KvmException e) {
            if (!e.is(Errno.EINVAL)) {
                throw e;
            }
            throw new KvmException("KVM_SET_TSC_KHZ", e.errno(), "khz=" + khz, "KVM cannot run this guest's TSC at " + khz
                    + " kHz: without TSC scaling (Capability.TSC_CONTROL) only the host's frequency or a higher one works");
        }
    }

    /**
     * {@code KVM_KVMCLOCK_CTRL}: tells the guest, through its kvmclock page, that the VMM paused it
     * (for a snapshot, say), so that its soft-lockup watchdog does not fire when it runs again. Call
     * it while the vCPU is paused, before it runs again.
     *
     * @throws KvmException EINVAL when the guest has not enabled kvmclock on this vCPU
     */
    public void notifyGuestPaused() {
        Ioctls.call(fd, KvmIoctls.KVM_KVMCLOCK_CTRL, "KVM_KVMCLOCK_CTRL", 0L);
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

    /**
     * {@return whether a thread is inside {@link #run()}'s {@code KVM_RUN} on this vCPU now} A
     * snapshot needs every vCPU stopped, and checks this.
     */
    public synchronized boolean isRunning() {
        return inCall && inRun;
    }

    /**
     * {@code KVM_RUN} with {@code immediate_exit} set: KVM finishes the exit the VMM has just handled
     * (moves RIP past an {@code out}, stores an {@code in}'s or MMIO read's data) and returns without
     * running guest code. api.rst (struct kvm_run) says the state is consistent only after this: call
     * it before saving the vCPU's state, or a restored guest repeats its last I/O instruction.
     *
     * @throws IllegalStateException when the vCPU is running on another thread, or is closed
     * @throws KvmException when KVM_RUN fails other than with the expected EINTR
     */
    public void completePendingExit() {
        int vcpuFd = fd.acquire();
        try {
            synchronized (this) {
                if (inCall) {
                    throw new IllegalStateException("vCPU " + id + " is running (inside a KVM call on another thread): kick it and let its run() return first.");
                }
                kvm_run.immediate_exit(run, (byte) 1);
                enterCall(true);
            }
            int r;
            int errno;
            try {
                r = Libc.ioctl(vcpuFd, KvmIoctls.KVM_RUN, 0L);
                errno = r < 0 ? Libc.errno() : 0;
            } finally {
                synchronized (this) {
                    leaveCall();
                    kvm_run.immediate_exit(run, (byte) (kicksPending > 0 ? 1 : 0)); // a kick meanwhile stays pending
                }
            }
            if (r < 0 && errno != Errno.EINTR.value()) {
                throw new KvmException("KVM_RUN", errno, "vcpu=" + id + " immediate_exit=1");
            }
            if (r >= 0) {
                decodeExit(); // counted; an exit here can only be one KVM reports before entering the guest
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
            Libc.signalThread(callThread, KickSignal.NUMBER);
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
                Libc.signalThread(callThread, KickSignal.NUMBER);
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
            Libc.signalThread(callThread, KickSignal.NUMBER);
        }
    }

    private synchronized void enterCall(boolean isRun) {
        callThread = Libc.gettid();
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
