// SPDX-License-Identifier: Apache-2.0
package dev.vmm.ffm;

import dev.vmm.ffm.kvm.KvmConstants;
import dev.vmm.ffm.kvm.KvmIoctls;
import dev.vmm.ffm.kvm.kvm_run;
import dev.vmm.ffm.tun.TunConstants;
import dev.vmm.ffm.tun.TunIoctls;
import dev.vmm.ffm.tun.ifreq;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the hand-written bindings against the kernel's own headers: generates a C program from
 * the Java side (every struct layout in dev.vmm.ffm.kvm and dev.vmm.ffm.tun, every constant of
 * {@link KvmIoctls}, {@link KvmConstants}, {@link TunIoctls} and {@link TunConstants}), compiles it
 * with gcc against the 6.12 uapi headers and compares what it prints with the Java values. The KVM
 * headers come from scripts/uapi-headers.sh, passed in the system property {@code vmm.uapi.include};
 * tun/tap's (linux/if.h, linux/if_tun.h, stable for years) from the system's linux-libc-dev.
 */
class UapiLayoutTest {
    private static final String INCLUDE_PROPERTY = "vmm.uapi.include";
    /** The packages whose classes named in lower case ({@code kvm_run}, {@code ifreq}) are C structs. */
    private static final List<String> STRUCT_PACKAGES = List.of(kvm_run.class.getPackageName(), ifreq.class.getPackageName());
    private static final long GCC_TIMEOUT_SECONDS = 120;
    private static final long RUN_TIMEOUT_SECONDS = 30;

    @Test
    void structLayoutsIoctlNumbersAndConstantsMatchTheKernelHeaders(@TempDir Path work) throws Exception {
        Path include = includeFolder();

        // C expression -> the value Java has for it, in the order the C program prints them.
        Map<String, Long> expected = new LinkedHashMap<>();
        List<String> mismatches = new ArrayList<>();
        List<Class<?>> structs = structClasses();
        assertTrue(structs.contains(kvm_run.class) && structs.contains(ifreq.class), "found the struct classes " + structs + " in " + STRUCT_PACKAGES);
        for (Class<?> struct : structs) {
            GroupLayout layout = (GroupLayout) struct.getMethod("layout").invoke(null);
            String name = struct.getSimpleName();
            if (!layout.name().equals(Optional.of(name))) {
                mismatches.add(name + ".layout() is named " + layout.name().orElse("(unnamed)") + ", not " + name);
            }
            expected.put("sizeof(struct " + name + ")", layout.byteSize());
            expected.put("_Alignof(struct " + name + ")", layout.byteAlignment());
            addMembers(name, layout, "", 0, expected);
        }
        addConstants(KvmIoctls.class, expected);
        addConstants(KvmConstants.class, expected);
        addConstants(TunIoctls.class, expected);
        addConstants(TunConstants.class, expected);

        Map<String, Long> actual = compileAndRun(cProgram(expected), include, work);
        expected.forEach((expression, javaValue) -> {
            Long cValue = actual.get(expression);
            if (cValue == null) {
                mismatches.add(expression + ": missing from the C program's output");
            } else if (cValue.longValue() != javaValue.longValue()) {
                mismatches.add(expression + ": C says " + show(cValue) + ", Java says " + show(javaValue));
            }
        });
        assertTrue(mismatches.isEmpty(), () -> mismatches.size() + " of " + expected.size()
                + " values differ from the kernel headers in " + include + ":\n  " + String.join("\n  ", mismatches));
    }

    private static Path includeFolder() {
        String value = System.getProperty(INCLUDE_PROPERTY);
        String how = "run ./vmm test, or pass -D" + INCLUDE_PROPERTY + "=$(bash scripts/uapi-headers.sh) to Maven";
        if (value == null || value.isBlank()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("The system property " + INCLUDE_PROPERTY + " is not set, and on CI the check against the kernel headers must run: " + how + ".");
            }
            Assumptions.abort("Not checked against the kernel headers (system property " + INCLUDE_PROPERTY + " is not set): " + how + ".");
        }
        Path include = Path.of(value);
        if (!Files.isRegularFile(include.resolve("linux/kvm.h")) || !Files.isRegularFile(include.resolve("asm/kvm.h"))) {
            fail(INCLUDE_PROPERTY + "=" + value + " has no linux/kvm.h and asm/kvm.h: " + how + ".");
        }
        return include;
    }

    /**
     * The classes named after C structs (in lower case, as {@code kvm_run} and {@code ifreq}; the
     * constants' classes are in CamelCase) in the bindings' packages, from their class folders.
     */
    private static List<Class<?>> structClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(kvm_run.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> structs = new ArrayList<>();
        for (String structPackage : STRUCT_PACKAGES) {
            Path folder = root.resolve(structPackage.replace('.', '/'));
            assertTrue(Files.isDirectory(folder), "expected the bindings as class files in a folder, found " + root);
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.sorted().toList()) {
                    String fileName = file.getFileName().toString();
                    if (Character.isLowerCase(fileName.charAt(0)) && fileName.endsWith(".class") && !fileName.contains("$")
                            && !fileName.equals("package-info.class")) {
                        structs.add(Class.forName(structPackage + "." + fileName.substring(0, fileName.length() - ".class".length())));
                    }
                }
            }
        }
        return structs;
    }

    /**
     * Adds the offset and size of every named member of {@code group}, at C field path
     * {@code prefix + name}. Unnamed groups are C's anonymous structs and unions: their members
     * belong to the enclosing path. Unnamed non-groups are alignment padding, which C does not name.
     */
    private static void addMembers(String struct, GroupLayout group, String prefix, long base, Map<String, Long> expected) {
        List<MemoryLayout> members = group.memberLayouts();
        for (int i = 0; i < members.size(); i++) {
            MemoryLayout member = members.get(i);
            long offset = base + group.byteOffset(groupElement(i));
            if (member.name().isEmpty()) {
                if (member instanceof GroupLayout anonymous) {
                    addMembers(struct, anonymous, prefix, offset, expected);
                }
                continue;
            }
            String path = prefix + member.name().get();
            String field = "((struct " + struct + " *)0)->" + path;
            expected.put("offsetof(struct " + struct + ", " + path + ")", offset);
            if (member instanceof SequenceLayout array && array.elementCount() == 0) {
                // A flexible array member has no size in C: compare the size of its elements.
                expected.put("sizeof(" + field + "[0])", array.elementLayout().byteSize());
            } else {
                expected.put("sizeof(" + field + ")", member.byteSize());
            }
            if (member instanceof GroupLayout nested) {
                addMembers(struct, nested, path + ".", offset, expected);
            }
        }
    }

    /** Adds every public static final int or long of {@code holder}, which must be named as its macro. */
    private static void addConstants(Class<?> holder, Map<String, Long> expected) throws IllegalAccessException {
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers)
                    && (field.getType() == int.class || field.getType() == long.class)) {
                expected.put(field.getName(), ((Number) field.get(null)).longValue());
            }
        }
    }

    private static String cProgram(Map<String, Long> expected) {
        StringBuilder c = new StringBuilder("""
                #include <stddef.h>
                #include <stdio.h>
                #include <linux/kvm.h>
                #include <linux/if.h>
                #include <linux/if_tun.h>

                int main(void) {
                """);
        for (String expression : expected.keySet()) {
            c.append("    printf(\"%s\\t%lld\\n\", \"").append(expression).append("\", (long long) (").append(expression).append("));\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    /** Compiles and runs the program; returns what it printed, expression to value. */
    private static Map<String, Long> compileAndRun(String program, Path include, Path work) throws IOException, InterruptedException {
        Path source = work.resolve("uapi_layout.c");
        Path executable = work.resolve("uapi_layout");
        Files.writeString(source, program);
        List<String> gcc = List.of("gcc", "-std=gnu11", "-fmax-errors=20", "-D__user=", "-I" + include, "-o", executable.toString(), source.toString());
        Result compiled;
        try {
            compiled = run(gcc, work, GCC_TIMEOUT_SECONDS);
        } catch (IOException e) {
            throw new AssertionError("Could not start gcc (" + e.getMessage() + "): install it, e.g. by running scripts/uapi-headers.sh as root.", e);
        }
        if (compiled.exitCode != 0) {
            fail("gcc rejected the program generated from the Java bindings: a struct, field or macro that the Java side names "
                    + "and the headers in " + include + " lack shows up as an error here.\n" + compiled.output);
        }
        Result ran = run(List.of(executable.toString()), work, RUN_TIMEOUT_SECONDS);
        if (ran.exitCode != 0) {
            fail("The generated C program exited with " + ran.exitCode + ":\n" + ran.output);
        }
        Map<String, Long> values = new HashMap<>();
        for (String line : ran.output.split("\n")) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0) {
                values.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
            }
        }
        return values;
    }

    private record Result(int exitCode, String output) {}

    /** Runs {@code command} in {@code directory}, its stdout and stderr going to a file there. */
    private static Result run(List<String> command, Path directory, long timeoutSeconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile(directory, "output", ".txt");
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                fail(command.getFirst() + " did not finish within " + timeoutSeconds + " s");
            }
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    private static String show(long value) {
        return value + " (0x" + Long.toHexString(value) + ")";
    }
}
