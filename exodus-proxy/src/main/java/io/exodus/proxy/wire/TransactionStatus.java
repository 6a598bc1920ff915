package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

/** The transaction status a ReadyForQuery reports: the one byte of its body. */
public enum TransactionStatus {
    /** Not in a transaction block. */
    IDLE('I'),
    /** In a transaction block. */
    IN_TRANSACTION('T'),
    /** In a failed transaction block: statements are refused until it ends. */
    FAILED('E');

    private final byte code;

    TransactionStatus(char code) {
        this.code = (byte) code;
    }

    /** The byte ReadyForQuery carries. */
    public byte code() {
        return code;
    }

    /**
     * The status a ReadyForQuery's body reports. An empty body (no server sends one) counts as idle, the state in
     * which a session takes no part in a transaction; an unknown byte is a protocol violation.
     */
    public static TransactionStatus of(Buffer readyForQueryBody) {
        return readyForQueryBody.length() == 0 ? IDLE : of(readyForQueryBody.getByte(0));
    }

    /** The status for a ReadyForQuery's byte. */
    public static TransactionStatus of(byte code) {
        return switch (code) {
            case 'I' -> IDLE;
            case 'T' -> IN_TRANSACTION;
            case 'E' -> FAILED;
            default -> throw ProtocolViolation.of("ReadyForQuery reports an unknown transaction status " + code);
        };
    }

    /** Whether a transaction block is open, failed or not. */
    public boolean inBlock() {
        return this != IDLE;
    }
}
