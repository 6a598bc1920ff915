package io.exodus.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SchemaFingerprintTest {
    private static final SchemaFingerprint BEGAN = new SchemaFingerprint(Map.of(
            "table public.orders", "a1", "index public.orders_pkey", "b1", "function public.f(integer)", "c1"));

    @Test
    void namesWhatWasDroppedAlteredAndCreated() {
        SchemaFingerprint now = new SchemaFingerprint(Map.of(
                "table public.orders", "a2", "function public.f(integer)", "c1", "table public.late", "d1"));
        assertEquals(List.of("index public.orders_pkey dropped", "table public.orders altered",
                "table public.late created"), now.changesSince(BEGAN));
    }

    @Test
    void anUnchangedSchemaHasNoChanges() {
        assertTrue(new SchemaFingerprint(Map.copyOf(BEGAN.digests())).changesSince(BEGAN).isEmpty());
    }

    @Test
    void readsBackWhatTheJournalKeeps() {
        assertEquals(BEGAN, SchemaFingerprint.fromJson(BEGAN.toJson()));
    }

    @Test
    void aFailureNamesTenChangesAndCountsTheRest() {
        List<String> changes = java.util.stream.IntStream.rangeClosed(1, 12).mapToObj(i -> "table public.t" + i
                + " created").toList();
        String message = new SchemaFingerprint.Changed(changes).getMessage();
        assertTrue(message.contains("table public.t10 created and 2 more"), message);
        assertTrue(!message.contains("public.t11"), message);
    }
}
