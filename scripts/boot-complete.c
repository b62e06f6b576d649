// SPDX-License-Identifier: Apache-2.0
/*
 * Boot-complete for the test initramfs (scripts/boot-init.sh, installed as /bin/vmm-boot-complete):
 * writes the byte 123 (0x7b) to I/O port 0x3f0, which the launcher times.
 *
 * Why: a shell can only write a port through /dev/port, and some stock kernels (Debian's cloud
 * flavour) are built without CONFIG_DEVPORT. ioperm() + outb needs CAP_SYS_RAWIO (PID 1 has it)
 * and CONFIG_X86_IOPL_IOPERM (Debian's kernels have it).
 *
 * Usage: vmm-boot-complete [VALUE [PORT]]   (decimal or 0x-hex; default 123 and 0x3f0)
 * Exit status 0 once the byte is written; 1 with one line on stderr if ioperm fails; 2 for bad args.
 *
 * No libc, so that it is about a KiB and needs nothing but gcc (x86-64 Linux only). Build (as
 * scripts/boot-assets.sh does; -z noseparate-code: one segment, not a page per permission):
 *   gcc -static -nostdlib -Os -fno-stack-protector -fno-asynchronous-unwind-tables -s \
 *       -z noseparate-code -o vmm-boot-complete boot-complete.c
 */

#define SYS_write 1
#define SYS_exit 60
#define SYS_ioperm 173

static long syscall3(long n, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

/* String literals only: their length is known (a strlen loop would become a call to libc's). */
#define SAY(literal) syscall3(SYS_write, 2, (long) (literal), sizeof(literal) - 1)

static __attribute__((noreturn)) void quit(int status) {
    for (;;) syscall3(SYS_exit, status, 0, 0);
}

/* A decimal or 0x-hex number up to max; -1 if it is not one. */
static long number(const char *s, long max) {
    long v = 0, base = 10, d;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') d = (*s | 0x20) - 'a' + 10;
        else return -1;
        v = v * base + d;
        if (v > max) return -1;
    }
    return v;
}

/* Called by _start with the initial stack: argc, then argv. */
__attribute__((used, noreturn)) void start_c(long *sp) {
    long argc = sp[0];
    char **argv = (char **) (sp + 1);
    long value = argc > 1 ? number(argv[1], 0xff) : 0x7b;
    long port = argc > 2 ? number(argv[2], 0xffff) : 0x3f0;
    if (argc > 3 || value < 0 || port < 0) {
        SAY("usage: vmm-boot-complete [VALUE [PORT]] (decimal or 0x-hex; default 123 0x3f0)\n");
        quit(2);
    }
    long err = syscall3(SYS_ioperm, port, 1, 1);
    if (err < 0) {
        /* EPERM: no CAP_SYS_RAWIO (or kernel lockdown); ENOSYS: no CONFIG_X86_IOPL_IOPERM. */
        if (err == -1) SAY("vmm-boot-complete: ioperm failed: EPERM (needs CAP_SYS_RAWIO)\n");
        else if (err == -38) SAY("vmm-boot-complete: ioperm failed: ENOSYS (kernel without CONFIG_X86_IOPL_IOPERM)\n");
        else SAY("vmm-boot-complete: ioperm failed\n");
        quit(1);
    }
    __asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port));
    quit(0);
}

/* The kernel enters here with %rsp at argc; the ABI wants a 16-byte aligned stack at the call. */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  xor %ebp, %ebp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call start_c\n"
        "  hlt\n");
