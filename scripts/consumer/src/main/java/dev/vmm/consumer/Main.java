// SPDX-License-Identifier: Apache-2.0
package dev.vmm.consumer;

import dev.vmm.core.Capability;
import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.Segment;
import dev.vmm.core.Vcpu;
import dev.vmm.core.VcpuExit;
import dev.vmm.core.Vm;

/**
 * The README's first example, as a library user writes it: a real-mode guest that writes 'A' to
 * port 0xf8 and halts. Prints what the guest wrote, the pre-fault capability and whether the
 * library was loaded as a named module (module path) or not (class path).
 */
public final class Main {
    public static void main(String[] args) {
        StringBuilder written = new StringBuilder();
        long preFault;
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(GuestAddress.of(0), 64 * 1024);
             Vm vm = kvm.createVm();
             Vcpu vcpu = vm.createVcpu(0)) {
            memory.write(GuestAddress.of(0x1000), new byte[] {(byte) 0xb0, 'A', (byte) 0xe6, (byte) 0xf8, (byte) 0xf4}); // mov al,'A'; out 0xf8,al; hlt
            vm.map(memory);
            vcpu.setSpecialRegisters(vcpu.specialRegisters().cs(Segment.realMode(0, true)));
            vcpu.setRegisters(vcpu.registers().rip(0x1000).rflags(2));
            for (VcpuExit exit = vcpu.run(); !(exit instanceof VcpuExit.Hlt); exit = vcpu.run()) {
                if (exit instanceof VcpuExit.IoOut out && out.port() == 0xf8) {
                    written.append((char) out.data()[0]);
                }
            }
            preFault = vm.checkExtension(Capability.PRE_FAULT_MEMORY);
        }
        Module library = Kvm.class.getModule();
        System.out.println("consumer: the guest wrote \"" + written + "\" and halted; KVM_CAP_PRE_FAULT_MEMORY " + preFault
                + "; library in " + (library.isNamed() ? "module " + library.getName() : "the unnamed module"));
    }
}
