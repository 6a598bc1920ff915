package io.exodus.proxy.auth;

/**
 * What the proxy knows about a user's password, which decides the methods it can check a client with (and log
 * into a backend with).
 */
public sealed interface UserSecret permits UserSecret.PlainPassword, UserSecret.StoredScram, UserSecret.StoredMd5 {

    /** Whether the proxy can verify a SCRAM-SHA-256 client with this secret. */
    boolean canAnswerScram();

    /** Whether the proxy can verify an md5 client with this secret. */
    boolean canAnswerMd5();

    /**
     * Recognises a value of pg_authid.rolpassword or pg_shadow.passwd the way PostgreSQL's get_password_type does:
     * an md5 hash, a SCRAM secret, or else a plain-text password.
     *
     * @throws IllegalArgumentException when the role has no password, or the value claims to be a SCRAM secret but
     *                                  is damaged (PostgreSQL would take it for a password; the proxy refuses)
     */
    static UserSecret fromStored(String rolpassword) {
        if (rolpassword == null || rolpassword.isEmpty()) {
            throw new IllegalArgumentException("The role has no password (rolpassword is NULL or empty), so no "
                    + "client can log in with one; set it with ALTER ROLE ... PASSWORD, or give Exodus the "
                    + "user's password");
        }
        if (Md5Password.isMd5(rolpassword)) {
            return new StoredMd5(rolpassword);
        }
        if (rolpassword.startsWith(ScramSecret.PREFIX)) {
            // Parsed rather than tested, so that a damaged secret is reported instead of becoming a password.
            return new StoredScram(ScramSecret.parse(rolpassword));
        }
        return new PlainPassword(rolpassword);
    }

    /** The password itself, from configuration or from a pg_shadow that stores it unhashed. */
    record PlainPassword(String password) implements UserSecret {

        public PlainPassword {
            if (password == null) {
                throw new IllegalArgumentException("A plain password cannot be null; leave the user out instead");
            }
        }

        @Override
        public boolean canAnswerScram() {
            return true;
        }

        @Override
        public boolean canAnswerMd5() {
            return true;
        }

        @Override
        public String toString() {
            return "PlainPassword[<redacted>]";
        }
    }

    /** A SCRAM-SHA-256 secret: checks SCRAM clients, and cannot give the md5 hash. */
    record StoredScram(ScramSecret secret) implements UserSecret {

        public StoredScram {
            if (secret == null) {
                throw new IllegalArgumentException("A stored SCRAM secret cannot be null");
            }
        }

        @Override
        public boolean canAnswerScram() {
            return true;
        }

        @Override
        public boolean canAnswerMd5() {
            return false;
        }
    }

    /** An md5 hash ("md5" and 32 hex digits): checks md5 clients, and cannot give SCRAM keys. */
    record StoredMd5(String hash) implements UserSecret {

        public StoredMd5 {
            if (!Md5Password.isMd5(hash)) {
                throw new IllegalArgumentException("Not a PostgreSQL md5 hash: expected \"md5\" followed by 32 "
                        + "lowercase hex digits, as in pg_shadow.passwd");
            }
        }

        @Override
        public boolean canAnswerScram() {
            return false;
        }

        @Override
        public boolean canAnswerMd5() {
            return true;
        }

        /** Leaves the hash out: it is enough to log in with md5. */
        @Override
        public String toString() {
            return "StoredMd5[<redacted>]";
        }
    }
}
