package io.exodus.analyzer.shadow;

/**
 * The two databases one statement is replayed on: the live source and target for reads, their scratch copies for
 * writes ({@code writes: rollback}).
 */
record Databases(ReplaySide source, ReplaySide target) {

    void close() {
        source.close();
        target.close();
    }
}
