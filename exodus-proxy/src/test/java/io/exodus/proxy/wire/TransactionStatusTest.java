package io.exodus.proxy.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class TransactionStatusTest {

    @Test
    void readsEachStatusOfAReadyForQueryAndWritesItBack() {
        for (TransactionStatus status : TransactionStatus.values()) {
            Buffer readyForQuery = SessionMessages.readyForQuery(status);
            assertEquals(BackendMessageType.READY_FOR_QUERY, readyForQuery.getByte(0));
            assertEquals(status, TransactionStatus.of(readyForQuery.slice(5, readyForQuery.length())));
        }
        assertEquals(TransactionStatus.IDLE, TransactionStatus.of((byte) 'I'));
        assertEquals(TransactionStatus.IN_TRANSACTION, TransactionStatus.of((byte) 'T'));
        assertEquals(TransactionStatus.FAILED, TransactionStatus.of((byte) 'E'));
    }

    @Test
    void aFailedBlockIsStillABlock() {
        assertFalse(TransactionStatus.IDLE.inBlock());
        assertTrue(TransactionStatus.IN_TRANSACTION.inBlock());
        assertTrue(TransactionStatus.FAILED.inBlock());
    }

    @Test
    void anUnknownStatusIsAProtocolViolation() {
        ProtocolViolation violation = assertThrows(ProtocolViolation.class, () -> TransactionStatus.of((byte) 'X'));
        assertEquals(SqlState.PROTOCOL_VIOLATION, violation.sqlState());
        assertEquals(TransactionStatus.IDLE, TransactionStatus.of(Buffer.buffer()));
    }
}
