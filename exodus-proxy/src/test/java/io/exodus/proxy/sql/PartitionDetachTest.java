package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionDetachTest {

    @Test
    void thePartitionIsReadAsTheStatementSpellsIt() {
        assertEquals(Optional.of("\"Part'1\""),
                PartitionDetach.partitionOf("ALTER TABLE s.parted DETACH PARTITION \"Part'1\" CONCURRENTLY;"));
        assertEquals(Optional.of("s.p"), PartitionDetach.partitionOf("alter table t detach partition s.p concurrently"));
    }

    @Test
    void otherStatementsDetachNothingConcurrently() {
        assertEquals(Optional.empty(), PartitionDetach.partitionOf("alter table t detach partition p"));
        assertEquals(Optional.empty(), PartitionDetach.partitionOf("alter table t detach partition p finalize"));
        assertEquals(Optional.empty(), PartitionDetach.partitionOf("create index concurrently i on t (a)"));
    }

    @Test
    void theEntryDetachesPlainlyAndAddsEachCheckTheTargetLacks() {
        String block = PartitionDetach.queuedForm("ALTER TABLE s.parted DETACH PARTITION \"Part'1\"", "\"Part'1\"",
                List.of(new PartitionDetach.Check("Part'1_a_check", "CHECK (((a IS NOT NULL) AND (a = 1)))")));
        assertEquals("DO $exodus_detach$ BEGIN EXECUTE 'ALTER TABLE s.parted DETACH PARTITION \"Part''1\"';"
                + " IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid ="
                + " '\"Part''1\"'::pg_catalog.regclass AND conname = 'Part''1_a_check') THEN EXECUTE"
                + " pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', '\"Part''1\"'::pg_catalog.regclass,"
                + " 'Part''1_a_check', 'CHECK (((a IS NOT NULL) AND (a = 1)))'); END IF; END $exodus_detach$", block);
    }

    @Test
    void theDollarQuoteNeverMeetsTheTextItHolds() {
        String block = PartitionDetach.queuedForm("alter table \"$exodus_detach$\" detach partition p", "p",
                List.of());
        assertTrue(block.startsWith("DO $exodus_detach_$ ") && block.endsWith(" END $exodus_detach_$"), block);
    }
}
