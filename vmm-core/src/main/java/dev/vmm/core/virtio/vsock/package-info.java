// SPDX-License-Identifier: Apache-2.0
/**
 * The virtio socket device: {@link dev.vmm.core.virtio.vsock.VirtioVsock}, stream sockets between
 * a guest and programs on the host, carried to the host over Unix domain sockets as Firecracker's
 * hybrid vsock does ({@code CONNECT <port>} on the device's socket from the host, {@code <path>_<port>}
 * from the guest). Inside: the packet header, one connection's state and credit, the host's
 * CONNECT line, and the worker that multiplexes them all on one selector.
 */
package dev.vmm.core.virtio.vsock;
