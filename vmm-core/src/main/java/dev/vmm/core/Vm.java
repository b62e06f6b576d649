// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_clock_data;
import dev.vmm.ffm.kvm.kvm_dirty_log;
import dev.vmm.ffm.kvm.kvm_enable_cap;
import dev.vmm.ffm.kvm.kvm_ioeventfd;
import dev.vmm.ffm.kvm.kvm_irq_level;
import dev.vmm.ffm.kvm.kvm_irqchip;
import dev.vmm.ffm.kvm.kvm_irqfd;
import dev.vmm.ffm.kvm.kvm_pit_config;
import dev.vmm.ffm.kvm.kvm_pit_state2;
import dev.vmm.ffm.kvm.kvm_userspace_memory_region;
import dev.vmm.ffm.kvm.kvm_userspace_memory_region2;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A virtual machine: its memory slots, interrupt controllers and vCPUs. Closing it closes its vCPUs
 * first; close the guest memory after it (the memory refuses to close while an open VM maps it).
 * A failed ioctl is a {@link KvmException}; any use after close is an {@link IllegalStateException}.
 */
public final class Vm implements AutoCloseable {
    private final Kvm kvm;
    private final FileDescriptor fd;
    private final Map<Integer, MemorySlot> slots = new TreeMap<>(); // guarded by this
    private final Set<GuestMemory> mapped = new HashSet<>(); // guarded by this: owners of the slots' regions
    private Boolean hasRegion2;
    private volatile Boolean hasIoeventfd; // KVM_CAP_IOEVENTFD, asked on the first registration
    private final List<Vcpu> vcpus = new CopyOnWriteArrayList<>();

    Vm(Kvm kvm, FileDescriptor fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /** {@return the KVM subsystem this VM was created by, e.g. for its MSR index list} */
    public Kvm kvm() {
        return kvm;
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on this VM's fd. Answers can differ per VM type, so capabilities
     * such as {@link Capability#PRE_FAULT_MEMORY} are probed here, not on {@link Kvm}.
     *
     * @param capability the capability to ask about
     * @return 0 when absent, otherwise 1 or a capability-specific value
     */
    public int checkExtension(Capability capability) {
        return checkExtension(capability.number());
    }

    /**
     * {@code KVM_CHECK_EXTENSION} on this VM's fd with a raw {@code KVM_CAP_*} number.
     *
     * @param capability a {@code KVM_CAP_*} number
     * @return 0 when absent (or unknown to the kernel), otherwise 1 or a capability-specific value
     */
    public int checkExtension(int capability) {
        return Ioctls.call(fd, KvmIoctls.KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION", capability);
    }

    // ---- memory slots

    /**
     * Maps every region of {@code memory} into the guest at its own address, in free slots from 0 up.
     * The memory then refuses to close until this VM no longer maps it.
     *
     * @param memory the guest memory to map
     * @throws KvmException when KVM refuses a slot, e.g. EEXIST when it overlaps another
     */
    public synchronized void map(GuestMemory memory) {
        int slot = 0;
        for (MemoryRegion region : memory.regions()) {
            while (slots.containsKey(slot)) {
                slot++;
            }
            setMemoryRegion(slot, region);
        }
    }

    /**
     * Puts {@code region} into {@code slot} at the region's guest address, replacing what was there.
     *
     * @param slot the slot number, 0 to 32767
     * @param region the memory to map, from a {@link GuestMemory}
     * @param flags how KVM treats the slot; none for plain read-write memory
     * @throws IllegalArgumentException when {@code slot} is out of range
     * @throws KvmException when KVM refuses the slot, e.g. EEXIST when it overlaps another
     */
    public synchronized void setMemoryRegion(int slot, MemoryRegion region, MemorySlot.Flag... flags) {
        Set<MemorySlot.Flag> set = flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags);
        MemorySlot existing = slots.get(slot);
        if (existing != null) {
            deleteMemoryRegion(slot); // KVM changes only flags or address in place; replace is delete + create
        }
        install(new MemorySlot(slot, region.start(), region, set));
    }

    /**
     * Moves the memory of {@code slot} to another guest address, keeping its contents (KVM's move:
     * same slot, same host memory, new guest physical address).
     *
     * @param slot an occupied slot
     * @param newStart the new guest physical address, 4 KiB aligned
     * @throws IllegalArgumentException when the slot is empty or {@code newStart} is not aligned
     * @throws KvmException when KVM refuses the move, e.g. EEXIST when it would overlap another slot
     */
    public synchronized void moveMemoryRegion(int slot, GuestAddress newStart) {
        MemorySlot existing = requireSlot(slot);
        if ((newStart.value() & (GuestMemory.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("Cannot move slot " + slot + " to " + newStart + ": the address is not 4 KiB aligned.");
        }
        install(new MemorySlot(slot, newStart, existing.region(), existing.flags()));
    }

    /**
     * Deletes memory slot {@code slot} (a region of size 0, as the kernel API has it).
     *
     * @param slot an occupied slot
     * @throws IllegalArgumentException when the slot is empty
     */
    public synchronized void deleteMemoryRegion(int slot) {
        MemorySlot existing = requireSlot(slot);
        setUserMemoryRegion(slot, 0, existing.start(), 0, 0);
        slots.remove(slot);
        forgetUnmappedMemory();
    }

    /** {@return the memory slots, ordered by guest address} */
    public synchronized List<MemorySlot> memorySlots() {
        if (!fd.isOpen()) {
            throw fd.closed();
        }
        List<MemorySlot> list = new ArrayList<>(slots.values());
        list.sort(Comparator.comparing(MemorySlot::start));
        return List.copyOf(list);
    }

    /**
     * {@code KVM_GET_DIRTY_LOG}: one bit per 4 KiB page of the slot, set for pages written since
     * the last call (which clears them). The slot needs {@link MemorySlot.Flag#LOG_DIRTY_PAGES}.
     *
     * @param slot an occupied slot that logs dirty pages
     * @return the bitmap, page {@code p} of the slot in bit {@code p % 64} of word {@code p / 64}
     * @throws IllegalArgumentException when the slot is empty or does not log dirty pages
     */
    public synchronized long[] dirtyLog(int slot) {
        MemorySlot existing = requireSlot(slot);
        if (!existing.flags().contains(MemorySlot.Flag.LOG_DIRTY_PAGES)) {
            throw new IllegalArgumentException("Slot " + slot + " does not log dirty pages: create it with MemorySlot.Flag.LOG_DIRTY_PAGES.");
        }
        long pages = existing.size() / GuestMemory.PAGE_SIZE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bitmap = arena.allocate(ValueLayout.JAVA_LONG, (pages + 63) / 64);
            MemorySegment log = kvm_dirty_log.allocate(arena);
            kvm_dirty_log.slot(log, slot);
            kvm_dirty_log.dirty_bitmap(log, bitmap);
            Ioctls.call(fd, KvmIoctls.KVM_GET_DIRTY_LOG, "KVM_GET_DIRTY_LOG", log, () -> "slot=" + slot);
            return bitmap.toArray(ValueLayout.JAVA_LONG);
        }
    }

    /**
     * Runs a memory slot change while interrupting this VM's vCPUs that are inside a pre-fault.
     * Linux 6.12 (seen in the sandbox; the kernel contract has EAGAIN for this from 6.18) retries a
     * pre-fault on a slot or page-table root that a slot change made stale until a signal arrives:
     * the change itself waits for such a pre-fault to leave (SRCU), and a pre-fault under way when
     * it ends keeps spinning on the stale root. Without the signals both hang for good. The pre-fault returns EINTR or its progress, and the
     * caller's loop reissues it against the new slots, after {@link Vcpu#preFaultMemory} has
     * replaced the stale root. Pre-faults that would start during the change wait for its end, so
     * only those already inside their call need signals: with none (a boot's memory mapping), no
     * thread is started. The breaker is a platform thread: a virtual one needs a free carrier, and
     * threads blocked in native calls (vCPUs, devices) can hold every carrier.
     */
    private void breakingPreFaults(Runnable slotChange, boolean zapsRoots) {
        boolean preFaultUnderWay = false;
        for (Vcpu vcpu : vcpus) {
            preFaultUnderWay |= vcpu.beginSlotChange();
        }
        AtomicBoolean changed = new AtomicBoolean();
        if (preFaultUnderWay) {
            Thread.ofPlatform().daemon().name("vmm-slot-change-breaker").start(() -> {
                while (!changed.get()) {
                    vcpus.forEach(Vcpu::signalPreFault);
                    LockSupport.parkNanos(500_000);
                }
            });
        }
        try {
            slotChange.run();
        } finally {
            changed.set(true);
            for (Vcpu vcpu : vcpus) {
                vcpu.endSlotChange(zapsRoots);
            }
            if (preFaultUnderWay) {
                vcpus.forEach(Vcpu::interruptPreFault);
            }
        }
    }

    private MemorySlot requireSlot(int slot) {
        if (!fd.isOpen()) {
            throw fd.closed();
        }
        MemorySlot existing = slots.get(slot);
        if (existing == null) {
            throw new IllegalArgumentException("Memory slot " + slot + " is empty; the VM has " + memorySlots() + ".");
        }
        return existing;
    }

    private void install(MemorySlot slot) {
        int flags = 0;
        for (MemorySlot.Flag flag : slot.flags()) {
            flags |= switch (flag) {
                case LOG_DIRTY_PAGES -> KvmConstants.KVM_MEM_LOG_DIRTY_PAGES;
                case READONLY -> KvmConstants.KVM_MEM_READONLY;
            };
        }
        if (!fd.isOpen()) {
            throw fd.closed();
        }
        // The memory learns of this VM before KVM gets its address, so it cannot be unmapped meanwhile.
        GuestMemory owner = slot.region().owner();
        if (!mapped.contains(owner)) {
            owner.mappedInto(this);
            mapped.add(owner);
        }
        try {
            setUserMemoryRegion(slot.slot(), flags, slot.start(), slot.size(), slot.region().host().address());
            slots.put(slot.slot(), slot);
        } finally {
            forgetUnmappedMemory();
        }
    }

    /** Tells each guest memory that no slot of this VM uses any more that KVM no longer maps it. */
    private void forgetUnmappedMemory() {
        Set<GuestMemory> used = new HashSet<>();
        slots.values().forEach(s -> used.add(s.region().owner()));
        mapped.removeIf(memory -> {
            if (used.contains(memory)) {
                return false;
            }
            memory.unmappedFrom(this);
            return true;
        });
    }

    private void setUserMemoryRegion(int slot, int flags, GuestAddress start, long size, long hostAddress) {
        if (slot < 0 || slot > 0x7fff) {
            throw new IllegalArgumentException("Memory slot " + slot + " is out of range: use 0 to 32767.");
        }
        if (hasRegion2 == null) {
            hasRegion2 = checkExtension(Capability.USER_MEMORY2) > 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region;
            long request;
            String name;
            // KVM_SET_USER_MEMORY_REGION2 where the kernel has it (6.8+), the original elsewhere.
            if (hasRegion2) {
                region = kvm_userspace_memory_region2.allocate(arena);
                kvm_userspace_memory_region2.slot(region, slot);
                kvm_userspace_memory_region2.flags(region, flags);
                kvm_userspace_memory_region2.guest_phys_addr(region, start.value());
                kvm_userspace_memory_region2.memory_size(region, size);
                kvm_userspace_memory_region2.userspace_addr(region, hostAddress);
                request = KvmIoctls.KVM_SET_USER_MEMORY_REGION2;
                name = "KVM_SET_USER_MEMORY_REGION2";
            } else {
                region = kvm_userspace_memory_region.allocate(arena);
                kvm_userspace_memory_region.slot(region, slot);
                kvm_userspace_memory_region.flags(region, flags);
                kvm_userspace_memory_region.guest_phys_addr(region, start.value());
                kvm_userspace_memory_region.memory_size(region, size);
                kvm_userspace_memory_region.userspace_addr(region, hostAddress);
                request = KvmIoctls.KVM_SET_USER_MEMORY_REGION;
                name = "KVM_SET_USER_MEMORY_REGION";
            }
            // Deleting or changing an existing slot zaps KVM's page tables; creating one does not.
            boolean zapsRoots = size == 0 || slots.containsKey(slot);
            breakingPreFaults(() -> Ioctls.call(fd, request, name, region,
                    () -> "slot=" + slot + " gpa=" + start + " size=0x" + Long.toHexString(size) + " flags=" + flags), zapsRoots);
        }
    }

    // ---- platform

    /**
     * {@code KVM_SET_TSS_ADDR}: three pages of guest address space Intel VMX needs below 4 GiB.
     *
     * @param address the first of the three pages, which no memory slot may use
     */
    public void setTssAddress(GuestAddress address) {
        Ioctls.call(fd, KvmIoctls.KVM_SET_TSS_ADDR, "KVM_SET_TSS_ADDR", address.value());
    }

    /**
     * {@code KVM_SET_IDENTITY_MAP_ADDR}: one page for the identity map VMX uses in real mode.
     *
     * @param address the page, which no memory slot may use; call before creating vCPUs
     */
    public void setIdentityMapAddress(GuestAddress address) {
        try (Arena arena = Arena.ofConfined()) {
            Ioctls.call(fd, KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, "KVM_SET_IDENTITY_MAP_ADDR",
                    arena.allocateFrom(ValueLayout.JAVA_LONG, address.value()), () -> "address=" + address);
        }
    }

    /** {@code KVM_CREATE_IRQCHIP}: in-kernel PIC, IOAPIC and a LAPIC per vCPU. Call before creating vCPUs. */
    public void createIrqchip() {
        Ioctls.call(fd, KvmIoctls.KVM_CREATE_IRQCHIP, "KVM_CREATE_IRQCHIP", 0L);
    }

    /** {@code KVM_CREATE_PIT2}: the in-kernel i8254 timer, with a dummy speaker port. Needs the irqchip. */
    public void createPit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = kvm_pit_config.allocate(arena);
            kvm_pit_config.flags(config, KvmConstants.KVM_PIT_SPEAKER_DUMMY);
            Ioctls.call(fd, KvmIoctls.KVM_CREATE_PIT2, "KVM_CREATE_PIT2", config);
        }
    }

    /**
     * {@code KVM_GET_IRQCHIP}: the state of one in-kernel interrupt controller.
     *
     * @param chip which controller
     * @return its state
     * @throws KvmException ENXIO when the VM has no in-kernel irqchip ({@link #createIrqchip()})
     */
    public IrqchipState irqchip(Irqchip chip) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment irqchip = kvm_irqchip.allocate(arena);
            kvm_irqchip.chip_id(irqchip, chip.id());
            callNeedingDevice(KvmIoctls.KVM_GET_IRQCHIP, "KVM_GET_IRQCHIP", irqchip, "chip=" + chip, "the in-kernel irqchip", "createIrqchip()");
            return IrqchipState.wrap(chip, kvm_irqchip.chip(irqchip).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * {@code KVM_SET_IRQCHIP}: replaces the state of one in-kernel interrupt controller.
     *
     * @param state the state, as {@link #irqchip} returned it and changed since
     * @throws KvmException ENXIO when the VM has no in-kernel irqchip
     */
    public void setIrqchip(IrqchipState state) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment irqchip = kvm_irqchip.allocate(arena);
            kvm_irqchip.chip_id(irqchip, state.chip().id());
            MemorySegment.copy(state.bytesUnsafe(), 0, kvm_irqchip.chip(irqchip), ValueLayout.JAVA_BYTE, 0, IrqchipState.SIZE);
            callNeedingDevice(KvmIoctls.KVM_SET_IRQCHIP, "KVM_SET_IRQCHIP", irqchip, "chip=" + state.chip(), "the in-kernel irqchip", "createIrqchip()");
        }
    }

    /**
     * {@code KVM_GET_PIT2}: the in-kernel PIT's state.
     *
     * @return its state
     * @throws KvmException ENXIO when the VM has no in-kernel PIT ({@link #createPit()})
     */
    public PitState pitState() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pit = kvm_pit_state2.allocate(arena);
            callNeedingDevice(KvmIoctls.KVM_GET_PIT2, "KVM_GET_PIT2", pit, "", "the in-kernel PIT", "createPit()");
            return PitState.wrap(pit.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * {@code KVM_SET_PIT2}: replaces the in-kernel PIT's state; each channel restarts from its
     * reload value.
     *
     * @param state the state, as {@link #pitState()} returned it and changed since
     * @throws KvmException ENXIO when the VM has no in-kernel PIT
     */
    public void setPitState(PitState state) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pit = arena.allocateFrom(ValueLayout.JAVA_BYTE, state.bytesUnsafe());
            callNeedingDevice(KvmIoctls.KVM_SET_PIT2, "KVM_SET_PIT2", pit, state.toString(), "the in-kernel PIT", "createPit()");
        }
    }

    /** ENXIO from a device ioctl means the device was never created: say which call creates it. */
    private void callNeedingDevice(long request, String name, MemorySegment arg, String arguments, String device, String creator) {
        try {
            Ioctls.call(fd, request, name, arg, () -> arguments);
        } catch (KvmException e) {
            if (!e.is(Errno.ENXIO)) {
                throw e;
            }
            throw new KvmException(name, e.errno(), arguments, "This VM has no " + device + ": call Vm." + creator + " first");
        }
    }

    /** {@return {@code KVM_GET_CLOCK}: the VM's kvmclock, with the host's time at the same instant} */
    public KvmClock clock() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = kvm_clock_data.allocate(arena);
            Ioctls.call(fd, KvmIoctls.KVM_GET_CLOCK, "KVM_GET_CLOCK", data);
            return new KvmClock(kvm_clock_data.clock(data), KvmClock.flagsOf(kvm_clock_data.flags(data)),
                    kvm_clock_data.realtime(data), kvm_clock_data.host_tsc(data));
        }
    }

    /**
     * {@code KVM_SET_CLOCK}: sets the VM's kvmclock; with {@link KvmClock.Flag#REALTIME}, KVM adds
     * the wall-clock time since {@code realtimeNanoseconds}, as a restore wants.
     *
     * @param clock the clock, as {@link #clock()} returned it or {@link KvmClock#of(long)} made it
     */
    public void setClock(KvmClock clock) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = kvm_clock_data.allocate(arena);
            kvm_clock_data.clock(data, clock.nanoseconds());
            kvm_clock_data.flags(data, clock.flagBits());
            kvm_clock_data.realtime(data, clock.realtimeNanoseconds());
            kvm_clock_data.host_tsc(data, clock.hostTsc());
            Ioctls.call(fd, KvmIoctls.KVM_SET_CLOCK, "KVM_SET_CLOCK", data, clock::toString);
        }
    }

    /**
     * {@code KVM_IRQ_LINE}: sets the level of a GSI on the in-kernel irqchip.
     *
     * @param gsi the interrupt line (on x86: IOAPIC pin, and the PIC's for 0 to 15)
     * @param high true to raise the line, false to lower it
     */
    public void setIrqLine(int gsi, boolean high) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment level = kvm_irq_level.allocate(arena);
            kvm_irq_level.irq(level, gsi);
            kvm_irq_level.level(level, high ? 1 : 0);
            Ioctls.call(fd, KvmIoctls.KVM_IRQ_LINE, "KVM_IRQ_LINE", level, () -> "gsi=" + gsi + " level=" + high);
        }
    }

    /**
     * {@code KVM_IRQFD}: a signal on {@code eventfd} raises {@code gsi} (edge-triggered), inside KVM.
     *
     * @param eventfd the eventfd a device signals
     * @param gsi the interrupt line it raises
     * @throws KvmException when KVM refuses, e.g. without an in-kernel irqchip, or EBUSY when the
     *     eventfd is bound already
     */
    public void registerIrqfd(EventFd eventfd, int gsi) {
        irqfd(eventfd, gsi, 0);
    }

    /**
     * Undoes {@link #registerIrqfd}.
     *
     * @param eventfd the eventfd that was registered
     * @param gsi the line it was registered for
     */
    public void unregisterIrqfd(EventFd eventfd, int gsi) {
        irqfd(eventfd, gsi, KvmConstants.KVM_IRQFD_FLAG_DEASSIGN);
    }

    private void irqfd(EventFd eventfd, int gsi, int flags) {
        // The eventfd stays acquired until KVM has taken its own reference to it.
        int raw = eventfd.fd.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment irqfd = kvm_irqfd.allocate(arena);
            kvm_irqfd.fd(irqfd, raw);
            kvm_irqfd.gsi(irqfd, gsi);
            kvm_irqfd.flags(irqfd, flags);
            Ioctls.call(fd, KvmIoctls.KVM_IRQFD, "KVM_IRQFD", irqfd, () -> "gsi=" + gsi + " flags=" + flags);
        } finally {
            eventfd.fd.release();
        }
    }

    /**
     * {@code KVM_IOEVENTFD}: a guest write to {@code address} signals {@code eventfd} (adds 1 to its
     * counter) inside KVM, and the vCPU carries on without an exit to the VMM. A device worker waits
     * on the eventfd instead; {@link dev.vmm.core.devices.IoEventNotifier} owns both halves.
     *
     * <p>Which writes count: with {@code length} 0, every write to {@code address} whatever its size
     * (then there can be no datamatch); with {@code length} 1, 2, 4 or 8, only writes of exactly that
     * many bytes starting at {@code address}; with a {@code datamatch} as well, only those whose value
     * (little-endian, as the guest wrote it) equals it. Every other write exits to the VMM as usual,
     * as a {@link VcpuExit.MmioWrite} or {@link VcpuExit.IoOut}. Reads are never caught. An MMIO
     * address inside a memory slot is plain memory, and a write there never reaches the eventfd.
     *
     * {@snippet class=dev.vmm.core.ApiSnippets region=register-ioeventfd}
     * }
     *
     * @param eventfd the eventfd KVM signals; KVM keeps its own reference until
     *     {@link #unregisterIoeventfd} or the VM closes, so closing the eventfd alone does not undo this
     * @param address the guest physical address or I/O port written
     * @param length 0 (any write) or 1, 2, 4 or 8 bytes
     * @param datamatch the only value that counts, or empty for every value; it must fit in {@code length} bytes
     * @throws IllegalArgumentException for a length other than 0, 1, 2, 4 or 8, a datamatch with
     *     length 0 or wider than {@code length} bytes, or an MMIO range past 2^64
     * @throws UnsupportedOperationException when this KVM has no ioeventfd ({@link Capability#IOEVENTFD})
     * @throws KvmException from KVM, e.g. EEXIST when an ioeventfd for the same address, length and
     *     datamatch is already registered
     */
    public void registerIoeventfd(EventFd eventfd, IoEventAddress address, int length, OptionalLong datamatch) {
        checkIoeventfd(address, length, datamatch);
        Boolean supported = hasIoeventfd;
        if (supported == null) {
            hasIoeventfd = supported = checkExtension(Capability.IOEVENTFD) > 0;
        }
        if (!supported) {
            throw new UnsupportedOperationException("This KVM has no ioeventfd (KVM_CAP_IOEVENTFD is 0): handle the guest's writes to "
                    + address + " as exits to the VMM instead.");
        }
        ioeventfd(eventfd, address, length, datamatch, 0);
    }

    /**
     * Undoes {@link #registerIoeventfd} with the same arguments; KVM finds the registration by all of them.
     *
     * @param eventfd the eventfd that was registered
     * @param address its address
     * @param length its length
     * @param datamatch its datamatch
     * @throws IllegalArgumentException for arguments {@link #registerIoeventfd} would refuse
     * @throws KvmException ENOENT when no such registration exists
     */
    public void unregisterIoeventfd(EventFd eventfd, IoEventAddress address, int length, OptionalLong datamatch) {
        checkIoeventfd(address, length, datamatch);
        ioeventfd(eventfd, address, length, datamatch, KvmConstants.KVM_IOEVENTFD_FLAG_DEASSIGN);
    }

    /** The checks of {@link #registerIoeventfd}'s arguments, each failure one sentence. */
    static void checkIoeventfd(IoEventAddress address, int length, OptionalLong datamatch) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(datamatch, "datamatch (use OptionalLong.empty() for any value)");
        if (length != 0 && length != 1 && length != 2 && length != 4 && length != 8) {
            throw new IllegalArgumentException("An ioeventfd length must be 0 (any write), 1, 2, 4 or 8 bytes, not " + length + ".");
        }
        if (datamatch.isPresent()) {
            long value = datamatch.getAsLong();
            if (length == 0) {
                throw new IllegalArgumentException("Datamatch 0x" + Long.toHexString(value)
                        + " needs an ioeventfd length of 1, 2, 4 or 8 bytes, not 0 (any write): KVM compares only writes of a known size.");
            }
            if (length < 8 && (value >>> (8 * length)) != 0) {
                throw new IllegalArgumentException("Datamatch 0x" + Long.toHexString(value) + " does not fit in " + length
                        + (length == 1 ? " byte" : " bytes") + ", so no guest write of that length could match it.");
            }
        }
        if (address instanceof IoEventAddress.Mmio(GuestAddress start) && Long.compareUnsigned(start.value() + length, start.value()) < 0) {
            throw new IllegalArgumentException("MMIO address " + start + " + " + length + " bytes wraps around the 64-bit address space.");
        }
    }

    private void ioeventfd(EventFd eventfd, IoEventAddress address, int length, OptionalLong datamatch, int flags) {
        int allFlags = flags
                | (address instanceof IoEventAddress.Port ? KvmConstants.KVM_IOEVENTFD_FLAG_PIO : 0)
                | (datamatch.isPresent() ? KvmConstants.KVM_IOEVENTFD_FLAG_DATAMATCH : 0);
        long addr = switch (address) {
            case IoEventAddress.Mmio(GuestAddress start) -> start.value();
            case IoEventAddress.Port(int port) -> port;
        };
        // The eventfd stays acquired until KVM has taken (or dropped) its own reference to it.
        int raw = eventfd.fd.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ioeventfd = kvm_ioeventfd.allocate(arena);
            kvm_ioeventfd.datamatch(ioeventfd, datamatch.orElse(0));
            kvm_ioeventfd.addr(ioeventfd, addr);
            kvm_ioeventfd.len(ioeventfd, length);
            kvm_ioeventfd.fd(ioeventfd, raw);
            kvm_ioeventfd.flags(ioeventfd, allFlags);
            Ioctls.call(fd, KvmIoctls.KVM_IOEVENTFD, "KVM_IOEVENTFD", ioeventfd, () -> address + " length=" + length
                    + (datamatch.isPresent() ? " datamatch=0x" + Long.toHexString(datamatch.getAsLong()) : "") + " flags=" + allFlags);
        } finally {
            eventfd.fd.release();
        }
    }

    /**
     * {@code KVM_ENABLE_CAP} on the VM with up to four arguments.
     *
     * @param capability a {@code KVM_CAP_*} number that can be enabled on a VM
     * @param args the capability's arguments, at most four
     * @throws IllegalArgumentException when there are more than four arguments
     * @throws KvmException when KVM refuses, e.g. EINVAL for a capability it cannot enable
     */
    public void enableCapability(int capability, long... args) {
        if (args.length > 4) {
            throw new IllegalArgumentException("KVM_ENABLE_CAP takes at most 4 arguments, got " + args.length + ".");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = kvm_enable_cap.allocate(arena);
            kvm_enable_cap.cap(cap, capability);
            for (int i = 0; i < args.length; i++) {
                kvm_enable_cap.args(cap, i, args[i]);
            }
            Ioctls.call(fd, KvmIoctls.KVM_ENABLE_CAP, "KVM_ENABLE_CAP", cap, () -> "cap=" + capability);
        }
    }

    // ---- vCPUs

    /**
     * {@code KVM_CREATE_VCPU} with the given vCPU id (the APIC ID on x86), and maps its run area.
     * {@link #close()} closes it.
     *
     * @param id the vCPU id, below {@code KVM_CAP_MAX_VCPU_ID}
     * @return the new vCPU
     * @throws KvmException when KVM refuses, e.g. EEXIST for an id in use or EINVAL for one too large
     */
    public Vcpu createVcpu(int id) {
        int mmapSize = kvm.vcpuMmapSize();
        int raw = Ioctls.call(fd, KvmIoctls.KVM_CREATE_VCPU, "KVM_CREATE_VCPU", id);
        Vcpu vcpu = Vcpu.map(new FileDescriptor("vCPU " + id, raw), id, mmapSize, () -> checkExtension(Capability.XSAVE2));
        vcpus.removeIf(v -> !v.isOpen());
        vcpus.add(vcpu);
        if (!fd.isOpen()) { // close() ran meanwhile and may have missed this vCPU
            vcpu.close();
            throw fd.closed();
        }
        return vcpu;
    }

    /** {@return whether {@link #close()} has not been called yet} */
    public boolean isOpen() {
        return fd.isOpen();
    }

    /**
     * Closes the VM from any thread: refuses new calls, closes its vCPUs (a run in progress on
     * another thread returns {@link VcpuExit.Interrupted} and is waited for), waits for VM calls in
     * progress, closes the VM fd, and then lets its guest memory be closed.
     */
    @Override
    public void close() {
        fd.refuseNewCalls();
        try {
            for (Vcpu vcpu : vcpus) {
                vcpu.close();
            }
            fd.close();
        } finally {
            synchronized (this) {
                mapped.forEach(memory -> memory.unmappedFrom(this));
                mapped.clear();
                slots.clear();
            }
        }
    }
}
