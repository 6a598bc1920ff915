package io.exodus.testsupport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.exodus.localpg.LocalPostgres;

/**
 * A source and a target of their own, configured like the shared {@link TestDatabases} (same settings, roles and
 * databases) but started for one test and stopped by it: for a workload that leaves so much behind (PostgreSQL's
 * regression suite: hundreds of tables, roles, other databases) that no later test should share its servers.
 *
 * <pre>{@code
 * try (FreshServerPair servers = FreshServerPair.start("regress-dual-write")) {
 *     ... servers.source() ... servers.target() ...
 * }
 * }</pre>
 */
public final class FreshServerPair implements AutoCloseable {

    private final LocalPostgres source;
    private final LocalPostgres target;

    private FreshServerPair(LocalPostgres source, LocalPostgres target) {
        this.source = source;
        this.target = target;
    }

    /**
     * Starts both servers side by side; if one fails, the other is stopped before this throws.
     *
     * @param label names the servers' folders and log lines: "label-source" and "label-target"
     */
    public static FreshServerPair start(String label) {
        CompletableFuture<LocalPostgres> source = CompletableFuture.supplyAsync(() -> startOne(label + "-source"));
        CompletableFuture<LocalPostgres> target = CompletableFuture.supplyAsync(() -> startOne(label + "-target"));
        try {
            return new FreshServerPair(source.join(), target.join());
        } catch (CompletionException e) {
            source.thenAccept(LocalPostgres::close);
            target.thenAccept(LocalPostgres::close);
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    public LocalPostgres source() {
        return source;
    }

    public LocalPostgres target() {
        return target;
    }

    /** Stops both servers and deletes their folders. */
    @Override
    public void close() {
        try {
            source.close();
        } finally {
            target.close();
        }
    }

    private static LocalPostgres startOne(String name) {
        return TestDatabases.startServer(TestDatabases.configured(name));
    }
}
