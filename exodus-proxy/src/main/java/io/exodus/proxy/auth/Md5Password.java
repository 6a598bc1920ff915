package io.exodus.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * PostgreSQL's md5 password method. The stored hash is {@code "md5" + md5(password + user)}; a client answers the
 * 4-byte salt of AuthenticationMD5Password with {@code "md5" + md5(hex part of the stored hash + salt)}. Whoever
 * holds the stored hash can therefore answer as the user, which is how the proxy logs into a backend with only
 * pg_shadow's value.
 *
 * <p>Strings are hashed as UTF-8, the encoding PostgreSQL servers and clients almost always use; PostgreSQL itself
 * hashes whatever bytes the client encoding gives.
 */
public final class Md5Password {
    private static final String PREFIX = "md5";
    private static final int SALT_LENGTH = 4;

    private Md5Password() {
    }

    /** What PostgreSQL stores for {@code password}; the user name is the salt. */
    public static String storedHash(String user, String password) {
        return PREFIX + md5Hex(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8));
    }

    /** The PasswordMessage answering AuthenticationMD5Password with {@code salt}, from the stored hash alone. */
    public static String response(String storedHash, byte[] salt) {
        if (!isMd5(storedHash)) {
            throw new IllegalArgumentException("Not a PostgreSQL md5 hash: expected \"md5\" followed by 32 lowercase "
                    + "hex digits, as in pg_shadow.passwd");
        }
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("The md5 salt is " + SALT_LENGTH + " bytes, got " + salt.length);
        }
        return PREFIX + md5Hex(storedHash.substring(PREFIX.length()).getBytes(StandardCharsets.US_ASCII), salt);
    }

    /** Whether {@code clientResponse} answers {@code salt} for this stored hash. Constant time. */
    public static boolean verify(String storedHash, byte[] salt, String clientResponse) {
        if (clientResponse == null) {
            return false;
        }
        byte[] expected = response(storedHash, salt).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, clientResponse.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether PostgreSQL would take {@code stored} for an md5 hash rather than a plain-text password. */
    public static boolean isMd5(String stored) {
        return stored != null && stored.length() == PREFIX.length() + 32 && stored.startsWith(PREFIX)
                && stored.substring(PREFIX.length()).chars().allMatch(c -> (c >= '0' && c <= '9')
                || (c >= 'a' && c <= 'f'));
    }

    private static String md5Hex(byte[] first, byte[] second) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(first);
            md5.update(second);
            return HexFormat.of().formatHex(md5.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM offers no MD5, which every Java SE runtime must have", e);
        }
    }
}
