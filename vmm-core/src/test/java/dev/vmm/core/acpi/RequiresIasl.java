// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks tests whose oracle is Intel's ACPI compiler, iasl: without it they fail under CI=true and
 * are skipped elsewhere, each with a sentence saying to install it.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresIasl.Check.class)
@interface RequiresIasl {
    /** Fails (under CI=true) or skips (elsewhere) a test when iasl is not on the PATH. */
    final class Check implements BeforeEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            if (Iasl.available()) {
                return;
            }
            String message = context.getDisplayName() + " checks the ACPI tables with iasl, which is not on the PATH: install Debian's acpica-tools"
                    + " (sudo apt-get install acpica-tools; ./vmm test does it for you).";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            throw new TestAbortedException(message);
        }
    }
}
