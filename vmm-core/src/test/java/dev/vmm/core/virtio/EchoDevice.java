// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.virtio;

import dev.vmm.core.GuestMemory;
import dev.vmm.core.devices.Interrupt;

import java.util.ArrayList;
import java.util.List;

/**
 * A test-only virtio device: each chain's readable bytes are copied to its writable buffers (as
 * many as fit), and the chain is returned with that length. Two queues, 8 bytes of configuration,
 * and one feature bit of its own; it counts what the transport asked of it.
 */
final class EchoDevice implements VirtioDevice {
    static final int TYPE = 42; // no real device type: no guest driver would bind to it
    static final long FEATURE = 1L << 0;
    private static final int CHUNK = 4096;

    final byte[] config = {1, 2, 3, 4, 5, 6, 7, 8};
    final List<DescriptorChain> chains = new ArrayList<>();
    long echoed;
    long served;
    int activations;
    int resets;
    long features;
    Faults faults;
    Runnable configChanged;
    private List<Virtqueue> queues = List.of();
    private Interrupt usedBuffers;

    @Override
    public int deviceType() {
        return TYPE;
    }

    @Override
    public long features() {
        return FEATURE;
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {16, 256};
    }

    @Override
    public void setConfigChangeNotifier(Runnable configChanged) {
        this.configChanged = configChanged;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        System.arraycopy(config, offset, data, 0, data.length);
    }

    @Override
    public void writeConfig(int offset, byte[] data) {
        System.arraycopy(data, 0, config, offset, data.length);
    }

    @Override
    public void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupt usedBuffers, Faults faults) {
        this.features = features;
        this.queues = queues;
        this.usedBuffers = usedBuffers;
        this.faults = faults;
        activations++;
    }

    @Override
    public void queueNotified(int index) throws VirtqueueException {
        Virtqueue queue = queues.get(index);
        for (var next = queue.pop(); next.isPresent(); next = queue.pop()) {
            DescriptorChain chain = next.get();
            long length = Math.min(Math.min(chain.readableLength(), chain.writableLength()), Integer.MAX_VALUE);
            for (long done = 0; done < length; ) {
                byte[] piece = new byte[(int) Math.min(CHUNK, length - done)];
                if (chain.read(done, piece) != piece.length || chain.write(done, piece) != piece.length) {
                    throw new AssertionError("the buffers of " + chain + " hold fewer bytes than its lengths say");
                }
                done += piece.length;
            }
            echoed += length;
            served++;
            if (chains.size() < 1000) {
                chains.add(chain);
            }
            queue.addUsed(chain, (int) length);
        }
        if (queue.needsNotification()) {
            usedBuffers.trigger();
        }
    }

    @Override
    public void reset() {
        queues = List.of();
        resets++;
    }
}
