package io.exodus.proxy.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The databases the migration moves: a session on one of them follows the phase, a session on any other is relayed to
 * the source alone in every phase, as if Exodus were not there. Every database by default (the target was prepared by
 * hand for all of them); the initial sync narrows it to the database it copied, since after its switch a session on
 * another would write to a target that never got that database's rows (docs/adr/0053). Kept in the control state as
 * {@code *} or a JSON array of names.
 *
 * @param names the databases, or null for every database
 */
public record MigrationDatabases(Set<String> names) {
    public static final MigrationDatabases ALL = new MigrationDatabases(null);
    private static final String EVERY = "*";
    private static final ObjectMapper JSON = new ObjectMapper();

    public MigrationDatabases {
        if (names != null) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("the migration's databases cannot be none: name at least one, or "
                        + "leave exodus.migration.databases unset for every database");
            }
            if (names.stream().anyMatch(name -> name == null || name.isEmpty())) {
                throw new IllegalArgumentException("a database of the migration has an empty name: " + names);
            }
            names = Collections.unmodifiableSet(new TreeSet<>(names));
        }
    }

    /** Only these databases; every database when {@code databases} is empty (the configuration's default). */
    public static MigrationDatabases of(Collection<String> databases) {
        return databases.isEmpty() ? ALL : new MigrationDatabases(new TreeSet<>(databases));
    }

    /** Whether sessions on {@code database} follow the migration's phase. */
    public boolean includes(String database) {
        return names == null || names.contains(database);
    }

    public boolean all() {
        return names == null;
    }

    /** The names, sorted; empty for every database. */
    public List<String> list() {
        return names == null ? List.of() : List.copyOf(names);
    }

    /** As the control state keeps it: {@code *}, or a JSON array. */
    public String stored() {
        if (names == null) {
            return EVERY;
        }
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("database names cannot be written as JSON", e);
        }
    }

    /** Reads {@link #stored()}; fails with a message that says what is wrong. */
    public static MigrationDatabases parse(String stored) {
        if (stored == null || stored.isBlank() || stored.trim().equals(EVERY)) {
            return ALL;
        }
        try {
            return new MigrationDatabases(JSON.readValue(stored, new TypeReference<Set<String>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the migration's databases are * or a JSON array of names, not "
                    + stored, e);
        }
    }

    @Override
    public String toString() {
        return names == null ? "every database" : String.join(", ", names);
    }
}
