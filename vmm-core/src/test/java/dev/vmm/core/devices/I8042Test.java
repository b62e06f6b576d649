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
        assertEquals(0, controller.read(STATUS) & 0x2, "input buffer empty: the guest may send");
        controller.write(STATUS, 0xfe);
        assertEquals(1, resets.get());
    }

    @Test
    void writingTheOutputPortWithBit0ClearResetsToo() {
        controller.write(STATUS, 0xd1);
        controller.write(0, 0x01);
        assertEquals(0, resets.get(), "bit 0 set: the CPU keeps running");
        controller.write(STATUS, 0xd1);
        controller.write(0, 0x00);
        assertEquals(1, resets.get());
    }

    @Test
    void selfTestAndTheCommandByteAnswerOnTheDataPort() {
        controller.write(STATUS, 0xaa);
        assertEquals(1, controller.read(STATUS) & 0x1, "output buffer full");
        assertEquals(0x55, controller.read(0));
        assertEquals(0, controller.read(STATUS) & 0x1);
        controller.write(STATUS, 0x60);
        controller.write(0, 0x30);
        controller.write(STATUS, 0x20);
        assertEquals(0x30, controller.read(0));
        assertEquals(0, resets.get());
    }
}
