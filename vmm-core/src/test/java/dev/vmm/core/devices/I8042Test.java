// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class I8042Test {
    private static final int STATUS = I8042.COMMAND_PORT - I8042.DATA_PORT;
    private final AtomicInteger resets = new AtomicInteger();
    private final I8042 controller = new I8042(resets::incrementAndGet);

    @Test
    void command0xfePullsTheResetLine() {
        assertEquals(0, controller.readRegister(STATUS) & 0x2, "input buffer empty: the guest may send");
        controller.writeRegister(STATUS, 0xfe);
        assertEquals(1, resets.get());
    }

    @Test
    void writingTheOutputPortWithBit0ClearResetsToo() {
        controller.writeRegister(STATUS, 0xd1);
        controller.writeRegister(0, 0x01);
        assertEquals(0, resets.get(), "bit 0 set: the CPU keeps running");
        controller.writeRegister(STATUS, 0xd1);
        controller.writeRegister(0, 0x00);
        assertEquals(1, resets.get());
    }

    @Test
    void selfTestAndTheCommandByteAnswerOnTheDataPort() {
        controller.writeRegister(STATUS, 0xaa);
        assertEquals(1, controller.readRegister(STATUS) & 0x1, "output buffer full");
        assertEquals(0x55, controller.readRegister(0));
        assertEquals(0, controller.readRegister(STATUS) & 0x1);
        controller.writeRegister(STATUS, 0x60);
        controller.writeRegister(0, 0x30);
        controller.writeRegister(STATUS, 0x20);
        assertEquals(0x30, controller.readRegister(0));
        assertEquals(0, resets.get());
    }

    @Test
    void aCommandFloodLeavesOneAnswerNotAQueue() {
        // The guest loop "mov al, 0x20; out 0x64, al; jmp" once grew a queue until the JVM ran out of heap.
        for (int i = 0; i < 1_000_000; i++) {
            controller.writeRegister(STATUS, 0x20);
        }
        assertEquals(1, controller.readRegister(STATUS) & 0x1, "output buffer full");
        assertEquals(0x45, controller.readRegister(0), "the command byte, once");
        assertEquals(0, controller.readRegister(STATUS) & 0x1, "and nothing behind it");
    }

    @Test
    void aNewAnswerReplacesOneNotYetRead() {
        controller.writeRegister(STATUS, 0xaa);
        controller.writeRegister(STATUS, 0xd0);
        assertEquals(0x01, controller.readRegister(0), "the output port, not the self-test answer");
        assertEquals(false, controller.outputFull());
    }
}
