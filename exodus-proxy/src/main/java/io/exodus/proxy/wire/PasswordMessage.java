package io.exodus.proxy.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * The client's answers to an authentication request, all of type 'p': PasswordMessage (cleartext or md5),
 * SASLInitialResponse and SASLResponse. Which one a 'p' is depends on what was asked, so decoding takes the
 * expected form.
 */
public final class PasswordMessage {
    private PasswordMessage() {
    }

    /** A SASLInitialResponse: the chosen mechanism and the client-first message. */
    public record SaslInitialResponse(String mechanism, String data) {
    }

    public static Buffer password(String text) {
        return MessageWriter.message(FrontendMessageType.PASSWORD,
                MessageWriter.appendCString(Buffer.buffer(), text));
    }

    public static Buffer saslInitialResponse(String mechanism, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        Buffer body = MessageWriter.appendCString(Buffer.buffer(), mechanism).appendInt(bytes.length)
                .appendBytes(bytes);
        return MessageWriter.message(FrontendMessageType.PASSWORD, body);
    }

    public static Buffer saslResponse(String data) {
        return MessageWriter.message(FrontendMessageType.PASSWORD,
                Buffer.buffer().appendString(data, StandardCharsets.UTF_8.name()));
    }

    public static String decodePassword(Buffer body) {
        return new MessageReader(body).readCString();
    }

    public static SaslInitialResponse decodeSaslInitialResponse(Buffer body) {
        MessageReader reader = new MessageReader(body);
        String mechanism = reader.readCString();
        int length = reader.readInt();
        String data = length < 0 ? "" : new String(reader.readBytes(length), StandardCharsets.UTF_8);
        return new SaslInitialResponse(mechanism, data);
    }

    public static String decodeSaslResponse(Buffer body) {
        return body.toString(StandardCharsets.UTF_8);
    }
}
