// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import dev.vmm.core.Kvm;
import dev.vmm.ffm.Ioctl;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The class path of a {@link FirstRun} child, as a library user's program has it: its own code,
 * vmm-core and vmm-ffm, each a jar. A JDK 25 AOT cache accepts jars only, so a class folder (a
 * build's target/classes) is packed into a jar under the output folder first.
 */
final class ChildClassPath {
    private ChildClassPath() {}

    static String in(Path dir) throws IOException {
        Path jars = Files.createDirectories(dir.resolve("startup-classpath"));
        try (Stream<Path> stale = Files.list(jars)) {
            for (Path jar : stale.toList()) {
                Files.delete(jar); // an earlier run's, which this run's class path may not replace
            }
        }
        Set<Path> sources = new LinkedHashSet<>(); // one jar may hold them all
        for (Class<?> c : List.of(FirstRun.class, Kvm.class, Ioctl.class)) {
            sources.add(codeSource(c));
        }
        List<String> entries = new ArrayList<>();
        for (Path source : sources) {
            entries.add((Files.isDirectory(source) ? pack(source, jars.resolve(entries.size() + ".jar")) : source).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path codeSource(Class<?> c) throws IOException {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        try {
            if (source != null && source.getLocation() != null) {
                return Path.of(source.getLocation().toURI());
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new IOException("Cannot tell where " + c.getName() + " was loaded from, to put it on the start-up children's class path.");
    }

    /** Every file under {@code folder}, in {@code jar}. */
    private static Path pack(Path folder, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(folder.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
