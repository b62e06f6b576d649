// SPDX-License-Identifier: Apache-2.0
/**
 * Booting Linux x86-64 through its 64-bit entry point: {@link dev.vmm.core.boot.LinuxKernel}
 * checks and takes apart a bzImage or an ELF vmlinux (headers only), {@link dev.vmm.core.boot.BootImage}
 * streams kernel and initrd files into guest memory, and {@link dev.vmm.core.boot.LinuxBoot} plans
 * the memory layout and writes the zero page, e820 map, command line, ACPI tables
 * ({@code dev.vmm.core.acpi}) and MP table, then puts the bootstrap vCPU in long mode
 * ({@code dev.vmm.core.x86}). Bad inputs fail before the VM starts with a
 * {@link dev.vmm.core.boot.BootException} of one sentence.
 */
package dev.vmm.core.boot;
