// SPDX-License-Identifier: Apache-2.0
/*
 * The C side of StartupBenchmark: what FirstRun.java does, with the raw ioctls: /dev/kvm, a VM,
 * 64 KiB of anonymous memory as slot 0 with a HLT at 0, a vCPU in real mode at 0, KVM_RUN to the
 * HLT exit, everything closed. Prints two lines, CLOCK_MONOTONIC in ns (the clock System.nanoTime()
 * reads, shared with the parent) just before the first KVM_RUN and just after the HLT exit; both
 * after the exit, as FirstRun does. Usage: first_run (no arguments).
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEMORY (64L << 10)

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(void) {
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("first_run: /dev/kvm");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0) die("first_run: KVM_GET_VCPU_MMAP_SIZE");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("first_run: KVM_CREATE_VM");
    unsigned char *memory = mmap(NULL, MEMORY, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) die("first_run: mmap of guest memory");
    memory[0] = 0xf4; /* hlt */
    struct kvm_userspace_memory_region slot = {.slot = 0, .guest_phys_addr = 0, .memory_size = MEMORY,
                                               .userspace_addr = (unsigned long) memory};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0) die("first_run: KVM_SET_USER_MEMORY_REGION");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("first_run: KVM_CREATE_VCPU");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("first_run: mmap of kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("first_run: KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("first_run: KVM_SET_SREGS");
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = 0;
    regs.rflags = 2;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("first_run: KVM_SET_REGS");
    long long before_run = now_ns();
    do {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("first_run: KVM_RUN");
    } while (run->exit_reason != KVM_EXIT_HLT);
    long long after_hlt = now_ns();
    munmap(run, run_size);
    close(vcpu);
    close(vm);
    munmap(memory, MEMORY);
    close(kvm);
    printf("%lld\n%lld\n", before_run, after_hlt);
    return 0;
}
