// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One boot, measured: the phases in milliseconds (those that apply to the VMM that booted), how
 * it ended, and what the guest's init reported on its marker line.
 */
final class BootMeasurement {
    /** The phases, in report order, with their labels; "at" phases count from process start. */
    enum Phase {
        JVM_START_TO_MAIN("JVM start to main"),
        IMAGE_CHECK("read + check kernel and initrd"),
        VM_CREATE("KVM open + VM create"),
        MEMORY_SETUP("memory setup"),
        PRE_FAULT("pre-fault"),
        KERNEL_LOAD("kernel load"),
        FIRST_KVM_RUN("first KVM_RUN, at"),
        FIRST_CONSOLE_BYTE("first console byte, at"),
        BOOT_COMPLETE("boot-complete, at"),
        VM_EXIT("VM exit, at");

        final String label;

        Phase(String label) {
            this.label = label;
        }

        /** The JSON name: e.g. {@code pre_fault_ms}, and {@code boot_complete_at_ms} for a moment counted from process start. */
        String key() {
            return name().toLowerCase(Locale.ROOT) + (label.endsWith(", at") ? "_at_ms" : "_ms");
        }
    }

    /**
     * The init's line: {@code vmm-boot: init reached: cpus=N mem_total_kib=M ram_bytes=R}. The guest
     * writes it: at most 18 digits each, so that every number fits a long (a longer one is no marker).
     */
    static final Pattern MARKER = Pattern.compile("vmm-boot: init reached: cpus=(\\d{1,18}) mem_total_kib=(\\d{1,18}) ram_bytes=(\\d{1,18})\\b");

    final String vmm;
    final Map<Phase, Double> phases = new LinkedHashMap<>();
    String exit = "";
    boolean clean;
    String preFault = "";
    String markerLine = "";
    long unhandledAccesses;
    /** The most frequent unhandled accesses, e.g. "port write 0x80 x 1200". */
    String unhandledTop = "";
    /** Console bytes lost because the console consumer fell behind (the guest never waits for it). */
    long consoleBytesDropped;
    /** The machine the guest was given, to compare with what it saw. */
    int configuredCpus;
    long configuredMemoryBytes;

    BootMeasurement(String vmm) {
        this.vmm = vmm;
    }

    /** The guest's reported CPU count, MemTotal in KiB and e820 RAM in bytes; null without a marker line. */
    long[] guestFacts() {
        Matcher m = MARKER.matcher(markerLine);
        return m.find() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))} : null;
    }

    /** Records the machine the guest was given (vCPUs, RAM) for {@link #mismatch()} and the JSON. */
    BootMeasurement configured(int cpus, long memoryBytes) {
        configuredCpus = cpus;
        configuredMemoryBytes = memoryBytes;
        return this;
    }

    /**
     * One sentence when the guest saw other CPUs or RAM than it was given; null when it saw them
     * all, or never said. Its e820 RAM is all of the memory but the legacy hole below 1 MiB.
     */
    String mismatch() {
        long[] facts = guestFacts();
        if (facts == null) {
            return null;
        }
        List<String> differences = new ArrayList<>();
        if (facts[0] != configuredCpus) {
            differences.add(facts[0] + " CPU" + (facts[0] == 1 ? "" : "s") + " of the " + configuredCpus + " configured");
        }
        if (facts[2] > configuredMemoryBytes || facts[2] < configuredMemoryBytes - (1 << 20)) {
            differences.add((facts[2] >> 20) + " MiB of RAM of the " + (configuredMemoryBytes >> 20) + " MiB configured");
        }
        return differences.isEmpty() ? null : "the guest saw " + String.join(" and ", differences)
                + ": its kernel did not take the machine as described; look at its console for why"
                + " (a kernel booted with acpi=off and built without CONFIG_X86_MPPARSE finds one CPU).";
    }

    String toJson(int run) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        j.add("\"vmm\": \"" + vmm + "\"").add("\"run\": " + run);
        for (Phase p : Phase.values()) {
            Double v = phases.get(p);
            j.add("\"" + p.key() + "\": " + (v == null ? "null" : String.format(Locale.ROOT, "%.3f", v)));
        }
        j.add("\"exit\": \"" + escape(exit) + "\"").add("\"clean\": " + clean).add("\"prefault\": \"" + escape(preFault) + "\"");
        long[] facts = guestFacts();
        j.add("\"guest_cpus\": " + (facts == null ? "null" : facts[0]));
        j.add("\"guest_mem_total_kib\": " + (facts == null ? "null" : facts[1]));
        j.add("\"guest_ram_bytes\": " + (facts == null ? "null" : facts[2]));
        j.add("\"configured_cpus\": " + configuredCpus).add("\"configured_memory_bytes\": " + configuredMemoryBytes);
        j.add("\"unhandled_accesses\": " + unhandledAccesses);
        j.add("\"console_bytes_dropped\": " + consoleBytesDropped);
        return j.toString();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** For a parent launcher: the measurement as Java properties (one process boots, another reports). */
    String toProperties() {
        Properties p = new Properties();
        phases.forEach((phase, v) -> p.setProperty(phase.key(), Double.toString(v)));
        p.setProperty("vmm", vmm);
        p.setProperty("exit", exit);
        p.setProperty("clean", Boolean.toString(clean));
        p.setProperty("prefault", preFault);
        p.setProperty("marker", markerLine);
        p.setProperty("unhandled", Long.toString(unhandledAccesses));
        p.setProperty("unhandled_top", unhandledTop);
        p.setProperty("console_dropped", Long.toString(consoleBytesDropped));
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    static BootMeasurement fromProperties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        BootMeasurement m = new BootMeasurement(p.getProperty("vmm", "java"));
        for (Phase phase : Phase.values()) {
            String v = p.getProperty(phase.key());
            if (v != null) {
                m.phases.put(phase, Double.parseDouble(v));
            }
        }
        m.exit = p.getProperty("exit", "no result");
        m.clean = Boolean.parseBoolean(p.getProperty("clean"));
        m.preFault = p.getProperty("prefault", "");
        m.markerLine = p.getProperty("marker", "");
        m.unhandledAccesses = Long.parseLong(p.getProperty("unhandled", "0"));
        m.unhandledTop = p.getProperty("unhandled_top", "");
        m.consoleBytesDropped = Long.parseLong(p.getProperty("console_dropped", "0"));
        return m;
    }
}
