// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.kvm.kvm_pit_channel_state;
import dev.vmm.ffm.kvm.kvm_pit_state2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The in-kernel i8254 PIT's state ({@code struct kvm_pit_state2}), as {@link Vm#pitState()} reads
 * it and {@link Vm#setPitState} writes it back: opaque bytes, but for each channel's reload value.
 * KVM restarts each channel's count from its reload value when the state is set. Immutable.
 */
public final class PitState {
    /** The size of the state, {@code sizeof(struct kvm_pit_state2)}. */
    public static final int SIZE = (int) kvm_pit_state2.sizeof();
    private static final int CHANNELS = 3;

    private final byte[] bytes;

    private PitState(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * {@return the PIT state held in a copy of {@code bytes}}
     *
     * @param bytes the state, {@link #SIZE} bytes, as {@link #bytes()} returned it
     * @throws IllegalArgumentException when {@code bytes} is not {@link #SIZE} bytes
     */
    public static PitState of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("A PIT state is " + SIZE + " bytes, not " + bytes.length + ".");
        }
        return new PitState(bytes.clone());
    }

    /** Takes ownership of {@code bytes}, which came from KVM. */
    static PitState wrap(byte[] bytes) {
        return new PitState(bytes);
    }

    /** {@return a copy of the state's {@link #SIZE} bytes, for storing in a snapshot} */
    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] bytesUnsafe() {
        return bytes;
    }

    /**
     * {@return the reload value channel {@code channel} counts down from, 1 to 65536 (the guest's 0
     * means 65536)}
     *
     * @param channel 0 (the timer interrupt), 1 or 2 (the speaker)
     * @throws IndexOutOfBoundsException when {@code channel} is not 0 to 2
     */
    public int count(int channel) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(countOffset(channel));
    }

    /**
     * {@return this state with the reload value of channel {@code channel} replaced}
     *
     * @param channel 0, 1 or 2
     * @param count the new reload value, 1 to 65536
     * @throws IndexOutOfBoundsException when {@code channel} is not 0 to 2
     * @throws IllegalArgumentException when {@code count} is not 1 to 65536
     */
    public PitState withCount(int channel, int count) {
        if (count < 1 || count > 0x10000) {
            throw new IllegalArgumentException("A PIT reload value is 1 to 65536, not " + count + ".");
        }
        int offset = countOffset(channel);
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, count);
        return new PitState(copy);
    }

    private static int countOffset(int channel) {
        Objects.checkIndex(channel, CHANNELS);
        return (int) (kvm_pit_state2.channels$OFFSET + channel * kvm_pit_channel_state.sizeof() + kvm_pit_channel_state.count$OFFSET);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PitState state && Arrays.equals(bytes, state.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "PitState[counts " + count(0) + ", " + count(1) + ", " + count(2) + "]";
    }
}
