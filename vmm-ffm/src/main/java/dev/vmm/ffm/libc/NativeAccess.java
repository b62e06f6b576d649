// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm.libc;

/**
 * Checks, before any restricted call, that the JVM lets this module make native calls. Kept apart
 * from {@link Libc} so that the check itself makes no restricted call (which would print the
 * JDK's own multi-line warning first).
 */
public final class NativeAccess {
    private NativeAccess() {}

    /**
     * {@return the value to pass to {@code --enable-native-access} for these bindings: the module's
     * name, or {@code ALL-UNNAMED} on the class path}
     */
    public static String moduleFlagValue() {
        Module module = NativeAccess.class.getModule();
        return module.isNamed() ? module.getName() : "ALL-UNNAMED";
    }

    /**
     * Checks that the JVM lets the module that holds these bindings make restricted calls.
     *
     * @throws IllegalStateException with one sentence naming the exact flag to add, when native
     *     access is not enabled for this module
     */
    public static void require() {
        if (!NativeAccess.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException("Native access is not enabled for the KVM bindings: start java with --enable-native-access="
                    + moduleFlagValue() + ".");
        }
    }
}
