// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
