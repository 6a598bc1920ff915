package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statements a session prepared with SQL's {@code PREPARE} and still holds, by name: a queued transaction that
 * EXECUTEs one is replayed after the PREPAREs of those it executes. Its settings are not kept here: a queue entry carries those as the source has
 * them at COMMIT ({@link SessionSettings}), not as a history of the SETs that made them, whose replay the first one
 * the target refuses (a role dropped since) would cut short.
 */
final class SessionPrepares {
    private final Map<String, String> byName = new LinkedHashMap<>();

    /** Notes what a statement the session ran (outside a transaction, without error) did to its prepared statements. */
    void record(String sql, Classification classification) {
        switch (classification.preparedVerb()) {
            case PREPARE -> {
                if (classification.preparedName() != null) {
                    byName.put(classification.preparedName(), sql.trim().replaceAll(";+$", ""));
                }
            }
            case DEALLOCATE -> byName.remove(classification.preparedName());
            case DEALLOCATE_ALL -> byName.clear();
            default -> {
            }
        }
    }

    /** A PREPARE the session made before it came to dual-write (see {@link SessionAdoption}). */
    void adopt(String name, String sql) {
        byName.put(name, sql);
    }

    /** One text that prepares those of these names again, or "" when the session holds none of them. */
    String replayText(Set<String> names) {
        List<String> texts = new ArrayList<>();
        byName.forEach((name, sql) -> {
            if (names.contains(name)) {
                texts.add(sql);
            }
        });
        return String.join(";\n", texts);
    }
}
