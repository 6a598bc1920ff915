package io.exodus.proxy.dualwrite;

import io.exodus.proxy.sql.Classification;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.sql.StatementKind;
import io.exodus.proxy.wire.FrontendMessages;
import io.exodus.proxy.wire.PgMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The secondary never gets fewer rows than the primary inserted: a row image whose rows do not match the primary's
 * command tag (as when the primary ran an INSERT without the added RETURNING, the cause of the silent loss of issue
 * 12) fails the request instead of building a request, or a queue entry, without them.
 */
class RowImageCompletenessTest {
    private static final String INSERT = "INSERT INTO t (n) VALUES (1)";

    @Test
    void aSimpleInsertWhoseRowsWereNotCapturedFailsLoudly() {
        RowImageReturning image = RowImageReturning.of(INSERT, true).orElseThrow();
        UnitPlan plan = new UnitPlan(UnitShape.LOCKSTEP, List.of(message(FrontendMessages.query(INSERT))), true,
                INSERT, Optional.of(image), false, null, List.of(), false);
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> requests().secondary(plan,
                List.of(new PrimaryRowImageFilter.Capture(null, List.of())), Map.of(), List.of("INSERT 0 1"),
                new java.util.HashSet<>()));
        assertTrue(failure.getMessage().contains("not what the source wrote"), failure.getMessage());
    }

    @Test
    void anExtendedInsertWhoseRowsWereNotCapturedFailsLoudly() {
        RowImageReturning image = RowImageReturning.of(INSERT, true).orElseThrow();
        PgMessage parse = message(FrontendMessages.parse("ins", INSERT, new int[0]));
        StatementBook.Statement statement = new StatementBook.Statement(INSERT, Classification.of(StatementKind.WRITE),
                parse, Optional.of(image));
        List<PgMessage> messages = List.of(parse, message(FrontendMessages.bind("", "ins", new short[0], List.of(),
                new short[0])), message(FrontendMessages.execute("", 0)), message(FrontendMessages.sync()));
        List<StatementBook.Statement> statements = new ArrayList<>(List.of(statement, statement, statement));
        statements.add(null);
        UnitPlan plan = new UnitPlan(UnitShape.LOCKSTEP, messages, false, INSERT, Optional.empty(), true, null,
                statements, false);
        // Three rows inserted on the primary, none captured.
        assertThrows(IllegalStateException.class, () -> requests().secondary(plan,
                List.of(new PrimaryRowImageFilter.Capture(null, List.of())), Map.of(), List.of("INSERT 0 3"),
                new java.util.HashSet<>()));
    }

    private static SecondaryRequests requests() {
        return new SecondaryRequests(new StatementBook(), 1 << 20);
    }

    private static PgMessage message(io.vertx.core.buffer.Buffer framed) {
        return new PgMessage(framed.getByte(0), framed.getBuffer(5, framed.length()));
    }
}
