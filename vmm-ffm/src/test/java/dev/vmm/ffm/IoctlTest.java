// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IoctlTest {
    @Test
    void encodesDirectionSizeTypeAndNumber() {
        assertEquals(0x0000ae80L, Ioctl.io(0xae, 0x80));
        assertEquals(0x8008ae12L, Ioctl.ior(0xae, 0x12, JAVA_LONG));
        assertEquals(0x4008ae12L, Ioctl.iow(0xae, 0x12, JAVA_LONG));
        assertEquals(0xc008ae12L, Ioctl.iowr(0xae, 0x12, JAVA_LONG));
        assertEquals(0xffffffffL, Ioctl.ioc(Ioctl.READ | Ioctl.WRITE, 0xff, 0xff, (1 << 14) - 1));
    }

    @Test
    void rejectsSizesThatDoNotFitIn14Bits() {
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(Ioctl.READ, 0xae, 0x00, 1 << 14));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.ioc(Ioctl.READ, 0xae, 0x00, -1));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.iowr(0xae, 0x00, MemoryLayout.sequenceLayout(1 << 14, JAVA_BYTE)));
    }

    @Test
    void rejectsTypesAndNumbersThatAreNotBytes() {
        assertThrows(IllegalArgumentException.class, () -> Ioctl.io(0x100, 0x00));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.io(-1, 0x00));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.io(0xae, 0x100));
        assertThrows(IllegalArgumentException.class, () -> Ioctl.io(0xae, -1));
    }
}
