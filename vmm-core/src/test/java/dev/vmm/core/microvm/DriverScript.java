// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.microvm;

import dev.vmm.core.devices.BusDevice;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A hostile guest's moves, as a script of steps that a small interpreter in the guest runs one
 * after the other: stores to memory or to a device's registers, copies of bytes the script carries,
 * waits for and checks of a register's or ring's value, a notification flood, and loops. A
 * check that fails, or a wait that never ends, leaves the guest spinning until the run's timeout;
 * only a script that reaches {@link #powerOff()} ends the VM itself, through the ACPI power
 * register. Before each step the guest writes the step's number (modulo 256) to port
 * {@link #PROGRESS_PORT}, so that a report can say where a guest stopped.
 *
 * <p>The guest maps the first virtio-mmio window's 2 MiB page (0xD0000000, above the first GiB
 * that the boot page tables map) itself, uncached. Register reads are 32 bits, the only width the
 * transport answers; memory is read and written at any width.
 */
final class DriverScript {
    static final int PROGRESS_PORT = 0x99;
    /** Where the steps are loaded, 32 bytes each. */
    private static final long STEPS_AT = HostileGuests.CODE + 0x1000;
    /** Where the bytes the script copies are loaded: room for 16,000 steps before. */
    private static final long DATA_AT = HostileGuests.CODE + 0x80000;
    private static final int MAX_DATA = 0x80000; // below the guest's page directory at CODE + 0x200000
    private static final int STORE32 = 1, STORE16 = 2, COPY = 3, AWAIT32 = 4, CHECK32 = 5, REPEAT32 = 6, ADD16 = 7,
            AWAIT_EQUAL16 = 8, LOOP = 9, POWER_OFF = 10;

    /**
     * The interpreter: bytes | GNU as source (assembled with {@code as --64}, listed with {@code -aln}).
     * A step is its op, its number, an address, a value and a count or mask; the loop counter is
     * %r13, 0 outside a loop, so loops do not nest.
     */
    private static final String LISTING = """
                           |     .set PD, 0x1200000          # a page directory of our own for 3 to 4 GiB
                           |     .set SCRIPT, 0x1001000      # the steps: op, number, address, value, count (32 bytes)
                           |     .set PROGRESS, 0x99         # where each step's number goes, for the report
                           | start:
            0f20d8         |     mov %cr3, %rax              # map the window: the boot tables map the first GiB only
            482500f0ffff   |     and $-4096, %rax
            488b18         |     mov (%rax), %rbx            # PML4[0]: the PDPT
            4881e300f0ffff |     and $-4096, %rbx
            bf00002001     |     mov $PD, %edi
            b8930000d0     |     mov $0xd0000093, %eax       # the virtio windows' 2 MiB page at 0xd0000000: present, writable, uncached
            48898700040000 |     mov %rax, 8*128(%rdi)
            488d4703       |     lea 3(%rdi), %rax
            48894318       |     mov %rax, 8*3(%rbx)         # PDPT[3]: our page directory
            0f20d8         |     mov %cr3, %rax
            0f22d8         |     mov %rax, %cr3
            be00100001     |     mov $SCRIPT, %esi
            4531ed         |     xor %r13d, %r13d            # the loop counter: 0 outside a loop
                           | step:
            8b06           |     mov (%rsi), %eax            # op
            8b5e04         |     mov 4(%rsi), %ebx           # progress value
            488b7e08       |     mov 8(%rsi), %rdi           # address
            488b5610       |     mov 16(%rsi), %rdx          # value
            488b4e18       |     mov 24(%rsi), %rcx          # count or mask
            4883c620       |     add $32, %rsi
            93             |     xchg %eax, %ebx
            e699           |     out %al, $PROGRESS
            93             |     xchg %eax, %ebx
            83f801         |     cmp $1, %eax
            742f           |     je store32
            83f802         |     cmp $2, %eax
            742e           |     je store16
            83f803         |     cmp $3, %eax
            742e           |     je copy
            83f804         |     cmp $4, %eax
            7432           |     je wait32
            83f805         |     cmp $5, %eax
            7439           |     je check32
            83f806         |     cmp $6, %eax
            743e           |     je repeat32
            83f807         |     cmp $7, %eax
            743f           |     je add16
            83f808         |     cmp $8, %eax
            743f           |     je waiteq16
            83f809         |     cmp $9, %eax
            744a           |     je loop
            83f80a         |     cmp $10, %eax
            745e           |     je poweroff
            eb67           |     jmp fail                    # no such op
                           | store32:                        # *(u32 *)address = value
            8917           |     mov %edx, (%rdi)
            ebaf           |     jmp step
                           | store16:                        # *(u16 *)address = value
            668917         |     mov %dx, (%rdi)
            ebaa           |     jmp step
                           | copy:                           # count bytes from value to address
            56             |     push %rsi
            4889d6         |     mov %rdx, %rsi
            f3a4           |     rep movsb
            5e             |     pop %rsi
            eba1           |     jmp step
                           | wait32:                         # until (*(u32 *)address & mask) == value
            8b07           |     mov (%rdi), %eax
            21c8           |     and %ecx, %eax
            39d0           |     cmp %edx, %eax
            7499           |     je step
            f390           |     pause
            ebf4           |     jmp wait32
                           | check32:                        # (*(u32 *)address & mask) == value, or fail
            8b07           |     mov (%rdi), %eax
            21c8           |     and %ecx, %eax
            39d0           |     cmp %edx, %eax
            7541           |     jne fail
            eb8b           |     jmp step
                           | repeat32:                       # *(u32 *)address = value, count times (at least once)
            8917           |     mov %edx, (%rdi)
            e2fc           |     loop repeat32
            eb85           |     jmp step
                           | add16:                          # *(u16 *)address += value
            660117         |     add %dx, (%rdi)
            eb80           |     jmp step
                           | waiteq16:                       # until *(u16 *)address == *(u16 *)value
            668b07         |     mov (%rdi), %ax
            663b02         |     cmp (%rdx), %ax
            0f8474ffffff   |     je step
            f390           |     pause
            ebf0           |     jmp waiteq16
                           | loop:                           # back to the step at value, until this step has run count times
            4d85ed         |     test %r13, %r13
            7503           |     jnz 1f
            4989cd         |     mov %rcx, %r13
            49ffcd         | 1:  dec %r13
            0f845fffffff   |     jz step
            4889d6         |     mov %rdx, %rsi
            e957ffffff     |     jmp step
                           | poweroff:                       # ACPI S5
            66ba0006       |     mov $0x600, %dx
            b034           |     mov $0x34, %al
            ee             |     out %al, %dx
            f390           | 1:  pause                       # (the VM has ended)
            ebfc           |     jmp 1b
                           | fail:                           # spin: the report names the step that failed
            f390           | 1:  pause
            ebfc           |     jmp 1b
            """;

    /**
     * Hands each step number the guest in {@code vm} writes to {@link #PROGRESS_PORT} to
     * {@code onStep}, on the vCPU thread. A snapshot does not keep the port: register it on a clone too.
     */
    static void watchSteps(MicroVm vm, IntConsumer onStep) {
        vm.devices().ports().register(PROGRESS_PORT, 1, new BusDevice() {
            @Override
            public void read(long offset, byte[] data) {
            }

            @Override
            public void write(long offset, byte[] data) {
                onStep.accept(data[0] & 0xff);
            }
        });
    }

    private record Step(int op, long address, long value, long count) {
    }

    private final List<Step> steps = new ArrayList<>();
    private final ByteBuffer data = ByteBuffer.allocate(MAX_DATA);
    private int afterLastLoop; // loops do not nest: the next one goes back no further than here

    /** {@code *(u32 *) address = value}: a device register, or memory. */
    DriverScript store32(long address, int value) {
        return add(STORE32, address, value, 0);
    }

    /** {@code *(u16 *) address = value}, in memory. */
    DriverScript store16(long address, int value) {
        return add(STORE16, address, value & 0xffff, 0);
    }

    /** Copies {@code bytes}, which the script carries, to {@code address} in memory. */
    DriverScript write(long address, byte[] bytes) {
        if (bytes.length == 0 || bytes.length > data.remaining()) {
            throw new IllegalArgumentException("A script carries 1 to " + data.remaining() + " more bytes, not " + bytes.length + ".");
        }
        long from = DATA_AT + data.position();
        data.put(bytes);
        return add(COPY, address, from, bytes.length);
    }

    /** Waits until the 32 bits at {@code address}, masked with {@code mask}, equal {@code value}. */
    DriverScript await32(long address, int mask, int value) {
        return add(AWAIT32, address, value, mask & 0xffffffffL);
    }

    /** Goes on only if the 32 bits at {@code address}, masked with {@code mask}, equal {@code value}. */
    DriverScript check32(long address, int mask, int value) {
        return add(CHECK32, address, value, mask & 0xffffffffL);
    }

    /** {@code *(u32 *) address = value}, {@code times} times over: a flood of notifications. */
    DriverScript repeat32(long address, int value, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("A store is repeated at least once, not " + times + " times.");
        }
        return add(REPEAT32, address, value, times);
    }

    /** {@code *(u16 *) address += delta}, in memory (modulo 2^16). */
    DriverScript add16(long address, int delta) {
        return add(ADD16, address, delta & 0xffff, 0);
    }

    /** Waits until the 16 bits at {@code address} equal those at {@code other}, both in memory. */
    DriverScript awaitEqual16(long address, long other) {
        return add(AWAIT_EQUAL16, address, other, 0);
    }

    /** {@return the number of the next step, for {@link #loopTo}} */
    int mark() {
        return steps.size();
    }

    /** Runs the steps from {@code mark} to here {@code times} times in all; loops do not nest. */
    DriverScript loopTo(int mark, int times) {
        if (times < 1 || mark < afterLastLoop || mark >= steps.size()) {
            throw new IllegalArgumentException("A loop goes back to a step after the last loop, and runs at least once.");
        }
        afterLastLoop = steps.size() + 1;
        return add(LOOP, 0, STEPS_AT + 32L * mark, times);
    }

    /** Ends the VM: ACPI S5 through the power register. */
    DriverScript powerOff() {
        return add(POWER_OFF, 0, 0, 0);
    }

    private DriverScript add(int op, long address, long value, long count) {
        if (STEPS_AT + 32L * (steps.size() + 1) > DATA_AT) {
            throw new IllegalStateException("A script has at most " + (DATA_AT - STEPS_AT) / 32 + " steps.");
        }
        steps.add(new Step(op, address, value, count));
        return this;
    }

    /** The guest as an ELF "kernel": the interpreter at {@link HostileGuests#CODE}, then the steps and the data. */
    byte[] kernel() {
        StringBuilder hex = new StringBuilder();
        LISTING.lines().forEach(line -> hex.append(line, 0, line.indexOf('|')));
        byte[] code = HexFormat.of().parseHex(hex.toString().replace(" ", ""));
        ByteBuffer image = ByteBuffer.allocate((int) (DATA_AT - HostileGuests.CODE) + data.position()).order(ByteOrder.LITTLE_ENDIAN);
        image.put(code).position((int) (STEPS_AT - HostileGuests.CODE));
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            image.putInt(s.op()).putInt(i & 0xff).putLong(s.address()).putLong(s.value()).putLong(s.count());
        }
        image.position((int) (DATA_AT - HostileGuests.CODE)).put(data.array(), 0, data.position());
        return HostileGuests.elf(image.array());
    }
}
