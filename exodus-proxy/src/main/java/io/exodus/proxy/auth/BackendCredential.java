package io.exodus.proxy.auth;


/** What the proxy presents when a backend asks it to authenticate. */
public sealed interface BackendCredential {

    /** Words for a log line or an error message; never the secret itself. */
    String describe();

    /** A password: answers cleartext, md5 and SCRAM requests. */
    record Password(String password) implements BackendCredential {
        public String describe() {
            return "password";
        }
    }

    /** A stored md5 hash ("md5…"), as found in pg_shadow: answers md5 requests only. */
    record Md5Hash(String storedHash) implements BackendCredential {
        public String describe() {
            return "stored md5 hash";
        }
    }

    /** SCRAM keys recovered from the client's own proof: answers SCRAM for the same stored secret. */
    record ScramKeys(ScramClientKeys keys) implements BackendCredential {
        public String describe() {
            return "SCRAM keys of the client";
        }
    }

    /** Nothing: only a backend that trusts the connection lets it in. */
    record None() implements BackendCredential {
        public String describe() {
            return "no credential";
        }
    }
}
