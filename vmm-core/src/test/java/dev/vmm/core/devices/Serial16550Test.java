// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Serial16550Test {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicInteger interrupts = new AtomicInteger();
    private final Serial16550 uart = new Serial16550(out::write, interrupts::incrementAndGet);

    @Test
    void transmittedBytesComeOutAndTheTransmitterIsAlwaysEmpty() {
        for (byte b : "hi\n".getBytes()) {
            uart.writeRegister(0, b);
        }
        assertEquals("hi\n", out.toString());
        assertEquals(0x60, uart.readRegister(5) & 0x60, "LSR: THR empty and transmitter idle");
        assertEquals(0, interrupts.get(), "no interrupt without IER");
    }

    @Test
    void theThrEmptyInterruptFiresOnEnableAndAfterEachByteAndIirAcknowledgesIt() {
        uart.writeRegister(2, 0x01); // FIFO on
        uart.writeRegister(1, 0x02); // IER: THR empty
        assertEquals(1, interrupts.get(), "enabling it with an empty THR raises it at once");
        assertEquals(0xc2, uart.readRegister(2), "IIR: THR empty, FIFOs enabled");
        assertEquals(0xc1, uart.readRegister(2), "reading IIR acknowledged it");
        uart.writeRegister(0, 'x');
        assertEquals(2, interrupts.get());
        assertEquals(0xc2, uart.readRegister(2));
    }

    @Test
    void receivedBytesAreReadInOrderWithDataReadyAndTheirInterrupt() {
        uart.writeRegister(1, 0x01); // IER: received data
        uart.receive("ab".getBytes());
        assertEquals(1, interrupts.get());
        assertEquals(0x01, uart.readRegister(5) & 0x01, "LSR: data ready");
        assertEquals(0x04, uart.readRegister(2) & 0x0f, "IIR: received data");
        assertEquals('a', uart.readRegister(0));
        assertEquals('b', uart.readRegister(0));
        assertEquals(0, uart.readRegister(5) & 0x01);
        assertEquals(0x01, uart.readRegister(2) & 0x0f);
    }

    @Test
    void theDivisorLatchAndScratchRegisterHoldWhatIsWritten() {
        uart.writeRegister(3, 0x80); // DLAB
        uart.writeRegister(0, 0x01);
        uart.writeRegister(1, 0x02);
        assertEquals(0x01, uart.readRegister(0));
        assertEquals(0x02, uart.readRegister(1));
        uart.writeRegister(3, 0x03); // 8N1, DLAB off
        uart.writeRegister(1, 0x0f);
        assertEquals(0x0f, uart.readRegister(1), "IER");
        uart.writeRegister(7, 0x5a);
        assertEquals(0x5a, uart.readRegister(7));
        assertEquals("", out.toString(), "divisor writes are not output");
    }

    @Test
    void loopbackReturnsTransmittedBytesAndMirrorsModemControl() {
        uart.writeRegister(4, 0x10 | 0x0a); // loopback, RTS, OUT2
        assertEquals(0x90, uart.readRegister(6) & 0xf0, "MSR: CTS and DCD from RTS and OUT2");
        uart.writeRegister(0, 'z');
        assertEquals("", out.toString());
        assertEquals('z', uart.readRegister(0));
    }

    @Test
    void inputBeyondItsBufferIsDroppedAndAWideAccessReachesConsecutiveRegisters() {
        uart.receive(new byte[Serial16550.MAX_INPUT + 1000]);
        int read = 0;
        while ((uart.readRegister(5) & 0x01) != 0) {
            uart.readRegister(0);
            read++;
        }
        assertEquals(Serial16550.MAX_INPUT, read);
        uart.write(3, new byte[] {(byte) 0x80, 0x00}); // LCR = DLAB, then MCR = 0: one 16-bit access at offset 3
        uart.write(0, new byte[] {0x34, 0x12});        // divisor low and high in one access
        byte[] divisor = new byte[2];
        uart.read(0, divisor);
        assertEquals(0x1234, (divisor[0] & 0xff) | (divisor[1] & 0xff) << 8);
    }

    @Test
    void aRestoredUartGoesOnExactlyAsTheOriginalWould() {
        // As the 8250 driver sets it up: divisor 12 (9600 baud), 7E1, FIFO on, modem lines, both interrupts.
        uart.writeRegister(3, 0x80);
        uart.writeRegister(0, 0x0c);
        uart.writeRegister(1, 0x00);
        uart.writeRegister(3, 0x1a);
        uart.writeRegister(2, 0xc7); // FIFO on and reset, trigger level 14
        uart.writeRegister(4, 0x0b); // DTR, RTS, OUT2
        uart.writeRegister(7, 0xa5);
        uart.writeRegister(1, 0x03); // IER: received data and THR empty; THR empty is raised at once
        uart.receive("line\n".getBytes());
        assertEquals('l', uart.readRegister(0));
        int interruptsBefore = interrupts.get();

        Serial16550.State state = uart.state();
        assertEquals(new Serial16550.State(0x03, 0x1a, 0x0b, 0xa5, 0xc1, 12, true, "ine\n".getBytes()), state);
        ByteArrayOutputStream copyOut = new ByteArrayOutputStream();
        AtomicInteger copyInterrupts = new AtomicInteger();
        Serial16550 copy = new Serial16550(copyOut::write, copyInterrupts::incrementAndGet);
        copy.receive("stale input the restore replaces".getBytes());
        copy.restore(state);
        assertEquals(0, copyInterrupts.get(), "a restore raises no interrupt: a pending one is in the irqchip's state");
        assertEquals(state, copy.state());

        List<Integer> original = nextGuestAccesses(uart);
        List<Integer> restored = nextGuestAccesses(copy);
        assertEquals(original, restored, "the same answers to the same accesses");
        assertEquals(List.of(0xc4, 0x61, 0xb0, 0x1a, 0x0b, 0xa5, 0x03, (int) 'i', (int) 'n', (int) 'e', (int) '\n', 0xc2, 0xc1, 0x60, 0xc2, 0x0c, 0x00),
                original.subList(0, 17), "IIR data, LSR, MSR, LCR, MCR, SCR, IER, the input, IIR THR empty then none, LSR, IIR, divisor");
        assertEquals(interrupts.get() - interruptsBefore, copyInterrupts.get(), "the same interrupts");
        assertEquals(out.toString(), copyOut.toString(), "the same output");
    }

    /** What a guest reads in a fixed run of accesses after a restore, and the interrupts it gets. */
    private static List<Integer> nextGuestAccesses(Serial16550 u) {
        List<Integer> reads = new ArrayList<>();
        for (int register : new int[] {2, 5, 6, 3, 4, 7, 1}) {
            reads.add(u.readRegister(register));
        }
        while ((u.readRegister(5) & 0x01) != 0) {
            reads.add(u.readRegister(0));
        }
        reads.add(u.readRegister(2)); // the THR-empty interrupt still pending from before the snapshot
        reads.add(u.readRegister(2));
        u.writeRegister(0, 'x');
        reads.add(u.readRegister(5) & 0x61);
        reads.add(u.readRegister(2));
        u.writeRegister(3, 0x9a);
        reads.add(u.readRegister(0));
        reads.add(u.readRegister(1));
        u.receive(new byte[] {'y'});
        u.writeRegister(3, 0x1a);
        reads.add(u.readRegister(2));
        reads.add(u.readRegister(0));
        return reads;
    }

    @Test
    void aFullInputBufferSurvivesTheRoundTripAndStaysBounded() {
        byte[] full = new byte[Serial16550.MAX_INPUT];
        for (int i = 0; i < full.length; i++) {
            full[i] = (byte) i;
        }
        uart.receive(new byte[] {9, 9, 9});
        uart.readRegister(0); // the ring's start moves off 0: the state still holds the bytes in order
        uart.receive(full);
        Serial16550.State state = uart.state();
        assertEquals(Serial16550.MAX_INPUT, state.input().length);
        Serial16550 copy = new Serial16550(b -> { }, () -> { });
        copy.restore(state);
        copy.receive(new byte[] {1}); // dropped: the buffer is full, as on the original
        byte[] read = new byte[Serial16550.MAX_INPUT];
        for (int i = 0; i < read.length; i++) {
            read[i] = (byte) copy.readRegister(0);
        }
        assertEquals(9, read[0]);
        assertEquals(9, read[1]);
        assertEquals(0, read[2]);
        assertEquals(0, copy.readRegister(5) & 0x01, "nothing after the bound");
    }

    @Test
    void aStateNoUartCanHaveIsRefusedInOneSentence() {
        for (Runnable bad : List.<Runnable>of(
                () -> new Serial16550.State(0x10, 0, 0, 0, 0, 0, false, new byte[0]),
                () -> new Serial16550.State(0, 0x100, 0, 0, 0, 0, false, new byte[0]),
                () -> new Serial16550.State(0, 0, 0x20, 0, 0, 0, false, new byte[0]),
                () -> new Serial16550.State(0, 0, 0, -1, 0, 0, false, new byte[0]),
                () -> new Serial16550.State(0, 0, 0, 0, 0x06, 0, false, new byte[0]),
                () -> new Serial16550.State(0, 0, 0, 0, 0, 0x10000, false, new byte[0]),
                () -> new Serial16550.State(0, 0, 0, 0, 0, 0, false, new byte[Serial16550.MAX_INPUT + 1]))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().startsWith("The UART state") && e.getMessage().endsWith(".") && e.getMessage().lines().count() == 1,
                    e.getMessage());
        }
        byte[] input = {1, 2};
        Serial16550.State state = new Serial16550.State(0, 0, 0, 0, 0, 0, false, input);
        input[0] = 7;
        assertArrayEquals(new byte[] {1, 2}, state.input(), "the state keeps its own copy");
    }
}
