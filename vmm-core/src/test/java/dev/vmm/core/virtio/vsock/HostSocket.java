// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio.vsock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A host program's end of a Unix socket, for tests: non-blocking, with waits that end on the
 * socket's readiness or fail after the driver's timeout, never a sleep.
 */
final class HostSocket implements AutoCloseable {
    final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream in = new ByteArrayOutputStream();
    private boolean ended;

    HostSocket(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static HostSocket connect(Path path) throws IOException {
        return new HostSocket(SocketChannel.open(UnixDomainSocketAddress.of(path)));
    }

    /** The next connection on {@code listener} (a blocking one), within the timeout. */
    static HostSocket accept(ServerSocketChannel listener) throws IOException {
        listener.configureBlocking(false);
        long deadline = System.nanoTime() + VsockDriver.TIMEOUT_NANOS;
        try (Selector s = Selector.open()) {
            listener.register(s, SelectionKey.OP_ACCEPT);
            while (System.nanoTime() < deadline) {
                SocketChannel c = listener.accept();
                if (c != null) {
                    return new HostSocket(c);
                }
                s.select(100);
            }
        }
        return fail("no connection on the listener");
    }

    static ServerSocketChannel listen(Path path) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path));
        return listener;
    }

    /** Writes what the socket takes now, without waiting; {@return the bytes written} */
    int writeSome(ByteBuffer bytes) throws IOException {
        return channel.write(bytes);
    }

    /** Writes all of {@code bytes}, waiting for room. */
    void writeAll(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + VsockDriver.TIMEOUT_NANOS;
        try (Selector s = Selector.open()) {
            channel.register(s, SelectionKey.OP_WRITE);
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    if (System.nanoTime() > deadline) {
                        fail("the socket took only " + b.position() + " of " + bytes.length + " bytes");
                    }
                    s.select(100);
                }
            }
        }
    }

    void write(String text) throws IOException {
        writeAll(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads what has arrived, without waiting; {@return the bytes read now (-1 at the end)} */
    int readSome() throws IOException {
        if (ended) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        int n;
        int total = 0;
        while ((n = channel.read(b)) > 0) {
            in.write(b.array(), 0, n);
            total += n;
            b.clear();
        }
        if (n < 0) {
            ended = true;
            return total == 0 ? -1 : total;
        }
        return total;
    }

    /** Waits until {@code length} bytes in all have arrived, or the end; {@return all the bytes read so far} */
    byte[] read(int length) throws IOException {
        long deadline = System.nanoTime() + VsockDriver.TIMEOUT_NANOS;
        while (in.size() < length && !ended) {
            if (readSome() == 0) {
                if (System.nanoTime() > deadline) {
                    fail("only " + in.size() + " of " + length + " bytes arrived");
                }
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
        return in.toByteArray();
    }

    /** Waits for a line; {@return it without its newline, or null when the socket ended first} */
    String readLine() throws IOException {
        long deadline = System.nanoTime() + VsockDriver.TIMEOUT_NANOS;
        while (true) {
            String text = in.toString(StandardCharsets.US_ASCII);
            int newline = text.indexOf('\n');
            if (newline >= 0) {
                byte[] rest = in.toByteArray();
                in.reset();
                in.write(rest, newline + 1, rest.length - newline - 1);
                return text.substring(0, newline);
            }
            if (ended) {
                return null;
            }
            if (readSome() == 0) {
                if (System.nanoTime() > deadline) {
                    fail("no line arrived: " + text);
                }
                selector.select(100);
                selector.selectedKeys().clear();
            }
        }
    }

    /** Waits for the end of the stream; {@return the bytes that came before it} */
    byte[] awaitEnd() throws IOException {
        long deadline = System.nanoTime() + VsockDriver.TIMEOUT_NANOS;
        while (!ended) {
            try {
                if (readSome() == 0) {
                    if (System.nanoTime() > deadline) {
                        fail("the socket did not end");
                    }
                    selector.select(100);
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                ended = true; // reset by the peer: ended all the same
            }
        }
        return in.toByteArray();
    }

    boolean ended() {
        return ended;
    }

    /** {@return the bytes read and not yet taken by a line} */
    byte[] received() {
        return in.toByteArray();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
