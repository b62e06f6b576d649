// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that needs a real /dev/kvm. Tagged "kvm": the host run of {@code ./vmm test} leaves these
 * out and runs them in the sandbox. Without KVM it fails under CI=true and is skipped elsewhere.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@Tag("kvm")
@ExtendWith(RequiresKvm.class)
public @interface KvmTest {}
