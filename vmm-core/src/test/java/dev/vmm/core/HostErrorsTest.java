// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import dev.vmm.ffm.libc.Libc;
import dev.vmm.ffm.kvm.KvmIoctls;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors that need no KVM: each is one exception with a sentence that says what to do. */
class HostErrorsTest {

    @Test
    void missingKvmDeviceSaysWhatToDo() {
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open("/nonexistent/kvm"));
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.is(Errno.ENOENT));
        assertTrue(e.getMessage().startsWith("open(/nonexistent/kvm) failed: ENOENT (no such file or directory)"), e.getMessage());
        assertTrue(e.getMessage().contains("load kvm_intel or kvm_amd"), e.getMessage());
        assertFalse(e.getMessage().contains("./vmm"), "a library user has no ./vmm: " + e.getMessage());
    }

    @Test
    void deviceThatIsNotKvmIsRejected() {
        // /dev/null opens fine but answers every ioctl with ENOTTY.
        KvmException e = assertThrows(KvmException.class, () -> Kvm.open("/dev/null"));
        assertEquals("KVM_GET_API_VERSION", e.call());
        assertEquals(Errno.ENOTTY.value(), e.errno());
    }

    @Test
    void ioctlOnBadFdSurfacesEbadfWithTheCallName() {
        FileDescriptor bogus = new FileDescriptor("bogus", 1_000_000);
        KvmException e = assertThrows(KvmException.class,
                () -> Ioctls.call(bogus, KvmIoctls.KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION", 236));
        assertEquals("KVM_CHECK_EXTENSION", e.call());
        assertEquals("EBADF", e.errnoName());
        assertEquals("KVM_CHECK_EXTENSION failed: EBADF (bad file descriptor) [arg=236]", e.getMessage());
    }

    @Test
    void useAfterCloseIsAnIllegalStateException() {
        int raw = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        assertTrue(raw >= 0, "open /dev/null");
        FileDescriptor fd = new FileDescriptor("test device", raw);
        fd.close();
        assertFalse(fd.isOpen());
        IllegalStateException e = assertThrows(IllegalStateException.class, fd::acquire);
        assertEquals("The test device is closed; create a new one.", e.getMessage());
        fd.close(); // closing twice is harmless and does not close a reused number
    }

    @Test
    void closeWaitsForTheCallInFlightBeforeTheNumberIsClosed() throws Exception {
        int raw = Libc.open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        assertTrue(raw >= 0, "open /dev/null");
        FileDescriptor fd = new FileDescriptor("test device", raw);
        assertEquals(raw, fd.acquire()); // a call in flight, as an ioctl on another thread would be
        Thread closer = Thread.ofPlatform().start(fd::close);
        closer.join(200);
        assertTrue(closer.isAlive(), "close() waits for the call in flight");
        assertFalse(fd.isOpen(), "but refuses new calls at once");
        assertThrows(IllegalStateException.class, fd::acquire);
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(Path.of("/proc/self/fd/" + raw)), "the number is still ours");
        fd.release();
        closer.join(5_000);
        assertFalse(closer.isAlive(), "close() returned once the call left");
        Path link = Path.of("/proc/self/fd/" + raw);
        assertTrue(!Files.exists(link, LinkOption.NOFOLLOW_LINKS) || !Files.readSymbolicLink(link).equals(Path.of("/dev/null")),
                "the number was closed");
    }
}
