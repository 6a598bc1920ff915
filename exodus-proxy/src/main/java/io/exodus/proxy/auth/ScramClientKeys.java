package io.exodus.proxy.auth;

import java.util.Arrays;

/**
 * What a SCRAM client needs to log in without the password: the ClientKey to build its proof and the ServerKey to
 * check the server's signature. A proxy recovers the ClientKey from its own client's proof (as PgBouncer does) and
 * replays it to a backend that stores the same secret.
 *
 * <p>The keys only work with the salt and iteration count they were derived with. When those are known
 * ({@link #from(byte[], ScramSecret)}), a backend that offers different ones is refused before any proof is sent,
 * with a message that says why; keys built from just the two arrays leave that to the backend, which then reports
 * a plain password failure.
 *
 * @param salt       the salt the keys were derived with, or an empty array when unknown
 * @param iterations the iteration count the keys were derived with, or 0 when unknown
 */
public record ScramClientKeys(byte[] clientKey, byte[] serverKey, byte[] salt, int iterations) {

    public ScramClientKeys {
        ScramFunctions.requireKeyLength("ClientKey", clientKey);
        ScramFunctions.requireKeyLength("ServerKey", serverKey);
        if (iterations < 0 || (iterations == 0) != (salt.length == 0)) {
            throw new IllegalArgumentException("Give both the salt and the iteration count the keys were derived "
                    + "with, or neither");
        }
        clientKey = clientKey.clone();
        serverKey = serverKey.clone();
        salt = salt.clone();
    }

    /** Keys whose salt and iteration count are unknown: a mismatch shows only as the backend's refusal. */
    public ScramClientKeys(byte[] clientKey, byte[] serverKey) {
        this(clientKey, serverKey, new byte[0], 0);
    }

    /**
     * The keys behind {@code secret}, given the ClientKey a client proved it holds.
     *
     * @throws IllegalArgumentException if {@code clientKey} is not the one the secret's StoredKey was made from
     */
    public static ScramClientKeys from(byte[] clientKey, ScramSecret secret) {
        if (!secret.isClientKey(clientKey)) {
            throw new IllegalArgumentException("This ClientKey does not belong to the SCRAM secret: its SHA-256 "
                    + "differs from the secret's StoredKey");
        }
        return new ScramClientKeys(clientKey, secret.serverKey(), secret.salt(), secret.iterations());
    }

    /** The keys a client with {@code password} derives for this salt and iteration count. */
    public static ScramClientKeys fromPassword(String password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("SCRAM needs at least 1 iteration, got " + iterations);
        }
        if (salt.length == 0) {
            throw new IllegalArgumentException("SCRAM needs a non-empty salt");
        }
        byte[] saltedPassword = ScramFunctions.saltedPassword(password, salt, iterations);
        return new ScramClientKeys(ScramFunctions.clientKey(saltedPassword), ScramFunctions.serverKey(saltedPassword),
                salt, iterations);
    }

    public boolean knowsSaltAndIterations() {
        return iterations > 0;
    }

    /** False only when the keys know their salt and iteration count and these are different. */
    boolean fit(byte[] otherSalt, int otherIterations) {
        return !knowsSaltAndIterations() || (iterations == otherIterations && Arrays.equals(salt, otherSalt));
    }

    /** The secret a server stores for these keys; needs the salt and iteration count. */
    public ScramSecret secret() {
        if (!knowsSaltAndIterations()) {
            throw new IllegalStateException("These SCRAM keys were built without their salt and iteration count, "
                    + "so they do not determine a stored secret");
        }
        return new ScramSecret(iterations, salt, ScramFunctions.storedKey(clientKey), serverKey);
    }

    @Override
    public byte[] clientKey() {
        return clientKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramClientKeys keys && iterations == keys.iterations
                && Arrays.equals(clientKey, keys.clientKey) && Arrays.equals(serverKey, keys.serverKey)
                && Arrays.equals(salt, keys.salt);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(clientKey) + iterations;
    }

    /** Leaves the keys out: the ClientKey logs in as the user wherever this secret is stored. */
    @Override
    public String toString() {
        return "ScramClientKeys[" + (knowsSaltAndIterations() ? "iterations=" + iterations + ", " : "")
                + "keys=<redacted>]";
    }
}
