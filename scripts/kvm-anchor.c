// SPDX-License-Identifier: Apache-2.0
/*
 * Sandbox helper, started by the guest's init before the command and never part of the toolkit.
 *
 * Why: creating and closing VMs flips kernel static keys (KVM's preempt notifiers patch
 * __schedule; vCPUs without an in-kernel LAPIC flip kvm_has_noapic_vcpu; LAPICs flip
 * apic_sw_disabled). Each flip live-patches kernel text, and under QEMU's multi-threaded TCG the
 * other vCPU sometimes runs the half-patched code: the emulated kernel died with an Oops in
 * __schedule a few seconds into a test run. Holding one VM of each kind open keeps every such
 * key enabled, so the command's VMs never patch kernel text.
 *
 * Build: gcc -static -O2 -o kvm-anchor kvm-anchor.c (host headers suffice: only old ioctls).
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <unistd.h>

static int vm_with_vcpu(int kvm, int irqchip) {
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) return -1;
    if (irqchip && ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) return -1;
    return ioctl(vm, KVM_CREATE_VCPU, 0) < 0 ? -1 : 0;
}

int main(void) {
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0 || vm_with_vcpu(kvm, 0) < 0 || vm_with_vcpu(kvm, 1) < 0) {
        perror("kvm-anchor");
        return 1;
    }
    /* The parent's exit tells init the VMs exist; the child keeps them open until poweroff. */
    pid_t child = fork();
    if (child < 0) {
        perror("kvm-anchor: fork");
        return 1;
    }
    if (child > 0) return 0;
    for (;;) pause();
}
