package io.exodus.proxy.capture;

import io.exodus.proxy.wire.MessageScanner;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * For a relay that writes the client's answers as framed bytes it assembled itself (dual-write: the primary's
 * answers, the secondary's in a canary read, replies Exodus makes up): walks their headers as they are written and
 * hands the session's capture the few bodies it asks for, without copying the rest.
 */
public final class ClientAnswers {
    private final SessionCapture capture;
    private final MessageScanner scanner;

    public ClientAnswers(SessionCapture capture) {
        this.capture = capture;
        this.scanner = capture.enabled() ? new MessageScanner(new Listener()) : null;
    }

    /** These bytes, whole messages or not, are being written to the client. */
    public void written(Buffer bytes) {
        if (scanner != null) {
            scanner.scan(bytes);
        }
    }

    private final class Listener implements MessageScanner.Listener {
        @Override
        public void onHeader(byte type, int length) {
            if (capture.answerHeader(type)) {
                scanner.captureThisBody();
            }
        }

        @Override
        public void onBody(byte type, Buffer body) {
            ByteBuf bytes = body.getByteBuf();
            capture.answer(type, bytes, bytes.readerIndex(), bytes.readableBytes());
        }
    }
}
