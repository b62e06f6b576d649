// SPDX-License-Identifier: Apache-2.0
/**
 * The libc side of the bindings: {@link dev.vmm.ffm.libc.Libc}, downcalls to the system calls a VMM
 * needs (open, ioctl, mmap, madvise, eventfd, poll, signals, setns) that capture errno per thread, and
 * {@link dev.vmm.ffm.libc.NativeAccess}, the check that the JVM allows native access before the
 * first restricted call. Calls return what C returns (-1 and errno included): turning failures into
 * exceptions is {@code dev.vmm.core}'s job. Exported to {@code dev.vmm.core} only: granting native
 * access to {@code dev.vmm.ffm} must not let every module that reads it make raw system calls.
 */
package dev.vmm.ffm.libc;
