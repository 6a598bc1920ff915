package io.exodus.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The wire format of docs/analyzer.md, as Jackson (the proxy's and the analyzer's JSON library) reads and writes it. */
class CaptureBatchJsonTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void readsTheDocumentedExample() throws Exception {
        CaptureBatch batch = json.readValue("""
                {"proxyId": "proxy-a", "dropped": 3, "events": [{
                  "at": "2025-03-01T12:00:00.123456Z", "sessionId": 42, "transactionId": 7,
                  "transactionBoundary": "begin", "protocol": "extended", "statementClass": "read",
                  "text": "SELECT abalance FROM pgbench_accounts WHERE aid = $1", "fingerprint": "3a4dce9ec1d20841",
                  "preparedName": "", "parameters": ["17", null], "parameterTypes": [23, 0], "sourceMicros": 120,
                  "targetMicros": 135, "rows": 1, "sqlstate": null, "someFutureField": true}]}
                """, CaptureBatch.class);
        StatementEvent event = batch.events().get(0);
        assertEquals(Instant.parse("2025-03-01T12:00:00.123456Z"), event.at());
        assertEquals(TransactionBoundary.BEGIN, event.transactionBoundary());
        assertEquals(Protocol.EXTENDED, event.protocol());
        assertEquals(StatementClass.READ, event.statementClass());
        assertEquals(Arrays.asList("17", null), event.parameters());
        assertEquals(List.of(23L, 0L), event.parameterTypes());
        assertNull(event.sqlstate());
        assertEquals(3L, batch.dropped());
    }

    @Test
    void carriesTheSessionsSettingsByLowerCaseNameAndEachValuesFormat() throws Exception {
        CaptureBatch batch = json.readValue("""
                {"events": [{"at": "2025-03-01T12:00:00Z", "sessionId": 1, "protocol": "extended",
                  "statementClass": "read", "text": "SELECT $1, $2", "fingerprint": "%s",
                  "parameters": ["\\\\x0000002a", "a"], "parameterTypes": [23, 25], "parameterFormats": [1, 0],
                  "settings": {"TimeZone": "Europe/Paris", "search_path": "app, public"}}]}
                """.formatted(SqlNormalizer.fingerprint("SELECT $1, $2")), CaptureBatch.class);
        StatementEvent event = batch.events().get(0);
        assertEquals(Map.of("timezone", "Europe/Paris", "search_path", "app, public"), event.settings());
        assertEquals(List.of(1, 0), event.parameterFormats());
        assertEquals("\\x0000002a", event.parameters().get(0));
        assertEquals(event, json.readValue(json.writeValueAsString(batch), CaptureBatch.class).events().get(0));
    }

    @Test
    void refusesFormatCodesThatAreNotOnePerValue() {
        assertThrows(IllegalArgumentException.class, () -> new StatementEvent(Instant.now(), 1L, null, null,
                Protocol.EXTENDED, StatementClass.READ, "SELECT $1", SqlNormalizer.fingerprint("SELECT $1"), "",
                List.of("1"), 1L, null, null, null, null, null, null, List.of(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> new StatementEvent(Instant.now(), 1L, null, null,
                Protocol.EXTENDED, StatementClass.READ, "SELECT $1", SqlNormalizer.fingerprint("SELECT $1"), "",
                List.of("1"), 1L, null, null, null, null, null, null, List.of(2)));
    }

    @Test
    void writesEnumsByTheirWireNames() throws Exception {
        StatementEvent event = StatementEvent.of(Instant.parse("2025-03-01T12:00:00Z"), 1, Protocol.SIMPLE,
                StatementClass.TRANSACTION, "BEGIN", 5);
        String text = json.writeValueAsString(new CaptureBatch("p", 0L, List.of(event)));
        assertTrue(text.contains("\"protocol\":\"simple\""), text);
        assertTrue(text.contains("\"statementClass\":\"transaction\""), text);
        assertEquals(event, json.readValue(text, CaptureBatch.class).events().get(0));
    }

    @Test
    void refusesAnEventWithoutItsRequiredFieldsAndSaysWhich() {
        ValueInstantiationException refused = assertThrows(ValueInstantiationException.class, () -> json.readValue("""
                {"events": [{"at": "2025-03-01T12:00:00Z", "protocol": "simple", "statementClass": "read",
                  "text": "SELECT 1", "fingerprint": "0123456789abcdef"}]}
                """, CaptureBatch.class));
        assertTrue(refused.getMessage().contains("sessionId is required"), refused.getMessage());
    }

    @Test
    void refusesUnknownEnumValuesListingTheKnownOnes() {
        Exception refused = assertThrows(Exception.class, () -> json.readValue("""
                {"events": [{"at": "2025-03-01T12:00:00Z", "sessionId": 1, "protocol": "binary",
                  "statementClass": "read", "text": "SELECT 1", "fingerprint": "0123456789abcdef"}]}
                """, CaptureBatch.class));
        assertTrue(refused.getMessage().contains("'binary' is not one of simple, extended"), refused.getMessage());
    }

    @Test
    void refusesBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new StatementEvent(Instant.now(), 1L, null, null,
                Protocol.SIMPLE, StatementClass.READ, "SELECT 1", "0123456789abcdef", null, null, -1L, null, null,
                null, null));
        assertThrows(IllegalArgumentException.class, () -> new StatementEvent(Instant.now(), 1L, null, null,
                Protocol.SIMPLE, StatementClass.READ, "SELECT 1", "0123456789ABCDEF", null, null, 1L, null, null,
                null, null));
        assertThrows(IllegalArgumentException.class, () -> new StatementEvent(Instant.now(), 1L, null, null,
                Protocol.SIMPLE, StatementClass.READ, "SELECT 1", "0123456789abcdef", null, null, 1L, null, null,
                "2350", null));
    }
}
