package io.exodus.proxy.dualwrite;

import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.PgMessage;
import io.vertx.core.buffer.Buffer;

/**
 * The bytes of a server file ({@link ServerFileRead}) given to a COPY as if a client sent them: CopyData pieces of
 * the size psql sends, then CopyDone. The pieces stop while the COPY holds the feed, as a client's socket would be
 * paused, so that neither database's socket queue holds more than its limit.
 */
final class ServerFileFeed implements CopyFeed {
    private static final int PIECE = 64 * 1024;
    private final Buffer bytes;
    private CopyIn copy;
    private int offset;
    private boolean held;
    private boolean feeding;
    private boolean ended;

    ServerFileFeed(Buffer bytes) {
        this.bytes = bytes;
    }

    @Override
    public void start(CopyIn copy, Buffer copyInResponse) {
        this.copy = copy;
        feed();
    }

    private void feed() {
        if (feeding) {
            // A release from inside the COPY's own handling of a piece: the loop below goes on.
            return;
        }
        feeding = true;
        try {
            while (!held && !ended && offset < bytes.length()) {
                int end = Math.min(bytes.length(), offset + PIECE);
                Buffer piece = bytes.slice(offset, end);
                offset = end;
                copy.fromClient(new PgMessage(FrontendMessageType.COPY_DATA, piece));
                copy.clientChunkTaken();
            }
            if (!held && !ended && offset == bytes.length()) {
                ended = true;
                copy.fromClient(new PgMessage(FrontendMessageType.COPY_DONE, Buffer.buffer(0)));
            }
        } finally {
            feeding = false;
        }
    }

    @Override
    public void hold() {
        held = true;
    }

    @Override
    public void release() {
        if (held) {
            held = false;
            feed();
        }
    }

    @Override
    public void ended(CopyIn copy) {
        ended = true;
    }
}
