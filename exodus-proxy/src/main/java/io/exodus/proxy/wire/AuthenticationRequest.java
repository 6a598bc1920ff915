package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/** The AuthenticationXxx messages ('R'), by their subtype code. */
public final class AuthenticationRequest {
    public static final int OK = 0;
    public static final int CLEARTEXT_PASSWORD = 3;
    public static final int MD5_PASSWORD = 5;
    public static final int SASL = 10;
    public static final int SASL_CONTINUE = 11;
    public static final int SASL_FINAL = 12;

    private AuthenticationRequest() {
    }

    public static Buffer ok() {
        return MessageWriter.message(BackendMessageType.AUTHENTICATION, Buffer.buffer(4).appendInt(OK));
    }

    public static Buffer md5(byte[] salt) {
        return MessageWriter.message(BackendMessageType.AUTHENTICATION,
                Buffer.buffer(8).appendInt(MD5_PASSWORD).appendBytes(salt));
    }

    public static Buffer sasl(String... mechanisms) {
        Buffer body = Buffer.buffer().appendInt(SASL);
        for (String mechanism : mechanisms) {
            MessageWriter.appendCString(body, mechanism);
        }
        return MessageWriter.message(BackendMessageType.AUTHENTICATION, body.appendByte((byte) 0));
    }

    public static Buffer saslContinue(String data) {
        return MessageWriter.message(BackendMessageType.AUTHENTICATION,
                Buffer.buffer().appendInt(SASL_CONTINUE).appendString(data, StandardCharsets.UTF_8.name()));
    }

    public static Buffer saslFinal(String data) {
        return MessageWriter.message(BackendMessageType.AUTHENTICATION,
                Buffer.buffer().appendInt(SASL_FINAL).appendString(data, StandardCharsets.UTF_8.name()));
    }
}
