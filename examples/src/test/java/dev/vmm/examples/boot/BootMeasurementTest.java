// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootMeasurementTest {
    private static BootMeasurement sample() {
        BootMeasurement m = new BootMeasurement("java");
        m.phases.put(BootMeasurement.Phase.PRE_FAULT, 12.5);
        m.phases.put(BootMeasurement.Phase.BOOT_COMPLETE, 900.25);
        m.exit = "error (\"quoted\" \\ and\nnewline)";
        m.markerLine = "vmm-boot: init reached: cpus=2 mem_total_kib=1000 ram_bytes=2000";
        m.unhandledAccesses = 3;
        return m;
    }

    @Test
    void jsonNamesPhasesAndMomentsAndEscapesText() {
        String json = sample().toJson(4);
        assertTrue(json.startsWith("{\"vmm\": \"java\", \"run\": 4, "), json);
        assertTrue(json.contains("\"pre_fault_ms\": 12.500"), json);
        assertTrue(json.contains("\"boot_complete_at_ms\": 900.250"), json);
        assertTrue(json.contains("\"first_kvm_run_at_ms\": null"), json);
        assertTrue(json.contains("\"exit\": \"error (\\\"quoted\\\" \\\\ and\\u000anewline)\""), json);
        assertTrue(json.contains("\"guest_cpus\": 2, \"guest_mem_total_kib\": 1000, \"guest_ram_bytes\": 2000"), json);
    }

    @Test
    void numbersAndNamesForMachinesIgnoreTheDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            // German writes 0,062; Turkish lower-cases "MAIN" to "maın".
            for (Locale locale : List.of(Locale.GERMANY, Locale.forLanguageTag("tr-TR"))) {
                Locale.setDefault(locale);
                BootMeasurement m = sample();
                m.phases.put(BootMeasurement.Phase.JVM_START_TO_MAIN, 0.0625);
                String json = m.toJson(1);
                assertTrue(json.contains("\"pre_fault_ms\": 12.500") && json.contains("\"jvm_start_to_main_ms\": 0.063"), locale + ": " + json);
                String table = BootReport.table(Map.of("java", List.of(m)));
                assertTrue(table.contains("900.3") && !table.contains("900,3"), locale + ": " + table);
                String runs = BootReport.table(Map.of("java", List.of(m, m)));
                assertTrue(runs.contains("12.5") && !runs.contains("12,5"), locale + ": " + runs);
            }
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void aChildsMeasurementSurvivesTheTripAsProperties() {
        BootMeasurement before = sample();
        BootMeasurement after = BootMeasurement.fromProperties(before.toProperties());
        assertEquals(before.phases, after.phases);
        assertEquals(before.exit, after.exit);
        assertEquals(before.unhandledAccesses, after.unhandledAccesses);
        assertArrayEquals(before.guestFacts(), after.guestFacts());
        assertEquals(before.toJson(1), after.toJson(1));
    }

    @Test
    void aGuestThatSawLessThanItWasGivenIsOneSentenceAndTheJsonCarriesBoth() {
        BootMeasurement m = new BootMeasurement("java").configured(2, 256L << 20);
        assertEquals(null, m.mismatch(), "no marker line: nothing to compare");
        m.markerLine = "vmm-boot: init reached: cpus=2 mem_total_kib=215896 ram_bytes=268041216"; // 256 MiB less the legacy hole
        assertEquals(null, m.mismatch());
        m.markerLine = "vmm-boot: init reached: cpus=1 mem_total_kib=215896 ram_bytes=268041216";
        assertEquals("the guest saw 1 CPU of the 2 configured: its kernel did not take the machine as described; look at its console"
                + " for why (a kernel booted with acpi=off and built without CONFIG_X86_MPPARSE finds one CPU).", m.mismatch());
        m.markerLine = "vmm-boot: init reached: cpus=1 mem_total_kib=100000 ram_bytes=" + (128L << 20);
        assertTrue(m.mismatch().startsWith("the guest saw 1 CPU of the 2 configured and 128 MiB of RAM of the 256 MiB configured: "), m.mismatch());
        String json = m.toJson(1);
        assertTrue(json.contains("\"guest_cpus\": 1, ") && json.contains("\"configured_cpus\": 2, \"configured_memory_bytes\": 268435456"), json);
    }

    @Test
    void aMarkerLineWithNumbersTooLongForALongIsNoMarker() {
        // The guest writes the marker line: a hostile one must not crash the launcher.
        BootMeasurement m = new BootMeasurement("java").configured(1, 256L << 20);
        m.markerLine = "vmm-boot: init reached: cpus=99999999999999999999 mem_total_kib=1 ram_bytes=1";
        assertEquals(null, m.guestFacts());
        assertEquals(null, m.mismatch());
        assertTrue(m.toJson(1).contains("\"guest_cpus\": null"));
    }
}
