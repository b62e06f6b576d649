// SPDX-License-Identifier: Apache-2.0
/**
 * The ACPI tables of a microVM and a typed AML builder. {@link dev.vmm.core.acpi.AcpiTables} lays
 * out the RSDP, XSDT, an FADT of the hardware-reduced profile (its sleep and reset registers one
 * I/O port, {@link dev.vmm.core.acpi.PowerRegister}), the MADT and a
 * {@link dev.vmm.core.acpi.Dsdt} in the BIOS area 0xE0000 to 0xFFFFF, where
 * {@code boot.LinuxBoot} writes them. The DSDT is built from {@link dev.vmm.core.acpi.Aml} terms,
 * {@link dev.vmm.core.acpi.AmlName} paths and {@link dev.vmm.core.acpi.Resource} descriptors,
 * each checked as it is encoded; the tests hold the bytes against Intel's iasl.
 */
package dev.vmm.core.acpi;
