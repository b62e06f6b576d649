// SPDX-License-Identifier: Apache-2.0
package dev.vmm.examples.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for the launcher's machine description, small enough to read in
 * one sitting: objects become {@code LinkedHashMap<String, Object>} (in file order), arrays
 * {@code List<Object>}, strings {@code String}, whole numbers that fit {@code Long}, other numbers
 * {@code Double}, and {@code true}, {@code false}, {@code null} themselves ({@code null} as
 * {@link #NULL}). Input that is not JSON, a key given twice, or nesting deeper than
 * {@value #MAX_DEPTH} levels is a {@link Malformed} saying what and where; nothing else is thrown.
 */
final class JsonReader {
    /** JSON's null, which a map cannot hold as a value. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    static final int MAX_DEPTH = 32;

    /** Why the text is not JSON, and where (1-based line and column). */
    static final class Malformed extends Exception {
        Malformed(String what, int line, int column) {
            super(what + " at line " + line + ", column " + column);
        }
    }

    private final String text;
    private int at;

    private JsonReader(String text) {
        this.text = text;
    }

    /** The one value {@code text} holds, with nothing but white space around it. */
    static Object parse(String text) throws Malformed {
        JsonReader reader = new JsonReader(text);
        reader.skipSpace();
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.at < text.length()) {
            throw reader.error("text after the end of the JSON value");
        }
        return value;
    }

    private Object value(int depth) throws Malformed {
        if (at >= text.length()) {
            throw error("the text ends where a value should be");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected " + shown(c));
            }
        };
    }

    private Map<String, Object> object(int depth) throws Malformed {
        checkDepth(depth);
        at++; // {
        Map<String, Object> members = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            at++;
            return members;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a member name in double quotes");
            }
            int keyAt = at;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object value = value(depth);
            if (members.putIfAbsent(key, value) != null) {
                at = keyAt;
                throw error("the member " + BootOptions.shown(key) + " appears twice");
            }
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array(int depth) throws Malformed {
        checkDepth(depth);
        at++; // [
        List<Object> elements = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            at++;
            return elements;
        }
        while (true) {
            skipSpace();
            elements.add(value(depth));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return elements;
            }
        }
    }

    private String string() throws Malformed {
        at++; // "
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("a string that never ends");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                at--;
                throw error("a control character inside a string (write it as \\u" + String.format(java.util.Locale.ROOT, "%04x", (int) c) + ")");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                throw error("a string that never ends");
            }
            char e = text.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("a \\u escape without four hex digits");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(at + i), 16);
                        if (digit < 0) {
                            throw error("a \\u escape without four hex digits");
                        }
                        code = code * 16 + digit;
                    }
                    at += 4;
                    out.append((char) code);
                }
                default -> {
                    at -= 2;
                    throw error("an unknown escape \\" + (Character.isISOControl(e) ? "?" : String.valueOf(e)) + " in a string");
                }
            }
        }
    }

    private Object number() throws Malformed {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            throw error("a number without digits");
        }
        boolean whole = true;
        if (peek() == '.') {
            at++;
            whole = false;
            if (!digits()) {
                throw error("a number with no digits after its decimal point");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            whole = false;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!digits()) {
                throw error("a number with no digits in its exponent");
            }
        }
        String literal = text.substring(start, at);
        if (whole) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooBig) {
                // beyond a long: a Double, which the caller refuses where it wants a whole number
            }
        }
        return Double.parseDouble(literal);
    }

    private boolean digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at > start;
    }

    private Object literal(String word, Object value) throws Malformed {
        if (!text.startsWith(word, at)) {
            throw error("unexpected " + shown(text.charAt(at)) + " (expected " + word + ")");
        }
        at += word.length();
        return value;
    }

    private void checkDepth(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw error("objects and arrays nested more than " + MAX_DEPTH + " deep");
        }
    }

    private void expect(char c) throws Malformed {
        if (peek() != c) {
            throw error(at >= text.length() ? "the text ends where '" + c + "' should be" : "expected '" + c + "', not " + shown(text.charAt(at)));
        }
        at++;
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void skipSpace() {
        while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t' || text.charAt(at) == '\n' || text.charAt(at) == '\r')) {
            at++;
        }
    }

    private static String shown(char c) {
        return Character.isISOControl(c) || Character.isSurrogate(c) ? String.format(java.util.Locale.ROOT, "character U+%04X", (int) c) : "'" + c + "'";
    }

    private Malformed error(String what) {
        int line = 1, column = 1;
        for (int i = 0; i < Math.min(at, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new Malformed(what, line, column);
    }
}
