package io.exodus.proxy.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A SCRAM-SHA-256 secret as PostgreSQL stores it in pg_authid.rolpassword:
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}. It lets the proxy check a client's proof
 * without knowing the password.
 */
public record ScramSecret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {

    static final String PREFIX = "SCRAM-SHA-256$";
    /** PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN) for secrets it generates. */
    static final int DEFAULT_ITERATIONS = 4096;
    static final int DEFAULT_SALT_LENGTH = 16;

    private static final String STORED_FORM = "SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>"
            + ":<base64 ServerKey>";

    public ScramSecret {
        if (iterations < 1) {
            throw new IllegalArgumentException("A SCRAM secret needs at least 1 iteration, got " + iterations);
        }
        if (salt.length == 0) {
            throw new IllegalArgumentException("A SCRAM secret needs a non-empty salt");
        }
        ScramFunctions.requireKeyLength("StoredKey", storedKey);
        ScramFunctions.requireKeyLength("ServerKey", serverKey);
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /**
     * Reads the stored form. The message of the exception never repeats the text, which is as good as a password
     * for logging into the proxy.
     */
    public static ScramSecret parse(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            throw malformed("it does not start with " + PREFIX);
        }
        String[] parts = stored.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 2) {
            throw malformed("it does not have exactly two '$'");
        }
        String[] iterationsAndSalt = parts[0].split(":", -1);
        String[] keys = parts[1].split(":", -1);
        if (iterationsAndSalt.length != 2 || keys.length != 2) {
            throw malformed("each '$'-separated part must hold two ':'-separated fields");
        }
        return new ScramSecret(parseIterations(iterationsAndSalt[0]), decode("salt", iterationsAndSalt[1]),
                decodeKey("StoredKey", keys[0]), decodeKey("ServerKey", keys[1]));
    }

    /** Whether PostgreSQL would take {@code stored} for a SCRAM secret rather than a plain-text password. */
    public static boolean isScram(String stored) {
        try {
            parse(stored);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The secret PostgreSQL would store for {@code password} with this salt and iteration count. */
    public static ScramSecret fromPassword(String password, byte[] salt, int iterations) {
        return ScramClientKeys.fromPassword(password, salt, iterations).secret();
    }

    /** A new secret with a random salt and PostgreSQL's default iteration count, as CREATE ROLE would make. */
    public static ScramSecret fromPassword(String password, SecureRandom random) {
        byte[] salt = new byte[DEFAULT_SALT_LENGTH];
        random.nextBytes(salt);
        return fromPassword(password, salt, DEFAULT_ITERATIONS);
    }

    /** The form PostgreSQL stores, accepted by {@code ALTER ROLE ... PASSWORD '...'}. */
    public String toStoredForm() {
        Base64.Encoder base64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + base64.encodeToString(salt) + "$" + base64.encodeToString(storedKey)
                + ":" + base64.encodeToString(serverKey);
    }

    /** Whether {@code clientKey} is the one this secret's StoredKey was made from. Constant time. */
    boolean isClientKey(byte[] clientKey) {
        return MessageDigest.isEqual(ScramFunctions.storedKey(clientKey), storedKey);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramSecret secret && iterations == secret.iterations
                && Arrays.equals(salt, secret.salt) && Arrays.equals(storedKey, secret.storedKey)
                && Arrays.equals(serverKey, secret.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(storedKey) + iterations;
    }

    /** Leaves the keys out: with them anyone can pose as the server, and log in through a proxy like this one. */
    @Override
    public String toString() {
        return "ScramSecret[iterations=" + iterations + ", salt=" + Base64.getEncoder().encodeToString(salt)
                + ", keys=<redacted>]";
    }

    private static int parseIterations(String text) {
        if (!ScramFunctions.isIterationCount(text)) {
            throw malformed("the iteration count is not a positive number");
        }
        return Integer.parseInt(text);
    }

    private static byte[] decodeKey(String name, String base64) {
        byte[] key = decode(name, base64);
        if (key.length != ScramFunctions.KEY_LENGTH) {
            throw malformed("the " + name + " is " + key.length + " bytes instead of " + ScramFunctions.KEY_LENGTH);
        }
        return key;
    }

    private static byte[] decode(String name, String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw malformed("the " + name + " is not valid base64");
        }
    }

    private static IllegalArgumentException malformed(String reason) {
        return new IllegalArgumentException("Not a PostgreSQL SCRAM secret (" + STORED_FORM + "): " + reason
                + ". Copy the value from pg_authid.rolpassword or pg_shadow.passwd unchanged.");
    }
}
