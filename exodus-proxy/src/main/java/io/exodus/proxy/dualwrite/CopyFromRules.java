package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.CopyFromStatement;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.sql.StatementTexts;
import io.exodus.proxy.sql.TransactionVerb;

import java.util.List;
import java.util.Optional;

/**
 * Which {@code COPY … FROM} requests dual-write carries out ({@link UnitShape#COPY_IN}) and what it says, before
 * anything runs, about the ones it refuses: each refusal names what to do instead.
 */
final class CopyFromRules {
    static final String IN_EXTENDED_PROTOCOL = "COPY … FROM through the extended query protocol is not mirrored in "
            + "dual-write; send it as a simple query (psql's \\copy, pgJDBC's CopyManager and pg_restore do)";

    private static final String AMONG_OTHERS = "COPY … FROM among other statements of one query is mirrored in "
            + "dual-write";
    private static final String PROGRAM_REFUSED = "COPY … FROM PROGRAM is not mirrored in dual-write: the program "
            + "would run on the source's host only and the target would miss its rows; run the program on the client "
            + "and send its output with COPY … FROM STDIN (psql: \\copy … from program '…')";

    private CopyFromRules() {
    }

    /** Why a COPY … FROM in an extended-protocol request is refused: what its source needs, or the protocol. */
    static String refusalInExtendedProtocol(String sql) {
        String refusal = sql == null ? null : refusalOfOne(sql);
        return refusal != null ? refusal : IN_EXTENDED_PROTOCOL;
    }

    /** Why the simple Query {@code sql}, which runs a COPY … FROM, is refused; null when it is carried out. */
    static String refusal(String sql, Classification whole) {
        return whole.isMultiStatement() ? refusalAmongOthers(sql, whole) : refusalOfOne(sql);
    }

    private static String refusalOfOne(String sql) {
        Optional<CopyFromStatement> statement = CopyFromStatement.parse(sql);
        if (statement.isEmpty()) {
            // A text only the server can judge (it will say what is wrong with it): as it is, to both.
            return null;
        }
        return switch (statement.get().source()) {
            // A file on the source's host is read there and sent to both as STDIN (ServerFileRead).
            case STDIN, FILE -> null;
            case PROGRAM -> PROGRAM_REFUSED;
        };
    }

    /**
     * A COPY … FROM STDIN among other statements of one query (psql's {@code \;}): the text and the client's data go
     * to both databases as they come ({@link StreamedCopy}), which gives both the same rows only when each COPY fills
     * every column from the data. A column list may leave out a column whose default each database would draw
     * (a serial), and the table may be made by the same text, so its defaults cannot be read beforehand: such a COPY
     * is refused, as is a text that also ends or opens a transaction (Exodus wraps the text in one of its own).
     */
    private static String refusalAmongOthers(String sql, Classification whole) {
        for (Classification statement : whole.statements()) {
            if (statement.transactionVerb() != TransactionVerb.NONE) {
                return AMONG_OTHERS + " only in a query without transaction statements (BEGIN, COMMIT, "
                        + "savepoints); send those separately";
            }
        }
        List<String> texts = StatementTexts.split(sql);
        if (texts.size() != whole.statements().size()) {
            return AMONG_OTHERS + " only in a form Exodus reads; send the COPY as a query of its own";
        }
        for (int i = 0; i < texts.size(); i++) {
            if (whole.statements().get(i).kind() != StatementKind.COPY_IN) {
                continue;
            }
            Optional<CopyFromStatement> copy = CopyFromStatement.parse(texts.get(i));
            if (copy.isEmpty()) {
                return AMONG_OTHERS + " only in a form Exodus reads; send this COPY as a query of its own";
            }
            if (copy.get().source() == CopyFromStatement.Source.PROGRAM) {
                return PROGRAM_REFUSED;
            }
            if (copy.get().source() != CopyFromStatement.Source.STDIN || !copy.get().columns().isEmpty()) {
                return AMONG_OTHERS + " only FROM STDIN and without a column list (a column left out may draw a "
                        + "value of its own on each database); send this COPY as a query of its own";
            }
        }
        return null;
    }
}
