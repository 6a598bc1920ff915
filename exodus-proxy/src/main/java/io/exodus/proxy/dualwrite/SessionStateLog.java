package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.PreparedStatementVerb;
import io.exodus.proxy.sql.StatementKind;

import java.util.ArrayList;
import java.util.List;

/**
 * The session-state statements a session ran outside transactions (SET, RESET, PREPARE …), in order, so that a
 * secondary connection opened again after a failure behaves like the one it replaces. {@code RESET ALL} and
 * {@code DISCARD ALL} start the log afresh; it keeps the last {@value #KEPT} statements.
 */
final class SessionStateLog {
    private static final int KEPT = 64;

    private final List<String> statements = new ArrayList<>();

    void record(String sql, Classification classification) {
        if (classification.kind() != StatementKind.SESSION) {
            return;
        }
        String squeezed = sql.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
        if (squeezed.startsWith("discard all") || squeezed.startsWith("reset all")
                || classification.preparedVerb() == PreparedStatementVerb.DEALLOCATE_ALL) {
            statements.clear();
            return;
        }
        if (squeezed.startsWith("listen") || squeezed.startsWith("unlisten")) {
            // Notifications are the primary's; the secondary does not listen.
            return;
        }
        statements.add(sql.trim().replaceAll(";+$", ""));
        if (statements.size() > KEPT) {
            statements.remove(0);
        }
    }

    /** A statement that sets up state the session had before it came to dual-write (see {@link SessionAdoption}). */
    void adopt(String sql) {
        statements.add(sql);
    }

    /** One text that replays the log, or "" when there is nothing to replay. */
    String replayText() {
        return String.join(";\n", statements);
    }
}
