// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A host program's socket, accepted on the device's listener, until its first line says which
 * guest port it wants: {@code CONNECT <port>\n} (Firecracker's convention; the word in any case,
 * the port decimal, 0 to 2^32 - 1, blanks around the words allowed). At most {@value #MAX_LINE}
 * bytes, the newline included, by the deadline; the line is read a byte at a time, so that
 * whatever the program sends after it stays in the socket as the stream's first bytes.
 */
final class HostHandshake {
    /** The longest CONNECT line, its newline included. */
    static final int MAX_LINE = 32;
    /** {@link #read()}: the line is not complete yet. */
    static final long NOT_YET = -1;
    /** {@link #read()}: the socket ended, or sent more than a line or not a CONNECT line: close it. */
    static final long REFUSED = -2;

    final SocketChannel host;
    final SelectionKey key;
    long deadline; // moved later by a pause for a snapshot
    private final ByteBuffer line = ByteBuffer.allocate(MAX_LINE);

    HostHandshake(SocketChannel host, SelectionKey key, long deadline) {
        this.host = host;
        this.key = key;
        this.deadline = deadline;
    }

    /**
     * Reads what has arrived of the line, a byte at a time.
     *
     * @return the guest port asked for, {@link #NOT_YET} or {@link #REFUSED}
     */
    long read() {
        try {
            while (line.hasRemaining()) {
                int limit = line.limit();
                line.limit(line.position() + 1);
                int n = host.read(line);
                line.limit(limit);
                if (n < 0) {
                    return REFUSED;
                }
                if (n == 0) {
                    return NOT_YET;
                }
                if (line.get(line.position() - 1) == '\n') {
                    return port(new String(line.array(), 0, line.position() - 1, StandardCharsets.ISO_8859_1));
                }
            }
            return REFUSED; // 32 bytes and no newline
        } catch (IOException e) {
            return REFUSED;
        }
    }

    /** {@return the port of a {@code CONNECT <port>} line without its newline, or {@link #REFUSED}} */
    static long port(String line) {
        String[] words = line.strip().split("[ \t\r]+");
        if (words.length != 2 || !words[0].equalsIgnoreCase("CONNECT") || !words[1].matches("[0-9]{1,10}")) {
            return REFUSED;
        }
        long port = Long.parseLong(words[1]);
        return port <= 0xffffffffL ? port : REFUSED;
    }
}
