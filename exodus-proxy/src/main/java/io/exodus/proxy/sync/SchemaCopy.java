package io.exodus.proxy.sync;

import io.exodus.proxy.backend.BackendEndpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The source's schema on the target, with pg_dump and pg_restore in pg_dump's section order: {@link #restorePreData}
 * (types, tables, functions, sequences) before the rows, {@link #restorePostData} (indexes, constraints, triggers)
 * after them, so that indexes are built once over the loaded rows. Each section is restored in one transaction: a
 * failure leaves the target as it was. Blocking: run on a worker thread.
 */
final class SchemaCopy implements AutoCloseable {
    /** A foreign key in pg_restore's list: "dump id; table oid oid FK CONSTRAINT schema table name owner". */
    private static final Pattern FOREIGN_KEY = Pattern.compile("^\\d+; \\d+ \\d+ FK CONSTRAINT ");
    private static final String SCHEMA_ENTRY = " SCHEMA - ";
    private final ClientPrograms programs;
    private final BackendEndpoint source;
    private final BackendEndpoint target;
    private final List<String> selection;
    private final Path folder;
    private final Path archive;

    SchemaCopy(ClientPrograms programs, BackendEndpoint source, BackendEndpoint target, SyncRequest request) {
        this.programs = programs;
        this.source = source;
        this.target = target;
        this.selection = selection(request);
        try {
            this.folder = Files.createTempDirectory("exodus-sync");
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a temporary folder for the schema: " + e.getMessage(), e);
        }
        this.archive = folder.resolve("schema.dump");
    }

    /** pg_dump's options for what the request covers; Exodus' own schema and publications never. */
    private static List<String> selection(SyncRequest request) {
        List<String> options = new ArrayList<>(List.of("--schema-only", "--no-publications", "--no-subscriptions",
                "--exclude-schema=" + SourceCatalog.EXODUS_SCHEMA));
        request.schemas().forEach(schema -> options.add("--schema=" + schema));
        request.tables().forEach(table -> options.add("--table=" + table));
        return options;
    }

    /** Dumps the source's schema into a custom-format archive that both sections are restored from. */
    void dumpSource() {
        List<String> arguments = new ArrayList<>(List.of("--format=custom", "--file=" + archive));
        arguments.addAll(selection);
        programs.run("pg_dump", arguments, ClientPrograms.environment(source));
    }

    /**
     * Where the target has some of the tables already: the first line where its schema differs from the source's,
     * or null when the two are the same (then the target's schema is kept as it is).
     */
    String differenceFromTarget() {
        String sourceText = programs.run("pg_restore", List.of("--schema-only", "--file=-", archive.toString()),
                Map.of());
        List<String> targetArguments = new ArrayList<>(selection);
        String targetText = programs.run("pg_dump", targetArguments, ClientPrograms.environment(target));
        List<String> wanted = significant(sourceText);
        List<String> found = significant(targetText);
        for (int i = 0; i < Math.max(wanted.size(), found.size()); i++) {
            String a = i < wanted.size() ? wanted.get(i) : "(nothing)";
            String b = i < found.size() ? found.get(i) : "(nothing)";
            if (!a.equals(b)) {
                return "the source has \"" + a + "\" where the target has \"" + b + "\"";
            }
        }
        return null;
    }

    /** The statements of a plain dump, without comments, settings and pg_dump's own meta-commands. */
    private static List<String> significant(String dump) {
        return dump.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("--") && !line.startsWith("\\")
                        && !line.startsWith("SET ") && !line.startsWith("SELECT pg_catalog.set_config"))
                .toList();
    }

    /**
     * @param existingSchemas the target's schemas: their {@code CREATE SCHEMA} is left out. pg_dump writes one for
     *                        every schema it was asked for by name, {@code public} too, which every database has.
     */
    void restorePreData(Set<String> existingSchemas) {
        restoreListed("pre-data", "pre-data", entry -> !createsOneOf(entry, existingSchemas));
    }

    /** A table-of-contents line "id; oid oid SCHEMA - name owner" for one of {@code schemas}. */
    private static boolean createsOneOf(String entry, Set<String> schemas) {
        int at = entry.indexOf(SCHEMA_ENTRY);
        if (at < 0) {
            return false;
        }
        String rest = entry.substring(at + SCHEMA_ENTRY.length());
        return schemas.stream().anyMatch(schema -> rest.startsWith(schema + " "));
    }

    void restorePostData() {
        restore("post-data");
    }

    /**
     * The post-data section but its foreign keys: for tables copied under different snapshots, which may hold a child
     * whose parent is not copied yet (ADR 0035); {@link #restoreForeignKeys} adds them once the target is as of one
     * moment.
     */
    void restorePostDataButForeignKeys() {
        restoreListed("post-data-without-foreign-keys", "post-data", entry -> !FOREIGN_KEY.matcher(entry).find());
    }

    /** The foreign keys of the post-data section; false when the archive has none. */
    boolean restoreForeignKeys() {
        return restoreListed("foreign-keys", "post-data", entry -> FOREIGN_KEY.matcher(entry).find());
    }

    private void restore(String section) {
        programs.run("pg_restore", List.of("--exit-on-error", "--single-transaction", "--section=" + section,
                "--dbname=" + target.url().database(), archive.toString()), ClientPrograms.environment(target));
    }

    /**
     * The entries of the archive's table of contents ({@code pg_restore --list}) in {@code section} that
     * {@code wanted} keeps, restored in one transaction; false when it keeps none.
     */
    private boolean restoreListed(String name, String section, Predicate<String> wanted) {
        String contents = programs.run("pg_restore", List.of("--list", archive.toString()), Map.of());
        List<String> entries = contents.lines().filter(line -> !line.startsWith(";") && !line.isBlank())
                .filter(wanted).toList();
        if (entries.isEmpty()) {
            return false;
        }
        Path list = folder.resolve(name + ".list");
        try {
            Files.write(list, entries);
            programs.run("pg_restore", List.of("--exit-on-error", "--single-transaction", "--section=" + section,
                    "--use-list=" + list, "--dbname=" + target.url().database(), archive.toString()),
                    ClientPrograms.environment(target));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the list of " + name + " to restore: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(list);
            } catch (IOException ignored) {
                // A temporary file left behind is harmless.
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(folder);
        } catch (IOException ignored) {
            // A temporary folder left behind is harmless.
        }
    }
}
