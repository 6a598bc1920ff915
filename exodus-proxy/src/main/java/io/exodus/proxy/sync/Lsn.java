package io.exodus.proxy.sync;

/** A WAL position as PostgreSQL writes it ({@code 16/B374D848}). */
record Lsn(long value) {

    static Lsn parse(String text) {
        int slash = text.indexOf('/');
        return new Lsn((Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16));
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xffffffffL).toUpperCase();
    }
}
