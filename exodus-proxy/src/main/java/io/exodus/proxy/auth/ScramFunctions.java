package io.exodus.proxy.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The functions RFC 5802 builds SCRAM-SHA-256 from: H, HMAC, Hi and the derived keys. */
final class ScramFunctions {
    static final int KEY_LENGTH = 32;

    private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);

    private ScramFunctions() {
    }

    /** SaltedPassword := Hi(Normalize(password), salt, i), with PostgreSQL's SASLprep as Normalize. */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        byte[] normalized = SaslPrep.prepare(password).getBytes(StandardCharsets.UTF_8);
        return hi(normalized, salt, iterations);
    }

    static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, CLIENT_KEY);
    }

    static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, SERVER_KEY);
    }

    static byte[] storedKey(byte[] clientKey) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(clientKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM offers no SHA-256, which every Java SE runtime must have", e);
        }
    }

    static byte[] hmac(byte[] key, byte[] message) {
        return mac(key).doFinal(message);
    }

    /** PostgreSQL's nonce: SCRAM_RAW_NONCE_LEN (18) random bytes in base64, so 24 characters and no padding. */
    static String randomNonce(SecureRandom random) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Digits only, at least 1, and small enough for an int. */
    static boolean isIterationCount(String text) {
        return !text.isEmpty() && text.length() <= 9 && text.chars().allMatch(c -> c >= '0' && c <= '9')
                && Integer.parseInt(text) >= 1;
    }

    static void requireKeyLength(String name, byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("A SCRAM-SHA-256 " + name + " is " + KEY_LENGTH + " bytes, got "
                    + key.length);
        }
    }

    static byte[] xor(byte[] left, byte[] right) {
        byte[] result = new byte[left.length];
        for (int i = 0; i < result.length; i++) {
            result[i] = (byte) (left[i] ^ right[i]);
        }
        return result;
    }

    /** PBKDF2-HMAC-SHA-256 for a single output block, which is all SCRAM-SHA-256 needs. */
    private static byte[] hi(byte[] password, byte[] salt, int iterations) {
        Mac mac = mac(password);
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    private static Mac mac(byte[] key) {
        // HMAC pads short keys with zero bytes, so one zero byte is the same key as the empty one, which
        // SecretKeySpec refuses. An empty password must still hash the way PostgreSQL hashes it.
        byte[] usableKey = key.length == 0 ? new byte[1] : key;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(usableKey, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM offers no HmacSHA256, which every Java SE runtime must have",
                    e);
        }
    }
}
