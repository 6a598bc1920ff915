package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.CopyFromStatement;

import java.util.Optional;

/**
 * Which {@code COPY … FROM} requests dual-write carries out ({@link UnitShape#COPY_IN}) and what it says, before
 * anything runs, about the ones it refuses: each refusal names what to do instead.
 */
final class CopyFromRules {
    static final String IN_EXTENDED_PROTOCOL = "COPY … FROM through the extended query protocol is not mirrored in "
            + "dual-write; send it as a simple query (psql's \\copy, pgJDBC's CopyManager and pg_restore do)";

    private CopyFromRules() {
    }

    /** Why a COPY … FROM in an extended-protocol request is refused: what its source needs, or the protocol. */
    static String refusalInExtendedProtocol(String sql) {
        String refusal = sql == null ? null : refusal(sql, false);
        return refusal != null ? refusal : IN_EXTENDED_PROTOCOL;
    }

    /** Why the simple Query {@code sql}, which runs a COPY … FROM, is refused; null when it is carried out. */
    static String refusal(String sql, boolean multiStatement) {
        if (multiStatement) {
            return "COPY … FROM is mirrored in dual-write only as a query of its own; send the other statements "
                    + "of this query separately";
        }
        Optional<CopyFromStatement> statement = CopyFromStatement.parse(sql);
        if (statement.isEmpty()) {
            // A text only the server can judge (it will say what is wrong with it): as it is, to both.
            return null;
        }
        return switch (statement.get().source()) {
            // A file on the source's host is read there and sent to both as STDIN (ServerFileRead).
            case STDIN, FILE -> null;
            case PROGRAM -> "COPY … FROM PROGRAM is not mirrored in dual-write: the program would run on the source's "
                    + "host only and the target would miss its rows; run the program on the client and send its "
                    + "output with COPY … FROM STDIN (psql: \\copy … from program '…')";
        };
    }
}
