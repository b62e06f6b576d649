// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.devices;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The PC keyboard controller, reduced to what a guest kernel uses at boot and to reset the machine:
 * the controller's command byte, self-test and the CPU reset line. A Linux reboot with
 * {@code reboot=k} (and a panic with {@code panic=-1}) pulses the reset line with command 0xfe,
 * which calls {@code reset}. No keyboard is attached.
 *
 * <p>Like the chip, it holds one output byte: a command that answers replaces an answer not yet
 * read, so no guest can make it hold more. {@link #state()} captures its registers and
 * {@link #restore(State)} puts them back.
 */
public final class I8042 implements ByteRegisters {
    /** The data port, where answers are read; the device's range starts here. */
    public static final int DATA_PORT = 0x60;
    /** Status (read) and command (write) port; 0x64 - 0x60 is its offset from {@link #DATA_PORT}. */
    public static final int COMMAND_PORT = 0x64;
    /** The ports the device claims from {@link #DATA_PORT}: 0x60 to 0x64. */
    public static final int PORTS = 5;

    private static final int STATUS_OUTPUT_FULL = 0x1, STATUS_SYSTEM = 0x4, STATUS_COMMAND = 0x8, STATUS_UNLOCKED = 0x10;
    private static final int CMD_READ_CONFIG = 0x20, CMD_WRITE_CONFIG = 0x60, CMD_SELF_TEST = 0xaa, CMD_KBD_TEST = 0xab;
    private static final int CMD_READ_OUTPUT_PORT = 0xd0, CMD_WRITE_OUTPUT_PORT = 0xd1, CMD_PULSE_RESET = 0xfe;
    private static final int SELF_TEST_OK = 0x55;
    private static final int EMPTY = -1;

    private final Runnable reset;
    private int output = EMPTY;
    private int config = 0x45; // keyboard interrupt on, system flag, translation
    private int pendingWrite;  // the command whose data byte comes next on the data port, or 0
    private int lastCommand;

    /**
     * A keyboard controller without a keyboard.
     *
     * @param reset called when the guest pulls the CPU reset line, on a vCPU thread: it must not block */
    public I8042(Runnable reset) {
        this.reset = reset;
    }

    @Override
    public synchronized int readRegister(long offset) {
        if (offset == 0) {
            int b = output == EMPTY ? 0 : output;
            output = EMPTY;
            return b;
        }
        if (offset == COMMAND_PORT - DATA_PORT) {
            return (output == EMPTY ? 0 : STATUS_OUTPUT_FULL) | STATUS_SYSTEM | STATUS_UNLOCKED | (lastCommand != 0 ? STATUS_COMMAND : 0);
        }
        return 0xff;
    }

    @Override
    public synchronized void writeRegister(long offset, int value) {
        if (offset == COMMAND_PORT - DATA_PORT) {
            command(value);
        } else if (offset == 0) {
            data(value);
        }
    }

    private void command(int command) {
        lastCommand = command;
        switch (command) {
            case CMD_READ_CONFIG -> output = config;
            case CMD_WRITE_CONFIG, CMD_WRITE_OUTPUT_PORT -> pendingWrite = command;
            case CMD_SELF_TEST -> output = SELF_TEST_OK;
            case CMD_KBD_TEST -> output = 0x00;
            case CMD_READ_OUTPUT_PORT -> output = 0x01; // reset line high: the CPU runs
            case CMD_PULSE_RESET -> reset.run();
            default -> { } // enable/disable of the ports and the like: nothing to do
        }
    }

    private void data(int value) {
        lastCommand = 0;
        int command = pendingWrite;
        pendingWrite = 0;
        if (command == CMD_WRITE_CONFIG) {
            config = value;
        } else if (command == CMD_WRITE_OUTPUT_PORT && (value & 0x1) == 0) {
            reset.run(); // bit 0 of the output port is the CPU's reset line, active low
        }
        // A byte for the keyboard: there is none to answer.
    }

    /** {@return whether an answer waits in the output register (for tests and the fuzzer's invariants)} */
    public synchronized boolean outputFull() {
        return output != EMPTY;
    }

    /** {@return the controller's registers, taken in one step between two guest accesses} */
    public synchronized State state() {
        return new State(output == EMPTY ? OptionalInt.empty() : OptionalInt.of(output), config, pendingWrite, lastCommand);
    }

    /**
     * Puts back a state {@link #state()} took, from this controller or another: the next guest
     * access sees what it would have seen on the original.
     *
     * @param state the state to continue from
     */
    public synchronized void restore(State state) {
        output = state.output().orElse(EMPTY);
        config = state.commandByte();
        pendingWrite = state.awaitingData();
        lastCommand = state.lastCommand();
    }

    @Override
    public String toString() {
        return "i8042 keyboard controller";
    }

    /**
     * The controller's registers, each checked against what the controller can hold. The status
     * register is not in it: the controller computes it from the output byte and the last command.
     *
     * @param output the answer waiting on the data port, or empty
     * @param commandByte the controller's command byte (its configuration), which command 0x20 reads
     * @param awaitingData the command whose data byte the guest writes next on the data port
     *     (0x60 write command byte, 0xd1 write output port), or 0 for none
     * @param lastCommand the last command written, or 0 when a data byte came after it (status bit 3)
     */
    public record State(OptionalInt output, int commandByte, int awaitingData, int lastCommand) {
        /**
         * Checks every register against its width, and the awaited command against those that take a data byte.
         *
         * @param output the answer waiting on the data port, or empty
         * @param commandByte the command byte
         * @param awaitingData the command that awaits a data byte, or 0
         * @param lastCommand the last command written, or 0
         * @throws IllegalArgumentException in one sentence, for a value the controller cannot hold
         */
        public State {
            Objects.requireNonNull(output, "output");
            if (output.isPresent()) {
                RegisterBits.check("i8042", "output byte", output.getAsInt(), 0xff);
            }
            RegisterBits.check("i8042", "command byte", commandByte, 0xff);
            RegisterBits.check("i8042", "last command", lastCommand, 0xff);
            if (awaitingData != 0 && awaitingData != CMD_WRITE_CONFIG && awaitingData != CMD_WRITE_OUTPUT_PORT) {
                throw new IllegalArgumentException("The i8042 state awaits a data byte for command 0x" + Integer.toHexString(awaitingData)
                        + ", but only 0x60 and 0xd1 take one.");
            }
        }
    }
}
