package dev.vmm.core;

import dev.vmm.ffm.Errno;
import dev.vmm.ffm.Libc;
import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_run;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A virtual CPU: its registers and the run loop's single step, {@link #run()}. Use a vCPU from one
 * thread at a time, as KVM does (it holds the vCPU's mutex for every vCPU ioctl).
 */
public final class Vcpu implements AutoCloseable {
    private final FileDescriptor fd;
    private final int id;
    private final Arena runArena;
    private final MemorySegment run;

    private Vcpu(FileDescriptor fd, int id, Arena runArena, MemorySegment run) {
        this.fd = fd;
        this.id = id;
        this.runArena = runArena;
        this.run = run;
    }

    /** Maps the vCPU's {@code kvm_run} area; takes ownership of {@code fd}. */
    static Vcpu map(FileDescriptor fd, int id, int mmapSize) {
        Arena arena = Arena.ofShared();
        MemorySegment run = Libc.mmap(mmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd.get(), 0, arena);
        if (run == null) {
            int errno = Libc.errno();
            arena.close();
            fd.close();
            throw new KvmException("mmap(kvm_run)", errno, "vcpu=" + id + " size=" + mmapSize);
        }
        return new Vcpu(fd, id, arena, run);
    }

    /** The id given at creation (the initial APIC ID). */
    public int id() {
        return id;
    }

    /** {@code KVM_GET_REGS}. */
    public Registers registers() {
        Registers regs = new Registers();
        Ioctls.call(fd, KvmIoctls.KVM_GET_REGS, "KVM_GET_REGS", regs.struct);
        return regs;
    }

    /** {@code KVM_SET_REGS}. */
    public void setRegisters(Registers regs) {
        Ioctls.call(fd, KvmIoctls.KVM_SET_REGS, "KVM_SET_REGS", regs.struct);
    }

    /** {@code KVM_GET_SREGS}. */
    public SpecialRegisters specialRegisters() {
        SpecialRegisters sregs = new SpecialRegisters();
        Ioctls.call(fd, KvmIoctls.KVM_GET_SREGS, "KVM_GET_SREGS", sregs.struct);
        return sregs;
    }

    /** {@code KVM_SET_SREGS}. */
    public void setSpecialRegisters(SpecialRegisters sregs) {
        Ioctls.call(fd, KvmIoctls.KVM_SET_SREGS, "KVM_SET_SREGS", sregs.struct);
    }

    /**
     * {@code KVM_RUN}: runs the guest until it needs the VMM, and says why.
     *
     * @return the decoded exit; {@link VcpuExit.Interrupted} when a signal interrupted the run
     * @throws KvmException when KVM_RUN fails for another reason
     */
    public VcpuExit run() {
        int r = Libc.ioctl(fd.get(), KvmIoctls.KVM_RUN, 0L);
        if (r < 0) {
            int errno = Libc.errno();
            if (errno == Errno.EINTR.value() || errno == Errno.EAGAIN.value()) {
                return new VcpuExit.Interrupted();
            }
            throw new KvmException("KVM_RUN", errno, "vcpu=" + id);
        }
        return decodeExit();
    }

    private VcpuExit decodeExit() {
        int reason = kvm_run.exit_reason(run);
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

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /** Unmaps {@code kvm_run} and closes the vCPU fd. */
    @Override
    public synchronized void close() {
        if (runArena.scope().isAlive()) {
            runArena.close();
        }
        fd.close();
    }
}
