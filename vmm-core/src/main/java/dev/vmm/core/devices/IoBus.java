package dev.vmm.core.devices;

import dev.vmm.core.VcpuExit;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routes the guest's port I/O exits to devices, and counts what no device handles: reads of an
 * unclaimed port or MMIO address see all ones (as on a bus with nothing on it), writes are dropped.
 * An unhandled access is never fatal; {@link #unhandled()} says what the guest probed. Accesses
 * are serialised: devices need no locking of their own.
 */
public final class IoBus {
    private static final int PORTS = 0x10000;

    private final PortDevice[] devices = new PortDevice[PORTS];
    private final int[] bases = new int[PORTS];
    private final Map<String, Long> unhandled = new TreeMap<>();

    /** Claims ports {@code [base, base + length)} for {@code device}. */
    public synchronized IoBus register(int base, int length, PortDevice device) {
        if (base < 0 || length < 1 || base + length > PORTS) {
            throw new IllegalArgumentException("Ports 0x" + Integer.toHexString(base) + "+" + length + " lie outside 0..0xffff.");
        }
        for (int port = base; port < base + length; port++) {
            if (devices[port] != null) {
                throw new IllegalArgumentException("Port 0x" + Integer.toHexString(port) + " already belongs to " + devices[port] + ".");
            }
        }
        for (int port = base; port < base + length; port++) {
            devices[port] = device;
            bases[port] = base;
        }
        return this;
    }

    /** A port write ({@code out}, or {@code rep outs}: each item goes to the same ports). */
    public synchronized void handle(VcpuExit.IoOut out) {
        byte[] data = out.data();
        for (int item = 0; item < out.count(); item++) {
            for (int i = 0; i < out.size(); i++) {
                int index = item * out.size() + i;
                if (index >= data.length) {
                    return;
                }
                writeByte(out.port() + i, data[index] & 0xff);
            }
        }
    }

    /** A port read: fills the reply from the devices. */
    public synchronized void handle(VcpuExit.IoIn in) {
        byte[] reply = new byte[in.size() * in.count()];
        for (int item = 0; item < in.count(); item++) {
            for (int i = 0; i < in.size(); i++) {
                reply[item * in.size() + i] = (byte) readByte(in.port() + i);
            }
        }
        in.reply(reply);
    }

    /** An MMIO read: no MMIO device is modelled, so all ones, counted. */
    public synchronized void handle(VcpuExit.MmioRead read) {
        count("mmio read " + read.address());
        byte[] ones = new byte[read.length()];
        Arrays.fill(ones, (byte) 0xff);
        read.reply(ones);
    }

    /** An MMIO write: dropped, counted. */
    public synchronized void handle(VcpuExit.MmioWrite write) {
        count("mmio write " + write.address());
    }

    /** One byte read from {@code port}: the device's answer, or 0xff (counted) where there is none. */
    public synchronized int readByte(int port) {
        PortDevice device = port >= 0 && port < PORTS ? devices[port] : null;
        if (device == null) {
            count("port read 0x" + Integer.toHexString(port));
            return 0xff;
        }
        return device.read(port - bases[port]) & 0xff;
    }

    /** One byte written to {@code port}: to its device, or dropped (counted) where there is none. */
    public synchronized void writeByte(int port, int value) {
        PortDevice device = port >= 0 && port < PORTS ? devices[port] : null;
        if (device == null) {
            count("port write 0x" + Integer.toHexString(port));
            return;
        }
        device.write(port - bases[port], value);
    }

    private void count(String access) {
        unhandled.merge(access, 1L, Long::sum);
    }

    /** Accesses no device handled, e.g. {@code "port read 0x61" -> 3}, sorted by name. */
    public synchronized Map<String, Long> unhandled() {
        return new TreeMap<>(unhandled);
    }
}
