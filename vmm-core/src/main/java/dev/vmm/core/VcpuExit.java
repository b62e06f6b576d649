// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Why {@link Vcpu#run()} returned: {@code kvm_run}'s exit reason and its data, decoded. Guest
 * values (ports, addresses, lengths) arrive bounds-checked against the shared area they live in.
 */
public sealed interface VcpuExit {

    /**
     * The guest wrote {@code count} items of {@code size} bytes to I/O port {@code port}.
     *
     * @param port the I/O port, 0 to 0xffff
     * @param size the width of one item in bytes: 1, 2 or 4
     * @param count the number of items (more than 1 for a REP OUTS)
     * @param data the bytes written, {@code size * count} of them
     */
    record IoOut(int port, int size, int count, byte[] data) implements VcpuExit {}

    /**
     * The guest reads {@code count} items of {@code size} bytes from I/O port {@code port}; answer
     * with {@link #reply} before the next run, or the guest reads what is there (zeros at first).
     */
    final class IoIn implements VcpuExit {
        private final int port;
        private final int size;
        private final int count;
        private final MemorySegment data;

        IoIn(int port, int size, int count, MemorySegment data) {
            this.port = port;
            this.size = size;
            this.count = count;
            this.data = data;
        }

        /** {@return the I/O port, 0 to 0xffff} */
        public int port() {
            return port;
        }

        /** {@return the width of one item in bytes: 1, 2 or 4} */
        public int size() {
            return size;
        }

        /** {@return the number of items (more than 1 for a REP INS)} */
        public int count() {
            return count;
        }

        /**
         * Supplies the bytes the guest reads: at most {@code size * count}; the rest stays as is.
         *
         * @param bytes the bytes, in the order the guest reads them
         * @throws IllegalArgumentException when there are more than {@code size * count}
         */
        public void reply(byte[] bytes) {
            if (bytes.length > data.byteSize()) {
                throw new IllegalArgumentException("Port read reply of " + bytes.length + " bytes exceeds the " + data.byteSize() + " bytes the guest asked for.");
            }
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }

        @Override
        public String toString() {
            return "IoIn[port=0x" + Integer.toHexString(port) + ", size=" + size + ", count=" + count + "]";
        }
    }

    /**
     * The guest wrote {@code data} to an address no memory slot covers.
     *
     * @param address the guest physical address written
     * @param data the bytes written, 1 to 8
     */
    record MmioWrite(GuestAddress address, byte[] data) implements VcpuExit {}

    /** The guest reads {@code length} bytes at an address no memory slot covers; see {@link #reply}. */
    final class MmioRead implements VcpuExit {
        private final GuestAddress address;
        private final MemorySegment data;

        MmioRead(GuestAddress address, MemorySegment data) {
            this.address = address;
            this.data = data;
        }

        /** {@return the guest physical address read} */
        public GuestAddress address() {
            return address;
        }

        /** {@return the number of bytes the guest reads, 1 to 8} */
        public int length() {
            return (int) data.byteSize();
        }

        /**
         * Supplies the bytes the guest reads: at most {@link #length()}.
         *
         * @param bytes the bytes, lowest address first
         * @throws IllegalArgumentException when there are more than {@link #length()}
         */
        public void reply(byte[] bytes) {
            if (bytes.length > data.byteSize()) {
                throw new IllegalArgumentException("MMIO read reply of " + bytes.length + " bytes exceeds the " + data.byteSize() + " bytes the guest asked for.");
            }
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        }

        @Override
        public String toString() {
            return "MmioRead[address=" + address + ", length=" + length() + "]";
        }
    }

    /** The guest executed {@code hlt} (no in-kernel LAPIC to wait on it). */
    record Hlt() implements VcpuExit {}

    /** The guest triple-faulted or otherwise shut down. */
    record Shutdown() implements VcpuExit {}

    /**
     * VM entry failed; the reason is the hardware's (VMX/SVM) code.
     *
     * @param hardwareEntryFailureReason the hardware's reason code
     * @param cpu the host CPU on which entry failed
     */
    record FailEntry(long hardwareEntryFailureReason, int cpu) implements VcpuExit {}

    /**
     * KVM could not handle an exit itself, e.g. emulation failure (suberror 1).
     *
     * @param suberror a {@code KVM_INTERNAL_ERROR_*} code
     * @param data the diagnostic words KVM added ({@code internal.ndata} of them)
     */
    record InternalError(int suberror, long[] data) implements VcpuExit {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("InternalError[suberror=" + suberror + (suberror == 1 ? " (emulation failure)" : "") + ", data=");
            for (int i = 0; i < data.length; i++) {
                s.append(i == 0 ? "" : " ").append("0x").append(Long.toHexString(data[i]));
            }
            return s.append(']').toString();
        }
    }

    /**
     * The guest asked for a shutdown, reset or crash report through a platform mechanism.
     *
     * @param type a {@code KVM_SYSTEM_EVENT_*} code
     * @param data the event's data words ({@code system_event.ndata} of them)
     */
    record SystemEvent(int type, long[] data) implements VcpuExit {}

    /** KVM_RUN returned early because a signal arrived or {@code immediate_exit} was set. */
    record Interrupted() implements VcpuExit {}

    /**
     * An exit reason this decoder does not model.
     *
     * @param reason the raw {@code KVM_EXIT_*} value
     */
    record Unknown(int reason) implements VcpuExit {}
}
