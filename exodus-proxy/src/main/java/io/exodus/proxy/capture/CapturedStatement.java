package io.exodus.proxy.capture;

import io.exodus.capture.Protocol;
import io.exodus.capture.TransactionBoundary;

import java.util.Map;

/**
 * A statement as the relay's event loop records it: the raw pieces, taken cheaply. The sender turns it into an
 * {@link io.exodus.capture.StatementEvent} off the event loop (splitting a Query's text, normalising, fingerprinting,
 * decoding bound values, redacting).
 *
 * @param text           a Query's whole text (of which this is statement {@code statementIndex}), or a Parse's
 * @param bindBody       the Bind's body when its values are captured, else null
 * @param parameterTypes the type OIDs its Parse declared (0: inferred), when its values are captured, else null
 * @param transactionId  the session's transaction number, -1 outside a transaction block
 * @param tag            the CommandComplete tag, null when the statement failed
 * @param sqlstate       the error the client saw, null on success
 * @param settings       the session's settings it ran under, as shipped ({@link SettingsFollower}); null for none
 */
record CapturedStatement(long startNanos, long sessionId, long transactionId, TransactionBoundary boundary,
        Protocol protocol, String text, int statementIndex, String preparedName, byte[] bindBody,
        long[] parameterTypes, long sourceNanos, long targetNanos, String tag, String sqlstate,
        Map<String, String> settings) implements CaptureItem {

    /** The same statement with each leg's time: -1 for a leg it did not run on. */
    CapturedStatement withLegs(long source, long target) {
        return new CapturedStatement(startNanos, sessionId, transactionId, boundary, protocol, text, statementIndex,
                preparedName, bindBody, parameterTypes, source, target, tag, sqlstate, settings);
    }
}
