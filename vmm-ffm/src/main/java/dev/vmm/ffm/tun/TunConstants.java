// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.tun;

/**
 * Constants from include/uapi/linux/if_tun.h and if.h, named exactly as the macros; UapiLayoutTest
 * compares every one with the kernel's headers.
 */
public final class TunConstants {
    private TunConstants() {}

    /** The size of an interface name buffer: 15 bytes and the terminating NUL. */
    public static final int IFNAMSIZ = 16;

    // TUNSETIFF's ifr_flags.
    /** A tun device: IP packets, no Ethernet header. */
    public static final int IFF_TUN = 0x0001;
    /** A tap device: Ethernet frames. */
    public static final int IFF_TAP = 0x0002;
    /** No 4-byte packet information ({@code struct tun_pi}) before each frame. */
    public static final int IFF_NO_PI = 0x1000;
    /**
     * Each frame starts with a {@code struct virtio_net_hdr} (of the size {@code TUNSETVNETHDRSZ} sets):
     * the checksum and segmentation offload metadata.
     */
    public static final int IFF_VNET_HDR = 0x4000;
    /** Several queues (one fd each) on one device. */
    public static final int IFF_MULTI_QUEUE = 0x0100;

    // TUNSETOFFLOAD's argument: what the reader of the fd can take from the kernel.
    /** Frames may come with a partial checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}) for the reader to complete. */
    public static final int TUN_F_CSUM = 0x01;
    /** TCP over IPv4 frames may come unsegmented, up to 64 KiB (needs {@link #TUN_F_CSUM}). */
    public static final int TUN_F_TSO4 = 0x02;
    /** TCP over IPv6 frames may come unsegmented, up to 64 KiB (needs {@link #TUN_F_CSUM}). */
    public static final int TUN_F_TSO6 = 0x04;
    /** Unsegmented TCP frames may carry the ECN CWR flag (needs {@link #TUN_F_TSO4} or {@link #TUN_F_TSO6}). */
    public static final int TUN_F_TSO_ECN = 0x08;
    /** UDP frames may come unfragmented (needs {@link #TUN_F_CSUM}). */
    public static final int TUN_F_UFO = 0x10;
}
