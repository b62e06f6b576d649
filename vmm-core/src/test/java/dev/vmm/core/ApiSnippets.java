// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.core.acpi.AcpiTables;
import dev.vmm.core.acpi.Aml;
import dev.vmm.core.acpi.AmlName;
import dev.vmm.core.acpi.Resource;
import dev.vmm.core.boot.LinuxBoot;
import dev.vmm.core.devices.Interrupt;
import dev.vmm.core.devices.IoEventNotifier;
import dev.vmm.core.microvm.BootEvent;
import dev.vmm.core.microvm.MicroVm;
import dev.vmm.core.microvm.MicroVmConfig;
import dev.vmm.core.microvm.MicroVmExit;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
import dev.vmm.core.prefault.PreFaulter;
import dev.vmm.core.snapshot.RestoreOptions;
import dev.vmm.core.snapshot.RestoredVm;
import dev.vmm.core.snapshot.VmSnapshot;
import dev.vmm.core.virtio.VirtioBlock;
import dev.vmm.core.virtio.VirtioMmio;
import dev.vmm.core.virtio.vsock.VirtioVsock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The code of the main classes' javadoc examples: each {@code {@snippet class=dev.vmm.core.ApiSnippets
 * region=...}} shows a region of this file (the javadoc build's {@code --snippet-path} is the test
 * sources). Compiled with the tests, so an example that no longer matches the API fails the build;
 * never run. The parameters are what an example takes as given.
 */
@SuppressWarnings({"unused", "try"})
final class ApiSnippets {
    private ApiSnippets() {}

    static void kvm() {
        // @start region="kvm"
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            boolean preFault = vm.checkExtension(Capability.PRE_FAULT_MEMORY) > 0;
        }
        // @end
    }

    static void guestMemory() {
        // @start region="guest-memory"
        try (GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 64 << 20)) {
            memory.write(GuestAddress.of(0x1000), new byte[] {(byte) 0xf4}); // hlt
        }
        // @end
    }

    static void ioEventAddress() {
        // @start region="io-event-address"
        IoEventAddress queueNotify = IoEventAddress.mmio(GuestAddress.of(0xd000_0050L)); // virtio-mmio QueueNotify
        IoEventAddress doorbell = IoEventAddress.port(0x510);
        // @end
    }

    static void registerIoeventfd(Vm vm) {
        // @start region="register-ioeventfd"
        try (EventFd queueNotify = EventFd.create()) {
            IoEventAddress address = IoEventAddress.mmio(GuestAddress.of(0xd000_0050L));
            vm.registerIoeventfd(queueNotify, address, 4, OptionalLong.of(0)); // queue 0 only
            // ... the guest runs; queueNotify.take() counts its writes of the 32-bit value 0 there
            vm.unregisterIoeventfd(queueNotify, address, 4, OptionalLong.of(0));
        }
        // @end
    }

    static void snapshotState(Vm vm, Vcpu vcpu, Vm newVm, Vcpu newVcpu) {
        // @start region="snapshot-state"
        // Save, with the vCPU stopped (the registers, LAPIC, MSRs and MP state as well):
        int tscKhz = vcpu.tscKhz();
        XsaveState xsave = vcpu.xsave();
        var xcrs = vcpu.xcrs();
        DebugRegisters debug = vcpu.debugRegisters();
        VcpuEvents events = vcpu.vcpuEvents();
        IrqchipState ioapic = vm.irqchip(Irqchip.IOAPIC);
        PitState pit = vm.pitState();
        KvmClock clock = vm.clock();

        // Restore into a new VM made the same way (createIrqchip, createPit, setCpuid):
        newVm.setClock(clock);
        newVm.setIrqchip(ioapic);
        newVm.setPitState(pit);
        newVcpu.setTscKhz(tscKhz);
        newVcpu.setXsave(xsave);
        newVcpu.setXcrs(xcrs);
        newVcpu.setDebugRegisters(debug);
        newVcpu.setVcpuEvents(events); // after the LAPIC and MP state
        // @end
    }

    static void vmSnapshot(Kvm kvm, Vm vm, Vcpu vcpu, GuestMemory memory, Path dir) {
        // @start region="vm-snapshot"
        vcpu.kick();                                         // and wait until its run() has returned
        VmSnapshot.save(dir, vm, List.of(vcpu), memory);     // dir/vmstate and dir/memory (sparse)
        try (RestoredVm clone = VmSnapshot.restore(dir, kvm, RestoreOptions.defaults())) { // MAP_PRIVATE
            clone.vcpus().getFirst().run();                  // the guest goes on where it stopped
        }
        // @end
    }

    static void ioEventNotifier(Vm vm, GuestAddress base) throws InterruptedException {
        // @start region="io-event-notifier"
        IoEventNotifier queueNotify = IoEventNotifier.register(vm,
                IoEventAddress.mmio(base.plus(0x50)), 4, OptionalLong.empty());
        Thread worker = Thread.ofPlatform().start(() -> {
            while (queueNotify.await() > 0) { // 0: stopWaiting() or close() was called
                processQueue();
            }
        });
        // ... at shutdown:
        queueNotify.close(); // deregisters, wakes the worker, closes the eventfd
        worker.join();
        // @end
    }

    private static void processQueue() {}

    static void preFaulter(Vm vm, GuestMemory memory, Vcpu vcpu0, Vcpu vcpu1) {
        // @start region="pre-faulter"
        PreFaultResult result = PreFaulter.of(vm, memory)
                .vcpus(vcpu0, vcpu1)            // stage-2 work is split across these, one thread each
                .policy(PreFaultPolicy.AUTO)    // FULL where the VM supports it, else POPULATE
                .run();
        System.out.println(result);
        // @end
    }

    static void linuxBoot(Path kernelPath, Path initrdPath, GuestMemory memory, Vcpu vcpu0) {
        // @start region="linux-boot"
        LinuxBoot boot = LinuxBoot.plan(kernelPath, initrdPath, "console=ttyS0", memory.size(), 2); // reads headers only
        boot.load(memory);               // memory from LinuxBoot.memoryRanges(size); copies the files in
        boot.enterKernel(vcpu0, memory); // CPUID must be set first (long mode needs it)
        // @end
    }

    static void acpiTables(GuestMemory memory) {
        // @start region="acpi-tables"
        AcpiTables tables = AcpiTables.build(2);           // 2 vCPUs, the microVM's DSDT, at WINDOW
        memory.write(tables.address(), tables.bytes());
        long rsdp = tables.rsdp().value();                 // for boot_params.acpi_rsdp_addr (0x070)
        // @end
    }

    static void aml() {
        // @start region="aml"
        Aml com1 = Aml.device("\\_SB.COM1",
                Aml.name("_HID", Aml.eisaId("PNP0501")),
                Aml.name("_CRS", Aml.resourceTemplate(Resource.io(0x3f8, 0x3f8, 0, 8), Resource.irqNoFlags(4))));
        // @end
    }

    static void amlName() {
        // @start region="aml-name"
        AmlName.of("\\_SB.COM1").encode(); // 5c 2e 5f 53 42 5f 43 4f 4d 31: root, two segments
        // @end
    }

    static void resource() {
        // @start region="resource"
        Aml.resourceTemplate(Resource.io(0x3f8, 0x3f8, 0, 8), Resource.irqNoFlags(4)); // a 16550 at COM1
        // @end
    }

    static void virtioBlock(GuestMemory memory, Interrupt irq) {
        // @start region="virtio-block"
        try (VirtioBlock disk = VirtioBlock.open(Path.of("rootfs.ext4"), false)) { // checked: one sentence if not
            VirtioMmio transport = new VirtioMmio(disk, memory, irq);             // then on the MMIO bus
            // ... run the VM ...
        }
        // @end
    }

    static void virtioVsock(GuestMemory memory, Interrupt irq) {
        // @start region="virtio-vsock"
        try (VirtioVsock vsock = VirtioVsock.open(3, Path.of("/run/vm/vsock.sock"))) { // guest CID 3
            VirtioMmio transport = new VirtioMmio(vsock, memory, irq);
            // ... run the VM: on the host, connect to /run/vm/vsock.sock and write "CONNECT 52\n"
            // to reach the guest's port 52; the guest's connections to port 80 reach /run/vm/vsock.sock_80
        }
        // @end
    }

    static void microVm(Path kernel, Path initrd) {
        // @start region="micro-vm"
        try (MicroVm vm = MicroVm.create(MicroVmConfig.of(kernel, initrd, 256, 2), System.out::write)) {
            MicroVmExit exit = vm.run(Duration.ofSeconds(30)); // until the guest resets or shuts down
            System.out.println(exit + ", first KVM_RUN at " + vm.timeOf(BootEvent.FIRST_RUN).getAsLong());
        }
        // @end
    }
}
