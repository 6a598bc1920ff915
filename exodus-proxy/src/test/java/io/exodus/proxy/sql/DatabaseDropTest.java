package io.exodus.proxy.sql;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DatabaseDropTest {

    @Test
    void theDroppedDatabaseIsNamed() {
        assertEquals(Optional.of("shop"), DatabaseDrop.droppedBy("DROP DATABASE shop"));
        assertEquals(Optional.of("shop"), DatabaseDrop.droppedBy("drop database if exists Shop with (force);"));
        assertEquals(Optional.of("Shop Two"), DatabaseDrop.droppedBy(";  DROP DATABASE \"Shop Two\""));
    }

    @Test
    void otherStatementsDropNoDatabase() {
        assertEquals(Optional.empty(), DatabaseDrop.droppedBy("drop table database"));
        assertEquals(Optional.empty(), DatabaseDrop.droppedBy("create database shop"));
        assertEquals(Optional.empty(), DatabaseDrop.droppedBy("select 'drop database shop'"));
        assertEquals(Optional.empty(), DatabaseDrop.droppedBy("drop database"));
        assertEquals(Optional.empty(), DatabaseDrop.droppedBy(null));
    }
}
