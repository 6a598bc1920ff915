package io.exodus.analyzer.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.exodus.capture.SqlNormalizer;

/** The decoding of capture bodies on its own, without HTTP: what passes, and why the rest is refused. */
class CaptureDecoderTest {
    private static final String SELECT = "SELECT abalance FROM pgbench_accounts WHERE aid = 42";

    private final CaptureDecoder decoder = new CaptureDecoder(new ObjectMapper().registerModule(new JavaTimeModule()),
            4096, 3);

    @Test
    void normalisesRawTextAgainSoThatNoLiteralIsStored() {
        DecodedBatch decoded = decoder.decode(body(event(SELECT, SqlNormalizer.fingerprint(SELECT))), null);
        assertEquals("SELECT abalance FROM pgbench_accounts WHERE aid = $1", decoded.statements().get(0).text());
        assertEquals("", decoded.batch().proxyId() == null ? "" : decoded.batch().proxyId());
    }

    @Test
    void readsGzipWhateverTheHeadersCase() throws IOException {
        DecodedBatch decoded = decoder.decode(gzip(body(event(SELECT, SqlNormalizer.fingerprint(SELECT)))), " GZIP ");
        assertEquals(1, decoded.batch().events().size());
    }

    @Test
    void refusesAGzipBombOnceItsOutputPassesTheLimit() throws IOException {
        byte[] bomb = gzip(new byte[1_000_000]);
        assertTrue(bomb.length < 4096);
        CaptureRejected rejected = assertThrows(CaptureRejected.class, () -> decoder.decode(bomb, "gzip"));
        assertEquals(CaptureRejected.TOO_LARGE, rejected.status());
    }

    @Test
    void refusesUnknownEncodingsAndEmptyBodies() {
        assertEquals("Content-Encoding 'br' is not supported; send plain JSON or gzip",
                assertThrows(CaptureRejected.class, () -> decoder.decode(body(), "br")).getMessage());
        assertTrue(assertThrows(CaptureRejected.class, () -> decoder.decode(new byte[0], null)).getMessage()
                .startsWith("The body is empty"));
        assertTrue(assertThrows(CaptureRejected.class, () -> decoder.decode("null".getBytes(StandardCharsets.UTF_8),
                null)).getMessage().startsWith("The body is JSON null"));
    }

    @Test
    void saysWhichFieldOfWhichEventIsWrong() {
        String badClass = event(SELECT, SqlNormalizer.fingerprint(SELECT)).replace("\"read\"", "\"query\"");
        CaptureRejected rejected = assertThrows(CaptureRejected.class,
                () -> decoder.decode(body(event(SELECT, SqlNormalizer.fingerprint(SELECT)), badClass), null));
        assertEquals(CaptureRejected.MALFORMED, rejected.status());
        assertTrue(rejected.getMessage().startsWith("events[1].statementClass: 'query' is not one of read, write"),
                rejected.getMessage());
    }

    @Test
    void refusesMoreEventsThanConfigured() {
        String event = event(SELECT, SqlNormalizer.fingerprint(SELECT));
        CaptureRejected rejected = assertThrows(CaptureRejected.class,
                () -> decoder.decode(body(event, event, event, event), null));
        assertEquals(CaptureRejected.TOO_LARGE, rejected.status());
    }

    private static String event(String text, String fingerprint) {
        return "{\"at\": \"2025-03-01T12:00:00Z\", \"sessionId\": 1, \"protocol\": \"simple\", "
                + "\"statementClass\": \"read\", \"text\": \"" + text + "\", \"fingerprint\": \"" + fingerprint + "\"}";
    }

    private static byte[] body(String... events) {
        return ("{\"events\": [" + String.join(",", events) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(plain);
        }
        return out.toByteArray();
    }
}
