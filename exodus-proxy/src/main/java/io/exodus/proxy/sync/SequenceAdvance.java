package io.exodus.proxy.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The target's sequences (serial and identity columns' included) set past the source's, at the switch while no
 * transaction runs: logical decoding does not carry sequences, and from the switch on dual-write's row images
 * carry the source's values without drawing on the target's sequences. A margin of increments keeps them ahead
 * while the source draws on; a sequence never drawn on the source is left as the schema made it.
 */
final class SequenceAdvance {
    private static final String SOURCE_SEQUENCES = """
            SELECT pg_catalog.format('%I.%I', schemaname, sequencename), last_value, increment_by, min_value, max_value
            FROM pg_catalog.pg_sequences
            WHERE last_value IS NOT NULL AND schemaname = ANY ($1::text[])""";
    private static final String SET = "SELECT pg_catalog.setval(pg_catalog.to_regclass($1), $2, true) "
            + "WHERE pg_catalog.to_regclass($1) IS NOT NULL";

    private SequenceAdvance() {
    }

    /** Completes with how many sequences were set. */
    static Future<Integer> run(Pool source, Pool target, List<SyncedTable> tables, long margin) {
        Set<String> schemas = new TreeSet<>();
        tables.forEach(table -> schemas.add(table.schema()));
        return source.preparedQuery(SOURCE_SEQUENCES).execute(Tuple.of(schemas.toArray(String[]::new)))
                .compose(rows -> {
                    List<Tuple> settings = new ArrayList<>();
                    for (Row row : rows) {
                        settings.add(Tuple.of(row.getString(0), ahead(row.getLong(1), row.getLong(2),
                                row.getLong(3), row.getLong(4), margin)));
                    }
                    if (settings.isEmpty()) {
                        return Future.succeededFuture(0);
                    }
                    return target.preparedQuery(SET).executeBatch(settings).map(done -> settings.size());
                });
    }

    /** {@code margin} increments past {@code last}, in the sequence's direction, within its bounds. */
    static long ahead(long last, long increment, long min, long max, long margin) {
        long step;
        try {
            step = Math.multiplyExact(increment, margin);
            long wanted = Math.addExact(last, step);
            return Math.max(min, Math.min(max, wanted));
        } catch (ArithmeticException overflow) {
            return increment > 0 ? max : min;
        }
    }
}
