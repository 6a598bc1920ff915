package io.exodus.analyzer.shadow;

/**
 * A result column as the client sees it.
 *
 * @param type the client library's name for the column's type ({@code TEXT}, {@code INT4}, {@code UNKNOWN} for types
 *             it does not know, such as enums)
 */
public record Column(String name, String type) {

    /** Types whose order a collation decides. */
    boolean sortsByCollation() {
        return switch (type) {
            case "TEXT", "VARCHAR", "BPCHAR", "NAME", "CHAR" -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return name + " " + type.toLowerCase(java.util.Locale.ROOT);
    }
}
