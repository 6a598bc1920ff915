package io.exodus.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/** Removal of folder trees that this library created. */
final class Directories {

    private static final Logger LOG = Logger.getLogger(Directories.class);

    private Directories() {
    }

    /** Deletes a tree; what cannot be deleted is logged and left behind rather than failing a shutdown. */
    static void deleteQuietly(Path directory) {
        if (directory == null || !Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(Directories::deleteOne);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not delete %s: %s", directory, e.getMessage());
        }
    }

    private static void deleteOne(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debugf("Could not delete %s: %s", path, e.getMessage());
        }
    }
}
