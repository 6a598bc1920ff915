package io.exodus.proxy.capture;

import io.exodus.capture.NormalizedStatement;
import io.exodus.capture.Protocol;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.ShadowMismatchEvent;
import io.exodus.capture.SqlStatements;
import io.exodus.capture.StatementClass;
import io.exodus.capture.StatementEvent;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns what the event loops recorded into the analyzer's events, on the sender's thread: the Query's statement is cut
 * out of its text, normalised and fingerprinted ({@link SqlNormalizer}, the one the analyzer runs), classed as the
 * proxy's metrics class it, its values decoded and redacted, its row count read from the command tag. Shapes are
 * cached twice: by raw text for the extended protocol, so that a prepared statement is normalised once; and by
 * normalised text, so that the simple protocol's texts, which differ by their literals every time, cost one scan each
 * and are hashed, classed and matched against the redaction rules once per shape (that work was the tap's largest cost
 * per event).
 * <p>
 * Not thread-safe: the sender's only.
 */
final class EventAssembler {
    static final String REDACTED = "<redacted>";
    private static final int CACHE_ENTRIES = 4096;

    private final Pattern redact;
    private final long wallMicrosAtBase;
    private final long nanosAtBase;
    private final Map<String, Shape> byRawText = lru();
    private final Map<String, Shape> byNormalizedText = lru();

    private record Shape(NormalizedStatement normalized, StatementClass statementClass, boolean redacted) {
    }

    EventAssembler(Pattern redact) {
        this.redact = redact;
        Instant now = Instant.now();
        this.nanosAtBase = System.nanoTime();
        this.wallMicrosAtBase = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** The event, or null when the statement has no text to normalise (a Query with fewer statements than answers). */
    StatementEvent event(CapturedStatement captured) {
        String text = SqlStatements.statement(captured.text(), captured.statementIndex());
        if (text == null || text.isBlank()) {
            return null;
        }
        boolean prepared = captured.protocol() == Protocol.EXTENDED;
        Shape shape = prepared ? byRawText.get(text) : null;
        if (shape == null) {
            shape = byNormalizedText.computeIfAbsent(SqlNormalizer.normalizedText(text), this::shape);
            if (prepared) {
                // Only a prepared text repeats as it is; simple-protocol texts with literals would evict them.
                byRawText.put(text, shape);
            }
        }
        List<String> parameters = null;
        List<Long> parameterTypes = null;
        List<Integer> parameterFormats = null;
        BindValues bound = captured.bindBody() == null ? null : BindValues.decode(captured.bindBody());
        if (bound != null) {
            parameters = shape.redacted() ? Collections.nCopies(bound.values().size(), REDACTED) : bound.values();
            parameterFormats = bound.formats();
            if (captured.parameterTypes() != null) {
                parameterTypes = Arrays.stream(captured.parameterTypes()).boxed().toList();
            }
        }
        long micros = wallMicrosAtBase + (captured.startNanos() - nanosAtBase) / 1_000;
        Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
        return new StatementEvent(at, captured.sessionId(),
                captured.transactionId() < 0 ? null : captured.transactionId(), captured.boundary(),
                captured.protocol(), shape.statementClass(), shape.normalized().text(),
                shape.normalized().fingerprint(), captured.preparedName(), parameters,
                micros(captured.sourceNanos()), micros(captured.targetNanos()), rows(captured.tag()),
                captured.sqlstate(), null, parameterTypes, captured.settings(), parameterFormats);
    }

    /** A live shadow mismatch, its read's text normalised and fingerprinted as a statement's. */
    ShadowMismatchEvent mismatch(CapturedMismatch captured) {
        Shape shape = byNormalizedText.computeIfAbsent(SqlNormalizer.normalizedText(captured.text()), this::shape);
        return new ShadowMismatchEvent(captured.at(), shape.normalized().text(), shape.normalized().fingerprint(),
                captured.kind(), captured.sourceRows(), captured.targetRows(), captured.sourceSqlState(),
                captured.targetSqlState());
    }

    /** @param normalizedText a normalised text, whose fingerprint and class are those of every text of its shape */
    private Shape shape(String normalizedText) {
        NormalizedStatement normalized = SqlNormalizer.normalize(normalizedText);
        byte[] bytes = normalizedText.getBytes(StandardCharsets.UTF_8);
        io.exodus.proxy.metrics.StatementClass metricsClass = io.exodus.proxy.metrics.StatementClass
                .of(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
        return new Shape(normalized, StatementClass.valueOf(metricsClass.name()),
                redact.matcher(normalized.text()).find());
    }

    private static Map<String, Shape> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Shape> eldest) {
                return size() > CACHE_ENTRIES;
            }
        };
    }

    private static Long micros(long nanos) {
        return nanos < 0 ? null : nanos / 1_000;
    }

    /** The count a command tag ends with ({@code SELECT 5}, {@code INSERT 0 1}, {@code UPDATE 3} …), or null. */
    static Long rows(String tag) {
        if (tag == null) {
            return null;
        }
        int space = tag.lastIndexOf(' ');
        if (space < 0 || space == tag.length() - 1) {
            return null;
        }
        String verb = tag.substring(0, tag.indexOf(' '));
        switch (verb) {
            case "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "FETCH", "MOVE" -> {
                try {
                    return Long.parseLong(tag, space + 1, tag.length(), 10);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            default -> {
                return null;
            }
        }
    }
}
