package io.exodus.proxy.auth;

/**
 * A user the proxy can authenticate: the secret it knows, and the SCRAM secret it checks clients against
 * (derived once from a plain password, so that a login costs no key stretching; null when SCRAM is impossible,
 * as with a stored md5 hash).
 */
public record KnownUser(String name, UserSecret secret, ScramSecret scramSecret) {

    private static final int SCRAM_ITERATIONS = 4096;

    public static KnownUser of(String name, UserSecret secret) {
        ScramSecret scram = null;
        if (secret instanceof UserSecret.StoredScram stored) {
            scram = stored.secret();
        } else if (secret instanceof UserSecret.PlainPassword plain) {
            byte[] salt = new byte[16];
            new java.security.SecureRandom().nextBytes(salt);
            scram = ScramSecret.fromPassword(plain.password(), salt, SCRAM_ITERATIONS);
        }
        return new KnownUser(name, secret, scram);
    }

    /** The stored md5 hash to check an md5 client against, or null when none can be had. */
    public String md5Hash() {
        if (secret instanceof UserSecret.StoredMd5 stored) {
            return stored.hash();
        }
        if (secret instanceof UserSecret.PlainPassword plain) {
            return Md5Password.storedHash(name, plain.password());
        }
        return null;
    }
}
