package io.exodus.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The proxy as a SCRAM-SHA-256 server to one client, following PostgreSQL's auth-scram.c: no channel binding (the
 * proxy advertises no SCRAM-SHA-256-PLUS), no authorization identity, and the user name in the client-first-message
 * ignored because the user is the one of the startup packet.
 *
 * <p>One instance serves one exchange, from one thread: {@link #serverFirst}, then {@link #serverFinal}. Any
 * failure ends it.
 */
public final class ScramServerExchange {
    public static final String MECHANISM = "SCRAM-SHA-256";

    private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();

    /**
     * A successful exchange.
     *
     * @param serverFinalMessage the {@code v=} message to send in AuthenticationSASLFinal
     * @param clientKeys         the keys the client proved it holds, enough to log into a backend that stores the
     *                           same secret
     */
    public record Outcome(String serverFinalMessage, ScramClientKeys clientKeys) {

        public byte[] clientKey() {
            return clientKeys.clientKey();
        }
    }

    private enum Step { CLIENT_FIRST, CLIENT_FINAL, DONE }

    private final ScramSecret secret;
    private final String serverNonce;
    private Step step = Step.CLIENT_FIRST;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    public ScramServerExchange(ScramSecret secret) {
        this(secret, DEFAULT_RANDOM);
    }

    public ScramServerExchange(ScramSecret secret, SecureRandom random) {
        this(secret, ScramFunctions.randomNonce(random));
    }

    /** With a chosen nonce, so that published test vectors can be replayed. Never for real clients. */
    ScramServerExchange(ScramSecret secret, String serverNonce) {
        if (!ScramMessageReader.isPrintable(serverNonce)) {
            throw new IllegalArgumentException("A SCRAM nonce must be non-empty printable ASCII without commas");
        }
        this.secret = secret;
        this.serverNonce = serverNonce;
    }

    /**
     * Answers the client-first-message (the data of SASLInitialResponse).
     *
     * @return the server-first-message, for AuthenticationSASLContinue
     * @throws AuthenticationFailedException (protocol violation) when the message is malformed or asks for
     *                                       something PostgreSQL would refuse
     */
    public String serverFirst(String clientFirstMessage) {
        requireStep(Step.CLIENT_FIRST, "serverFirst");
        step = Step.DONE;
        ScramMessageReader reader = new ScramMessageReader("client-first-message", clientFirstMessage);
        String channelBindingFlag = reader.readField();
        if (channelBindingFlag.startsWith("p=")) {
            throw AuthenticationFailedException.protocolViolation("The client selected SCRAM-SHA-256 without "
                    + "channel binding, but the SCRAM message includes channel binding data (\"p=\"). Exodus offers "
                    + "no SCRAM-SHA-256-PLUS; set the client's channel_binding to \"prefer\" or \"disable\".");
        }
        if (!channelBindingFlag.equals("n") && !channelBindingFlag.equals("y")) {
            throw reader.malformed("unexpected channel-binding flag; expected \"n\", \"y\" or \"p=\"");
        }
        if (!reader.readField().isEmpty()) {
            throw AuthenticationFailedException.protocolViolation(
                    "The client uses a SCRAM authorization identity (\"a=\"), which is not supported");
        }
        gs2Header = channelBindingFlag + ",,";
        clientFirstBare = clientFirstMessage.substring(gs2Header.length());
        if (reader.nextIs('m')) {
            throw AuthenticationFailedException.protocolViolation(
                    "The client requires an unsupported SCRAM extension (\"m=\")");
        }
        reader.read('n');
        nonce = reader.readNonce() + serverNonce;
        while (!reader.atEnd()) {
            reader.skipAttribute();
        }
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(secret.salt()) + ",i="
                + secret.iterations();
        step = Step.CLIENT_FINAL;
        return serverFirst;
    }

    /**
     * Checks the client-final-message (the data of SASLResponse).
     *
     * @return the server-final-message and the client's keys
     * @throws AuthenticationFailedException a protocol violation when the message is malformed or does not belong
     *                                       to this exchange; a wrong password when the proof does not match
     */
    public Outcome serverFinal(String clientFinalMessage) {
        requireStep(Step.CLIENT_FINAL, "serverFinal");
        step = Step.DONE;
        ScramMessageReader reader = new ScramMessageReader("client-final-message", clientFinalMessage);
        byte[] channelBinding = reader.readBase64('c', "channel-binding data");
        if (!Arrays.equals(channelBinding, gs2Header.getBytes(StandardCharsets.US_ASCII))) {
            throw AuthenticationFailedException.protocolViolation("SCRAM channel-binding check failed: the \"c=\" "
                    + "attribute must be the base64 of the gs2 header \"" + gs2Header + "\" the client sent first");
        }
        if (!reader.read('r').equals(nonce)) {
            throw AuthenticationFailedException.protocolViolation("SCRAM nonce mismatch: the client-final-message "
                    + "does not repeat the nonce of the server-first-message");
        }
        while (!reader.atEnd() && !reader.nextIs('p')) {
            reader.skipAttribute();
        }
        byte[] proof = reader.readBase64('p', "proof");
        reader.requireEnd();
        if (proof.length != ScramFunctions.KEY_LENGTH) {
            throw reader.malformed("the proof is " + proof.length + " bytes instead of " + ScramFunctions.KEY_LENGTH);
        }
        String withoutProof = clientFinalMessage.substring(0, clientFinalMessage.lastIndexOf(",p="));
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = ScramFunctions.hmac(secret.storedKey(), authMessage);
        byte[] clientKey = ScramFunctions.xor(proof, clientSignature);
        if (!secret.isClientKey(clientKey)) {
            throw AuthenticationFailedException.wrongPassword(
                    "password authentication failed: the SCRAM proof does not match the user's secret");
        }
        byte[] serverSignature = ScramFunctions.hmac(secret.serverKey(), authMessage);
        return new Outcome("v=" + Base64.getEncoder().encodeToString(serverSignature),
                new ScramClientKeys(clientKey, secret.serverKey(), secret.salt(), secret.iterations()));
    }

    private void requireStep(Step expected, String method) {
        if (step != expected) {
            throw new IllegalStateException(method + " called " + (step == Step.DONE ? "after the SCRAM exchange "
                    + "ended" : "out of order") + "; use a new ScramServerExchange for each authentication");
        }
    }
}
