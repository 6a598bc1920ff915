package io.exodus.capture;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One statement the proxy relayed, as its capture tap ships it to the analyzer (docs/analyzer.md, "Wire format").
 * Version 1 of the format; fields may be added, never renamed, and readers ignore fields they do not know.
 *
 * @param at                  when the statement's first message reached the proxy (UTC, microseconds)
 * @param sessionId           the proxy's number for the client session; unique per proxy while it runs
 * @param transactionId       the proxy's number for the transaction within the session, absent for a statement that ran
 *                            outside any transaction block
 * @param transactionBoundary where the statement stands in its transaction; absent when the proxy does not know
 * @param protocol            simple or extended
 * @param statementClass      what the statement does
 * @param text                the normalised text ({@link SqlNormalizer}); raw text is accepted and normalised again
 * @param fingerprint         {@link SqlNormalizer#fingerprint} of the text; the analyzer refuses a batch whose
 *                            fingerprints it computes differently, which is how the two sides notice that they disagree
 * @param preparedName        the extended protocol's statement name ("" for the unnamed statement); absent for simple
 * @param parameters          the values bound to $1…$n as text (null for SQL NULL), when the tap captures them (off,
 *                            sampled or all, with redaction); absent otherwise
 * @param sourceMicros        time from the statement's first message to its last answer on the source, µs
 * @param targetMicros        the same on the target, when the statement ran there
 * @param rows                rows returned or affected (the command tag's count)
 * @param sqlstate            the SQLSTATE of the error the client saw, absent on success
 * @param resultDigest        an order-insensitive digest of the result rows, when the tap computed one
 * @param parameterTypes      the type OIDs the statement's Parse declared, one per parameter (0 where the server
 *                            inferred the type); only with {@code parameters}, and absent when the Parse declared none
 * @param settings            the session's settings when the statement ran, as far as the proxy saw them given: its
 *                            start-up parameters and what SET, RESET and set_config changed since, by lower-case name,
 *                            each value as {@code set_config} takes it ({@link SessionSettings}); absent when the
 *                            session gave none
 * @param parameterFormats    with {@code parameters}: each value's format code as the Bind gave it, 0 for text and 1
 *                            for binary (then the value is its bytes in hex, {@code \x…}); absent when all are text
 */
public record StatementEvent(Instant at, Long sessionId, Long transactionId, TransactionBoundary transactionBoundary,
        Protocol protocol, StatementClass statementClass, String text, String fingerprint, String preparedName,
        List<String> parameters, Long sourceMicros, Long targetMicros, Long rows, String sqlstate,
        String resultDigest, List<Long> parameterTypes, Map<String, String> settings,
        List<Integer> parameterFormats) {

    private static final Pattern SQLSTATE = Pattern.compile("[0-9A-Z]{5}");
    private static final long MAX_OID = 0xffff_ffffL;

    /** The one Jackson reads with: a record with a second constructor must say which. */
    @JsonCreator
    public StatementEvent {
        require(at, "at");
        require(sessionId, "sessionId");
        require(protocol, "protocol");
        require(statementClass, "statementClass");
        require(text, "text");
        require(fingerprint, "fingerprint");
        if (text.isBlank()) {
            throw new IllegalArgumentException("text is blank");
        }
        if (!NormalizedStatement.isFingerprint(fingerprint)) {
            throw new IllegalArgumentException("fingerprint must be 16 lower-case hex digits, not '" + fingerprint + "'");
        }
        notNegative(sessionId, "sessionId");
        notNegative(transactionId, "transactionId");
        notNegative(sourceMicros, "sourceMicros");
        notNegative(targetMicros, "targetMicros");
        notNegative(rows, "rows");
        if (sqlstate != null && !SQLSTATE.matcher(sqlstate).matches()) {
            throw new IllegalArgumentException("sqlstate must be five digits or upper-case letters, not '" + sqlstate
                    + "'");
        }
        // List.copyOf refuses nulls, which stand for SQL NULL here.
        parameters = parameters == null ? null : Collections.unmodifiableList(new ArrayList<>(parameters));
        if (parameterTypes != null) {
            for (Long type : parameterTypes) {
                if (type == null || type < 0 || type > MAX_OID) {
                    throw new IllegalArgumentException("parameterTypes holds type OIDs (0 to " + MAX_OID + "), not "
                            + type);
                }
            }
            parameterTypes = List.copyOf(parameterTypes);
        }
        settings = settings == null ? null : SessionSettings.checked(settings);
        if (parameterFormats != null) {
            for (Integer format : parameterFormats) {
                if (format == null || format != 0 && format != 1) {
                    throw new IllegalArgumentException("parameterFormats holds format codes (0 text, 1 binary), not "
                            + format);
                }
            }
            if (parameters == null || parameterFormats.size() != parameters.size()) {
                throw new IllegalArgumentException("parameterFormats needs one format code per parameter");
            }
            parameterFormats = List.copyOf(parameterFormats);
        }
    }

    /** An event without settings or formats, as proxies before them send it. */
    public StatementEvent(Instant at, Long sessionId, Long transactionId, TransactionBoundary transactionBoundary,
            Protocol protocol, StatementClass statementClass, String text, String fingerprint, String preparedName,
            List<String> parameters, Long sourceMicros, Long targetMicros, Long rows, String sqlstate,
            String resultDigest, List<Long> parameterTypes) {
        this(at, sessionId, transactionId, transactionBoundary, protocol, statementClass, text, fingerprint,
                preparedName, parameters, sourceMicros, targetMicros, rows, sqlstate, resultDigest, parameterTypes,
                null, null);
    }

    /** An event without parameter types, as proxies before them send it. */
    public StatementEvent(Instant at, Long sessionId, Long transactionId, TransactionBoundary transactionBoundary,
            Protocol protocol, StatementClass statementClass, String text, String fingerprint, String preparedName,
            List<String> parameters, Long sourceMicros, Long targetMicros, Long rows, String sqlstate,
            String resultDigest) {
        this(at, sessionId, transactionId, transactionBoundary, protocol, statementClass, text, fingerprint,
                preparedName, parameters, sourceMicros, targetMicros, rows, sqlstate, resultDigest, null, null,
                null);
    }

    /** An event for {@code sql} as run, normalised here; the optional fields are left empty. */
    public static StatementEvent of(Instant at, long sessionId, Protocol protocol, StatementClass statementClass,
            String sql, long sourceMicros) {
        NormalizedStatement normalized = SqlNormalizer.normalize(sql);
        return new StatementEvent(at, sessionId, null, null, protocol, statementClass, normalized.text(),
                normalized.fingerprint(), null, null, sourceMicros, null, null, null, null);
    }

    private static void require(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void notNegative(Long value, String name) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
