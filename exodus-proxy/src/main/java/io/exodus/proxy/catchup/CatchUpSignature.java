package io.exodus.proxy.catchup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA-256 every queue entry carries. Clients' roles may insert into the queue table (the entry is written
 * inside their own transactions), so without it any client could queue statements for the replayer, which runs as
 * the target URL's user: the replayer applies only entries whose signature it can check.
 */
public final class CatchUpSignature {
    private final byte[] key;

    private CatchUpSignature(byte[] key) {
        this.key = key;
    }

    /** A configured key, or one derived from both backends' URLs (passwords included): equal on every replica. */
    public static CatchUpSignature of(String configuredKey, String sourceUrl, String targetUrl) {
        String material = configuredKey != null ? configuredKey : "exodus-replay\0" + sourceUrl + "\0" + targetUrl;
        try {
            return new CatchUpSignature(MessageDigest.getInstance("SHA-256")
                    .digest(material.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public byte[] sign(String context, byte[] stream, int readyCount, List<String> expectedTags, Long commitMarker) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            updateWithLength(mac, context.getBytes(StandardCharsets.UTF_8));
            updateWithLength(mac, stream);
            mac.update(ByteBuffer.allocate(12).putInt(readyCount).putLong(commitMarker == null ? -1 : commitMarker).array());
            for (String tag : expectedTags) {
                updateWithLength(mac, tag.getBytes(StandardCharsets.UTF_8));
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    public boolean verify(byte[] signature, String context, byte[] stream, int readyCount, List<String> expectedTags,
            Long commitMarker) {
        return signature != null
                && MessageDigest.isEqual(signature, sign(context, stream, readyCount, expectedTags, commitMarker));
    }

    /** Lengths first, so that moving bytes from one field to the next changes the signature. */
    private static void updateWithLength(Mac mac, byte[] bytes) {
        mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
    }
}
