/**
 * The libc side of the bindings: {@link dev.vmm.ffm.Libc}, downcalls to the system calls a VMM needs
 * (open, ioctl, mmap, madvise, eventfd, poll, signals) that capture errno per thread;
 * {@link dev.vmm.ffm.Errno}, the errno values they report; {@link dev.vmm.ffm.Ioctl}, the kernel's
 * ioctl number encoders; and {@link dev.vmm.ffm.NativeAccess}, the check that the JVM allows native
 * access before the first restricted call. Calls return what C returns (-1 and errno included):
 * turning failures into exceptions is {@code dev.vmm.core}'s job.
 */
package dev.vmm.ffm;
