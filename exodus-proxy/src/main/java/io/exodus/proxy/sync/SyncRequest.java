package io.exodus.proxy.sync;

import java.util.List;

/**
 * What to sync: whole schemas and single tables ({@code schema.table} or a name in the search path's first schema,
 * as pg_dump's {@code -t} takes it). Both empty: every user schema but Exodus' own.
 */
public record SyncRequest(List<String> schemas, List<String> tables) {
    public SyncRequest {
        schemas = schemas == null ? List.of() : List.copyOf(schemas);
        tables = tables == null ? List.of() : List.copyOf(tables);
    }

    public static SyncRequest everything() {
        return new SyncRequest(List.of(), List.of());
    }

    public boolean everyUserSchema() {
        return schemas.isEmpty() && tables.isEmpty();
    }
}
