// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm;

import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_clock_data;
import dev.vmm.ffm.kvm.kvm_debugregs;
import dev.vmm.ffm.kvm.kvm_ioapic_state;
import dev.vmm.ffm.kvm.kvm_ioeventfd;
import dev.vmm.ffm.kvm.kvm_irqchip;
import dev.vmm.ffm.kvm.kvm_pit_state2;
import dev.vmm.ffm.kvm.kvm_pre_fault_memory;
import dev.vmm.ffm.kvm.kvm_run;
import dev.vmm.ffm.kvm.kvm_sregs;
import dev.vmm.ffm.kvm.kvm_vcpu_events;
import dev.vmm.ffm.kvm.kvm_xcrs;
import dev.vmm.ffm.kvm.kvm_xsave;
import dev.vmm.ffm.tun.TunIoctls;
import dev.vmm.ffm.tun.ifreq;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Known values, checked without gcc: a C program compiled against the 6.12 uapi headers printed
 * them. UapiLayoutTest checks every value against the headers themselves.
 */
class IoctlNumbersTest {
    @Test
    void ioctlNumbersMatchTheKernels() {
        assertEquals(0xc040aed5L, KvmIoctls.KVM_PRE_FAULT_MEMORY);
        assertEquals(0x40a0ae49L, KvmIoctls.KVM_SET_USER_MEMORY_REGION2);
        assertEquals(0x4020ae46L, KvmIoctls.KVM_SET_USER_MEMORY_REGION);
        assertEquals(0xae00L, KvmIoctls.KVM_GET_API_VERSION);
        assertEquals(0xae01L, KvmIoctls.KVM_CREATE_VM);
        assertEquals(0xae80L, KvmIoctls.KVM_RUN);
        assertEquals(0x8090ae81L, KvmIoctls.KVM_GET_REGS);
        assertEquals(0x4138ae84L, KvmIoctls.KVM_SET_SREGS);
        assertEquals(0xc008ae05L, KvmIoctls.KVM_GET_SUPPORTED_CPUID);
        assertEquals(0x4008ae48L, KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR);
        assertEquals(0x4020ae76L, KvmIoctls.KVM_IRQFD);
        assertEquals(0x4040ae79L, KvmIoctls.KVM_IOEVENTFD);
        assertEquals(0x9000aea4L, KvmIoctls.KVM_GET_XSAVE);
        assertEquals(0x5000aea5L, KvmIoctls.KVM_SET_XSAVE);
        assertEquals(0x9000aecfL, KvmIoctls.KVM_GET_XSAVE2);
        assertEquals(0x8188aea6L, KvmIoctls.KVM_GET_XCRS);
        assertEquals(0x4188aea7L, KvmIoctls.KVM_SET_XCRS);
        assertEquals(0x8040ae9fL, KvmIoctls.KVM_GET_VCPU_EVENTS);
        assertEquals(0x4040aea0L, KvmIoctls.KVM_SET_VCPU_EVENTS);
        assertEquals(0x8080aea1L, KvmIoctls.KVM_GET_DEBUGREGS);
        assertEquals(0x4080aea2L, KvmIoctls.KVM_SET_DEBUGREGS);
        assertEquals(0xc208ae62L, KvmIoctls.KVM_GET_IRQCHIP);
        assertEquals(0x8208ae63L, KvmIoctls.KVM_SET_IRQCHIP, "_IOR in the kernel's header, though the kernel reads it");
        assertEquals(0x8070ae9fL, KvmIoctls.KVM_GET_PIT2);
        assertEquals(0x4070aea0L, KvmIoctls.KVM_SET_PIT2);
        assertEquals(0x8030ae7cL, KvmIoctls.KVM_GET_CLOCK);
        assertEquals(0x4030ae7bL, KvmIoctls.KVM_SET_CLOCK);
        assertEquals(0xaea3L, KvmIoctls.KVM_GET_TSC_KHZ);
        assertEquals(0xaea2L, KvmIoctls.KVM_SET_TSC_KHZ);
        assertEquals(0xaeadL, KvmIoctls.KVM_KVMCLOCK_CTRL);
        assertEquals(0x400454caL, TunIoctls.TUNSETIFF);
        assertEquals(0x400454d0L, TunIoctls.TUNSETOFFLOAD);
        assertEquals(0x400454d8L, TunIoctls.TUNSETVNETHDRSZ);
        assertEquals(0x800454cfL, TunIoctls.TUNGETFEATURES);
        assertEquals(0x800454d2L, TunIoctls.TUNGETIFF);
    }

    @Test
    void structSizesMatchTheKernels() {
        assertEquals(2352, kvm_run.sizeof());
        assertEquals(312, kvm_sregs.sizeof());
        assertEquals(64, kvm_pre_fault_memory.sizeof());
        assertEquals(64, kvm_ioeventfd.sizeof());
        assertEquals(28, kvm_ioeventfd.pad$OFFSET, "datamatch, addr, len, fd and flags come before pad[36]");
        assertEquals(4096, kvm_xsave.sizeof());
        assertEquals(392, kvm_xcrs.sizeof());
        assertEquals(64, kvm_vcpu_events.sizeof());
        assertEquals(128, kvm_debugregs.sizeof());
        assertEquals(520, kvm_irqchip.sizeof(), "chip_id, pad, then the 512-byte union");
        assertEquals(216, kvm_ioapic_state.sizeof());
        assertEquals(112, kvm_pit_state2.sizeof());
        assertEquals(48, kvm_clock_data.sizeof());
        assertEquals(40, ifreq.sizeof(), "the 16-byte name, then a 24-byte union");
        assertEquals(16, ifreq.ifr_flags$OFFSET);
    }
}
