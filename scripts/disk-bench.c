// SPDX-License-Identifier: Apache-2.0
/*
 * Guest disk benchmark, installed in the root file system image as /bin/vmm-disk-bench and run by
 * scripts/rootfs-init.sh for vmm.diskbench=DEVICE[,SECONDS] (see ./vmm bench --disk).
 *
 * Four tests on a block device (or a file), in this order: sequential read, sequential write, random read,
 * random write, after an uncounted warm-up (1 s of random reads, 1 s of random writes, with other
 * offsets): the first requests of a VMM whose device code is still being compiled (a JVM's) would
 * otherwise land in whichever test comes first. Every request is 4 KiB, O_DIRECT (the guest's page cache is not involved), from a
 * 4 KiB aligned buffer, one at a time (queue depth 1: synchronous pread/pwrite). Each test runs
 * for SECONDS (default 10); a write test ends with fsync (a flush to the device), counted in its
 * time. Sequential tests start at offset 0 and wrap at the end of the device; random offsets are
 * 4 KiB aligned over the whole device, drawn from a fixed-seed generator (the same sequence in
 * every run and VMM). The device's contents are overwritten.
 *
 * Output, one line each (stdout):
 *   vmm-disk-bench: device=/dev/vdb size_bytes=N block_bytes=4096 queue_depth=1 direct=1 warm_up_seconds=2 seconds_per_test=S
 *   vmm-disk-bench: test=warm-up-read ops=N bytes=N seconds=F mib_s=F iops=F
 *   ... (warm-up-write, then the tests: seq-read, seq-write, rand-read, rand-write)
 *   vmm-disk-bench: done
 * A failure is one line "vmm-disk-bench: error: ..." and exit status 1; bad arguments, status 2.
 *
 * Build (scripts/boot-assets.sh): gcc -static -O2 -s -o vmm-disk-bench disk-bench.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* splitmix64: a small generator with a fixed seed, so both VMMs get the same offsets. */
static uint64_t rng_state;
static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int run(int fd, const char *name, int write, int random, uint64_t seed, uint64_t blocks, double seconds, char *buf) {
    /* Reads land in the second half of buf: the bytes written stay the pattern. */
    uint64_t ops = 0, next = 0;
    rng_state = seed;
    double start = now(), end = start + seconds, t = start;
    while (t < end) {
        /* The modulo's bias over at most 2^52 blocks is far below anything measurable here. */
        uint64_t block = random ? next_random() % blocks : next++ % blocks;
        off_t offset = (off_t) (block * BLOCK);
        ssize_t n = write ? pwrite(fd, buf, BLOCK, offset) : pread(fd, buf + BLOCK, BLOCK, offset);
        if (n != BLOCK) {
            printf("vmm-disk-bench: error: test=%s %s of 4096 bytes at offset %lld: %s\n", name, write ? "pwrite" : "pread",
                   (long long) offset, n < 0 ? strerror(errno) : "short transfer");
            return 1;
        }
        ops++;
        t = now();
    }
    if (write && fsync(fd) != 0) {
        printf("vmm-disk-bench: error: test=%s fsync: %s\n", name, strerror(errno));
        return 1;
    }
    double elapsed = now() - start;
    printf("vmm-disk-bench: test=%s ops=%llu bytes=%llu seconds=%.3f mib_s=%.2f iops=%.1f\n", name, (unsigned long long) ops,
           (unsigned long long) (ops * BLOCK), elapsed, ops * (double) BLOCK / (1 << 20) / elapsed, ops / elapsed);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *rest = NULL;
    long seconds = argc > 2 ? strtol(argv[2], &rest, 10) : 10;
    if (argc < 2 || argc > 3 || (rest != NULL && (*rest != '\0' || rest == argv[2])) || seconds < 1 || seconds > 600) {
        printf("vmm-disk-bench: error: usage: vmm-disk-bench DEVICE [SECONDS from 1 to 600, default 10]\n");
        return 2;
    }
    int fd = open(argv[1], O_RDWR | O_DIRECT);
    if (fd < 0) {
        printf("vmm-disk-bench: error: cannot open %s for O_DIRECT reading and writing: %s\n", argv[1], strerror(errno));
        return 1;
    }
    /* A regular file too, so that the program can be tried where there is no spare block device. */
    uint64_t size = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        size = (uint64_t) st.st_size;
    } else if (ioctl(fd, BLKGETSIZE64, &size) != 0) {
        size = 0;
    }
    if (size < BLOCK) {
        printf("vmm-disk-bench: error: %s is neither a block device nor a file of at least 4096 bytes\n", argv[1]);
        return 1;
    }
    char *buf;
    if (posix_memalign((void **) &buf, BLOCK, 2 * BLOCK) != 0) {
        printf("vmm-disk-bench: error: no memory for an 8 KiB buffer\n");
        return 1;
    }
    memset(buf, 0xa5, BLOCK);
    printf("vmm-disk-bench: device=%s size_bytes=%llu block_bytes=%d queue_depth=1 direct=1 warm_up_seconds=2 seconds_per_test=%ld\n", argv[1],
           (unsigned long long) size, BLOCK, seconds);
    uint64_t blocks = size / BLOCK, seed = 0x766d6d2d6469736bULL /* "vmm-disk" */, warm_up_seed = seed ^ 0xffff;
    if (run(fd, "warm-up-read", 0, 1, warm_up_seed, blocks, 1, buf) || run(fd, "warm-up-write", 1, 1, warm_up_seed, blocks, 1, buf)
        || run(fd, "seq-read", 0, 0, seed, blocks, seconds, buf) || run(fd, "seq-write", 1, 0, seed, blocks, seconds, buf)
        || run(fd, "rand-read", 0, 1, seed, blocks, seconds, buf) || run(fd, "rand-write", 1, 1, seed, blocks, seconds, buf)) {
        return 1;
    }
    close(fd);
    printf("vmm-disk-bench: done\n");
    return 0;
}
