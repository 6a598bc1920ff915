package io.exodus.analyzer.capture;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exodus.capture.CaptureBatch;
import io.exodus.capture.NormalizedStatement;
import io.exodus.capture.ShadowMismatchEvent;
import io.exodus.capture.SqlNormalizer;
import io.exodus.capture.StatementEvent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * Turns the body of a capture POST into events fit to store, or refuses it with what is wrong: a body that is too
 * large (compressed, or once decompressed, so that a small gzip bomb is refused too), not gzip although it says so,
 * not the JSON of docs/analyzer.md, or with a fingerprint the analyzer computes differently from its text.
 */
public final class CaptureDecoder {
    private static final int COPY_BUFFER = 64 * 1024;

    private final ObjectMapper json;
    private final long maxBytes;
    private final int maxEvents;

    public CaptureDecoder(ObjectMapper json, long maxBytes, int maxEvents) {
        this.json = json;
        this.maxBytes = maxBytes;
        this.maxEvents = maxEvents;
    }

    /**
     * @param contentEncoding the request's Content-Encoding, null or "identity" for plain JSON, "gzip" for compressed
     */
    public DecodedBatch decode(byte[] body, String contentEncoding) {
        if (body.length > maxBytes) {
            throw tooLarge(body.length + " bytes");
        }
        byte[] plain = switch (encoding(contentEncoding)) {
            case "identity" -> body;
            case "gzip", "x-gzip" -> gunzip(body);
            default -> throw new CaptureRejected(CaptureRejected.MALFORMED, "Content-Encoding '" + contentEncoding
                    + "' is not supported; send plain JSON or gzip");
        };
        CaptureBatch batch = parse(plain);
        if (batch.events().size() > maxEvents) {
            throw new CaptureRejected(CaptureRejected.TOO_LARGE, "The batch has " + batch.events().size()
                    + " events; at most " + maxEvents + " are accepted at once (exodus.analyzer.capture.max-batch-events): "
                    + "send smaller batches");
        }
        checkMismatches(batch.shadowMismatches());
        return new DecodedBatch(batch, normalized(batch.events()));
    }

    private static String encoding(String contentEncoding) {
        return contentEncoding == null || contentEncoding.isBlank() ? "identity"
                : contentEncoding.strip().toLowerCase(Locale.ROOT);
    }

    private byte[] gunzip(byte[] body) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(COPY_BUFFER * 4, body.length * 4 + 64));
            byte[] buffer = new byte[COPY_BUFFER];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (out.size() + read > maxBytes) {
                    throw tooLarge("more than " + maxBytes + " bytes once decompressed");
                }
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new CaptureRejected(CaptureRejected.MALFORMED, "The body says Content-Encoding: gzip but is not "
                    + "valid gzip: " + e.getMessage());
        }
    }

    private CaptureBatch parse(byte[] plain) {
        if (plain.length == 0) {
            throw new CaptureRejected(CaptureRejected.MALFORMED, "The body is empty; expected {\"events\": [...]}");
        }
        try {
            CaptureBatch batch = json.readValue(plain, CaptureBatch.class);
            if (batch == null) {
                throw new CaptureRejected(CaptureRejected.MALFORMED, "The body is JSON null; expected {\"events\": [...]}");
            }
            return batch;
        } catch (JsonProcessingException e) {
            String where = e instanceof JsonMappingException mapping ? where(mapping) : "";
            if (e instanceof JsonParseException || e.getCause() instanceof JsonParseException) {
                JsonProcessingException syntax = e instanceof JsonParseException ? e : (JsonParseException) e.getCause();
                throw new CaptureRejected(CaptureRejected.MALFORMED, "Not valid JSON: " + where
                        + syntax.getOriginalMessage() + location(syntax));
            }
            throw new CaptureRejected(CaptureRejected.MALFORMED, where + problem(e));
        } catch (IOException e) {
            throw new CaptureRejected(CaptureRejected.MALFORMED, "Could not read the body: " + e.getMessage());
        }
    }

    /** The path Jackson was at, as {@code events[3].sessionId: }. */
    private static String where(JsonMappingException e) {
        String path = e.getPath().stream().map(reference -> reference.getFieldName() != null
                ? "." + reference.getFieldName() : "[" + reference.getIndex() + "]").collect(Collectors.joining());
        return path.isEmpty() ? "" : path.substring(path.startsWith(".") ? 1 : 0) + ": ";
    }

    /** The record's own message (a missing or invalid field) when it refused, else Jackson's. */
    private static String problem(JsonProcessingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException) {
            return cause.getMessage() + location(e);
        }
        return e.getOriginalMessage() + location(e);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /**
     * Each event's text normalised again, and its fingerprint checked. Once per distinct text of the batch: a batch
     * holds thousands of executions of a few shapes, and this ran on every one of them, on the cores the proxies and
     * databases share with the analyzer when it runs beside them.
     */
    private static List<NormalizedStatement> normalized(List<StatementEvent> events) {
        List<NormalizedStatement> statements = new ArrayList<>(events.size());
        Map<String, NormalizedStatement> byText = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            StatementEvent event = events.get(i);
            NormalizedStatement statement = byText.computeIfAbsent(event.text(), SqlNormalizer::normalize);
            if (!statement.fingerprint().equals(event.fingerprint())) {
                throw new CaptureRejected(CaptureRejected.MALFORMED, "events[" + i + "].fingerprint: '"
                        + event.fingerprint() + "' is not the fingerprint of its text, which is '"
                        + statement.fingerprint() + "' (io.exodus.capture.SqlNormalizer); the proxy and the analyzer "
                        + "must run the same exodus-capture-model");
            }
            statements.add(statement);
        }
        return statements;
    }

    /** A live shadow mismatch's text must be normalised (no literal stored) and its fingerprint the analyzer's. */
    private static void checkMismatches(List<ShadowMismatchEvent> mismatches) {
        if (mismatches == null) {
            return;
        }
        for (int i = 0; i < mismatches.size(); i++) {
            ShadowMismatchEvent mismatch = mismatches.get(i);
            NormalizedStatement statement = SqlNormalizer.normalize(mismatch.text());
            if (!statement.text().equals(mismatch.text()) || !statement.fingerprint().equals(mismatch.fingerprint())) {
                throw new CaptureRejected(CaptureRejected.MALFORMED, "shadowMismatches[" + i + "]: its text must be "
                        + "normalised and its fingerprint '" + statement.fingerprint() + "' "
                        + "(io.exodus.capture.SqlNormalizer); the proxy and the analyzer must run the same "
                        + "exodus-capture-model");
            }
        }
    }

    private CaptureRejected tooLarge(String size) {
        return new CaptureRejected(CaptureRejected.TOO_LARGE, "The batch is " + size + "; at most " + maxBytes
                + " bytes are accepted at once (exodus.analyzer.capture.max-batch-bytes): send smaller batches");
    }
}
