// SPDX-License-Identifier: Apache-2.0
/*
 * Guest socket tool, installed in the root file system image as /bin/vmm-vsock (busybox has no
 * AF_VSOCK) and run by scripts/rootfs-init.sh for vmm.vsock.echo=, vmm.vsock.send=, vmm.net.echo=
 * and vmm.net.send=.
 *
 *   vmm-vsock [-t] listen [-b] PORT   echo server on PORT (vsock: any CID; -t: TCP on every address).
 *                                     One process per connection, at most 64 at once (more wait to
 *                                     be accepted); each echoes until the peer half-closes, then
 *                                     half-closes back. -b: returns once listening, printing the
 *                                     server's pid, which goes on in the background.
 *   vmm-vsock connect CID PORT        copies stdin to the socket and the socket to stdout, shuts
 *   vmm-vsock -t connect ADDR PORT    down its sending side at the end of stdin and exits when the
 *                                     peer closes (IPv4 ADDR for -t).
 *   vmm-vsock cid                     prints this guest's vsock CID (from /dev/vsock).
 *   vmm-vsock pattern KIB             writes KIB KiB of the test pattern to stdout: the 64-bit
 *                                     words of splitmix64 from seed 0, little-endian (word i is
 *                                     mix((i + 1) * 0x9e3779b97f4a7c15)), so a host test can make
 *                                     the same bytes.
 * Throughput (./vmm bench --net, scripts/bench-net.sh): servers in the guest, the measuring client
 * on the host, which prints one line "vmm-vsock: test=send|recv bytes=N seconds=T mbit_s=R":
 *   vmm-vsock [-t] sink [-b] PORT     server: reads each connection to its end, then closes it.
 *   vmm-vsock [-t] source [-b] PORT   server: writes zeros to each connection until the peer closes.
 *   vmm-vsock [-t|-u] send TARGET PORT SECONDS   client: writes zeros to a sink for SECONDS,
 *                                     half-closes and waits for the sink's close (so every byte
 *                                     counted has been read by the guest); the rate counts to then.
 *   vmm-vsock [-t|-u] recv TARGET PORT SECONDS   client: reads from a source for SECONDS.
 *   TARGET is a vsock CID, an IPv4 address (-t) or, with -u, the Unix socket of a hybrid vsock
 *   (Firecracker's convention: "CONNECT PORT\n" is answered with "OK ...\n").
 *
 * Every failure is one line "vmm-vsock: ..." on stderr and exit status 1; bad arguments, status 2.
 *
 * Build (scripts/boot-assets.sh): gcc -static -O2 -s -o vmm-vsock vsock-tool.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF (64 * 1024)
#define MAX_CONNECTIONS 64

static int tcp, unix_socket;

static void fail(const char *what) {
    fprintf(stderr, "vmm-vsock: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void) {
    fprintf(stderr, "vmm-vsock: usage: vmm-vsock [-t] listen|sink|source [-b] PORT | vmm-vsock [-t] connect CID|ADDR PORT | vmm-vsock [-t|-u] send|recv CID|ADDR|PATH PORT SECONDS | vmm-vsock cid | vmm-vsock pattern KIB\n");
    exit(2);
}

/* A decimal number from 0 to max, else the usage line. */
static unsigned long number(const char *s, unsigned long max) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || v > max) {
        fprintf(stderr, "vmm-vsock: '%s' is not a number from 0 to %lu\n", s, max);
        exit(2);
    }
    return v;
}

/* Writes all of buf to a blocking descriptor; 0, or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One connection of the echo server: echoes until the peer half-closes, then half-closes back. */
static void echo(int fd) {
    static char buf[BUF];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("echo: read");
        if (n == 0) break;
        if (write_all(fd, buf, (size_t)n) < 0) fail("echo: write");
    }
    if (shutdown(fd, SHUT_WR) < 0 && errno != ENOTCONN) fail("echo: shutdown");
    close(fd);
}

static int listen_on(unsigned long port) {
    int fd;
    if (tcp) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
        int one = 1;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_INET)");
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) fail("setsockopt(SO_REUSEADDR)");
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("bind");
    } else {
        struct sockaddr_vm a = {.svm_family = AF_VSOCK, .svm_port = (unsigned)port, .svm_cid = VMADDR_CID_ANY};
        fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_VSOCK) (is the vsock module loaded?)");
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("bind (is there a virtio-vsock device?)");
    }
    if (listen(fd, MAX_CONNECTIONS) < 0) fail("listen");
    return fd;
}

/* Connections being served; ended ones are reaped at once, so none stays a zombie. */
static volatile sig_atomic_t children;

static void reap(int sig) {
    (void)sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) children--;
    errno = saved;
}

static void serve(int fd, void (*handle)(int)) {
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    struct sigaction sa = {.sa_handler = reap};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, NULL) < 0) fail("sigaction");
    for (;;) {
        /* At the bound, wait for a connection to end before accepting another. */
        sigprocmask(SIG_BLOCK, &chld, &old);
        while (children >= MAX_CONNECTIONS) sigsuspend(&old);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS) {
                /* Passing troubles: a short pause rather than a busy loop or the end of the server. */
                usleep(100000);
                continue;
            }
            fail("accept");
        }
        /* Blocked until counted: the child may end before fork returns here. */
        sigprocmask(SIG_BLOCK, &chld, &old);
        pid_t pid = fork();
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            close(fd);
            handle(c);
            _exit(0);
        }
        if (pid > 0) children++;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
            fprintf(stderr, "vmm-vsock: fork: %s (connection dropped)\n", strerror(errno));
            usleep(100000);
        }
        close(c);
    }
}

static int cmd_listen(int argc, char **argv, void (*handle)(int)) {
    int background = 0;
    if (argc > 0 && strcmp(argv[0], "-b") == 0) {
        background = 1;
        argc--, argv++;
    }
    if (argc != 1) usage();
    int fd = listen_on(number(argv[0], tcp ? 65535 : UINT_MAX - 1));
    if (background) {
        pid_t pid = fork();
        if (pid < 0) fail("fork");
        if (pid > 0) {
            printf("%d\n", (int)pid);
            return fflush(stdout) == 0 ? 0 : 1;
        }
        /* The caller may read our stdout to its end: the server keeps none of it. */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, STDOUT_FILENO);
        setsid();
    }
    serve(fd, handle);
    return 1;
}

static int cmd_connect(int argc, char **argv) {
    if (argc != 2) usage();
    int fd;
    unsigned long port = number(argv[1], tcp ? 65535 : UINT_MAX - 1);
    if (tcp) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, argv[0], &a.sin_addr) != 1) {
            fprintf(stderr, "vmm-vsock: '%s' is not an IPv4 address\n", argv[0]);
            return 2;
        }
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_INET)");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect");
    } else {
        struct sockaddr_vm a = {.svm_family = AF_VSOCK, .svm_port = (unsigned)port,
                                .svm_cid = (unsigned)number(argv[0], UINT_MAX)};
        fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_VSOCK) (is the vsock module loaded?)");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect");
    }
    /* Non-blocking sends: blocked in a send, we would stop reading the echo, and with both sides'
     * buffers full neither would move again. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) fail("fcntl(O_NONBLOCK)");
    static char out[BUF], in[BUF];
    size_t pending = 0, sent = 0;
    int stdin_open = 1;
    for (;;) {
        struct pollfd p[2] = {
            {.fd = stdin_open && pending == 0 ? STDIN_FILENO : -1, .events = POLLIN},
            {.fd = fd, .events = POLLIN | (pending > 0 ? POLLOUT : 0)},
        };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            fail("poll");
        }
        if (p[0].revents) {
            ssize_t n = read(STDIN_FILENO, out, sizeof out);
            if (n < 0 && errno != EINTR && errno != EAGAIN) fail("read from stdin");
            if (n > 0) pending = (size_t)n, sent = 0;
            if (n == 0) {
                stdin_open = 0;
                if (shutdown(fd, SHUT_WR) < 0) fail("shutdown");
            }
        }
        if (p[1].revents & POLLOUT) {
            ssize_t n = send(fd, out + sent, pending - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EINTR && errno != EAGAIN) fail("send");
            if (n > 0 && (sent += (size_t)n) == pending) pending = 0;
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, in, sizeof in, 0);
            if (n < 0 && errno != EINTR && errno != EAGAIN) fail("recv");
            if (n == 0) break;
            if (n > 0 && write_all(STDOUT_FILENO, in, (size_t)n) < 0) fail("write to stdout");
        }
    }
    close(fd);
    return 0;
}

/* One connection of the sink server: reads to the end, then closes. */
static void sink(int fd) {
    static char buf[BUF];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
    }
    close(fd);
}

/* One connection of the source server: writes zeros until the peer goes away. */
static void source(int fd) {
    static char buf[BUF];
    while (write_all(fd, buf, sizeof buf) == 0) {}
    close(fd);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A connected stream socket to TARGET PORT: vsock CID, IPv4 address (-t) or hybrid vsock socket (-u). */
static int connect_to(const char *target, unsigned long port) {
    int fd;
    if (unix_socket) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        if (strlen(target) >= sizeof a.sun_path) {
            fprintf(stderr, "vmm-vsock: the socket path '%s' is too long\n", target);
            exit(2);
        }
        strcpy(a.sun_path, target);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_UNIX)");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect to the hybrid vsock socket");
        char line[64];
        int len = snprintf(line, sizeof line, "CONNECT %lu\n", port);
        if (write_all(fd, line, (size_t)len) < 0) fail("write CONNECT");
        /* The answer, a byte at a time: what follows the newline is the guest's data. */
        size_t got = 0;
        while (got < sizeof line - 1) {
            ssize_t n = read(fd, line + got, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fprintf(stderr, "vmm-vsock: the VMM closed the hybrid vsock connection without an answer to CONNECT %lu (no guest listener?)\n", port);
                exit(1);
            }
            if (line[got++] == '\n') break;
        }
        line[got] = 0;
        if (strncmp(line, "OK ", 3) != 0) {
            fprintf(stderr, "vmm-vsock: CONNECT %lu was answered with '%.*s', not OK\n", port, (int)strcspn(line, "\n"), line);
            exit(1);
        }
    } else if (tcp) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, target, &a.sin_addr) != 1) {
            fprintf(stderr, "vmm-vsock: '%s' is not an IPv4 address\n", target);
            exit(2);
        }
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_INET)");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect");
    } else {
        struct sockaddr_vm a = {.svm_family = AF_VSOCK, .svm_port = (unsigned)port,
                                .svm_cid = (unsigned)number(target, UINT_MAX)};
        fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket(AF_VSOCK) (is the vsock module loaded?)");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect");
    }
    return fd;
}

static int cmd_throughput(int argc, char **argv, int sending) {
    if (argc != 3) usage();
    unsigned long port = number(argv[1], tcp ? 65535 : UINT_MAX - 1);
    double seconds = (double)number(argv[2], 3600);
    static char buf[BUF];
    unsigned long long bytes = 0;
    int fd = connect_to(argv[0], port);
    double start = now(), end = start + seconds;
    if (sending) {
        while (now() < end) {
            if (write_all(fd, buf, sizeof buf) < 0) fail("send");
            bytes += sizeof buf;
        }
        if (shutdown(fd, SHUT_WR) < 0) fail("shutdown");
        /* The sink closes once it has read everything. */
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("read (waiting for the sink to close)");
            if (n == 0) break;
        }
    } else {
        while (now() < end) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("read");
            if (n == 0) {
                fprintf(stderr, "vmm-vsock: the source closed the connection after %llu bytes\n", bytes);
                exit(1);
            }
            bytes += (unsigned long long)n;
        }
    }
    double took = now() - start;
    close(fd);
    printf("vmm-vsock: test=%s bytes=%llu seconds=%.3f mbit_s=%.1f\n", sending ? "send" : "recv", bytes, took,
           (double)bytes * 8 / took / 1e6);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_pattern(int argc, char **argv) {
    if (argc != 1) usage();
    unsigned long kib = number(argv[0], 16UL * 1024 * 1024);
    static uint64_t words[BUF / 8];
    uint64_t state = 0, left = kib * 1024 / 8;
    while (left > 0) {
        size_t n = left < BUF / 8 ? (size_t)left : BUF / 8;
        for (size_t i = 0; i < n; i++) {
            uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            z ^= z >> 31;
            /* Little-endian whatever the machine. */
            unsigned char *b = (unsigned char *)&words[i];
            for (int k = 0; k < 8; k++) b[k] = (unsigned char)(z >> (8 * k));
        }
        if (write_all(STDOUT_FILENO, (const char *)words, n * 8) < 0) fail("write to stdout");
        left -= n;
    }
    return 0;
}

static int cmd_cid(int argc, char **argv) {
    (void)argv;
    if (argc != 0) usage();
    unsigned int cid;
    int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open /dev/vsock");
    if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) < 0) fail("ioctl(IOCTL_VM_SOCKETS_GET_LOCAL_CID)");
    printf("%u\n", cid);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    /* A peer that goes away is an error to report, not a signal that ends us silently. */
    signal(SIGPIPE, SIG_IGN);
    argc--, argv++;
    if (argc > 0 && strcmp(argv[0], "-t") == 0) tcp = 1, argc--, argv++;
    else if (argc > 0 && strcmp(argv[0], "-u") == 0) unix_socket = 1, argc--, argv++;
    if (argc < 1) usage();
    if (strcmp(argv[0], "send") == 0) return cmd_throughput(argc - 1, argv + 1, 1);
    if (strcmp(argv[0], "recv") == 0) return cmd_throughput(argc - 1, argv + 1, 0);
    if (unix_socket) usage();
    if (strcmp(argv[0], "listen") == 0) return cmd_listen(argc - 1, argv + 1, echo);
    if (strcmp(argv[0], "sink") == 0) return cmd_listen(argc - 1, argv + 1, sink);
    if (strcmp(argv[0], "source") == 0) return cmd_listen(argc - 1, argv + 1, source);
    if (strcmp(argv[0], "connect") == 0) return cmd_connect(argc - 1, argv + 1);
    if (strcmp(argv[0], "cid") == 0 && !tcp) return cmd_cid(argc - 1, argv + 1);
    if (strcmp(argv[0], "pattern") == 0 && !tcp) return cmd_pattern(argc - 1, argv + 1);
    usage();
}
