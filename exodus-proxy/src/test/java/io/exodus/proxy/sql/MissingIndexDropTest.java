package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MissingIndexDropTest {

    @Test
    void aDropIndexIsReplayedWithIfExists() {
        assertEquals(Optional.of("DROP INDEX IF EXISTS concur_reindex_ind5_ccnew;"),
                MissingIndexDrop.tolerant("DROP INDEX concur_reindex_ind5_ccnew;"));
        assertEquals(Optional.of("drop index concurrently IF EXISTS a, s.b cascade"),
                MissingIndexDrop.tolerant("drop index concurrently a, s.b cascade"));
    }

    @Test
    void otherTextsAreLeftAlone() {
        assertEquals(Optional.empty(), MissingIndexDrop.tolerant("drop index if exists i"));
        assertEquals(Optional.empty(), MissingIndexDrop.tolerant("drop table i"));
        assertEquals(Optional.empty(), MissingIndexDrop.tolerant("drop index i; drop index j"));
        assertEquals(Optional.empty(), MissingIndexDrop.tolerant("drop index"));
        assertEquals(Optional.empty(), MissingIndexDrop.tolerant(null));
    }
}
