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
            uart.write(0, b);
        }
        assertEquals("hi\n", out.toString());
        assertEquals(0x60, uart.read(5) & 0x60, "LSR: THR empty and transmitter idle");
        assertEquals(0, interrupts.get(), "no interrupt without IER");
    }

    @Test
    void theThrEmptyInterruptFiresOnEnableAndAfterEachByteAndIirAcknowledgesIt() {
        uart.write(2, 0x01); // FIFO on
        uart.write(1, 0x02); // IER: THR empty
        assertEquals(1, interrupts.get(), "enabling it with an empty THR raises it at once");
        assertEquals(0xc2, uart.read(2), "IIR: THR empty, FIFOs enabled");
        assertEquals(0xc1, uart.read(2), "reading IIR acknowledged it");
        uart.write(0, 'x');
        assertEquals(2, interrupts.get());
        assertEquals(0xc2, uart.read(2));
    }

    @Test
    void receivedBytesAreReadInOrderWithDataReadyAndTheirInterrupt() {
        uart.write(1, 0x01); // IER: received data
        uart.receive("ab".getBytes());
        assertEquals(1, interrupts.get());
        assertEquals(0x01, uart.read(5) & 0x01, "LSR: data ready");
        assertEquals(0x04, uart.read(2) & 0x0f, "IIR: received data");
        assertEquals('a', uart.read(0));
        assertEquals('b', uart.read(0));
        assertEquals(0, uart.read(5) & 0x01);
        assertEquals(0x01, uart.read(2) & 0x0f);
    }

    @Test
    void theDivisorLatchAndScratchRegisterHoldWhatIsWritten() {
        uart.write(3, 0x80); // DLAB
        uart.write(0, 0x01);
        uart.write(1, 0x02);
        assertEquals(0x01, uart.read(0));
        assertEquals(0x02, uart.read(1));
        uart.write(3, 0x03); // 8N1, DLAB off
        uart.write(1, 0x0f);
        assertEquals(0x0f, uart.read(1), "IER");
        uart.write(7, 0x5a);
        assertEquals(0x5a, uart.read(7));
        assertEquals("", out.toString(), "divisor writes are not output");
    }

    @Test
    void loopbackReturnsTransmittedBytesAndMirrorsModemControl() {
        uart.write(4, 0x10 | 0x0a); // loopback, RTS, OUT2
        assertEquals(0x90, uart.read(6) & 0xf0, "MSR: CTS and DCD from RTS and OUT2");
        uart.write(0, 'z');
        assertEquals("", out.toString());
        assertEquals('z', uart.read(0));
    }
}
