package io.exodus.proxy.backend;

import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.embedded.EmbeddedDatabases;
import io.exodus.proxy.migration.MigrationPhase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The source and target databases of this migration: the configured URLs, or two embedded PostgreSQL servers
 * started on this machine when no source is configured (the zero-setup demo).
 */
@ApplicationScoped
public class BackendEndpoints {
    private final BackendEndpoint source;
    private final Optional<BackendEndpoint> target;

    @Inject
    public BackendEndpoints(ExodusConfig config, EmbeddedDatabases embedded) {
        if (config.source().url().isPresent()) {
            source = new BackendEndpoint("source", PostgresUrl.parse(config.source().url().get()));
            target = config.target().url().map(url -> new BackendEndpoint("target", PostgresUrl.parse(url)));
        } else {
            EmbeddedDatabases.Urls urls = embedded.start(config.embedded());
            source = new BackendEndpoint("source", PostgresUrl.parse(urls.source()));
            target = Optional.of(new BackendEndpoint("target", PostgresUrl.parse(urls.target())));
        }
    }

    public BackendEndpoint source() {
        return source;
    }

    public Optional<BackendEndpoint> target() {
        return target;
    }

    /** Every database configured, whether or not the current phase uses it (a phase can change at run time). */
    public List<BackendEndpoint> configured() {
        List<BackendEndpoint> all = new ArrayList<>(2);
        all.add(source);
        target.ifPresent(all::add);
        return all;
    }

    /**
     * The databases a phase works with: the source always (the control state lives there), the target in every phase
     * but direct. Each one's
     * {@link BackendEndpoint#role()} ({@code source}, {@code target}) names it in logs and metrics.
     */
    public List<BackendEndpoint> usedIn(MigrationPhase phase) {
        List<BackendEndpoint> used = new ArrayList<>(2);
        used.add(source);
        if (phase.usesTarget()) {
            target.ifPresent(used::add);
        }
        return used;
    }
}
