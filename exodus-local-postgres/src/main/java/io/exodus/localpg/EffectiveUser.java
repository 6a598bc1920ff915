package io.exodus.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this JVM runs as root, which decides how the PostgreSQL tools must be launched. */
final class EffectiveUser {

    private EffectiveUser() {
    }

    static boolean isRoot() {
        // "Uid:\treal\teffective\tsaved\tfilesystem"; Java has no API for the effective uid.
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is hidden: fall through to the user name
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
