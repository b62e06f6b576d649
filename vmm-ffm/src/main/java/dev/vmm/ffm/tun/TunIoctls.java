// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.tun;

import dev.vmm.ffm.Ioctl;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The tun/tap ioctl numbers on a {@code /dev/net/tun} fd, encoded as include/uapi/linux/if_tun.h
 * defines them: same direction, number and argument type (the header declares {@code TUNSETIFF}
 * with an {@code int} although the kernel reads a {@link ifreq}; the number is what it is).
 * UapiLayoutTest compares every constant with the kernel's headers.
 */
public final class TunIoctls {
    private TunIoctls() {}

    // The ioctl type byte of the tun/tap ioctls; the header spells it 'T' inline, with no macro.
    private static final int TUNTAP = 'T';

    /**
     * Creates the tun or tap device named in a {@link ifreq}, or attaches the fd to the existing one,
     * with the {@code IFF_*} flags of {@code ifr_flags}; writes the device's name back (a name with
     * {@code %d} becomes the first free one). Needs CAP_NET_ADMIN, unless the device is persistent
     * and owned by the caller.
     */
    public static final long TUNSETIFF = Ioctl.iow(TUNTAP, 202, JAVA_INT);
    /** Writes the {@code IFF_*} flags the kernel supports to an {@code unsigned int}. */
    public static final long TUNGETFEATURES = Ioctl.ior(TUNTAP, 207, JAVA_INT);
    /**
     * With the {@code TUN_F_*} bits as argument (by value): the offloads the reader can take; EINVAL
     * when one is unknown or lacks the one it needs.
     */
    public static final long TUNSETOFFLOAD = Ioctl.iow(TUNTAP, 208, JAVA_INT);
    /** Writes the attached device's name and flags into a {@link ifreq}. */
    public static final long TUNGETIFF = Ioctl.ior(TUNTAP, 210, JAVA_INT);
    /** Writes the vnet header size, an {@code int}. */
    public static final long TUNGETVNETHDRSZ = Ioctl.ior(TUNTAP, 215, JAVA_INT);
    /** Reads the vnet header size from an {@code int}: 10, 12 or more (EINVAL below 10). */
    public static final long TUNSETVNETHDRSZ = Ioctl.iow(TUNTAP, 216, JAVA_INT);
}
