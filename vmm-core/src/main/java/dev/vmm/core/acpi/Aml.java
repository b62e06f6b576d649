// SPDX-License-Identifier: Apache-2.0
package dev.vmm.core.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * One encoded AML term, the byte code of a DSDT (ACPI 6.3, chapter 20 "ACPI Machine Language
 * Specification"). Each factory checks its inputs and encodes at once, so a term is an immutable
 * value whose bytes are final; terms nest as the ASL they mirror does:
 *
 * {@snippet class=dev.vmm.core.ApiSnippets region=aml}
 *
 * <p>Data objects ({@link Data}: integers, strings, packages, buffers) are what {@link #name Name}
 * binds and {@link #returnValue Return} returns; namespace terms (Scope, Device, Method) hold
 * any terms. Integers are 64 bits wide, as in a table of revision 2 or later; {@link Dsdt} is one.
 * Invalid input is an {@link IllegalArgumentException} whose message says what is wrong.
 */
public sealed class Aml permits Aml.Data {
    private static final int ZERO_OP = 0x00;
    private static final int ONE_OP = 0x01;
    private static final int ONES_OP = 0xff;
    private static final int BYTE_PREFIX = 0x0a;
    private static final int WORD_PREFIX = 0x0b;
    private static final int DWORD_PREFIX = 0x0c;
    private static final int STRING_PREFIX = 0x0d;
    private static final int QWORD_PREFIX = 0x0e;
    private static final int NAME_OP = 0x08;
    private static final int SCOPE_OP = 0x10;
    private static final int BUFFER_OP = 0x11;
    private static final int PACKAGE_OP = 0x12;
    private static final int METHOD_OP = 0x14;
    private static final int RETURN_OP = 0xa4;
    private static final int EXT_OP_PREFIX = 0x5b;
    private static final int DEVICE_OP = 0x82;
    private static final int END_TAG = 0x79;
    /** A Package counts its elements in one byte (VarPackage would take more). */
    private static final int MAX_PACKAGE_ELEMENTS = 255;
    private static final int MAX_METHOD_ARGS = 7;

    private final byte[] encoding;

    private Aml(byte[] encoding) {
        this.encoding = encoding;
    }

    /** A data object: what a Name holds, a Package element, a value a Method returns. */
    public static final class Data extends Aml {
        private Data(byte[] encoding) {
            super(encoding);
        }
    }

    // ---- data objects

    /**
     * An integer constant, in the shortest encoding: Zero, One and Ones (all 64 bits set) by their
     * one-byte opcodes, otherwise a byte, word, double word or quad word prefix, as the ASL
     * compiler chooses them. {@code value} is read as unsigned 64 bits ({@code -1} is Ones).
     *
     * @param value the integer, as unsigned 64 bits
     * @return the integer term
     */
    public static Data integer(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (value == 0) {
            out.write(ZERO_OP);
        } else if (value == 1) {
            out.write(ONE_OP);
        } else if (value == -1) {
            out.write(ONES_OP);
        } else if (Long.compareUnsigned(value, 0xff) <= 0) {
            out.write(BYTE_PREFIX);
            Resource.writeLittleEndian(out, value, 1);
        } else if (Long.compareUnsigned(value, 0xffff) <= 0) {
            out.write(WORD_PREFIX);
            Resource.writeLittleEndian(out, value, 2);
        } else if (Long.compareUnsigned(value, 0xffff_ffffL) <= 0) {
            out.write(DWORD_PREFIX);
            Resource.writeLittleEndian(out, value, 4);
        } else {
            out.write(QWORD_PREFIX);
            Resource.writeLittleEndian(out, value, 8);
        }
        return new Data(out.toByteArray());
    }

    /**
     * A string constant: ASCII characters 1 to 127, NUL-terminated in the encoding.
     *
     * @param text the string, ASCII without NUL
     * @return the string term
     * @throws IllegalArgumentException when {@code text} holds a NUL or a character beyond ASCII
     */
    public static Data string(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || c > 0x7f) {
                throw new IllegalArgumentException("An AML string holds only ASCII characters 1 to 127, and '" + text
                        + "' has 0x" + Integer.toHexString(c) + " at index " + i + ".");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(STRING_PREFIX);
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        return new Data(out.toByteArray());
    }

    /**
     * {@code Package () {elements}}: a fixed list of data objects, such as the {@code _S5_}
     * sleep-type values.
     *
     * @param elements the elements, at most 255
     * @return the package term
     * @throws IllegalArgumentException when there are more than 255 elements
     */
    public static Data packageOf(Data... elements) {
        if (elements.length > MAX_PACKAGE_ELEMENTS) {
            throw new IllegalArgumentException("An AML Package holds at most " + MAX_PACKAGE_ELEMENTS + " elements, not " + elements.length + ".");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(elements.length);
        for (Data element : elements) {
            element.writeTo(body);
        }
        return new Data(withOpcodeAndLength(PACKAGE_OP, body));
    }

    /**
     * {@code Buffer () {bytes}}: the buffer's size as an integer, then its bytes.
     *
     * @param bytes the buffer's contents
     * @return the buffer term
     */
    public static Data buffer(byte[] bytes) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        integer(bytes.length).writeTo(body);
        body.writeBytes(bytes);
        return new Data(withOpcodeAndLength(BUFFER_OP, body));
    }

    /**
     * {@code EisaId ("PNP0501")}: a PNP ID compressed to the 32-bit integer {@code _HID} takes
     * (see {@link EisaId}), encoded as the shortest integer, as the ASL compiler does.
     *
     * @param id a PNP ID such as {@code "PNP0501"}
     * @return the compressed ID, as an integer term
     * @throws IllegalArgumentException unless {@code id} is three capital letters and four hex digits
     */
    public static Data eisaId(String id) {
        return integer(EisaId.compress(id));
    }

    /**
     * {@code ResourceTemplate () {descriptors}}: a buffer of resource descriptors closed by an end
     * tag. The end tag's checksum byte is zero, which the specification defines as "treat the
     * checksum as valid" (6.4.2.9); the ASL compiler writes the same.
     *
     * @param descriptors the resources, in order
     * @return the buffer term, for a {@code _CRS}
     */
    public static Data resourceTemplate(Resource... descriptors) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Resource descriptor : descriptors) {
            descriptor.writeTo(bytes);
        }
        bytes.write(END_TAG);
        bytes.write(0);
        return buffer(bytes.toByteArray());
    }

    // ---- namespace and statements

    /**
     * {@code Name (name, value)}: binds a data object to a name in the enclosing scope.
     *
     * @param name the name, such as {@code _HID}
     * @param value what it holds
     * @return the Name term
     * @throws IllegalArgumentException when {@code name} breaks the {@linkplain AmlName name rules}
     */
    public static Aml name(String name, Data value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(NAME_OP);
        AmlName.of(name).writeTo(out);
        value.writeTo(out);
        return new Aml(out.toByteArray());
    }

    /**
     * {@code Scope (path) {terms}}: opens an existing scope, such as {@code \_SB}, to add terms.
     *
     * @param path the scope's name path, such as {@code \_SB}
     * @param terms what to add to it
     * @return the Scope term
     * @throws IllegalArgumentException when {@code path} breaks the {@linkplain AmlName name
     *     rules} or the terms are too long for one package
     */
    public static Aml scope(String path, Aml... terms) {
        return new Aml(withOpcodeAndLength(SCOPE_OP, nameAndTerms(path, terms)));
    }

    /**
     * {@code Device (name) {terms}}: a device object, described by the names it holds
     * ({@code _HID}, {@code _UID}, {@code _CRS}, ...).
     *
     * @param name the device's name (path), such as {@code COM1}
     * @param terms what it holds
     * @return the Device term
     * @throws IllegalArgumentException when {@code name} breaks the {@linkplain AmlName name
     *     rules} or the terms are too long for one package
     */
    public static Aml device(String name, Aml... terms) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(EXT_OP_PREFIX);
        out.writeBytes(withOpcodeAndLength(DEVICE_OP, nameAndTerms(name, terms)));
        return new Aml(out.toByteArray());
    }

    /**
     * {@code Method (name, argCount, Serialized or NotSerialized) {body}}: a control method of 0
     * to 7 arguments at synchronization level 0. A serialized method runs on one thread at a time
     * (its named objects exist once).
     *
     * @param name the method's name, such as {@code _STA}
     * @param argCount its number of arguments, 0 to 7
     * @param serialized whether it is Serialized
     * @param body its terms
     * @return the Method term
     * @throws IllegalArgumentException when {@code name} breaks the {@linkplain AmlName name
     *     rules}, {@code argCount} is outside 0 to 7, or the body is too long for one package
     */
    public static Aml method(String name, int argCount, boolean serialized, Aml... body) {
        if (argCount < 0 || argCount > MAX_METHOD_ARGS) {
            throw new IllegalArgumentException("An AML Method takes 0 to " + MAX_METHOD_ARGS + " arguments, not " + argCount + ".");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AmlName.of(name).writeTo(out);
        out.write(argCount | (serialized ? 1 << 3 : 0));
        for (Aml term : body) {
            term.writeTo(out);
        }
        return new Aml(withOpcodeAndLength(METHOD_OP, out));
    }

    /**
     * {@code Return (value)}: ends the enclosing method with {@code value}.
     *
     * @param value what the method returns
     * @return the Return term
     */
    public static Aml returnValue(Data value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(RETURN_OP);
        value.writeTo(out);
        return new Aml(out.toByteArray());
    }

    private static ByteArrayOutputStream nameAndTerms(String name, Aml... terms) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AmlName.of(name).writeTo(out);
        for (Aml term : terms) {
            term.writeTo(out);
        }
        return out;
    }

    private static byte[] withOpcodeAndLength(int opcode, ByteArrayOutputStream body) {
        byte[] bytes = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 5);
        out.write(opcode);
        PkgLength.writePackage(out, bytes);
        return out.toByteArray();
    }

    // ---- the encoding

    /** {@return a copy of this term's AML bytes} */
    public final byte[] encode() {
        return encoding.clone();
    }

    /** {@return how many bytes this term's encoding takes} */
    public final int length() {
        return encoding.length;
    }

    /** Appends the encoding to {@code out} without a copy. */
    final void writeTo(ByteArrayOutputStream out) {
        out.writeBytes(encoding);
    }

    /** The encoding in hex, for messages and test failures. */
    @Override
    public String toString() {
        return HexFormat.ofDelimiter(" ").formatHex(encoding);
    }
}
