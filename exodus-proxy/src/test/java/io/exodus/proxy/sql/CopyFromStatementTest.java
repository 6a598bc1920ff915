package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COPY … FROM taken apart, new-style and old-style options alike, and written again with more columns. */
class CopyFromStatementTest {

    @Test
    void pgRestoreStyleCopyListsEveryColumn() {
        CopyFromStatement copy = CopyFromStatement.parse("COPY public.archived (id, label, \"Amount\") FROM stdin;")
                .orElseThrow();
        assertEquals("public.archived", copy.table());
        assertEquals(List.of("id", "label", "Amount"), copy.columns());
        assertEquals(CopyFromStatement.Source.STDIN, copy.source());
        assertEquals(CopyFromStatement.Format.TEXT, copy.format());
    }

    @Test
    void newStyleOptionsAreKeptAndTheHeaderDroppedForChunks() {
        CopyFromStatement copy = CopyFromStatement.parse(
                "copy t (a) from stdin with (format csv, header match, delimiter ';', null E'\\\\N') where a > 0")
                .orElseThrow();
        assertEquals(CopyFromStatement.Format.CSV, copy.format());
        assertTrue(copy.header());
        assertEquals(";", copy.stringOption("delimiter"));
        assertEquals("\\N", copy.stringOption("null"));
        assertEquals("COPY t (a, \"id\") FROM STDIN WITH (format csv, delimiter ';', null E'\\\\N') where a > 0",
                copy.fromStdinWith(List.of("\"id\"")));
        assertEquals("COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, delimiter ';', null E'\\\\N')",
                copy.toStdoutOf("SELECT 1"));
    }

    /** The server refuses an option given twice before it asks for data: Exodus leaves such a text to it. */
    @Test
    void aRepeatedOptionIsNoCopyForExodus() {
        assertTrue(CopyFromStatement.parse("COPY x from stdin (format CSV, FORMAT CSV)").isEmpty());
        assertTrue(CopyFromStatement.parse("COPY x (a) from stdin (delimiter ',', delimiter ',')").isEmpty());
        assertTrue(CopyFromStatement.parse("COPY BINARY x from stdin (format binary)").isEmpty());
        assertTrue(CopyFromStatement.parse("COPY x from stdin csv header csv").isEmpty());
        assertFalse(CopyFromStatement.parse("COPY x from stdin (format csv, header)").isEmpty());
    }

    @Test
    void oldStyleOptionsReadAsNewStyle() {
        CopyFromStatement copy = CopyFromStatement.parse(
                "COPY t (a, b) FROM STDIN WITH CSV HEADER DELIMITER AS '|' QUOTE '''' FORCE NOT NULL a, b").orElseThrow();
        assertEquals(CopyFromStatement.Format.CSV, copy.format());
        assertTrue(copy.header());
        assertEquals("|", copy.stringOption("delimiter"));
        assertEquals("'", copy.stringOption("quote"));
        assertEquals("(a, b)", copy.options().get("force_not_null"));
        assertEquals(CopyFromStatement.Format.BINARY,
                CopyFromStatement.parse("COPY BINARY t FROM STDIN").orElseThrow().format());
    }

    @Test
    void fileAndProgramSourcesAreTold() {
        assertEquals(CopyFromStatement.Source.FILE,
                CopyFromStatement.parse("COPY t FROM '/tmp/x.csv' (FORMAT csv)").orElseThrow().source());
        CopyFromStatement program = CopyFromStatement.parse("COPY t FROM PROGRAM 'gzip -dc x.gz'").orElseThrow();
        assertEquals(CopyFromStatement.Source.PROGRAM, program.source());
        assertEquals("gzip -dc x.gz", program.fileName());
        assertFalse(CopyFromStatement.parse("COPY t TO STDOUT").isPresent());
    }
}
