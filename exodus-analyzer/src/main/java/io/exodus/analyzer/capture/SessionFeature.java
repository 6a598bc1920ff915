package io.exodus.analyzer.capture;

import io.exodus.capture.SqlTokens;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Session behaviour a statement shows, which a migration must carry to the target with the session: state that lives
 * in one backend connection (settings, prepared statements, temporary tables, listeners, advisory locks) and COPY.
 * Read from the statement's tokens; {@link #wireName()} is how the store and the JSON name it.
 */
public enum SessionFeature {
    /** SET or RESET (not SET TRANSACTION, SET CONSTRAINTS or SET LOCAL, which end with the transaction). */
    SET {
        @Override
        boolean shownBy(SqlTokens tokens) {
            return (tokens.isWord(0, "set") || tokens.isWord(0, "reset")) && !tokens.isWord(1, "transaction")
                    && !tokens.isWord(1, "constraints") && !tokens.isWord(1, "local");
        }
    },
    /** SQL-level PREPARE (extended-protocol named statements are told by the event's preparedName). */
    PREPARE {
        @Override
        boolean shownBy(SqlTokens tokens) {
            return tokens.isWord(0, "prepare") && !tokens.isWord(1, "transaction");
        }
    },
    /** CREATE TEMP/TEMPORARY TABLE (also GLOBAL/LOCAL TEMP), SELECT … INTO TEMP. */
    TEMP_TABLE {
        @Override
        boolean shownBy(SqlTokens tokens) {
            for (int i = 0; i < tokens.count() - 1; i++) {
                if ((tokens.isWord(i, "temp") || tokens.isWord(i, "temporary"))
                        && (tokens.isWord(i + 1, "table") || tokens.isWord(i - 1, "into"))) {
                    return true;
                }
            }
            return false;
        }
    },
    LISTEN {
        @Override
        boolean shownBy(SqlTokens tokens) {
            return tokens.isWord(0, "listen");
        }
    },
    /** A call of pg_advisory_lock, pg_try_advisory_xact_lock_shared and the rest of the family. */
    ADVISORY_LOCK {
        @Override
        boolean shownBy(SqlTokens tokens) {
            for (int i = 0; i < tokens.count() - 1; i++) {
                if (tokens.folded(i).contains("advisory") && tokens.isSymbol(i + 1, "(")) {
                    return true;
                }
            }
            return false;
        }
    },
    COPY {
        @Override
        boolean shownBy(SqlTokens tokens) {
            return tokens.isWord(0, "copy");
        }
    };

    abstract boolean shownBy(SqlTokens tokens);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Set<SessionFeature> of(SqlTokens tokens) {
        Set<SessionFeature> features = EnumSet.noneOf(SessionFeature.class);
        for (SessionFeature feature : values()) {
            if (feature.shownBy(tokens)) {
                features.add(feature);
            }
        }
        return features;
    }
}
