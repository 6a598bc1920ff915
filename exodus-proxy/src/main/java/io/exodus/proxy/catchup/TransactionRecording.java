package io.exodus.proxy.catchup;

import io.exodus.proxy.sql.WrittenTables;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one client transaction sent, or would have sent, to the secondary, kept so that the whole transaction can be
 * queued for replay if the secondary misses any part of it. The stream is made to run on a connection of its own:
 * a prepared statement parsed before the transaction is parsed again in front of its first Bind here
 * ({@link #preparedHere()}). The transaction's COMMIT is not part of it; the replayer adds its own.
 */
public final class TransactionRecording {
    private final int maxBytes;
    private final Buffer stream = Buffer.buffer(256);
    private final List<String> expectedTags = new ArrayList<>();
    private final Set<String> preparedHere = new HashSet<>();
    private final List<String> writingStatements = new ArrayList<>();
    private int readyCount;
    private boolean overflowed;
    private String unqueueable;
    private boolean writes;
    private Long commitMarker;

    public TransactionRecording(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * @param request    frontend messages, each request ending with Sync or being a Query
     * @param readyCount how many ReadyForQuery messages the request is answered with
     * @param tags       the command tags the request must produce on the secondary (the primary's)
     * @param writes     whether the request writes (a transaction of BEGIN, SET and reads needs no replay)
     */
    public void add(Buffer request, int readyCount, List<String> tags, boolean writes) {
        this.writes |= writes;
        if (overflowed) {
            return;
        }
        if (stream.length() + request.length() > maxBytes) {
            overflowed = true;
            return;
        }
        stream.appendBuffer(request);
        this.readyCount += readyCount;
        expectedTags.addAll(tags);
    }

    /**
     * The transaction wrote something too large to keep (a COPY's data past the limit): it cannot be queued, and
     * its tables are marked divergent if the secondary misses it.
     */
    public void overflowed(String statementText) {
        writes = true;
        overflowed = true;
        wrote(statementText);
    }

    /** The statements the stream has parsed so far (named ones must be parsed again before a Bind on replay). */
    public Set<String> preparedHere() {
        return preparedHere;
    }

    /** Too big to queue, or {@link #refuse refused}: the transaction's tables are marked divergent instead. */
    public boolean overflowed() {
        return overflowed;
    }

    /**
     * The transaction cannot be replayed as recorded (it writes what only its own session has): should the secondary
     * miss it, it is not queued, and its tables are marked divergent with this reason.
     */
    public void refuse(String reason) {
        if (unqueueable == null) {
            unqueueable = reason;
        }
        overflowed = true;
    }

    /** Why the transaction cannot be queued, for the divergence and the tables' mark. */
    public String unqueueableReason() {
        return unqueueable != null ? unqueueable
                : "it was larger than exodus.replay.max-transaction-bytes (" + maxBytes + ")";
    }

    /** Keeps a writing statement's text, for the tables the transaction writes (see {@link #tables()}). */
    public void wrote(String statementText) {
        if (statementText != null && writingStatements.size() < 1000) {
            writingStatements.add(statementText);
        }
    }

    /** The tables the transaction's statements name as written to (what functions and triggers write is not seen). */
    public Set<String> tables() {
        Set<String> tables = new TreeSet<>();
        for (String sql : writingStatements) {
            tables.addAll(WrittenTables.in(sql));
        }
        return tables;
    }

    /** Whether anything recorded writes: only then is the transaction worth queueing. */
    public boolean hasWrites() {
        return writes;
    }

    public Buffer stream() {
        return stream;
    }

    public int readyCount() {
        return readyCount;
    }

    public List<String> expectedTags() {
        return expectedTags;
    }

    /**
     * The marker the secondary's COMMIT wrote with the transaction when it took part live: if that COMMIT's outcome
     * is unknown (the connection was lost on the way), the replayer applies the entry only if the marker is absent.
     */
    public Long commitMarker() {
        return commitMarker;
    }

    public void commitMarker(Long marker) {
        this.commitMarker = marker;
    }
}
