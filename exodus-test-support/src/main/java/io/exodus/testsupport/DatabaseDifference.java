package io.exodus.testsupport;

import java.util.Objects;

/**
 * One way two copies of a database differ, as {@link DatabaseComparison} finds it: an object and what is wrong with
 * it. {@link #key()} names the object alone, so that a list of known differences stays valid while the detail (row
 * counts, example rows) changes.
 *
 * @param kind   what sort of object
 * @param name   the object: a qualified relation name, pg_dump's "TYPE schema.name" for a schema entry, a role
 * @param detail what differs, for people: "missing on b", "3 rows only on a …", the first differing dump line
 */
public record DatabaseDifference(Kind kind, String name, String detail) {

    public DatabaseDifference {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }

    /** What sort of object differs; {@link #label()} is how reports and lists of known differences name it. */
    public enum Kind {
        TABLE("table"),
        MATERIALIZED_VIEW("matview"),
        SEQUENCE("sequence"),
        SCHEMA("schema"),
        ROLE("role"),
        DATABASE("database");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The object alone, such as "table public.t" or "schema FUNCTION public.f(integer)". */
    public String key() {
        return kind.label() + " " + name;
    }

    @Override
    public String toString() {
        return key() + ": " + detail;
    }
}
