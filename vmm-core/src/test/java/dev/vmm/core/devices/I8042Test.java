// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aCommandAwaitingItsDataByteIsCompletedOnTheRestoredController() {
        controller.writeRegister(STATUS, 0x60); // write command byte: the data byte comes next
        I8042.State state = controller.state();
        assertEquals(new I8042.State(OptionalInt.empty(), 0x45, 0x60, 0x60), state);
        AtomicInteger copyResets = new AtomicInteger();
        I8042 copy = new I8042(copyResets::incrementAndGet);
        copy.restore(state);
        for (I8042 c : List.of(controller, copy)) {
            assertEquals(0x1c, c.readRegister(STATUS), "system, unlocked, last write a command; output empty");
            c.writeRegister(0, 0x30);               // the awaited data byte
            assertEquals(0x14, c.readRegister(STATUS), "a data byte came last");
            c.writeRegister(STATUS, 0x20);
            assertEquals(0x30, c.readRegister(0), "the command byte the data byte wrote");
        }
        assertEquals(controller.state(), copy.state());
    }

    @Test
    void anUnreadAnswerAndAPendingOutputPortWriteSurviveTheRoundTrip() {
        controller.writeRegister(STATUS, 0xaa); // self-test: 0x55 waits
        I8042 copy = new I8042(resets::incrementAndGet);
        copy.restore(controller.state());
        assertEquals(1, copy.readRegister(STATUS) & 0x1, "output full");
        assertEquals(0x55, copy.readRegister(0));
        assertEquals(false, copy.outputFull());

        controller.writeRegister(STATUS, 0xd1); // write output port: a data byte with bit 0 clear resets
        copy.restore(controller.state());
        copy.writeRegister(0, 0x00);
        assertEquals(1, resets.get(), "the restored controller pulled the reset line");
    }

    @Test
    void aStateNoControllerCanHaveIsRefusedInOneSentence() {
        for (Runnable bad : List.<Runnable>of(
                () -> new I8042.State(OptionalInt.of(0x100), 0, 0, 0),
                () -> new I8042.State(OptionalInt.of(-1), 0, 0, 0),
                () -> new I8042.State(OptionalInt.empty(), 0x1ff, 0, 0),
                () -> new I8042.State(OptionalInt.empty(), 0, 0xfe, 0),
                () -> new I8042.State(OptionalInt.empty(), 0, 0, 0x100))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().startsWith("The i8042 state") && e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1,
                    e.getMessage());
        }
    }
}
