// SPDX-License-Identifier: Apache-2.0
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Counts test results in JUnit XML reports (Surefire's and the console launcher's), so that
 * ./vmm test can print one total. Usage: java TestReport.java counts DIR... -> "passed failed skipped"
 */
public class TestReport {
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !args[0].equals("counts")) {
            System.err.println("usage: java TestReport.java counts DIR...");
            System.exit(2);
        }
        long tests = 0, failed = 0, skipped = 0;
        for (int i = 1; i < args.length; i++) {
            for (Path report : reports(Path.of(args[i]))) {
                NodeList suites = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(report.toFile()).getElementsByTagName("testsuite");
                for (int j = 0; j < suites.getLength(); j++) {
                    Element suite = (Element) suites.item(j);
                    tests += count(suite, "tests");
                    failed += count(suite, "failures") + count(suite, "errors");
                    skipped += count(suite, "skipped");
                }
            }
        }
        System.out.println((tests - failed - skipped) + " " + failed + " " + skipped);
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
