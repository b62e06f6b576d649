// SPDX-License-Identifier: Apache-2.0
/**
 * The virtio core, from the device's side: {@link dev.vmm.core.virtio.Virtqueue} (a split virtqueue
 * in guest memory, with indirect descriptors and event-index notification suppression, every ring,
 * descriptor and chain checked as a hostile driver could write it) and the
 * {@link dev.vmm.core.virtio.DescriptorChain}s it hands out; {@link dev.vmm.core.virtio.VirtioDevice},
 * what a device implements; {@link dev.vmm.core.virtio.VirtioMmio}, the virtio-mmio transport
 * (version 2) as a {@code devices.BusDevice}; {@link dev.vmm.core.virtio.VirtioBlock}, a
 * virtio-blk device on a raw image file served by its own worker thread; and
 * {@link dev.vmm.core.virtio.VirtioNet}, a virtio-net device on a {@code FramePort} (a
 * {@code Tap}), with its {@link dev.vmm.core.virtio.MacAddress}, served the same way: each keeps its
 * {@link dev.vmm.core.virtio.VirtioWorker} in a {@link dev.vmm.core.virtio.CurrentWorker}. A broken rule is a
 * {@link dev.vmm.core.virtio.VirtqueueException}, which sets the device's DEVICE_NEEDS_RESET.
 * {@code microvm.MicroVm} wires one up per disk. The socket device, with its host side on Unix
 * sockets, is in {@code virtio.vsock}.
 */
package dev.vmm.core.virtio;
