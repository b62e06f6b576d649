// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Fails (under CI=true) or skips (elsewhere) a {@link KvmTest} when /dev/kvm cannot be used. */
final class RequiresKvm implements BeforeEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        Path kvm = Path.of(Kvm.DEFAULT_PATH);
        if (Files.isReadable(kvm) && Files.isWritable(kvm)) {
            return;
        }
        String message = context.getDisplayName() + " needs a usable /dev/kvm and this machine has none: run it through ./vmm test, which uses the QEMU sandbox.";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        throw new TestAbortedException(message);
    }
}
