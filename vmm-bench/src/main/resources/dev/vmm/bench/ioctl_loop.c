// SPDX-License-Identifier: Apache-2.0
/*
 * The C side of the FFM-overhead comparison (see IoctlOverheadBenchmark): KVM_CHECK_EXTENSION
 * on /dev/kvm in a loop. Usage: ioctl_loop CALLS ROUNDS; prints one line per round, the mean
 * nanoseconds per call, after one untimed warm-up round.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CALLS ROUNDS\n", argv[0]);
        return 2;
    }
    long calls = atol(argv[1]), rounds = atol(argv[2]);
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0 || calls < 1 || rounds < 1) {
        perror("ioctl_loop: /dev/kvm");
        return 1;
    }
    for (long r = -1; r < rounds; r++) {
        double start = now_ns();
        for (long i = 0; i < calls; i++) {
            if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) < 0) {
                perror("ioctl_loop: KVM_CHECK_EXTENSION");
                return 1;
            }
        }
        double elapsed = now_ns() - start;
        if (r >= 0) printf("%.3f\n", elapsed / calls);
    }
    return 0;
}
