package dev.vmm.examples.boot;

import org.junit.jupiter.api.Test;

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
    void aChildsMeasurementSurvivesTheTripAsProperties() {
        BootMeasurement before = sample();
        BootMeasurement after = BootMeasurement.fromProperties(before.toProperties());
        assertEquals(before.phases, after.phases);
        assertEquals(before.exit, after.exit);
        assertEquals(before.unhandledAccesses, after.unhandledAccesses);
        assertArrayEquals(before.guestFacts(), after.guestFacts());
        assertEquals(before.toJson(1), after.toJson(1));
    }
}
