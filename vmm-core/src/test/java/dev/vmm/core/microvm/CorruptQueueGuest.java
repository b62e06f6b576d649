// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The hostile guest "virtio-blk-corrupt-queue" of {@link HostileGuests}: it attacks the first
 * drive's virtio-blk device through its virtio-mmio window at 0xD0000000. Each round resets the
 * device, brings it up as a virtio 1.x driver does (ACKNOWLEDGE, DRIVER, VIRTIO_F_VERSION_1 only,
 * FEATURES_OK, queue 0 of 8, DRIVER_OK) with a queue this class describes, and notifies queue 0
 * again and again. The first round is a valid read of sector 0, which must complete with the
 * image's bytes; each other round's queue breaks a rule (a loop, buffers past the end of RAM or
 * wrapping at 2^64, an available index far ahead, ...), and the guest waits until Status shows
 * DEVICE_NEEDS_RESET with a configuration change interrupt, floods the broken device with
 * notifications, and checks it is still broken. Only when every round went so does it power the VM
 * off through the ACPI power register; anything else leaves it spinning until the run's timeout.
 * On the way it writes where it is to port {@link #PROGRESS_PORT}, for the report: the rounds left
 * times 16 plus a step (1 started, 2 notified, 3 DEVICE_NEEDS_RESET seen, 4 flooded, 15 failed).
 *
 * <p>The corrupt chains are writes of sector 0 to a read-write image: had the device served one,
 * the image would hold zeros where it holds {@link #PATTERN}.
 */
final class CorruptQueueGuest {
    static final String NAME = "virtio-blk-corrupt-queue";
    /** What the image holds, over and over; the valid round reads it back. */
    static final byte[] PATTERN = "VMM-DISK".getBytes(StandardCharsets.US_ASCII);
    static final int IMAGE_BYTES = 1 << 20;
    static final int PROGRESS_PORT = 0x99;

    // Guest physical addresses, as in the listing (the first GiB is identity mapped).
    private static final long DESCRIPTORS = 0x1100000, HEADER_IN = 0x1103000, HEADER_OUT = 0x1103010,
            DATA_IN = 0x1104000, STATUS = 0x1105000, DATA_OUT = 0x1106000;
    /** Where the rounds are loaded: a count, then {@link Round#BYTES} each. */
    private static final long ROUNDS_AT = HostileGuests.CODE + 0x1000;
    private static final int NEXT = 1, WRITE = 2, INDIRECT = 4;

    /**
     * The code: bytes | GNU as source (assembled with {@code as --64}, listed with {@code -aln}).
     * The window is above the first GiB that the boot page tables map, so the guest maps it itself:
     * a page directory of its own, one 2 MiB page, in PDPT entry 3. Register reads are 32 bits, the
     * only width the transport answers (any other reads as all ones).
     */
    private static final String LISTING = """
                                   |     .set WIN, 0xd0000000        # the first drive's virtio-mmio window
                                   |     .set AVAIL, 0x1101000       # queue 0's available and used rings
                                   |     .set USED, 0x1102000
                                   |     .set HDR_OUT, 0x1103010     # a T_OUT header for sector 0
                                   |     .set DATA_IN, 0x1104000
                                   |     .set STATUS, 0x1105000
                                   |     .set PD, 0x1200000          # a page directory of our own for 3 to 4 GiB
                                   |     .set ROUNDS, 0x1001000      # the rounds: a count, then 80 bytes each
                                   |     .set NOTIFIES, 16
                                   |     .set FLOOD, 256
                                   |     .set PATTERN, 0x4b5349442d4d4d56 # "VMM-DISK", what the image holds
                                   |     .set PROGRESS, 0x99         # rounds left * 16 + step, for the report
                                   |     .macro progress step
                                   |     mov %r12d, %eax
                                   |     shl $4, %eax
                                   |     or $\\step, %al
                                   |     out %al, $PROGRESS
                                   |     .endm
                                   | start:
            0f20d8                 |     mov %cr3, %rax              # map the window: the boot tables map the first GiB only
            482500f0ffff           |     and $-4096, %rax
            488b18                 |     mov (%rax), %rbx            # PML4[0]: the PDPT
            4881e300f0ffff         |     and $-4096, %rbx
            bf00002001             |     mov $PD, %edi
            b8930000d0             |     mov $0xd0000093, %eax       # a 2 MiB page at 0xd0000000: present, writable, uncached
            48898700040000         |     mov %rax, 8*128(%rdi)
            488d4703               |     lea 3(%rdi), %rax
            48894318               |     mov %rax, 8*3(%rbx)         # PDPT[3]: our page directory
            0f20d8                 |     mov %cr3, %rax
            0f22d8                 |     mov %rax, %cr3
            bd000000d0             |     mov $WIN, %ebp
            817d0076697274         |     cmpl $0x74726976, 0x00(%rbp) # "virt", version 2, a block device
            0f85e7010000           |     jne fail
            837d0402               |     cmpl $2, 0x04(%rbp)
            0f85dd010000           |     jne fail
            837d0802               |     cmpl $2, 0x08(%rbp)
            0f85d3010000           |     jne fail
            c704251030100101000000 |     movl $1, HDR_OUT            # VIRTIO_BLK_T_OUT: a write the device must never do
            be00100001             |     mov $ROUNDS, %esi
            448b26                 |     mov (%rsi), %r12d
            4883c608               |     add $8, %rsi
                                   | round:
            4489e0c1e0040c01e699   |     progress 1
            c7457000000000         |     movl $0, 0x70(%rbp)         # Status: reset, ACKNOWLEDGE, DRIVER
            c7457001000000         |     movl $1, 0x70(%rbp)
            c7457003000000         |     movl $3, 0x70(%rbp)
            c7451401000000         |     movl $1, 0x14(%rbp)         # DeviceFeaturesSel 1: VIRTIO_F_VERSION_1 is bit 32
            8b4510                 |     mov 0x10(%rbp), %eax
            a801                   |     test $1, %al
            0f848b010000           |     jz fail
            c7452401000000         |     movl $1, 0x24(%rbp)         # DriverFeaturesSel, DriverFeatures: VERSION_1 only
            c7452001000000         |     movl $1, 0x20(%rbp)
            c7452400000000         |     movl $0, 0x24(%rbp)
            c7452000000000         |     movl $0, 0x20(%rbp)
            c745700b000000         |     movl $0xb, 0x70(%rbp)       # FEATURES_OK, read back
            8b4570                 |     mov 0x70(%rbp), %eax
            a808                   |     test $8, %al
            0f845d010000           |     jz fail
            c7453000000000         |     movl $0, 0x30(%rbp)         # QueueSel 0, QueueNumMax >= 8, QueueNum 8
            837d3408               |     cmpl $8, 0x34(%rbp)
            0f824c010000           |     jb fail
            c7453808000000         |     movl $8, 0x38(%rbp)
            488b4640               |     mov 64(%rsi), %rax          # QueueDesc: the round's table
            898580000000           |     mov %eax, 0x80(%rbp)
            48c1e820               |     shr $32, %rax
            898584000000           |     mov %eax, 0x84(%rbp)
            c7859000000000101001   |     movl $AVAIL, 0x90(%rbp)     # QueueDriver, QueueDevice
            c7859400000000000000   |     movl $0, 0x94(%rbp)
            c785a000000000201001   |     movl $USED, 0xa0(%rbp)
            c785a400000000000000   |     movl $0, 0xa4(%rbp)
            c7454401000000         |     movl $1, 0x44(%rbp)         # QueueReady
            31c9                   |     xor %ecx, %ecx              # the round's four descriptors at 0x1100000
            488b04ce               | 1:      mov (%rsi,%rcx,8), %rax
            488904cd00001001       |     mov %rax, 0x1100000(,%rcx,8)
            ffc1                   |     inc %ecx
            83f908                 |     cmp $8, %ecx
            72ed                   |     jb 1b
            668b4648               |     mov 72(%rsi), %ax           # the available ring's first head, then its index
            6689042504101001       |     mov %ax, AVAIL+4
            668b464a               |     mov 74(%rsi), %ax
            6689042502101001       |     mov %ax, AVAIL+2
            66c70425022010010000   |     movw $0, USED+2
            c6042500501001ff       |     movb $0xff, STATUS
            c745700f000000         |     movl $0xf, 0x70(%rbp)       # DRIVER_OK
            b910000000             |     mov $NOTIFIES, %ecx
            c7455000000000         | 2:      movl $0, 0x50(%rbp)         # QueueNotify 0, again and again
            e2f7                   |     loop 2b
            4489e0c1e0040c02e699   |     progress 2
            837e4c00               |     cmpl $0, 76(%rsi)
            753d                   |     jne valid
            f390                   | 3:      pause                       # a corrupt round: wait for DEVICE_NEEDS_RESET
            8b4570                 |     mov 0x70(%rbp), %eax
            a840                   |     test $0x40, %al
            74f7                   |     jz 3b
            4489e0c1e0040c03e699   |     progress 3
            f390                   | 5:      pause                       # then the configuration change interrupt (raised just after)
            8b4560                 |     mov 0x60(%rbp), %eax
            a802                   |     test $2, %al
            74f7                   |     jz 5b
            b900010000             |     mov $FLOOD, %ecx            # notifications to the broken device
            c7455000000000         | 4:      movl $0, 0x50(%rbp)
            e2f7                   |     loop 4b
            4489e0c1e0040c04e699   |     progress 4
            8b4570                 |     mov 0x70(%rbp), %eax        # still broken: only a reset mends it
            a840                   |     test $0x40, %al
            7463                   |     jz fail
            eb49                   |     jmp next
                                   | valid:                              # the valid round: its read of sector 0 completes
            f390                   |     pause
            66833c250220100101     |     cmpw $1, USED+2
            75f3                   |     jne valid
            833c250420100100       |     cmpl $0, USED+4             # chain 0, 512 bytes and the status
            754a                   |     jne fail
            813c250820100101020000 |     cmpl $513, USED+8
            753d                   |     jne fail
            803c250050100100       |     cmpb $0, STATUS             # VIRTIO_BLK_S_OK
            7533                   |     jne fail
            48b8564d4d2d4449534b   |     mov $PATTERN, %rax
            483b042500401001       |     cmp DATA_IN, %rax
            751f                   |     jne fail
            8b4570                 |     mov 0x70(%rbp), %eax
            a840                   |     test $0x40, %al
            7518                   |     jnz fail
                                   | next:
            4883c650               |     add $80, %rsi
            41ffcc                 |     dec %r12d
            0f854ffeffff           |     jnz round
            66ba0006               |     mov $0x600, %dx             # every corruption caught: ACPI S5, power off
            b034                   |     mov $0x34, %al
            ee                     |     out %al, %dx
            f390                   | 1:      pause                       # (the VM has ended)
            ebfc                   |     jmp 1b
                                   | fail:
            4489e0c1e0040c0fe699   |     progress 15
            f390                   | 1:      pause
            ebfc                   |     jmp 1b
            """;

    /** One descriptor as the guest writes it: 16 bytes. */
    private record Descriptor(long address, int length, int flags, int next) {
    }

    /**
     * One round: up to four descriptors written at {@link #DESCRIPTORS}, the descriptor table's
     * address given to the device, the available ring's first head and its index, and whether the
     * round is the valid one.
     */
    private record Round(boolean valid, long table, int head, int availIndex, List<Descriptor> descriptors) {
        static final int BYTES = 80;

        Round {
            if (descriptors.size() > 4) {
                throw new IllegalArgumentException("A round holds at most four descriptors, not " + descriptors.size() + ".");
            }
        }

        static Round corrupt(long table, int head, int availIndex, Descriptor... descriptors) {
            return new Round(false, table, head, availIndex, List.of(descriptors));
        }

        void writeTo(ByteBuffer out) {
            int start = out.position();
            for (Descriptor d : descriptors) {
                out.putLong(d.address()).putInt(d.length()).putShort((short) d.flags()).putShort((short) d.next());
            }
            out.position(start + 64);
            out.putLong(table).putShort((short) head).putShort((short) availIndex).putInt(valid ? 1 : 0);
        }
    }

    /** A valid write of sector 0 (zeros over the pattern), for rounds that spoil something else. */
    private static Descriptor[] writeOfSector0(int headerNext) {
        return new Descriptor[] {new Descriptor(HEADER_OUT, 16, NEXT, headerNext), new Descriptor(DATA_OUT, 512, NEXT, 2),
                new Descriptor(STATUS, 1, WRITE, 0)};
    }

    private static final List<Round> ROUNDS = List.of(
            // Valid: a read of sector 0 (the header at HEADER_IN is zeros: T_IN), into DATA_IN.
            new Round(true, DESCRIPTORS, 0, 1, List.of(new Descriptor(HEADER_IN, 16, NEXT, 1),
                    new Descriptor(DATA_IN, 512, WRITE | NEXT, 2), new Descriptor(STATUS, 1, WRITE, 0))),
            // A chain that loops: descriptor 0 continues at descriptor 0.
            Round.corrupt(DESCRIPTORS, 0, 1, new Descriptor(HEADER_OUT, 16, NEXT, 0)),
            // The status buffer runs past the end of RAM.
            Round.corrupt(DESCRIPTORS, 0, 1, new Descriptor(HEADER_OUT, 16, NEXT, 1), new Descriptor(DATA_OUT, 512, NEXT, 2),
                    new Descriptor(HostileGuests.MEMORY - 0x800, 0x1000, WRITE, 0)),
            // The status buffer wraps at 2^64.
            Round.corrupt(DESCRIPTORS, 0, 1, new Descriptor(HEADER_OUT, 16, NEXT, 1), new Descriptor(DATA_OUT, 512, NEXT, 2),
                    new Descriptor(-0x800, 0x1000, WRITE, 0)),
            // The available index 0x8000 ahead in a queue of 8.
            Round.corrupt(DESCRIPTORS, 0, 0x8000, writeOfSector0(1)),
            // The available ring names descriptor 200 of 8.
            Round.corrupt(DESCRIPTORS, 200, 1, writeOfSector0(1)),
            // Descriptor 0 continues at descriptor 9 of 8.
            Round.corrupt(DESCRIPTORS, 0, 1, writeOfSector0(9)),
            // An indirect table (the write, from descriptor 1 on), a feature the guest did not accept.
            Round.corrupt(DESCRIPTORS, 0, 1, new Descriptor(DESCRIPTORS + 16, 48, INDIRECT, 0), writeOfSector0(1)[0],
                    writeOfSector0(1)[1], writeOfSector0(1)[2]),
            // The descriptor table outside guest memory: refused at DRIVER_OK, before any notification.
            Round.corrupt(-0x1000, 0, 1, writeOfSector0(1)));

    private CorruptQueueGuest() {}

    /** The guest as an ELF "kernel": the code at {@link HostileGuests#CODE}, the rounds at {@link #ROUNDS_AT}. */
    static byte[] kernel() {
        StringBuilder hex = new StringBuilder();
        LISTING.lines().forEach(line -> hex.append(line, 0, line.indexOf('|')));
        byte[] code = HexFormat.of().parseHex(hex.toString().replace(" ", ""));
        ByteBuffer image = ByteBuffer.allocate((int) (ROUNDS_AT - HostileGuests.CODE) + 8 + Round.BYTES * ROUNDS.size())
                .order(ByteOrder.LITTLE_ENDIAN);
        image.put(code).position((int) (ROUNDS_AT - HostileGuests.CODE)).putInt(ROUNDS.size()).putInt(0);
        ROUNDS.forEach(round -> round.writeTo(image));
        return HostileGuests.elf(image.array());
    }

    /** A raw image of {@link #IMAGE_BYTES} filled with {@link #PATTERN}, in {@code dir}. */
    static Path image(Path dir) throws IOException {
        return Files.write(dir.resolve(NAME + ".img"), expectedImage());
    }

    /** Whether the image holds what {@link #image} wrote, byte for byte. */
    static boolean imageUnchanged(Path image) throws IOException {
        return Arrays.equals(expectedImage(), Files.readAllBytes(image));
    }

    private static byte[] expectedImage() {
        byte[] bytes = new byte[IMAGE_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = PATTERN[i % PATTERN.length];
        }
        return bytes;
    }
}
