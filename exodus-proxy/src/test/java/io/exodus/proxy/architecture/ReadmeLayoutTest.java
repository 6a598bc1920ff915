package io.exodus.proxy.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's layout table names every package of the proxy, main and test: a new package is a new line there. */
class ReadmeLayoutTest {
    private static final Path SOURCES = Path.of("src/main/java/io/exodus/proxy");
    private static final Path TESTS = Path.of("src/test/java/io/exodus/proxy");

    @Test
    void theReadmesLayoutTableNamesEveryPackageOfTheProxy() throws IOException {
        String row = proxyRow();
        List<String> missing = Stream.concat(packages(SOURCES), packages(TESTS)).distinct()
                .filter(name -> !row.contains("`" + name + "`")).sorted().toList();
        assertEquals(List.of(), missing, "packages of exodus-proxy that the README's layout table does not name");
    }

    private static String proxyRow() throws IOException {
        for (String line : Files.readAllLines(Path.of("../README.md"))) {
            if (line.startsWith("| `exodus-proxy/` |")) {
                return line;
            }
        }
        throw new AssertionError("the README has no layout row for exodus-proxy/");
    }

    private static Stream<String> packages(Path root) throws IOException {
        assertTrue(Files.isDirectory(root), root + " is where the proxy's packages are");
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory).map(path -> path.getFileName().toString()).toList().stream();
        }
    }
}
