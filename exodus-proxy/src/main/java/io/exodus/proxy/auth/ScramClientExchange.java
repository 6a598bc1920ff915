package io.exodus.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The proxy as a SCRAM-SHA-256 client of a backend, as libpq does it: no channel binding, an empty user name
 * (PostgreSQL takes the user from the startup packet), and the server's signature checked before the login
 * counts. It logs in with a password or, in pass-through, with the keys recovered from the proxy's own client.
 *
 * <p>One instance serves one exchange, from one thread: {@link #clientFirst}, {@link #clientFinal}, then
 * {@link #verifyServerFinal}. Any failure ends it.
 */
public final class ScramClientExchange {
    private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();
    /** base64("n,,"): this client never uses channel binding. */
    private static final String CHANNEL_BINDING = "c=biws";

    /** Where the keys come from once the server has named its salt and iteration count. */
    private interface KeySource {
        ScramClientKeys keysFor(byte[] salt, int iterations);
    }

    private enum Step { CLIENT_FIRST, CLIENT_FINAL, SERVER_FINAL, DONE }

    private final KeySource keySource;
    private final String userName;
    private final String clientNonce;
    private Step step = Step.CLIENT_FIRST;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    private ScramClientExchange(KeySource keySource, String userName, String clientNonce) {
        if (!ScramMessageReader.isPrintable(clientNonce)) {
            throw new IllegalArgumentException("A SCRAM nonce must be non-empty printable ASCII without commas");
        }
        this.keySource = keySource;
        this.userName = userName;
        this.clientNonce = clientNonce;
    }

    public static ScramClientExchange withPassword(String password) {
        return withPassword(password, DEFAULT_RANDOM);
    }

    public static ScramClientExchange withPassword(String password, SecureRandom random) {
        return new ScramClientExchange(passwordKeys(password), "", ScramFunctions.randomNonce(random));
    }

    /**
     * Pass-through: logs in with keys recovered from a client's proof. The backend must store the same secret; if
     * the keys know their salt and iteration count, a backend that names others is refused before the proof.
     */
    public static ScramClientExchange withKeys(ScramClientKeys keys) {
        return withKeys(keys, DEFAULT_RANDOM);
    }

    public static ScramClientExchange withKeys(ScramClientKeys keys, SecureRandom random) {
        return new ScramClientExchange(fixedKeys(keys), "", ScramFunctions.randomNonce(random));
    }

    /** With a chosen user name and nonce, so that published test vectors can be replayed. Never for backends. */
    static ScramClientExchange withPasswordAndNonce(String password, String userName, String clientNonce) {
        return new ScramClientExchange(passwordKeys(password), userName, clientNonce);
    }

    /** The client-first-message, for SASLInitialResponse with mechanism {@value ScramServerExchange#MECHANISM}. */
    public String clientFirst() {
        requireStep(Step.CLIENT_FIRST, "clientFirst");
        clientFirstBare = "n=" + saslName(userName) + ",r=" + clientNonce;
        step = Step.CLIENT_FINAL;
        return "n,," + clientFirstBare;
    }

    /**
     * Answers the server-first-message (AuthenticationSASLContinue) with the proof.
     *
     * @return the client-final-message, for SASLResponse
     * @throws AuthenticationFailedException a protocol violation when the backend's message is malformed or its
     *                                       nonce is not an extension of ours; a wrong password when pass-through
     *                                       keys cannot serve the backend's salt and iteration count
     */
    public String clientFinal(String serverFirstMessage) {
        requireStep(Step.CLIENT_FINAL, "clientFinal");
        step = Step.DONE;
        ScramMessageReader reader = new ScramMessageReader("server-first-message", serverFirstMessage);
        if (reader.nextIs('m')) {
            throw AuthenticationFailedException.protocolViolation(
                    "The backend requires an unsupported SCRAM extension (\"m=\")");
        }
        String nonce = reader.readNonce();
        if (!nonce.startsWith(clientNonce)) {
            throw AuthenticationFailedException.protocolViolation("SCRAM nonce mismatch: the backend's nonce does "
                    + "not start with the one Exodus sent");
        }
        byte[] salt = reader.readBase64('s', "salt");
        if (salt.length == 0) {
            throw reader.malformed("the salt is empty");
        }
        int iterations = parseIterations(reader, reader.read('i'));
        reader.requireEnd();

        ScramClientKeys keys = keySource.keysFor(salt, iterations);
        String withoutProof = CHANNEL_BINDING + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirstMessage + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientKey = keys.clientKey();
        byte[] clientSignature = ScramFunctions.hmac(ScramFunctions.storedKey(clientKey), authMessage);
        byte[] proof = ScramFunctions.xor(clientKey, clientSignature);
        expectedServerSignature = ScramFunctions.hmac(keys.serverKey(), authMessage);
        step = Step.SERVER_FINAL;
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    /**
     * Checks the server-final-message (AuthenticationSASLFinal): only a server that holds the user's secret can
     * sign the exchange.
     *
     * @throws AuthenticationFailedException a protocol violation when the message is malformed or reports an
     *                                       error; a wrong password when the signature does not match or the
     *                                       server reports an invalid proof
     */
    public void verifyServerFinal(String serverFinalMessage) {
        requireStep(Step.SERVER_FINAL, "verifyServerFinal");
        step = Step.DONE;
        ScramMessageReader reader = new ScramMessageReader("server-final-message", serverFinalMessage);
        if (reader.nextIs('e')) {
            String error = reader.read('e');
            String message = "The backend rejected the SCRAM authentication: " + error;
            throw error.equals("invalid-proof") || error.equals("unknown-user")
                    ? AuthenticationFailedException.wrongPassword(message)
                    : AuthenticationFailedException.protocolViolation(message);
        }
        byte[] signature = reader.readBase64('v', "server signature");
        reader.requireEnd();
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw AuthenticationFailedException.wrongPassword("The backend's SCRAM server signature is wrong: it "
                    + "does not hold the secret Exodus used for this user, or something altered the exchange");
        }
    }

    private static KeySource passwordKeys(String password) {
        return (salt, iterations) -> SaltedKeyCache.keysFor(password, salt, iterations);
    }

    private static KeySource fixedKeys(ScramClientKeys keys) {
        return (salt, iterations) -> {
            if (!keys.fit(salt, iterations)) {
                String difference = iterations != keys.iterations()
                        ? "the backend uses " + iterations + " iterations, the proxy's secret " + keys.iterations()
                        : "the salts differ";
                // Reported as a failed password: from the client's side, its login through the proxy failed.
                throw AuthenticationFailedException.wrongPassword("The backend stores a different SCRAM secret for "
                        + "this user than the one the client authenticated against (" + difference + "). "
                        + "Pass-through login needs both to store the same secret: copy pg_authid.rolpassword from "
                        + "one to the other (ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$...'), or give Exodus the "
                        + "user's password.");
            }
            return keys;
        };
    }

    private static int parseIterations(ScramMessageReader reader, String text) {
        if (!ScramFunctions.isIterationCount(text)) {
            throw reader.malformed("the iteration count is not a positive number");
        }
        return Integer.parseInt(text);
    }

    /** RFC 5802's saslname: "=" and "," are escaped. */
    private static String saslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    private void requireStep(Step expected, String method) {
        if (step != expected) {
            throw new IllegalStateException(method + " called " + (step == Step.DONE ? "after the SCRAM exchange "
                    + "ended" : "out of order") + "; use a new ScramClientExchange for each authentication");
        }
    }
}
