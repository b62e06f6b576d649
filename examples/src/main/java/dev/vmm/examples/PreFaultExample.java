// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples;

import dev.vmm.core.GuestAddress;
import dev.vmm.core.GuestMemory;
import dev.vmm.core.Kvm;
import dev.vmm.core.KvmException;
import dev.vmm.core.Vcpu;
import dev.vmm.core.Vm;
import dev.vmm.core.prefault.PreFaultPolicy;
import dev.vmm.core.prefault.PreFaultResult;
import dev.vmm.core.prefault.PreFaulter;

import java.util.List;
import java.util.Locale;

/**
 * Pre-faults the memory of a VM with two regions and a hole between them, with a policy, on two
 * vCPU threads, and prints what was done: the README's pre-fault example.
 *
 * <pre>./vmm sandbox -- java --enable-native-access=ALL-UNNAMED -cp ... dev.vmm.examples.PreFaultExample [MIB] [POLICY]</pre>
 */
public final class PreFaultExample {
    private PreFaultExample() {}

    public static void main(String[] args) {
        try {
            long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
            PreFaultPolicy policy = args.length > 1 ? PreFaultPolicy.valueOf(args[1]) : PreFaultPolicy.AUTO;
            System.out.println(run(mib << 20, policy));
        } catch (NumberFormatException e) {
            fail("The size must be a whole number of MiB, e.g. 256; got '" + args[0] + "'.");
        } catch (IllegalArgumentException | KvmException | IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    /** Pre-faults {@code bytes} split over two regions, one below and one above 4 GiB. */
    public static PreFaultResult run(long bytes, PreFaultPolicy policy) {
        long half = bytes / 2;
        try (Kvm kvm = Kvm.open();
             GuestMemory memory = GuestMemory.anonymous(List.of(
                     new GuestMemory.Range(GuestAddress.of(0), half),
                     new GuestMemory.Range(GuestAddress.of(4L << 30), half)));
             Vm vm = kvm.createVm();
             Vcpu vcpu0 = vm.createVcpu(0);
             Vcpu vcpu1 = vm.createVcpu(1)) {
            vm.map(memory);
            return PreFaulter.of(vm, memory)
                    .vcpus(vcpu0, vcpu1)
                    .policy(policy)
                    .onProgress((phase, done, total) -> System.err.printf(Locale.ROOT, "%s %d/%d MiB%n", phase, done >> 20, total >> 20))
                    .run();
        }
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
