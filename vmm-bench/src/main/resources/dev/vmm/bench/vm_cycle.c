// SPDX-License-Identifier: Apache-2.0
/*
 * The C side of VmCycleBenchmark: the same work as the Java benchmark, on the same kernel, in the
 * same run. Usage: vm_cycle MODE COUNT ROUNDS, with /dev/kvm opened once, outside the timing.
 *   cycle  KVM_CREATE_VM, 2 MiB of fresh anonymous memory as slot 0 with HLT at 0, a vCPU in real
 *          mode at 0, KVM_RUN to the HLT exit, then everything closed and unmapped: prints the
 *          mean microseconds per cycle of each round, after one untimed warm-up round.
 *   create KVM_CREATE_VM and close: prints the mean microseconds per VM of each round, likewise.
 *   rss    COUNT VMs created and kept open: prints once the KiB of resident memory each added.
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

#define MEMORY (2L << 20)

static int kvm, run_size;

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void cycle(void) {
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("vm_cycle: KVM_CREATE_VM");
    unsigned char *memory = mmap(NULL, MEMORY, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) die("vm_cycle: mmap of guest memory");
    memory[0] = 0xf4; /* hlt */
    struct kvm_userspace_memory_region slot = {.slot = 0, .guest_phys_addr = 0, .memory_size = MEMORY,
                                               .userspace_addr = (unsigned long) memory};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0) die("vm_cycle: KVM_SET_USER_MEMORY_REGION");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("vm_cycle: KVM_CREATE_VCPU");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("vm_cycle: mmap of kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("vm_cycle: KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("vm_cycle: KVM_SET_SREGS");
    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = 0;
    regs.rflags = 2;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("vm_cycle: KVM_SET_REGS");
    do {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("vm_cycle: KVM_RUN");
    } while (run->exit_reason != KVM_EXIT_HLT);
    munmap(run, run_size);
    close(vcpu);
    close(vm);
    munmap(memory, MEMORY);
}

static void create(void) {
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("vm_cycle: KVM_CREATE_VM");
    close(vm);
}

static long rss_kib(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (status != NULL && fgets(line, sizeof line, status) != NULL) {
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    }
    if (status != NULL) fclose(status);
    return kib;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s cycle|create|rss COUNT ROUNDS\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    long count = atol(argv[2]), rounds = atol(argv[3]);
    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("vm_cycle: /dev/kvm");
    run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0 || count < 1 || rounds < 1) die("vm_cycle: KVM_GET_VCPU_MMAP_SIZE");
    if (strcmp(mode, "rss") == 0) {
        long before = rss_kib();
        for (long i = 0; i < count; i++) {
            if (ioctl(kvm, KVM_CREATE_VM, 0) < 0) die("vm_cycle: KVM_CREATE_VM"); /* kept open until exit */
        }
        printf("%.3f\n", (double) (rss_kib() - before) / count);
        return 0;
    }
    void (*work)(void) = strcmp(mode, "cycle") == 0 ? cycle : strcmp(mode, "create") == 0 ? create : NULL;
    if (work == NULL) {
        fprintf(stderr, "vm_cycle: unknown mode %s\n", mode);
        return 2;
    }
    for (long r = -1; r < rounds; r++) {
        double start = now_us();
        for (long i = 0; i < count; i++) work();
        if (r >= 0) printf("%.3f\n", (now_us() - start) / count);
    }
    return 0;
}
