package io.exodus.proxy.sql;

import java.util.List;
import java.util.Optional;

/**
 * {@code ALTER TABLE t DETACH PARTITION p CONCURRENTLY} as an entry of the catch-up queue, which replays inside a
 * transaction where the concurrent form cannot run. Detached plainly, the partition would lack the {@code CHECK}
 * constraint the concurrent form leaves on it (its partition bound, unless a constraint of the partition implied it
 * already). PostgreSQL stores that bound const-folded ({@code a = ANY ('{2,3}'::integer[])}), which the bound's text
 * read back on the target would not give ({@code ARRAY[2, 3]}): so right after the source ran the statement, the
 * partition's CHECK constraints are read there as the source prints them, and the entry is a DO block that detaches
 * plainly and adds, by name, each of them the target's partition lacks. Unlike the concurrent form, adding one checks
 * the partition's rows (a scan under the replayer's lock), where PostgreSQL knows them to hold already.
 */
public final class PartitionDetach {
    /** A CHECK constraint as the source prints it: its name and {@code pg_get_constraintdef}. */
    public record Check(String name, String definition) {
    }

    private PartitionDetach() {
    }

    /** The partition a DETACH PARTITION … CONCURRENTLY detaches, as the statement spells it; empty for others. */
    public static Optional<String> partitionOf(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        Optional<SingleStatement> one = SingleStatement.in(tokens);
        int concurrently = one.isEmpty() ? -1 : TransactionBlockRules.detachConcurrently(tokens, one.get());
        for (int i = concurrently < 0 ? 0 : one.get().from() + 2; i + 2 < concurrently; i++) {
            if (tokens.isWord(i, "detach") && tokens.isWord(i + 1, "partition") && tokens.depth(i) == 0) {
                return Optional.of(sql.substring(tokens.start(i + 2), tokens.end(concurrently - 1)));
            }
        }
        return Optional.empty();
    }

    /** The partition's CHECK constraints, by name: {@link Check}'s two columns. */
    public static String checksQuery(String partition) {
        return "SELECT conname, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint WHERE conrelid = "
                + regclass(partition) + " AND contype = 'c' ORDER BY conname";
    }

    /** The entry: the plain detach, then each of the source's checks that the target's partition lacks. */
    public static String queuedForm(String plainDetach, String partition, List<Check> checks) {
        StringBuilder body = new StringBuilder(" BEGIN EXECUTE ").append(Identifiers.literal(plainDetach)).append(';');
        for (Check check : checks) {
            body.append(" IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = ")
                    .append(regclass(partition)).append(" AND conname = ").append(Identifiers.literal(check.name()))
                    .append(") THEN EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', ")
                    .append(regclass(partition)).append(", ").append(Identifiers.literal(check.name())).append(", ")
                    .append(Identifiers.literal(check.definition())).append("); END IF;");
        }
        body.append(" END ");
        String tag = "$exodus_detach$";
        while (body.indexOf(tag) >= 0) {
            tag = tag.substring(0, tag.length() - 1) + "_$";
        }
        return "DO " + tag + body + tag;
    }

    private static String regclass(String partition) {
        return Identifiers.literal(partition) + "::pg_catalog.regclass";
    }
}
