// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * A 16550A UART, enough for Linux's 8250 driver as console: transmit (each byte goes to
 * {@code output} at once, so the transmitter is always empty), receive from
 * {@link #receive(byte[])}, the scratch and divisor registers, loopback for the driver's probe,
 * and the "transmitter empty" and "data ready" interrupts on its {@link Interrupt} (IRQ 4 for
 * COM1 at 0x3f8).
 * Its state is a handful of registers and at most {@value #MAX_INPUT} bytes of input, captured by
 * {@link #state()} and put back by {@link #restore(State)}.
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
    /** FIFO enable, DMA mode and trigger level; the FIFO reset bits act at once and are not kept. */
    private static final int FCR_KEPT = 0xc9;
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
            case IIR_FCR -> fcr = value & FCR_KEPT;
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

    /**
     * {@return everything the guest can see of this UART and all it needs to go on exactly,
     * taken in one step between two guest accesses}
     */
    public synchronized State state() {
        byte[] pending = new byte[inputLength];
        for (int i = 0; i < inputLength; i++) {
            pending[i] = input[(inputStart + i) % MAX_INPUT];
        }
        return new State(ier, lcr, mcr, scr, fcr, divisorHigh << 8 | divisorLow, thrEmptyPending, pending);
    }

    /**
     * Puts back a state {@link #state()} took, from this UART or another: the next guest access
     * sees what it would have seen on the original. Raises no interrupt: an edge the original
     * raised and the guest had not taken yet is in the saved interrupt controller's state.
     *
     * @param state the state to continue from
     */
    public synchronized void restore(State state) {
        ier = state.ier();
        lcr = state.lcr();
        mcr = state.mcr();
        scr = state.scr();
        fcr = state.fcr();
        divisorLow = state.divisor() & 0xff;
        divisorHigh = state.divisor() >>> 8;
        thrEmptyPending = state.thrEmptyPending();
        byte[] pending = state.input();
        System.arraycopy(pending, 0, input, 0, pending.length);
        inputStart = 0;
        inputLength = pending.length;
    }

    @Override
    public String toString() {
        return "16550 UART";
    }

    /**
     * A UART's registers and unread input, each checked against what the UART can hold: a state
     * from a corrupt or hostile snapshot is refused here, never half-applied. LSR, MSR and IIR are
     * not in it, as the UART computes them: LSR from the input, MSR from MCR, IIR from IER, FCR,
     * the input and the THR-empty flag.
     *
     * @param ier the interrupt enable register, 4 bits
     * @param lcr the line control register (bit 7 is DLAB, which switches offsets 0 and 1 to the divisor)
     * @param mcr the modem control register, 5 bits (bit 4 is loopback)
     * @param scr the scratch register
     * @param fcr what the UART keeps of the FIFO control register: FIFO enable, DMA mode and the
     *     trigger level (bits 0, 3, 6 and 7)
     * @param divisor the divisor latch, DLM in the high byte and DLL in the low
     * @param thrEmptyPending whether a "transmitter holding register empty" interrupt waits for the
     *     guest to read IIR
     * @param input the received bytes the guest has not read yet, oldest first, at most
     *     {@value Serial16550#MAX_INPUT}
     */
    public record State(int ier, int lcr, int mcr, int scr, int fcr, int divisor, boolean thrEmptyPending, byte[] input) {
        /**
         * Checks every register against its width.
         *
         * @param ier the interrupt enable register
         * @param lcr the line control register
         * @param mcr the modem control register
         * @param scr the scratch register
         * @param fcr the kept bits of the FIFO control register
         * @param divisor the divisor latch
         * @param thrEmptyPending whether a THR-empty interrupt waits
         * @param input the unread input, oldest first
         * @throws IllegalArgumentException in one sentence, for a register with bits the UART
         *     does not keep, or more input than it holds
         */
        public State {
            input = input.clone(); // checked as kept: the caller's array may change after
            RegisterBits.check("UART", "IER", ier, 0x0f);
            RegisterBits.check("UART", "LCR", lcr, 0xff);
            RegisterBits.check("UART", "MCR", mcr, 0x1f);
            RegisterBits.check("UART", "SCR", scr, 0xff);
            RegisterBits.check("UART", "FCR", fcr, FCR_KEPT);
            RegisterBits.check("UART", "divisor latch", divisor, 0xffff);
            if (input.length > MAX_INPUT) {
                throw new IllegalArgumentException("The UART state holds " + input.length + " unread input bytes, more than the "
                        + MAX_INPUT + " the UART keeps.");
            }
        }

        /** {@return the unread input bytes, oldest first (a copy)} */
        @Override
        public byte[] input() {
            return input.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof State s && ier == s.ier && lcr == s.lcr && mcr == s.mcr && scr == s.scr && fcr == s.fcr
                    && divisor == s.divisor && thrEmptyPending == s.thrEmptyPending && Arrays.equals(input, s.input);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hash(ier, lcr, mcr, scr, fcr, divisor, thrEmptyPending) + Arrays.hashCode(input);
        }

        @Override
        public String toString() {
            return String.format("Serial16550.State[ier=0x%02x, lcr=0x%02x, mcr=0x%02x, scr=0x%02x, fcr=0x%02x, divisor=%d, thrEmptyPending=%b, input=%d bytes]",
                    ier, lcr, mcr, scr, fcr, divisor, thrEmptyPending, input.length);
        }
    }
}
