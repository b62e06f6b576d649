// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.tun;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The accessors named after C's macros, which UapiLayoutTest cannot see. */
class IfreqTest {
    @Test
    void theNameIsTheFirst16BytesAndTheFlagsTheShortAfterThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = ifreq.allocate(arena);
            ifreq.ifr_name(request).setString(0, "tap0");
            ifreq.ifr_flags(request, (short) (TunConstants.IFF_TAP | TunConstants.IFF_NO_PI | TunConstants.IFF_VNET_HDR));
            assertEquals("tap0", request.getString(0));
            assertEquals(TunConstants.IFNAMSIZ, ifreq.ifr_name(request).byteSize());
            assertEquals((short) 0x5002, request.get(JAVA_SHORT, 16));
            assertEquals((short) 0x5002, ifreq.ifr_flags(request));
        }
    }
}
