// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import java.util.Objects;

/**
 * Where an ioeventfd listens for guest writes: a guest physical address outside every memory slot
 * ({@link Mmio}), or an I/O port ({@link Port}). See {@link Vm#registerIoeventfd}.
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=io-event-address}
 */
public sealed interface IoEventAddress {

    /**
     * {@return an MMIO address}
     *
     * @param address a guest physical address that no memory slot covers, so that a write to it is MMIO
     */
    static IoEventAddress mmio(GuestAddress address) {
        return new Mmio(address);
    }

    /**
     * {@return an I/O port address}
     *
     * @param port the port, 0 to 0xffff
     * @throws IllegalArgumentException when {@code port} is out of range
     */
    static IoEventAddress port(int port) {
        return new Port(port);
    }

    /**
     * A guest physical (MMIO) address.
     *
     * @param address the address
     */
    record Mmio(GuestAddress address) implements IoEventAddress {
        /**
         * Checks the address.
         *
         * @throws NullPointerException when {@code address} is null
         */
        public Mmio {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String toString() {
            return "MMIO " + address;
        }
    }

    /**
     * An I/O port.
     *
     * @param port the port, 0 to 0xffff
     */
    record Port(int port) implements IoEventAddress {
        /**
         * Checks the port.
         *
         * @throws IllegalArgumentException when {@code port} is not 0 to 0xffff
         */
        public Port {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("I/O port " + port + " is out of range: use 0 to 0xffff.");
            }
        }

        @Override
        public String toString() {
            return "port 0x" + Integer.toHexString(port);
        }
    }
}
