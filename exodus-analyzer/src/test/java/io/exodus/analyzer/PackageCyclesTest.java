package io.exodus.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The analyzer's packages depend on each other without cycles (ADR 0007), read from the sources' imports. */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java/io/exodus/analyzer");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.exodus\\.analyzer\\.(\\w+)\\.",
            Pattern.MULTILINE);

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String from = SOURCES.relativize(file.getParent()).toString();
                Matcher matcher = IMPORT.matcher(Files.readString(file));
                while (matcher.find()) {
                    if (!matcher.group(1).equals(from)) {
                        uses.computeIfAbsent(from, k -> new TreeSet<>()).add(matcher.group(1));
                    }
                }
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycles(start, start, uses, new ArrayList<>(List.of(start)), cycles);
        }
        assertEquals(List.of(), cycles, "package dependencies: " + uses);
    }

    private static void findCycles(String start, String at, Map<String, Set<String>> uses, List<String> path,
            List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" → ", path) + " → " + start);
            } else if (!path.contains(next)) {
                path.add(next);
                findCycles(start, next, uses, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
