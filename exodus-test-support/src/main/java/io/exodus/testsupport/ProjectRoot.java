package io.exodus.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** The top folder of this Maven project, found from the working folder (surefire runs in the module's folder). */
final class ProjectRoot {

    private static final String MARKER_MODULE = "exodus-proxy";

    private ProjectRoot() {
    }

    static Path find() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path folder = start; folder != null; folder = folder.getParent()) {
            if (Files.isRegularFile(folder.resolve("pom.xml")) && Files.isDirectory(folder.resolve(MARKER_MODULE))) {
                return folder;
            }
        }
        throw new IllegalStateException("No folder above " + start + " holds pom.xml and " + MARKER_MODULE + "/");
    }
}
