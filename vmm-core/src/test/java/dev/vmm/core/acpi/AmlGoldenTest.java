// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Golden cases for the AML builder: each term must be byte for byte what Intel's iasl compiles
 * from the equivalent ASL, compiled at test time, so the oracle shares nothing with our encoder.
 * The cases cover every kind of term, every integer width, name paths of every shape, each
 * resource descriptor, and PkgLength at each boundary between 1, 2, 3 and 4 bytes.
 */
@RequiresIasl
class AmlGoldenTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesWhatIaslCompiles(String asl, byte[] ours) {
        assertEquals(HEX.formatHex(Iasl.compileBody(asl)), HEX.formatHex(ours), asl.length() > 300 ? asl.substring(0, 300) + "..." : asl);
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        // Integers: the one-byte constants, then each prefix at both ends of its range.
        long[] integers = {0, 1, 2, 0xff, 0x100, 0xffff, 0x1_0000, 0xffff_ffffL, 0x1_0000_0000L, 0x1234_5678_9abc_def0L, -2, -1};
        for (long value : integers) {
            String literal = "0x" + Long.toHexString(value).toUpperCase(Locale.ROOT);
            cases.add(golden("Name (INT0, " + literal + ")", Aml.name("INT0", Aml.integer(value))));
        }
        cases.add(golden("Name (STR0, \"\")", Aml.name("STR0", Aml.string(""))));
        cases.add(golden("Name (STR0, \"Hello, ACPI ~!\")", Aml.name("STR0", Aml.string("Hello, ACPI ~!"))));
        cases.add(golden("Name (PKG0, Package () {})", Aml.name("PKG0", Aml.packageOf())));
        cases.add(golden("Name (_S5, Package () {5, 0, 0, 0})", Aml.name("_S5", Aml.packageOf(Aml.integer(5), Aml.integer(0), Aml.integer(0), Aml.integer(0)))));
        cases.add(golden("Name (PKG0, Package () {1, \"a\", Package () {0xFF, 0x1234}, Buffer () {0x07}})",
                Aml.name("PKG0", Aml.packageOf(Aml.integer(1), Aml.string("a"), Aml.packageOf(Aml.integer(0xff), Aml.integer(0x1234)),
                        Aml.buffer(new byte[] {7})))));
        cases.add(golden("Name (PKG0, Package () {" + IntStream.range(0, 255).mapToObj(i -> "0x" + Integer.toHexString(i)).collect(Collectors.joining(", ")) + "})",
                Aml.name("PKG0", Aml.packageOf(IntStream.range(0, 255).mapToObj(Aml::integer).toArray(Aml.Data[]::new)))));
        cases.add(golden("Name (BUF0, Buffer () {})", Aml.name("BUF0", Aml.buffer(new byte[0]))));
        cases.add(golden("Name (BUF0, Buffer () {0x01, 0x02, 0xFF})", Aml.name("BUF0", Aml.buffer(new byte[] {1, 2, (byte) 0xff}))));
        for (String id : List.of("PNP0501", "PNP0B00", "PNP0303", "PNP0A03", "ABC0000", "ZZZFFFF")) {
            cases.add(golden("Name (_HID, EisaId (\"" + id + "\"))", Aml.name("_HID", Aml.eisaId(id))));
        }

        // Names: padded short segments, root and parent prefixes, dual and multi-segment paths, the root itself.
        cases.add(golden("Name (A, 1)", Aml.name("A", Aml.integer(1))));
        cases.add(golden("Name (\\_SB.FOO, 1)", Aml.name("\\_SB.FOO", Aml.integer(1))));
        cases.add(golden("Scope (\\_SB) { Device (PCI0) { Device (LPC) {} } }\n Name (\\_SB.PCI0.LPC.X1, 2)",
                Aml.scope("\\_SB", Aml.device("PCI0", Aml.device("LPC"))), Aml.name("\\_SB.PCI0.LPC.X1", Aml.integer(2))));
        cases.add(golden("Scope (\\_SB) { Device (DEV0) { Name (^^TOP, 3) } }", Aml.scope("\\_SB", Aml.device("DEV0", Aml.name("^^TOP", Aml.integer(3))))));
        cases.add(golden("Scope (\\) { Name (R0, 4) }", Aml.scope("\\", Aml.name("R0", Aml.integer(4)))));
        cases.add(golden("Scope (_SB) { Name (X, One) }", Aml.scope("_SB", Aml.name("X", Aml.integer(1)))));

        // Devices and methods.
        cases.add(golden("Device (COM1) { Name (_HID, EisaId (\"PNP0501\")) Name (_UID, Zero) }",
                Aml.device("COM1", Aml.name("_HID", Aml.eisaId("PNP0501")), Aml.name("_UID", Aml.integer(0)))));
        cases.add(golden("Method (_STA, 0, NotSerialized) { Return (0x0F) }", Aml.method("_STA", 0, false, Aml.returnValue(Aml.integer(0xf)))));
        cases.add(golden("Method (FOO, 3, Serialized) { Return (\"x\") }", Aml.method("FOO", 3, true, Aml.returnValue(Aml.string("x")))));
        cases.add(golden("Method (BAR, 7, NotSerialized) {}", Aml.method("BAR", 7, false)));
        cases.add(golden("Method (PKG, 0, Serialized) { Name (N, 1) Return (Package () {One, Ones}) }",
                Aml.method("PKG", 0, true, Aml.name("N", Aml.integer(1)), Aml.returnValue(Aml.packageOf(Aml.integer(1), Aml.integer(-1))))));

        // Resource templates: each descriptor and its flags.
        cases.add(golden("Name (_CRS, ResourceTemplate () {})", Aml.name("_CRS", Aml.resourceTemplate())));
        cases.add(golden("Name (_CRS, ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08) IRQNoFlags () {4} })",
                Aml.name("_CRS", Aml.resourceTemplate(Resource.io(0x3f8, 0x3f8, 0, 8), Resource.irqNoFlags(4)))));
        cases.add(golden("Name (_CRS, ResourceTemplate () { IO (Decode16, 0x1000, 0x10F0, 0x10, 0x20) IRQNoFlags () {0, 1, 8, 15} })",
                Aml.name("_CRS", Aml.resourceTemplate(Resource.io(0x1000, 0x10f0, 0x10, 0x20), Resource.irqNoFlags(15, 8, 1, 0)))));
        cases.add(golden("Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) {5} })",
                Aml.name("_CRS", Aml.resourceTemplate(Resource.interrupt(Resource.Trigger.EDGE, Resource.Polarity.ACTIVE_HIGH, false, 5)))));
        cases.add(golden("Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveLow, Shared, ,, ) {16, 17, 0xFFFFFFFF} })",
                Aml.name("_CRS", Aml.resourceTemplate(Resource.interrupt(Resource.Trigger.LEVEL, Resource.Polarity.ACTIVE_LOW, true, 16, 17, 0xffff_ffffL)))));
        cases.add(golden("Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, 0xFEC00000, 0x00001000) Memory32Fixed (ReadOnly, 0xD0000000, 0x200) })",
                Aml.name("_CRS", Aml.resourceTemplate(Resource.memory32Fixed(true, 0xfec0_0000L, 0x1000), Resource.memory32Fixed(false, 0xd000_0000L, 0x200)))));

        // PkgLength: the body sizes on each side of the 1/2, 2/3 and 3/4-byte boundaries, in each kind of package.
        for (int body : new int[] {62, 63, 4093, 4094, 0xf_fffc, 0xf_fffd}) {
            cases.add(scopeOfStrings(body));
        }
        for (int body : new int[] {62, 63, 4093, 4094}) {
            String d = "b".repeat(body - 11); // Device: DEV0, then Name: NameOp, SEG0, StringPrefix, the text, NUL
            cases.add(golden("Device (DEV0) { Name (SEG0, \"" + d + "\") }", "Device with a body of " + body + " bytes",
                    Aml.device("DEV0", Aml.name("SEG0", Aml.string(d)))));
            String m = "c".repeat(body - 8); // Method: MET0, flags, ReturnOp, StringPrefix, the text, NUL
            cases.add(golden("Method (MET0, 0, NotSerialized) { Return (\"" + m + "\") }", "Method with a body of " + body + " bytes",
                    Aml.method("MET0", 0, false, Aml.returnValue(Aml.string(m)))));
            String p = "d".repeat(body - 3); // Package: count, StringPrefix, the text, NUL
            cases.add(golden("Name (PKG0, Package () {\"" + p + "\"})", "Package with a body of " + body + " bytes",
                    Aml.name("PKG0", Aml.packageOf(Aml.string(p)))));
            int n = body <= 0xff + 2 ? body - 2 : body - 3; // Buffer: its size as a byte or a word, then the bytes
            cases.add(golden("Name (BUF0, Buffer () {" + "0x5A, ".repeat(n - 1) + "0x5A})", "Buffer with a body of " + body + " bytes",
                    Aml.name("BUF0", Aml.buffer(filled(n)))));
        }
        return cases;
    }

    /**
     * {@code Scope (\_SB) {Name (S000, "aaa...") ...}} with a body of exactly {@code body} bytes: the
     * scope's name takes 5, each Name 7 plus its text, and iasl takes strings of up to 4096 characters.
     */
    private static Arguments scopeOfStrings(int body) {
        StringBuilder asl = new StringBuilder("Scope (\\_SB) {");
        List<Aml> names = new ArrayList<>();
        int left = body - 5;
        for (int i = 0; left > 0; i++) {
            int text = Math.min(left - 7, 4000);
            if (left - 7 - text > 0 && left - 7 - text < 7) {
                text -= 10; // leave enough for one more Name
            }
            String name = String.format(Locale.ROOT, "S%03X", i);
            String value = "a".repeat(text);
            asl.append(" Name (").append(name).append(", \"").append(value).append("\")");
            names.add(Aml.name(name, Aml.string(value)));
            left -= 7 + text;
        }
        Aml scope = Aml.scope("\\_SB", names.toArray(Aml[]::new));
        if (scope.length() != 1 + PkgLength.encode(body).length + body) {
            throw new IllegalStateException("The case's arithmetic is off: a scope of " + scope.length() + " bytes for a body of " + body + ".");
        }
        return golden(asl.append(" }").toString(), "Scope with a body of " + body + " bytes", scope);
    }

    private static byte[] filled(int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) 0x5a);
        return bytes;
    }

    private static Arguments golden(String asl, Aml... terms) {
        return golden(asl, asl, terms);
    }

    /** A case: the ASL (shown as {@code label}) and the terms that must encode as iasl compiles it. */
    private static Arguments golden(String asl, String label, Aml... terms) {
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        for (Aml term : terms) {
            ours.writeBytes(term.encode());
        }
        return Arguments.of(Named.of(label, asl), ours.toByteArray());
    }
}
