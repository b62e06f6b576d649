// SPDX-License-Identifier: Apache-2.0
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks a release staging repository (what ./vmm release deploys) against Maven Central's rules
 * for the project's published artifacts: the parent POM, the BOM (which must manage every library
 * at this version) and, for each library module, the POM, the jar, the sources and javadoc jars; each file with .md5 and .sha1 checksums that match; no
 * SNAPSHOT; the POM metadata Central requires (name, description, url, licenses, developers, scm),
 * a module's own or its parent's; and nothing else deployed (the examples and benchmarks are not
 * published). Signatures (.asc) are not required here. Prints one line per problem and exits 1, or
 * prints what it checked and exits 0.
 * Usage: java StagingCheck.java REPOSITORY GROUP_ID VERSION PARENT_ID BOM_ID LIBRARY_ID...
 */
public class StagingCheck {
    private static final List<String> REQUIRED = List.of("name", "description", "url", "licenses", "developers", "scm");
    private static final List<String> CHECKSUMS = List.of("md5", "sha1");

    private final List<String> problems = new ArrayList<>();
    private int files;

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: java StagingCheck.java REPOSITORY GROUP_ID VERSION PARENT_ID BOM_ID LIBRARY_ID...");
            System.exit(2);
        }
        Path repository = Path.of(args[0]);
        String group = args[1], version = args[2], parent = args[3], bom = args[4];
        List<String> libraries = List.of(args).subList(5, args.length);
        StagingCheck check = new StagingCheck();
        check.run(repository, group, version, parent, bom, libraries);
        if (!check.problems.isEmpty()) {
            check.problems.forEach(p -> System.out.println("staging: " + p));
            System.exit(1);
        }
        System.out.println("staging: " + check.files + " files of " + (libraries.size() + 2) + " artifacts checked: complete, checksums match, metadata present");
    }

    private void run(Path repository, String group, String version, String parent, String bom, List<String> libraries) throws Exception {
        if (version.endsWith("-SNAPSHOT")) {
            problems.add("version " + version + " is a snapshot: Maven Central takes releases only.");
        }
        Path groupDir = repository.resolve(group.replace('.', '/'));
        Set<String> deployed = new TreeSet<>();
        if (Files.isDirectory(groupDir)) {
            try (Stream<Path> dirs = Files.list(groupDir)) {
                dirs.filter(Files::isDirectory).forEach(d -> deployed.add(d.getFileName().toString()));
            }
        }
        Set<String> expected = new TreeSet<>(libraries);
        expected.add(parent);
        expected.add(bom);
        if (!deployed.equals(expected)) {
            problems.add("the staging repository holds " + deployed + " under " + group + ", not " + expected + ".");
        }
        Element parentPom = pom(groupDir, parent, version, List.of(".pom"));
        Element bomPom = pom(groupDir, bom, version, List.of(".pom"));
        if (bomPom != null) {
            for (String element : REQUIRED) {
                if (child(bomPom, element) == null) {
                    problems.add(bom + "'s POM has no <" + element + ">: Maven Central requires it.");
                }
            }
            checkManaged(bomPom, bom, group, version, libraries);
        }
        for (String library : libraries) {
            Element pom = pom(groupDir, library, version, List.of(".pom", ".jar", "-sources.jar", "-javadoc.jar"));
            if (pom != null && parentPom != null) {
                for (String element : REQUIRED) {
                    if (child(pom, element) == null && child(parentPom, element) == null) {
                        problems.add(library + "'s POM has no <" + element + ">, nor has its parent's: Maven Central requires it.");
                    }
                }
            }
        }
    }

    /** Checks the files of one artifact; returns its POM's root element, or null when it is missing or unreadable. */
    private Element pom(Path groupDir, String artifact, String version, List<String> suffixes) throws Exception {
        Path dir = groupDir.resolve(artifact).resolve(version);
        for (String suffix : suffixes) {
            Path file = dir.resolve(artifact + "-" + version + suffix);
            if (!Files.isRegularFile(file)) {
                problems.add(file + " is missing.");
                continue;
            }
            files++;
            byte[] content = Files.readAllBytes(file);
            for (String algorithm : CHECKSUMS) {
                Path sum = Path.of(file + "." + algorithm);
                String want = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm.equals("sha1") ? "SHA-1" : "MD5").digest(content));
                if (!Files.isRegularFile(sum)) {
                    problems.add(sum + " is missing.");
                } else if (!Files.readString(sum).trim().startsWith(want)) {
                    problems.add(sum + " does not match " + file.getFileName() + ".");
                }
            }
            if (suffix.endsWith(".jar")) {
                checkJar(file);
            }
        }
        Path pom = dir.resolve(artifact + "-" + version + ".pom");
        if (!Files.isRegularFile(pom)) {
            return null;
        }
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        Map<String, String> identity = Map.of("artifactId", artifact, "version", version);
        identity.forEach((element, value) -> {
            Element e = child(root, element);
            String found = e == null && element.equals("version") ? text(child(child(root, "parent"), "version")) : text(e);
            if (!value.equals(found)) {
                problems.add(pom.getFileName() + " says " + element + " " + found + ", not " + value + ".");
            }
        });
        return root;
    }

    /** The BOM manages exactly the libraries, each at the release's version. */
    private void checkManaged(Element bomPom, String bom, String group, String version, List<String> libraries) {
        Set<String> managed = new TreeSet<>();
        Element dependencies = child(child(bomPom, "dependencyManagement"), "dependencies");
        for (Node n = dependencies == null ? null : dependencies.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element d && d.getTagName().equals("dependency")) {
                String id = text(child(d, "groupId")) + ":" + text(child(d, "artifactId"));
                managed.add(id);
                if (!version.equals(text(child(d, "version")))) {
                    problems.add(bom + " manages " + id + " at " + text(child(d, "version")) + ", not " + version + ".");
                }
            }
        }
        Set<String> want = new TreeSet<>();
        libraries.forEach(library -> want.add(group + ":" + library));
        if (!managed.equals(want)) {
            problems.add(bom + " manages " + managed + ", not " + want + ".");
        }
    }

    private void checkJar(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.getEntry("META-INF/MANIFEST.MF") == null) {
                problems.add(jar.getFileName() + " has no META-INF/MANIFEST.MF.");
            }
            if (zip.size() < 2) {
                problems.add(jar.getFileName() + " is empty.");
            }
        } catch (IOException e) {
            problems.add(jar.getFileName() + " is not a readable jar: " + e.getMessage());
        }
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }
}
