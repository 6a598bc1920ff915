package io.exodus.proxy.dualwrite;

import io.vertx.core.buffer.Buffer;

/**
 * Where the data of a {@code COPY … FROM} that dual-write runs comes from: the client, which is told to send it and
 * made to wait while the databases are slower than it (the relay's own feed), or the bytes of a file Exodus read on
 * the primary ({@link ServerFileFeed}), which the client never sees.
 */
interface CopyFeed {
    /**
     * The primary takes data now: from here on the data goes to {@code copy}, CopyData then CopyDone.
     *
     * @param copyInResponse what a client that sends the data is told (a CopyInResponse, framed)
     */
    void start(CopyIn copy, Buffer copyInResponse);

    /** The databases are slower than the data comes: none until {@link #release}. */
    void hold();

    void release();

    /** {@code copy} takes no more data (it ended, or failed). */
    void ended(CopyIn copy);
}
