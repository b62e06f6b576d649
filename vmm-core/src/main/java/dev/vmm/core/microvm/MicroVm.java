// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.Capability;
import dev.vmm.core.CpuidEntry;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmException;
import dev.vmm.core.KvmVendor;
import dev.vmm.core.MpState;
import dev.vmm.core.Tap;
import dev.vmm.core.Vcpu;
import dev.vmm.core.VcpuExit;
import dev.vmm.core.Vm;
import dev.vmm.core.boot.BootException;
import dev.vmm.core.acpi.Aml;
import dev.vmm.core.acpi.Dsdt;
import dev.vmm.core.boot.LinuxBoot;
import dev.vmm.core.devices.ConsoleOutput;
import dev.vmm.core.devices.IrqFdInterrupt;
import dev.vmm.core.devices.Serial16550;
import dev.vmm.core.devices.UnhandledAccesses;
import dev.vmm.core.jfr.Jfr;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultProgress;
import dev.vmm.core.prefault.PreFaultResult;
import dev.vmm.core.prefault.PreFaulter;
import dev.vmm.core.snapshot.LegacyDeviceState;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.RestoredVm;
import dev.vmm.core.snapshot.WorkingSet;
import dev.vmm.core.snapshot.SnapshotException;
import dev.vmm.core.snapshot.SnapshotProgress;
import dev.vmm.core.snapshot.VmSnapshot;
import dev.vmm.core.virtio.VirtioBlock;
import dev.vmm.core.virtio.VirtioNet;
import dev.vmm.core.virtio.vsock.VirtioVsock;
import dev.vmm.core.x86.BootCpu;
import dev.vmm.core.x86.GuestCpuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A minimal x86-64 virtual machine that boots Linux: guest RAM with the 32-bit MMIO gap, the
 * in-kernel irqchip (PIC, I/O APIC, LAPICs) and PIT, ACPI tables (hardware-reduced), and the
 * {@linkplain MicroVmDevices devices}: a 16550 UART at 0x3f8 as console, the i8042 reset line, the
 * RTC/CMOS clock, the boot-complete port and the ACPI power register; and the virtio devices of its
 * {@linkplain MicroVmConfig config}, in this order in the DSDT: virtio-blk drives, virtio-net
 * interfaces on taps, a virtio-vsock device. Every other port or MMIO access is
 * {@linkplain #unhandledAccesses() counted} and ignored.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=micro-vm}
 * }
 *
 * <p>The guest ends the VM by an ACPI power-off (S5), a reboot (the ACPI reset register or the
 * i8042's reset line; Linux reboots so after a panic with {@code panic=-1}) or a triple fault. A
 * kernel booted with {@code acpi=off} powers off by halting every vCPU with interrupts off: only
 * then the VM looks for that, five times a second, and ends with {@link MicroVmExit.Reason#HALTED}.
 *
 * <p>The guest is untrusted: nothing it does stalls or grows the VMM. Devices hold bounded state,
 * unhandled accesses are counted in bounded space, and the console goes through a bounded
 * {@link ConsoleOutput}, so a terminal that stops reading loses output ({@link #consoleBytesDropped()})
 * rather than stopping the guest. {@link #run(Duration)} returns within its timeout and a second.
 *
 * <p>{@link #create} checks the kernel, initrd, command line and memory size before it touches KVM
 * (a {@link BootException} says what is wrong), then builds the VM up to the kernel's entry.
 * Each step's time is recorded as a {@link BootEvent}.
 *
 * <p>{@link #snapshot} saves a running guest without ending it, and {@link #restore} continues it
 * in a new MicroVm of this JVM, with its drives: as often as wanted when every drive is
 * read-only, once (or once per copy of the snapshot directory) when one is writable, since the
 * restored guest writes to the snapshot's copy of its image; with its network interfaces, on the
 * same taps or others, and its vsock device, whose connections the restored guest finds reset.
 */
public final class MicroVm implements AutoCloseable {
    private static final GuestAddress IDENTITY_MAP = GuestAddress.of(0xfffbc000L);
    private static final GuestAddress TSS = GuestAddress.of(0xfffbd000L);
    private static final long HALT_CHECK_MILLIS = 200;
    private static final long RFLAGS_IF = 1 << 9;
    /** How long run() waits for the vCPU threads after it stopped them, and close() before it frees memory. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final long FOREVER = Long.MIN_VALUE; // as a deadline: no limit (a sum with nanoTime could overflow)
    private static final MicroVmExit OUT_OF_MEMORY = new MicroVmExit(MicroVmExit.Reason.ERROR, "the VMM ran out of heap");

    private final MicroVmConfig config;
    /** Whether the guest is told to do without ACPI, and so powers off by halting (see checkHalted). */
    private final boolean haltIsPowerOff;
    private final IntConsumer console;
    private final Map<BootEvent, Long> events = new EnumMap<>(BootEvent.class);
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<Thread> vcpuThreads = new CopyOnWriteArrayList<>();
    private final List<VirtioSlot.Device> virtioDevices = new ArrayList<>(); // opened before KVM is touched; each owned by its slot once attached
    private final List<VirtioNet> networkInterfaces = new ArrayList<>();
    private final List<VirtioSlot> virtioSlots = new ArrayList<>();
    private final List<Thread> notificationThreads = new CopyOnWriteArrayList<>();
    private ConsoleOutput consoleOutput;
    private IrqFdInterrupt consoleIrq;
    private MicroVmDevices devices;
    private Kvm kvm;
    private Vm vm;
    private GuestMemory memory;
    private PreFaultResult preFault;
    private RestoredVm restored; // when restored from a snapshot: its VM, vCPUs and memory are this MicroVm's
    private volatile MicroVmExit exit;
    private boolean[] stoppedForGood; // per vCPU, see checkHalted; guarded by this
    // A snapshot holds every vCPU thread between two runs (holdWhilePaused). Never taken inside `this`
    // by a vCPU thread; stop() takes it inside `this` only to wake the held threads.
    private final Object pauseLock = new Object();
    private boolean pauseRequested; // guarded by pauseLock
    private int vcpusHeld; // guarded by pauseLock
    private final ReentrantLock snapshotting = new ReentrantLock(); // one snapshot at a time; close() waits for it

    private MicroVm(MicroVmConfig config, IntConsumer console) {
        this.config = config;
        this.console = console;
        this.haltIsPowerOff = !LinuxBoot.usesAcpi(config.commandLine());
    }

    /**
     * Checks the boot inputs, then creates the VM, its memory and vCPUs, applies the pre-fault
     * policy and loads the kernel. Nothing runs yet.
     *
     * @param config what to boot, and with what
     * @param console receives each byte the guest writes to its serial console, on a thread of its
     *     own behind a bounded buffer
     * @return the VM, ready to {@link #run()}; close it when done
     * @throws BootException for inputs that cannot boot, before KVM is touched
     * @throws KvmException when KVM refuses a step
     */
    public static MicroVm create(MicroVmConfig config, IntConsumer console) {
        return create(config, console, PreFaultProgress.NONE);
    }

    /**
     * {@link #create(MicroVmConfig, IntConsumer)}, reporting the pre-fault's progress to {@code progress}.
     *
     * @param config what to boot, and with what
     * @param console receives each byte the guest writes to its serial console
     * @param progress receives the pre-fault's progress, from its working threads
     * @return the VM, ready to {@link #run()}; close it when done
     * @throws BootException for inputs that cannot boot, before KVM is touched
     * @throws KvmException when KVM refuses a step
     */
    public static MicroVm create(MicroVmConfig config, IntConsumer console, PreFaultProgress progress) {
        LinuxBoot boot = LinuxBoot.plan(config.kernel(), config.initrd(), config.commandLine(), config.memoryBytes(), config.cpus());
        MicroVm microVm = new MicroVm(config, console);
        try {
            microVm.openVirtioDevices();
            if (!microVm.virtioDevices.isEmpty()) {
                Aml[] entries = new Aml[microVm.virtioDevices.size()];
                for (int i = 0; i < entries.length; i++) {
                    entries[i] = VirtioSlot.dsdtEntry(i);
                }
                boot = boot.withDsdt(Dsdt.microVm().with(Aml.scope("\\_SB", entries)));
            }
            microVm.mark(BootEvent.IMAGES_CHECKED);
            microVm.build(boot, progress);
            return microVm;
        } catch (RuntimeException e) {
            microVm.close();
            throw e;
        }
    }

    /**
     * A new MicroVm that continues the guest a {@link #snapshot} saved in {@code directory}, in this
     * JVM: the same memory size, vCPU count, kernel, initrd and command line as the original (its
     * {@link #config()}, with the restore's pre-fault policy), its vCPUs and VM restored by
     * {@link VmSnapshot#restore}, its UART, i8042 and RTC by {@link LegacyDeviceState}. Nothing
     * runs yet: {@link #run()} resumes the guest where the original was when it was saved. One
     * snapshot restores as often as wanted, each a clone that sees only its own writes (with
     * {@link RestoreOptions.Memory#MAP_PRIVATE}, the memory file is never written).
     *
     * @param directory a directory {@link #snapshot} wrote
     * @param options how guest memory is provided and pre-faulted (what the pre-fault did is
     *     {@link #preFaultResult()}); its TSS address, if any, must be this VM's own (0xfffbd000),
     *     which the restore sets anyway, as {@link #create} does
     * @param console receives each byte the guest writes to its serial console, as in {@link #create}
     * @return the VM, ready to {@link #run()}; close it when done
     * @throws SnapshotException in one sentence, for a directory without a MicroVm snapshot, a
     *     missing, foreign, truncated or corrupt file, another format version, state this KVM
     *     refuses, or options that give a tap or vsock socket the snapshot has no device for;
     *     nothing the restore opened is left open
     * @throws BootException in one sentence, when a drive's image, a tap or the vsock socket cannot
     *     be opened (a tap or socket that the VM saved, still running, holds: give others in
     *     {@code options}); nothing the restore opened is left open
     * @throws IllegalArgumentException when {@code options} ask for another TSS address
     */
    public static MicroVm restore(Path directory, RestoreOptions options, IntConsumer console) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(console, "console");
        if (options.tssAddress().isPresent() && !options.tssAddress().get().equals(TSS)) {
            throw new IllegalArgumentException("A MicroVm keeps its TSS at " + TSS + ", not " + options.tssAddress().get()
                    + ": leave the restore options' TSS address empty.");
        }
        MicroVm microVm = new MicroVm(withHostEnds(MicroVmConfigFile.read(directory), options, directory).withPreFault(options.preFault()), console);
        try {
            microVm.restoreFrom(directory, options.tssAddress(TSS));
            return microVm;
        } catch (RuntimeException e) {
            microVm.close();
            throw e;
        }
    }

    /** The saved configuration with the taps and vsock socket the options give instead of the snapshot's. */
    private static MicroVmConfig withHostEnds(MicroVmConfig saved, RestoreOptions options, Path directory) {
        List<MicroVmConfig.NetworkInterface> nics = new ArrayList<>(saved.networkInterfaces());
        options.taps().forEach((index, tap) -> {
            if (index >= nics.size()) {
                throw new SnapshotException("The restore gives a tap for network interface " + index + ", but the snapshot in " + directory + " has "
                        + nics.size() + " network interface" + (nics.size() == 1 ? "" : "s") + ": give taps only for those it has.");
            }
            nics.set(index, new MicroVmConfig.NetworkInterface(tap, nics.get(index).mac()));
        });
        MicroVmConfig.Vsock vsock = saved.vsock();
        if (options.vsockSocket().isPresent()) {
            if (vsock == null) {
                throw new SnapshotException("The restore gives a vsock socket, but the snapshot in " + directory + " has no vsock device: leave it out.");
            }
            vsock = new MicroVmConfig.Vsock(vsock.guestCid(), options.vsockSocket().get());
        }
        return new MicroVmConfig(saved.kernel(), saved.initrd(), saved.commandLine(), saved.memoryBytes(), saved.cpus(), saved.preFault(),
                saved.drives(), nics, vsock);
    }

    private void restoreFrom(Path directory, RestoreOptions options) {
        kvm = Kvm.open();
        // The identity map stays at KVM's default, which is where build() puts it (0xfffbc000).
        restored = VmSnapshot.restore(directory, kvm, options);
        vm = restored.vm();
        memory = restored.memory(); // owned by this MicroVm from here, and closed by close()
        vcpus.addAll(restored.vcpus());
        preFault = restored.preFault().orElse(null);
        List<GuestMemory.Range> expected = LinuxBoot.memoryRanges(config.memoryBytes());
        List<GuestMemory.Range> found = memory.regions().stream().map(r -> new GuestMemory.Range(r.start(), r.size())).toList();
        if (vcpus.size() != config.cpus() || !found.equals(expected)) {
            throw new SnapshotException(directory + " is corrupt: its " + MicroVmConfigFile.NAME + " file says " + config.cpus() + " vCPUs and "
                    + config.memoryBytes() + " bytes of memory, but its state file holds " + vcpus.size() + " vCPUs and memory " + found
                    + ": the two belong to different snapshots.");
        }
        LegacyDeviceState saved = restored.devices().orElseThrow(() -> new SnapshotException(directory
                + " holds a VM saved without its devices' state, which a MicroVm needs: restore it with VmSnapshot.restore."));
        int virtioCount = config.drives().size() + config.networkInterfaces().size() + (config.vsock() == null ? 0 : 1);
        if (restored.virtio().size() != virtioCount) {
            throw new SnapshotException(directory + " is corrupt: its " + MicroVmConfigFile.NAME + " file says " + virtioCount
                    + " virtio devices, but its state file holds " + restored.virtio().size() + ": the two belong to different snapshots.");
        }
        openVirtioDevices();
        startDevices();
        devices.restore(saved);
        attachVirtioDevices();
        for (int i = 0; i < virtioSlots.size(); i++) {
            try {
                virtioSlots.get(i).transport().restore(restored.virtio().get(i));
            } catch (IllegalArgumentException e) {
                throw new SnapshotException(directory + " is corrupt: " + virtioDevices.get(i).description() + " cannot take its saved state ("
                        + e.getMessage().replaceFirst("\\.$", "") + ").");
            }
        }
    }

    /** Opens the drives, taps and vsock socket, in slot order: drives, network interfaces, vsock. */
    private void openVirtioDevices() {
        for (int i = 0; i < config.drives().size(); i++) {
            MicroVmConfig.Drive drive = config.drives().get(i);
            VirtioBlock disk = VirtioBlock.open(drive.image(), drive.readOnly());
            virtioDevices.add(new VirtioSlot.Device("virtio-blk disk " + i + " (" + drive.image() + ")", disk, disk::close));
        }
        for (int i = 0; i < config.networkInterfaces().size(); i++) {
            MicroVmConfig.NetworkInterface nic = config.networkInterfaces().get(i);
            Tap tap;
            try {
                tap = Tap.open(nic.tap());
            } catch (IOException e) {
                throw new BootException(e.getMessage());
            }
            VirtioNet net;
            try {
                net = nic.mac() == null ? new VirtioNet(tap) : new VirtioNet(tap, nic.mac());
            } catch (RuntimeException e) {
                tap.close();
                throw e;
            }
            networkInterfaces.add(net);
            virtioDevices.add(new VirtioSlot.Device("virtio-net interface " + i + " (tap " + tap.name() + ")", net, net::close));
        }
        if (config.vsock() != null) {
            VirtioVsock vsock = VirtioVsock.open(config.vsock().guestCid(), config.vsock().socket());
            virtioDevices.add(new VirtioSlot.Device("virtio-vsock (" + config.vsock().socket() + ")", vsock, vsock::close));
        }
    }

    private void build(LinuxBoot boot, PreFaultProgress progress) {
        kvm = Kvm.open();
        vm = kvm.createVm();
        vm.setIdentityMapAddress(IDENTITY_MAP);
        vm.setTssAddress(TSS);
        vm.createIrqchip();
        vm.createPit();
        int kvmMaxCpus = kvm.maxVcpus();
        if (config.cpus() > kvmMaxCpus) {
            throw new BootException(config.cpus() + " vCPUs asked for, but this KVM creates at most " + kvmMaxCpus + " per VM: give fewer.");
        }
        List<CpuidEntry> supportedCpuid = kvm.supportedCpuid();
        int[] msrs = kvm.msrIndexList();
        boolean tscDeadline = kvm.checkExtension(Capability.TSC_DEADLINE_TIMER) > 0;
        for (int id = 0; id < config.cpus(); id++) {
            Vcpu vcpu = vm.createVcpu(id);
            vcpus.add(vcpu);
            vcpu.setCpuid(GuestCpuid.forVcpu(supportedCpuid, id, config.cpus(), tscDeadline));
            BootCpu.configure(vcpu, msrs);
        }
        mark(BootEvent.VM_CREATED);

        memory = GuestMemory.anonymous(LinuxBoot.memoryRanges(config.memoryBytes()));
        vm.map(memory);
        mark(BootEvent.MEMORY_READY);

        if (config.preFault() != PreFaultPolicy.NONE) {
            preFault = PreFaulter.of(vm, memory).vcpus(vcpus).policy(config.preFault()).onProgress(progress).run();
        }
        mark(BootEvent.PRE_FAULTED);

        boot.load(memory);
        boot.enterKernel(vcpus.get(0), memory);
        startDevices();
        attachVirtioDevices();
        mark(BootEvent.KERNEL_LOADED);
    }

    /** Puts each virtio device in its slot: its MMIO window, interrupt and queue notifiers. */
    private void attachVirtioDevices() {
        for (int i = 0; i < virtioDevices.size(); i++) {
            VirtioSlot.Device device = virtioDevices.get(i);
            virtioSlots.add(VirtioSlot.attach(vm, memory, devices, i, device, t -> failed(device.description(), t))); // a device failure ends the run
        }
    }

    /** The console, its interrupt and the legacy devices, wired to this VM. */
    private void startDevices() {
        consoleOutput = new ConsoleOutput(console, ConsoleOutput.DEFAULT_CAPACITY, "vmm-console");
        consoleIrq = IrqFdInterrupt.register(vm, Serial16550.COM1_IRQ);
        devices = new MicroVmDevices(consoleIrq, new MicroVmDevices.Events() {
            @Override
            public void consoleByte(int b) {
                markOnce(BootEvent.FIRST_CONSOLE_BYTE);
                consoleOutput.offer(b);
            }

            @Override
            public void bootComplete() {
                markOnce(BootEvent.BOOT_COMPLETE);
            }

            @Override
            public void reboot(String how) {
                stop(new MicroVmExit(MicroVmExit.Reason.REBOOT, how));
            }

            @Override
            public void powerOff() {
                stop(new MicroVmExit(MicroVmExit.Reason.POWEROFF, "ACPI S5"));
            }
        }, Clock.systemUTC());
    }

    /**
     * Runs every vCPU on its own thread until the guest resets or shuts down, a vCPU fails, or
     * {@link #stop()} is called; then returns how it ended. Call once.
     *
     * @return how the run ended
     */
    public MicroVmExit run() {
        return run(null);
    }

    /**
     * {@link #run()}, stopping the VM (exit STOPPED) if the guest has not ended it within
     * {@code timeout}. Returns within {@code timeout} and a second, whatever the guest does.
     *
     * @param timeout how long the guest may run
     * @return how the run ended: {@link MicroVmExit.Reason#STOPPED} on timeout
     */
    public MicroVmExit run(Duration timeout) {
        synchronized (this) {
            if (stoppedForGood != null) {
                throw new IllegalStateException("This MicroVm has run already: create another to boot again.");
            }
            if (exit != null) {
                throw new IllegalStateException("This MicroVm was closed or stopped before it ran: create another.");
            }
            stoppedForGood = new boolean[vcpus.size()];
            for (VirtioSlot slot : virtioSlots) { // a device failure ends the run, as a vCPU's does
                for (int queue = 0; queue < slot.queues(); queue++) {
                    int q = queue;
                    notificationThreads.add(Thread.ofPlatform().daemon().name("vmm-virtio-notify-" + notificationThreads.size())
                            .start(() -> guarded("the notifications of " + slot.description(), () -> slot.forwardNotifications(q))));
                }
            }
            for (Vcpu vcpu : vcpus) {
                vcpuThreads.add(Thread.ofPlatform().name("vcpu-" + vcpu.id()).start(() -> runVcpu(vcpu)));
            }
        }
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("vmm-timers").factory());
        if (haltIsPowerOff) { // a halted guest never exits to us (the in-kernel LAPIC handles HLT): look now and then
            timers.scheduleWithFixedDelay(() -> guarded("the halt check", () -> vcpus.forEach(Vcpu::kick)),
                    HALT_CHECK_MILLIS, HALT_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (timeout != null) {
            timers.schedule(() -> stop(new MicroVmExit(MicroVmExit.Reason.STOPPED, "no end within " + timeout.toSeconds() + " s")),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        try {
            long deadline = timeout == null ? FOREVER : System.nanoTime() + timeout.plus(GRACE).toNanos();
            if (!joinVcpuThreads(deadline)) {
                stop(); // interrupted while waiting
                joinVcpuThreads(System.nanoTime() + GRACE.toNanos());
            }
        } finally {
            timers.shutdownNow();
        }
        mark(BootEvent.VM_EXIT);
        consoleOutput.flush(Duration.ofMillis(200)); // what the guest said last, if the terminal keeps up
        synchronized (this) {
            if (exit == null) { // the vCPUs are still inside KVM after the grace period
                exit = new MicroVmExit(MicroVmExit.Reason.ERROR, "the vCPUs did not stop within " + GRACE.toSeconds() + " s of the timeout");
            }
            return exit;
        }
    }

    /** Waits for the vCPU threads until {@code deadline} (System.nanoTime, or FOREVER); false if interrupted. */
    private boolean joinVcpuThreads(long deadline) {
        for (Thread thread : vcpuThreads) {
            try {
                long left = deadline == FOREVER ? Long.MAX_VALUE : deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    return true; // out of time: the caller decides
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Runs {@code action}; anything it throws stops the VM with that error instead of vanishing in a thread. */
    private void guarded(String what, Runnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            failed(what, t);
        }
    }

    /** Stops the VM with {@code t}, which {@code what} threw, as the exit. */
    private void failed(String what, Throwable t) {
        MicroVmExit why = OUT_OF_MEMORY;
        try {
            why = new MicroVmExit(MicroVmExit.Reason.ERROR, what + " failed: " + t);
        } catch (OutOfMemoryError e) {
            // no room for a message: the prepared one says enough
        }
        stop(why);
        try { // the exit says what failed; the stack trace is for whoever turns on DEBUG for dev.vmm.core.microvm
            System.getLogger(MicroVm.class.getName()).log(System.Logger.Level.DEBUG, what + " failed: the microVM stopped", t);
        } catch (RuntimeException | OutOfMemoryError e) {
            // a logger that fails must not hide the failure the exit reports
        }
    }

    /**
     * After a kick: whether this vCPU has stopped for good, halted with interrupts off (how Linux
     * parks a CPU when it halts or powers off without ACPI) or never started. When the bootstrap
     * vCPU has halted so and every other one has stopped too, nothing can wake the guest: it is
     * over, as a poweroff.
     */
    private void checkHalted(Vcpu vcpu) {
        MpState state = vcpu.mpState();
        boolean halted = state == MpState.HALTED && (vcpu.registers().rflags() & RFLAGS_IF) == 0;
        boolean neverStarted = state == MpState.UNINITIALIZED || state == MpState.INIT_RECEIVED;
        synchronized (this) {
            stoppedForGood[vcpu.id()] = vcpu.id() == 0 ? halted : halted || neverStarted;
            for (boolean stopped : stoppedForGood) {
                if (!stopped) {
                    return;
                }
            }
        }
        stop(new MicroVmExit(MicroVmExit.Reason.HALTED, "every vCPU halted with interrupts off"));
    }

    private void runVcpu(Vcpu vcpu) {
        if (vcpu.id() == 0) {
            mark(BootEvent.FIRST_RUN);
        }
        // Anything thrown here (a failed KVM call, a device's bug, an Error) ends the VM with it as the exit.
        guarded("vCPU " + vcpu.id(), () -> {
            while (exit == null) {
                handle(vcpu, vcpu.run());
                holdWhilePaused();
            }
        });
    }

    private void handle(Vcpu vcpu, VcpuExit why) {
        switch (why) {
            case VcpuExit.IoOut out -> devices.portWrite(out.port(), out.size(), out.count(), out.data());
            case VcpuExit.IoIn in -> {
                byte[] reply = new byte[in.size() * in.count()];
                devices.portRead(in.port(), in.size(), in.count(), reply);
                in.reply(reply);
            }
            case VcpuExit.MmioRead read -> {
                byte[] reply = new byte[read.length()];
                devices.mmioRead(read.address().value(), reply);
                read.reply(reply);
            }
            case VcpuExit.MmioWrite write -> devices.mmioWrite(write.address().value(), write.data());
            case VcpuExit.Interrupted ignored -> {
                if (exit == null && haltIsPowerOff) { // the halt check kicked us
                    checkHalted(vcpu);
                }
            }
            case VcpuExit.Hlt ignored -> { } // the in-kernel LAPIC handles HLT; nothing to do if one slips through
            case VcpuExit.Shutdown ignored -> stop(new MicroVmExit(MicroVmExit.Reason.SHUTDOWN, "triple fault on vCPU " + vcpu.id()));
            case VcpuExit.SystemEvent event -> stop(new MicroVmExit(MicroVmExit.Reason.SHUTDOWN, "system event " + event.type()));
            default -> stop(new MicroVmExit(MicroVmExit.Reason.ERROR, "vCPU " + vcpu.id() + " stopped on " + why
                    + (KvmVendor.ofThisMachine() == KvmVendor.PVM
                    ? "; this /dev/kvm is PVM, which runs only kernels built as PVM guests: boot a stock kernel elsewhere (./vmm boot uses the sandbox)" : "")));
        }
    }

    /**
     * Types {@code bytes} into the guest's serial console (they wait in the UART, 4 KiB at most).
     *
     * @param bytes what the guest reads, in order
     */
    public void consoleInput(byte[] bytes) {
        devices.serial().receive(bytes);
    }

    /**
     * Saves the running guest into {@code directory} (created if missing; a snapshot there is
     * replaced), for {@link #restore} to continue, and lets it go on: a snapshot does not end the
     * VM. Every vCPU thread is taken out of KVM_RUN and held between two exits, each vCPU's last
     * exit is completed ({@link dev.vmm.core.Vcpu#completePendingExit()}, so that no I/O
     * instruction runs twice), then {@link VmSnapshot#save} writes the vCPUs', the VM's and the
     * UART's, i8042's and RTC's state with guest memory, and the {@code microvm} file what the
     * restore needs of the {@link #config()}. Call it while {@link #run()} is under way, from any
     * thread but a vCPU's (a device's callback).
     *
     * <p>Drives: with the vCPUs held, each virtio device is paused
     * ({@link dev.vmm.core.virtio.VirtioMmio#pause()}: the requests it took are completed, in memory
     * and in the image), and its transport and queues saved with the VM. A writable drive's image
     * is copied into the directory ({@code drive-N}, sparse), so that the disk and the guest's page
     * cache are of one moment; the restored MicroVm writes to that copy. A read-only drive stays
     * where it is. Either way the restore refuses an image whose size or modification time changed
     * since. The guest is paused while the images are copied: the larger they are, the longer.
     *
     * <p>Network interfaces: each is saved with its tap's name and the MAC address the guest knows;
     * the receive buffers the device held go back to the ring, and frames wait in the tap while the
     * guest is paused. The vsock device is saved with its guest CID and socket path, not its
     * connections: the VM that was saved keeps them, and the restored guest is told to reset the
     * ones it had (a TRANSPORT_RESET event), as after Firecracker's restore. A restore opens the
     * taps and the socket again, or those its {@link RestoreOptions} give instead.
     *
     * <p>Not saved: devices added with {@code devices().ports()} or {@code mmio()} (add them again
     * to the restored VM before it runs).
     *
     * @param directory where the snapshot goes: {@code vmstate}, {@code memory} (sparse),
     *     {@code microvm} and a {@code drive-N} per writable drive
     * @throws SnapshotException when a file cannot be written
     * @throws IllegalStateException when {@link #run()} has not been called yet, the VM has ended
     *     (stopped, closed, or ended by the guest, also while it was being paused), or the caller is
     *     a vCPU thread
     * @throws dev.vmm.core.KvmException when KVM cannot report a piece of state
     */
    public void snapshot(Path directory) {
        snapshot(directory, SnapshotProgress.NONE);
    }

    /**
     * {@link #snapshot(Path)}, reporting to {@code progress} how far the memory file and each
     * writable drive's copy are (the guest stays paused until both are done).
     *
     * @param directory where the snapshot goes, as for {@link #snapshot(Path)}
     * @param progress receives the progress, on this thread
     * @throws SnapshotException as for {@link #snapshot(Path)}
     * @throws IllegalStateException as for {@link #snapshot(Path)}
     * @throws dev.vmm.core.KvmException as for {@link #snapshot(Path)}
     */
    public void snapshot(Path directory, SnapshotProgress progress) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(progress, "progress");
        if (vcpuThreads.contains(Thread.currentThread())) {
            throw new IllegalStateException("A snapshot cannot be taken on a vCPU thread, which it would have to hold: take it from another thread.");
        }
        snapshotting.lock();
        try {
            synchronized (this) {
                if (stoppedForGood == null && exit == null) {
                    throw new IllegalStateException("This MicroVm has not run yet: take a snapshot while run() is under way.");
                }
                if (exit != null) {
                    throw new IllegalStateException("This MicroVm has ended (" + exit.reason() + ": " + exit.detail()
                            + "), and a snapshot needs a guest that is still running.");
                }
            }
            pause();
            List<VirtioSlot> paused = new ArrayList<>();
            try {
                for (VirtioSlot slot : virtioSlots) {
                    slot.transport().pause(); // the requests it took are completed in guest memory and on disk
                    paused.add(slot);
                }
                // A microvm file left from an earlier snapshot must not pair with this one's state.
                Files.deleteIfExists(directory.resolve(MicroVmConfigFile.NAME));
                Files.createDirectories(directory);
                List<MicroVmConfig.Drive> drives = new ArrayList<>();
                List<MicroVmConfigFile.ImageStamp> images = new ArrayList<>();
                for (int i = 0; i < config.drives().size(); i++) {
                    MicroVmConfig.Drive drive = config.drives().get(i);
                    Path image = drive.readOnly() ? drive.image().toAbsolutePath() : DriveImages.copy(drive.image(), directory,
                            MicroVmConfigFile.copyName(i), progress, i);
                    drives.add(new MicroVmConfig.Drive(drive.readOnly() ? image : Path.of(MicroVmConfigFile.copyName(i)), drive.readOnly()));
                    images.add(MicroVmConfigFile.ImageStamp.of(image));
                }
                VmSnapshot.save(directory, vm, vcpus, memory, devices.legacyState(),
                        virtioSlots.stream().map(slot -> slot.transport().state()).toList(), progress);
                List<MicroVmConfig.NetworkInterface> nics = new ArrayList<>();
                for (int i = 0; i < config.networkInterfaces().size(); i++) { // the MAC the guest knows, a random one included
                    nics.add(new MicroVmConfig.NetworkInterface(config.networkInterfaces().get(i).tap(), networkInterfaces.get(i).mac()));
                }
                MicroVmConfig.Vsock vsock = config.vsock() == null ? null
                        : new MicroVmConfig.Vsock(config.vsock().guestCid(), config.vsock().socket().toAbsolutePath());
                MicroVmConfigFile.write(directory, new MicroVmConfig(config.kernel(), config.initrd(), config.commandLine(), config.memoryBytes(),
                        config.cpus(), PreFaultPolicy.NONE, drives, nics, vsock), images);
            } catch (IOException e) {
                throw new SnapshotException("Cannot replace the snapshot in " + directory + " (" + e + ").", e);
            } finally {
                paused.forEach(slot -> slot.transport().resume());
                resume();
            }
        } finally {
            snapshotting.unlock();
        }
    }

    /** Kicks every vCPU and waits until each thread is held in holdWhilePaused. */
    private void pause() {
        synchronized (pauseLock) {
            pauseRequested = true;
        }
        for (Vcpu vcpu : vcpus) {
            vcpu.kick(); // answered by an Interrupted exit, after which the thread holds
        }
        synchronized (pauseLock) {
            try {
                while (vcpusHeld < vcpus.size()) {
                    if (exit != null) { // the threads leave instead of holding: stop() woke us
                        throw new IllegalStateException("This MicroVm ended (" + exit.reason() + ": " + exit.detail()
                                + ") while it was being paused for a snapshot.");
                    }
                    pauseLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                resume();
                throw new IllegalStateException("Interrupted while pausing the MicroVm for a snapshot; it runs on.", e);
            } catch (RuntimeException e) {
                resume();
                throw e;
            }
        }
    }

    private void resume() {
        synchronized (pauseLock) {
            pauseRequested = false;
            pauseLock.notifyAll();
        }
    }

    /** On a vCPU thread between two runs: holds it while a snapshot is taken, or until the VM ends. */
    private void holdWhilePaused() {
        synchronized (pauseLock) {
            if (!pauseRequested) {
                return;
            }
            vcpusHeld++;
            pauseLock.notifyAll();
            try {
                while (pauseRequested && exit == null) {
                    pauseLock.wait();
                }
            } catch (InterruptedException e) { // nothing interrupts a vCPU thread; if something does, the run ends with it
                throw new IllegalStateException("vCPU thread interrupted while held for a snapshot.", e);
            } finally {
                vcpusHeld--;
            }
        }
    }

    /** Stops the VM from any thread: every vCPU leaves KVM_RUN and {@link #run()} returns. */
    public void stop() {
        stop(new MicroVmExit(MicroVmExit.Reason.STOPPED, "stopped by the VMM"));
    }

    private synchronized void stop(MicroVmExit why) {
        if (exit == null) {
            exit = why;
        }
        synchronized (pauseLock) { // vCPU threads held for a snapshot leave their run loop
            pauseLock.notifyAll();
        }
        for (Vcpu vcpu : vcpus) {
            try {
                vcpu.kick();
            } catch (IllegalStateException closed) {
                // closed already: it runs no more
            }
        }
    }

    private synchronized void mark(BootEvent event) {
        record(event, System.nanoTime());
    }

    private synchronized void markOnce(BootEvent event) {
        if (!events.containsKey(event)) {
            record(event, System.nanoTime());
        }
    }

    private void record(BootEvent event, long now) {
        if (Jfr.recording()) {
            Jfr.bootPhase(event.name(), events.values().stream().mapToLong(t -> now - t).filter(d -> d >= 0).min().orElse(0));
        }
        events.put(event, now);
    }

    /**
     * {@return when {@code event} happened, in {@link System#nanoTime()}, or empty if it did not (yet)}
     *
     * @param event the moment
     */
    public synchronized OptionalLong timeOf(BootEvent event) {
        Long t = events.get(event);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** {@return what the pre-fault did, or null for policy NONE} */
    public PreFaultResult preFaultResult() {
        return preFault;
    }

    /**
     * {@return the guest pages touched since this MicroVm was restored: its working set, to
     * {@link WorkingSet#write} beside the snapshot for later restores to pre-fault} See
     * {@link RestoredVm#workingSet()}.
     *
     * @throws IllegalStateException when this MicroVm was not restored, or was restored with copied
     *     or pre-faulted memory
     */
    public WorkingSet workingSet() {
        if (restored == null) {
            throw new IllegalStateException("Only a restored MicroVm has a working set: record it after MicroVm.restore.");
        }
        return restored.workingSet();
    }

    /** {@return the port and MMIO accesses no device handled: their total, and the most frequent} */
    public UnhandledAccesses.Snapshot unhandledAccesses() {
        return devices == null ? UnhandledAccesses.Snapshot.NONE : devices.unhandled();
    }

    /**
     * The devices and their buses. Add a device of your own with {@code devices().ports().register(...)}
     * (or {@code mmio()}) before {@link #run()}; it is called from the vCPU threads and must not block.
     *
     * @return the devices
     */
    public MicroVmDevices devices() {
        return devices;
    }

    /**
     * Sets the link status network interface {@code index} reports to the guest, with a
     * configuration change interrupt when it changes (Linux turns its carrier off or on). Frames
     * still flow either way: stopping them is the guest driver's part.
     *
     * @param index the interface, in {@link MicroVmConfig#networkInterfaces()} order
     * @param up whether the link is up
     * @throws IndexOutOfBoundsException when there is no such interface
     */
    public void setLinkUp(int index, boolean up) {
        networkInterfaces.get(index).setLinkUp(up);
    }

    /** {@return the console bytes lost because the console consumer fell too far behind} */
    public long consoleBytesDropped() {
        return consoleOutput == null ? 0 : consoleOutput.dropped();
    }

    /** {@return the configuration this VM was created with} */
    public MicroVmConfig config() {
        return config;
    }

    /**
     * Stops the guest if it runs, waits for the vCPUs to leave KVM_RUN, then frees the VM and its
     * memory. From any thread, also while {@link #run()} is under way on another; a
     * {@link #snapshot} under way on another is finished first.
     */
    @Override
    public void close() {
        stop(new MicroVmExit(MicroVmExit.Reason.STOPPED, "closed"));
        snapshotting.lock(); // a snapshot under way reads the vCPUs and memory to the end
        try {
            free();
        } finally {
            snapshotting.unlock();
        }
    }

    private void free() {
        joinVcpuThreads(System.nanoTime() + GRACE.toNanos());
        // The devices' threads stop before the memory they work on goes away.
        for (VirtioSlot slot : virtioSlots) {
            slot.close();
        }
        for (VirtioSlot.Device device : virtioDevices.subList(virtioSlots.size(), virtioDevices.size())) {
            device.close().run(); // opened, but never attached (the build failed first)
        }
        for (Thread thread : notificationThreads) {
            try {
                thread.join(GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (consoleIrq != null) {
            consoleIrq.close();
        }
        if (consoleOutput != null) {
            consoleOutput.close();
        }
        for (Vcpu vcpu : vcpus) {
            vcpu.close();
        }
        if (vm != null) {
            vm.close();
        }
        if (memory != null) {
            memory.close();
        }
        if (kvm != null) {
            kvm.close();
        }
    }
}
