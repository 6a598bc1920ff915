package io.exodus.proxy.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class CommandCompleteTest {

    @Test
    void readsTheTagOfTheBody() {
        assertEquals("INSERT 0 5", CommandComplete.tag(MessageWriter.appendCString(Buffer.buffer(), "INSERT 0 5")));
    }

    @Test
    void readsTheRowCountOfEveryCommandThatReportsOne() {
        assertEquals(5, CommandComplete.rowCount("INSERT 0 5"));
        assertEquals(0, CommandComplete.rowCount("UPDATE 0"));
        assertEquals(3, CommandComplete.rowCount("DELETE 3"));
        assertEquals(12_000_000_000L, CommandComplete.rowCount("SELECT 12000000000"));
        assertEquals(7, CommandComplete.rowCount("MERGE 7"));
        assertEquals(100, CommandComplete.rowCount("COPY 100"));
        assertEquals(10, CommandComplete.rowCount("FETCH 10"));
        assertEquals(2, CommandComplete.rowCount("MOVE 2"));
    }

    @Test
    void answersMinusOneForCommandsWithoutARowCount() {
        assertEquals(-1, CommandComplete.rowCount("CREATE TABLE"));
        assertEquals(-1, CommandComplete.rowCount("BEGIN"));
        assertEquals(-1, CommandComplete.rowCount("SET"));
        assertEquals(-1, CommandComplete.rowCount("ALTER TABLE"));
        assertEquals(-1, CommandComplete.rowCount("DROP TABLE"));
        assertEquals(-1, CommandComplete.rowCount(""));
        assertEquals(-1, CommandComplete.rowCount("SELECT"));
        assertEquals(-1, CommandComplete.rowCount("INSERT 0 x"));
    }
}
