// SPDX-License-Identifier: Apache-2.0
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads JUnit XML reports (Surefire's and the console launcher's) for ./vmm test. Usage:
 * <pre>
 * java TestReport.java counts DIR...        -> "passed failed skipped", to print one total
 * java TestReport.java triple-faults DIR... -> the failed test methods, "Class#method" a line, when
 *                                              every failure names a guest's triple fault; else
 *                                              nothing, and exit status 1
 * </pre>
 */
public class TestReport {
    /** How a MicroVmExit of a guest's triple fault prints, in an assertion's message or an exception's. */
    private static final String TRIPLE_FAULT = "shutdown (triple fault on vCPU ";

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("triple-faults")) {
            tripleFaults(args);
            return;
        }
        if (args.length < 1 || !args[0].equals("counts")) {
            System.err.println("usage: java TestReport.java counts|triple-faults DIR...");
            System.exit(2);
        }
        long tests = 0, failed = 0, skipped = 0;
        for (Element suite : elements(args, "testsuite")) {
            tests += count(suite, "tests");
            failed += count(suite, "failures") + count(suite, "errors");
            skipped += count(suite, "skipped");
        }
        System.out.println((tests - failed - skipped) + " " + failed + " " + skipped);
    }

    private static void tripleFaults(String[] args) throws Exception {
        Set<String> methods = new TreeSet<>();
        for (Element test : elements(args, "testcase")) {
            for (String kind : List.of("failure", "error")) {
                NodeList failures = test.getElementsByTagName(kind);
                for (int k = 0; k < failures.getLength(); k++) {
                    Element failure = (Element) failures.item(k);
                    if (!(failure.getAttribute("message") + failure.getTextContent()).contains(TRIPLE_FAULT)) {
                        System.exit(1); // another failure: nothing to run again
                    }
                    // "method(Path)", or "method(int)[2]" for one invocation of a parameterized test: the
                    // method runs again, all of it, picked by name (the report gives no parameter's package)
                    methods.add(test.getAttribute("classname") + "#" + test.getAttribute("name").replaceFirst("\\(.*", ""));
                }
            }
        }
        if (methods.isEmpty()) {
            System.exit(1);
        }
        methods.forEach(System.out::println);
    }

    /** The elements named {@code tag} in the reports of the folders args[1..]. */
    private static List<Element> elements(String[] args, String tag) throws Exception {
        List<Element> elements = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            for (Path report : reports(Path.of(args[i]))) {
                NodeList nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile()).getElementsByTagName(tag);
                for (int j = 0; j < nodes.getLength(); j++) {
                    elements.add((Element) nodes.item(j));
                }
            }
        }
        return elements;
    }

    private static List<Path> reports(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
        }
    }

    private static long count(Element suite, String attribute) {
        String value = suite.getAttribute(attribute);
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }
}
