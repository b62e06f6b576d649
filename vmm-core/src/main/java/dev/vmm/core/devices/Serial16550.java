// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.util.function.IntConsumer;

/**
 * A 16550A UART, enough for Linux's 8250 driver as console: transmit (each byte goes to
 * {@code output} at once, so the transmitter is always empty), receive from
 * {@link #receive(byte[])}, the scratch and divisor registers, loopback for the driver's probe,
 * and the "transmitter empty" and "data ready" interrupts on its {@link Interrupt} (IRQ 4 for
 * COM1 at 0x3f8).
 * Its state is a handful of registers and at most {@value #MAX_INPUT} bytes of input.
 */
public final class Serial16550 implements ByteRegisters {
    /** COM1, the port Linux's console=ttyS0 uses. */
    public static final int COM1 = 0x3f8;
    /** COM1's ISA interrupt. */
    public static final int COM1_IRQ = 4;
    /** The registers the UART claims from its base port. */
    public static final int PORTS = 8;

    private static final int DATA = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    private static final int IER_RECEIVED_DATA = 0x1, IER_THR_EMPTY = 0x2;
    private static final int IIR_NONE = 0x1, IIR_THR_EMPTY = 0x2, IIR_RECEIVED_DATA = 0x4, IIR_FIFO_ENABLED = 0xc0;
    private static final int LCR_DLAB = 0x80;
    private static final int MCR_LOOPBACK = 0x10;
    private static final int LSR_DATA_READY = 0x1, LSR_THR_EMPTY = 0x20, LSR_IDLE = 0x40;
    private static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80;
    /** Input bytes that wait for the guest; more are dropped, as by a full line. */
    public static final int MAX_INPUT = 4096;

    private final IntConsumer output;
    private final Interrupt interrupt;
    private final byte[] input = new byte[MAX_INPUT];
    private int inputStart, inputLength;
    private int ier, lcr, mcr, scr, fcr, divisorLow = 12, divisorHigh;
    private boolean thrEmptyPending;

    /**
     * A UART with nothing received yet.
     *
     * @param output receives each byte the guest transmits, on a vCPU thread: it must not block
     *     (a {@link ConsoleOutput} puts a bounded buffer in front of a terminal)
     * @param interrupt the UART's interrupt line
     */
    public Serial16550(IntConsumer output, Interrupt interrupt) {
        this.output = output;
        this.interrupt = interrupt;
    }

    /**
     * Queues bytes for the guest to read (at most 4 KiB wait; the rest is dropped, as a full line would).
     *
     * @param bytes what the guest will read, in order
     */
    public synchronized void receive(byte[] bytes) {
        for (byte b : bytes) {
            queueInput(b);
        }
        if ((ier & IER_RECEIVED_DATA) != 0 && inputLength > 0) {
            interrupt.trigger();
        }
    }

    @Override
    public synchronized int readRegister(long offset) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch ((int) offset) {
            case DATA -> dlab ? divisorLow : receivedByte();
            case IER -> dlab ? divisorHigh : ier;
            case IIR_FCR -> interruptIdentification();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> LSR_THR_EMPTY | LSR_IDLE | (inputLength == 0 ? 0 : LSR_DATA_READY);
            case MSR -> modemStatus();
            case SCR -> scr;
            default -> 0xff;
        };
    }

    @Override
    public synchronized void writeRegister(long offset, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch ((int) offset) {
            case DATA -> {
                if (dlab) {
                    divisorLow = value;
                } else {
                    transmit(value);
                }
            }
            case IER -> {
                if (dlab) {
                    divisorHigh = value;
                } else {
                    setInterruptEnable(value & 0x0f);
                }
            }
            case IIR_FCR -> fcr = value & 0xc9; // FIFO enable and trigger level; the reset bits act at once
            case LCR -> lcr = value;
            case MCR -> mcr = value & 0x1f;
            case SCR -> scr = value;
            default -> { } // LSR and MSR are read-only
        }
    }

    private void transmit(int value) {
        if ((mcr & MCR_LOOPBACK) != 0) {
            queueInput((byte) value);
        } else {
            output.accept(value);
        }
        // The byte left at once: the holding register is empty again.
        if ((ier & IER_THR_EMPTY) != 0) {
            thrEmptyPending = true;
            interrupt.trigger();
        }
    }

    private void setInterruptEnable(int value) {
        boolean thrEnabledNow = (value & IER_THR_EMPTY) != 0 && (ier & IER_THR_EMPTY) == 0;
        ier = value;
        // Enabling the THR-empty interrupt while the holder is empty raises it right away, as on the chip.
        if (thrEnabledNow) {
            thrEmptyPending = true;
            interrupt.trigger();
        } else if ((ier & IER_RECEIVED_DATA) != 0 && inputLength > 0) {
            interrupt.trigger();
        }
    }

    private void queueInput(byte b) {
        if (inputLength < MAX_INPUT) {
            input[(inputStart + inputLength++) % MAX_INPUT] = b;
        }
    }

    private int receivedByte() {
        if (inputLength == 0) {
            return 0;
        }
        int b = input[inputStart] & 0xff;
        inputStart = (inputStart + 1) % MAX_INPUT;
        inputLength--;
        return b;
    }

    private int interruptIdentification() {
        int fifo = (fcr & 0x1) != 0 ? IIR_FIFO_ENABLED : 0;
        if ((ier & IER_RECEIVED_DATA) != 0 && inputLength > 0) {
            return IIR_RECEIVED_DATA | fifo;
        }
        if ((ier & IER_THR_EMPTY) != 0 && thrEmptyPending) {
            thrEmptyPending = false; // reading IIR acknowledges this interrupt
            return IIR_THR_EMPTY | fifo;
        }
        return IIR_NONE | fifo;
    }

    private int modemStatus() {
        if ((mcr & MCR_LOOPBACK) == 0) {
            return MSR_DCD | MSR_DSR | MSR_CTS;
        }
        // Loopback: DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD.
        return ((mcr & 0x1) << 5) | ((mcr & 0x2) << 3) | ((mcr & 0x4) << 4) | ((mcr & 0x8) << 4);
    }

    @Override
    public String toString() {
        return "16550 UART";
    }
}
