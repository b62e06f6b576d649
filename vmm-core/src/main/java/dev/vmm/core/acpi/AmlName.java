// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ACPI name path, checked against the AML grammar (ACPI 6.3, 20.2.2 "Name Objects Encoding"):
 * an optional root prefix {@code \} or parent prefixes {@code ^}, then name segments separated by
 * dots, such as {@code _S5_}, {@code \_SB.COM1} or {@code ^^PCI0.LPC}. A segment is 1 to 4 of
 * A-Z, 0-9 and _, not starting with a digit; a short one is padded with underscores, as the ASL
 * compiler does ({@code RTC} is {@code RTC_}).
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=aml-name}
 */
public final class AmlName {
    private static final int ROOT_PREFIX = 0x5c;
    private static final int PARENT_PREFIX = 0x5e;
    private static final int DUAL_NAME_PREFIX = 0x2e;
    private static final int MULTI_NAME_PREFIX = 0x2f;
    private static final int NULL_NAME = 0x00;
    private static final int SEGMENT_LENGTH = 4;
    /** The multi-name prefix counts segments in one byte. */
    private static final int MAX_SEGMENTS = 255;

    private final String text;
    private final byte[] encoding;

    private AmlName(String text, byte[] encoding) {
        this.text = text;
        this.encoding = encoding;
    }

    /**
     * Checks and encodes {@code path}.
     *
     * @param path the name path, such as {@code \_SB.COM1}
     * @return the checked name
     * @throws IllegalArgumentException when the path breaks the name rules: an empty path or
     *     segment, a segment longer than 4 characters or with a character outside A-Z, 0-9 and _,
     *     a segment that starts with a digit, a prefix in the middle, or more than 255 segments
     */
    public static AmlName of(String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("An ACPI name is empty: give a name such as _HID or \\_SB.COM1.");
        }
        StringBuilder prefix = new StringBuilder();
        int at = 0;
        if (path.charAt(0) == '\\') {
            prefix.append('\\');
            at = 1;
        } else {
            while (at < path.length() && path.charAt(at) == '^') {
                prefix.append('^');
                at++;
            }
        }
        String rest = path.substring(at);
        List<String> segments = new ArrayList<>();
        if (!rest.isEmpty()) {
            for (String segment : rest.split("\\.", -1)) {
                segments.add(checkedSegment(segment, path));
            }
        } else if (prefix.isEmpty()) {
            throw new IllegalArgumentException("ACPI name '" + path + "' has no segment: give a name such as _HID.");
        }
        if (segments.size() > MAX_SEGMENTS) {
            throw new IllegalArgumentException("ACPI name path '" + path + "' has " + segments.size()
                    + " segments, more than the " + MAX_SEGMENTS + " AML can encode.");
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < prefix.length(); i++) {
            out.write(prefix.charAt(i) == '\\' ? ROOT_PREFIX : PARENT_PREFIX);
        }
        switch (segments.size()) {
            case 0 -> out.write(NULL_NAME);
            case 1 -> { }
            case 2 -> out.write(DUAL_NAME_PREFIX);
            default -> {
                out.write(MULTI_NAME_PREFIX);
                out.write(segments.size());
            }
        }
        for (String segment : segments) {
            out.writeBytes(segment.getBytes(StandardCharsets.US_ASCII));
        }
        return new AmlName(prefix + String.join(".", segments), out.toByteArray());
    }

    private static String checkedSegment(String segment, String path) {
        boolean valid = !segment.isEmpty() && segment.length() <= SEGMENT_LENGTH && !isDigit(segment.charAt(0));
        for (int i = 0; valid && i < segment.length(); i++) {
            char c = segment.charAt(i);
            valid = (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
        }
        if (!valid) {
            throw new IllegalArgumentException("ACPI name segment '" + segment + "' in '" + path
                    + "' must be 1 to 4 characters of A-Z, 0-9 or _, not starting with a digit (and ^ or \\ only at the start).");
        }
        return (segment + "___").substring(0, SEGMENT_LENGTH);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@return the AML encoding: prefixes, then a null name, one segment, or a dual- or multi-name path} */
    public byte[] encode() {
        return encoding.clone();
    }

    /** Appends the encoding to {@code out} without a copy. */
    void writeTo(ByteArrayOutputStream out) {
        out.writeBytes(encoding);
    }

    /** The path as ASL writes it, with padded segments: {@code \_SB_.RTC_}. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AmlName name && name.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
