package io.exodus.proxy.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScramExchangeTest {
    // RFC 7677, section 3.
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String NONCE = CLIENT_NONCE + SERVER_NONCE;
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final ScramSecret PENCIL = ScramSecret.fromPassword("pencil", SALT, 4096);
    private static final String CLIENT_FIRST = "n,,n=user,r=" + CLIENT_NONCE;
    private static final String SERVER_FIRST = "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String CLIENT_FINAL = "c=biws,r=" + NONCE + ",p=" + PROOF;
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private final SecureRandom random = new SecureRandom();

    @Test
    void serverReproducesRfc7677() {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);

        assertEquals(SERVER_FIRST, server.serverFirst(CLIENT_FIRST));
        ScramServerExchange.Outcome outcome = server.serverFinal(CLIENT_FINAL);

        assertEquals(SERVER_FINAL, outcome.serverFinalMessage());
        assertTrue(PENCIL.isClientKey(outcome.clientKey()));
    }

    @Test
    void clientReproducesRfc7677() {
        ScramClientExchange client = ScramClientExchange.withPasswordAndNonce("pencil", "user", CLIENT_NONCE);

        assertEquals(CLIENT_FIRST, client.clientFirst());
        assertEquals(CLIENT_FINAL, client.clientFinal(SERVER_FIRST));
        client.verifyServerFinal(SERVER_FINAL);
    }

    @Test
    void clientSendsAnEmptyUserNameAndARandomNonceLikeLibpq() {
        String clientFirst = ScramClientExchange.withPassword("pencil", random).clientFirst();

        assertTrue(clientFirst.matches("n,,n=,r=[A-Za-z0-9+/]{24}"), clientFirst);
    }

    @Test
    void clientAndServerAgreeOnARandomPassword() {
        String password = randomPassword();
        ScramSecret secret = ScramSecret.fromPassword(password, random);

        ScramServerExchange.Outcome outcome = logIn(ScramClientExchange.withPassword(password, random),
                new ScramServerExchange(secret, random));

        assertTrue(outcome.serverFinalMessage().startsWith("v="));
        assertEquals(secret, outcome.clientKeys().secret());
    }

    @Test
    void serverAcceptsAClientThatSupportsChannelBindingButDoesNotUseIt() {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);
        server.serverFirst("y,,n=,r=" + CLIENT_NONCE);

        ScramServerExchange.Outcome outcome = server.serverFinal(proofFor("pencil", "y,,n=,r=" + CLIENT_NONCE,
                "c=eSws,r=" + NONCE));

        assertTrue(PENCIL.isClientKey(outcome.clientKey()));
    }

    @Test
    void wrongPasswordIsRejectedAsWrongPassword() {
        ScramSecret secret = ScramSecret.fromPassword("right horse battery staple", random);

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> logIn(ScramClientExchange.withPassword("wrong horse battery staple", random),
                        new ScramServerExchange(secret, random)));

        assertEquals(AuthenticationFailedException.Kind.WRONG_PASSWORD, failure.kind());
        assertEquals("28P01", failure.sqlState());
    }

    @Test
    void serverRejectsATamperedNonce() {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);
        server.serverFirst(CLIENT_FIRST);

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> server.serverFinal(CLIENT_FINAL.replace(SERVER_NONCE, SERVER_NONCE + "x")));

        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, failure.kind());
        assertTrue(failure.getMessage().contains("nonce mismatch"), failure.getMessage());
    }

    @Test
    void clientRejectsAServerNonceThatDoesNotExtendItsOwn() {
        ScramClientExchange client = ScramClientExchange.withPasswordAndNonce("pencil", "", CLIENT_NONCE);
        client.clientFirst();

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> client.clientFinal(SERVER_FIRST.replace("r=rOpr", "r=XOpr")));

        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, failure.kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "n",
        "n,,",
        "x,,n=,r=abc",
        "p=tls-server-end-point,,n=,r=abc",
        "n,a=admin,n=,r=abc",
        "n,,m=ext,n=,r=abc",
        "n,,r=abc",
        "n,,n=user",
        "n,,n=user,r=",
        "n,,n=user,r=a\u0001c",
        "n,,n=user,r=abc,not-an-attribute"
    })
    void serverRejectsMalformedClientFirstMessages(String clientFirst) {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> server.serverFirst(clientFirst));

        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, failure.kind());
        assertEquals("08P01", failure.sqlState());
    }

    @Test
    void channelBindingDataIsRefusedWithAHint() {
        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> new ScramServerExchange(PENCIL, SERVER_NONCE).serverFirst("p=tls-server-end-point,,n=,r=abc"));

        assertTrue(failure.getMessage().contains("channel_binding"), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "c=biws",
        "c=biws,r=" + NONCE,
        "r=" + NONCE + ",c=biws,p=" + PROOF,
        "c=eSws,r=" + NONCE + ",p=" + PROOF,
        "c=!!!!,r=" + NONCE + ",p=" + PROOF,
        "c=biws,r=" + NONCE + ",p=not*base64",
        "c=biws,r=" + NONCE + ",p=c2hvcnQ=",
        "c=biws,r=" + NONCE + ",p=" + PROOF + ",x=trailing",
        "c=biws,r=" + NONCE + ",??,p=" + PROOF
    })
    void serverRejectsMalformedClientFinalMessages(String clientFinal) {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);
        server.serverFirst(CLIENT_FIRST);

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> server.serverFinal(clientFinal));

        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, failure.kind());
    }

    @Test
    void serverSkipsExtensionsBeforeTheProof() {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);
        server.serverFirst(CLIENT_FIRST + ",x=extension");

        server.serverFinal(proofFor("pencil", CLIENT_FIRST + ",x=extension", "c=biws,r=" + NONCE + ",y=more"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "m=ext,r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=" + NONCE + ",i=4096",
        "r=" + NONCE + ",s=,i=4096",
        "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==",
        "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
        "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
        "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many",
        "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",
        "r=" + NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,x=trailing"
    })
    void clientRejectsMalformedServerFirstMessages(String serverFirst) {
        ScramClientExchange client = ScramClientExchange.withPasswordAndNonce("pencil", "", CLIENT_NONCE);
        client.clientFirst();

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> client.clientFinal(serverFirst));

        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, failure.kind());
    }

    @Test
    void clientRejectsAWrongServerSignature() {
        ScramClientExchange client = ScramClientExchange.withPasswordAndNonce("pencil", "user", CLIENT_NONCE);
        client.clientFirst();
        client.clientFinal(SERVER_FIRST);

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> client.verifyServerFinal("v=" + Base64.getEncoder().encodeToString(new byte[32])));

        assertEquals(AuthenticationFailedException.Kind.WRONG_PASSWORD, failure.kind());
    }

    @Test
    void clientReportsTheServersError() {
        AuthenticationFailedException invalidProof = assertThrows(AuthenticationFailedException.class,
                () -> exchangedClient().verifyServerFinal("e=invalid-proof"));
        AuthenticationFailedException otherError = assertThrows(AuthenticationFailedException.class,
                () -> exchangedClient().verifyServerFinal("e=other-error"));
        AuthenticationFailedException garbage = assertThrows(AuthenticationFailedException.class,
                () -> exchangedClient().verifyServerFinal("x=1"));

        assertEquals(AuthenticationFailedException.Kind.WRONG_PASSWORD, invalidProof.kind());
        assertTrue(invalidProof.getMessage().contains("invalid-proof"), invalidProof.getMessage());
        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, otherError.kind());
        assertEquals(AuthenticationFailedException.Kind.PROTOCOL_VIOLATION, garbage.kind());
    }

    @Test
    void passThroughLogsInWithTheKeysRecoveredFromTheClient() {
        String password = randomPassword();
        ScramSecret secret = ScramSecret.fromPassword(password, random);
        ScramServerExchange.Outcome fromClient = logIn(ScramClientExchange.withPassword(password, random),
                new ScramServerExchange(secret, random));

        ScramServerExchange.Outcome atBackend = logIn(ScramClientExchange.withKeys(fromClient.clientKeys(), random),
                new ScramServerExchange(secret, random));

        assertArrayEquals(fromClient.clientKey(), atBackend.clientKey());
    }

    @Test
    void passThroughWorksWithJustTheTwoKeys() {
        String password = randomPassword();
        ScramSecret secret = ScramSecret.fromPassword(password, random);
        ScramServerExchange.Outcome fromClient = logIn(ScramClientExchange.withPassword(password, random),
                new ScramServerExchange(secret, random));
        ScramClientKeys keys = new ScramClientKeys(fromClient.clientKey(), secret.serverKey());

        logIn(ScramClientExchange.withKeys(keys, random), new ScramServerExchange(secret, random));
    }

    @Test
    void passThroughRefusesABackendWithAnotherSaltBeforeSendingAProof() {
        String password = randomPassword();
        ScramSecret atSource = ScramSecret.fromPassword(password, random);
        ScramSecret atBackend = ScramSecret.fromPassword(password, random);
        ScramServerExchange.Outcome fromClient = logIn(ScramClientExchange.withPassword(password, random),
                new ScramServerExchange(atSource, random));
        ScramClientExchange client = ScramClientExchange.withKeys(fromClient.clientKeys(), random);
        ScramServerExchange backend = new ScramServerExchange(atBackend, random);
        String serverFirst = backend.serverFirst(client.clientFirst());

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> client.clientFinal(serverFirst));

        assertEquals(AuthenticationFailedException.Kind.WRONG_PASSWORD, failure.kind());
        assertTrue(failure.getMessage().contains("salts differ"), failure.getMessage());
    }

    @Test
    void passThroughWithJustTheTwoKeysIsRefusedByABackendWithAnotherSalt() {
        String password = randomPassword();
        ScramSecret atSource = ScramSecret.fromPassword(password, random);
        ScramSecret atBackend = ScramSecret.fromPassword(password, random);
        ScramServerExchange.Outcome fromClient = logIn(ScramClientExchange.withPassword(password, random),
                new ScramServerExchange(atSource, random));
        ScramClientKeys keys = new ScramClientKeys(fromClient.clientKey(), atSource.serverKey());

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> logIn(ScramClientExchange.withKeys(keys, random), new ScramServerExchange(atBackend, random)));

        assertEquals(AuthenticationFailedException.Kind.WRONG_PASSWORD, failure.kind());
    }

    @Test
    void exchangesRunOnceAndInOrder() {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);
        assertThrows(IllegalStateException.class, () -> server.serverFinal(CLIENT_FINAL));
        assertThrows(AuthenticationFailedException.class, () -> server.serverFirst("garbage"));
        assertThrows(IllegalStateException.class, () -> server.serverFirst(CLIENT_FIRST));

        ScramClientExchange client = ScramClientExchange.withPassword("pencil", random);
        assertThrows(IllegalStateException.class, () -> client.clientFinal(SERVER_FIRST));
        assertThrows(IllegalStateException.class, () -> client.verifyServerFinal(SERVER_FINAL));
    }

    @Test
    void failureMessagesDoNotRepeatTheProof() {
        ScramServerExchange server = new ScramServerExchange(PENCIL, SERVER_NONCE);
        server.serverFirst(CLIENT_FIRST);

        AuthenticationFailedException failure = assertThrows(AuthenticationFailedException.class,
                () -> server.serverFinal("c=biws,r=" + NONCE + ",x=" + PROOF + ",p=" + PROOF + ",q=" + PROOF));

        assertTrue(!failure.getMessage().contains(PROOF.substring(0, 8)), failure.getMessage());
    }

    private static ScramServerExchange.Outcome logIn(ScramClientExchange client, ScramServerExchange server) {
        String serverFirst = server.serverFirst(client.clientFirst());
        ScramServerExchange.Outcome outcome = server.serverFinal(client.clientFinal(serverFirst));
        client.verifyServerFinal(outcome.serverFinalMessage());
        return outcome;
    }

    private static ScramClientExchange exchangedClient() {
        ScramClientExchange client = ScramClientExchange.withPasswordAndNonce("pencil", "user", CLIENT_NONCE);
        client.clientFirst();
        client.clientFinal(SERVER_FIRST);
        return client;
    }

    /** A client-final-message built by hand, for messages the client exchange would never send. */
    private static String proofFor(String password, String clientFirst, String withoutProof) {
        String clientFirstBare = clientFirst.substring(clientFirst.indexOf(",,") + 2);
        byte[] authMessage = (clientFirstBare + "," + SERVER_FIRST + "," + withoutProof)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ScramClientKeys keys = ScramClientKeys.fromPassword(password, SALT, 4096);
        byte[] signature = ScramFunctions.hmac(ScramFunctions.storedKey(keys.clientKey()), authMessage);
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(ScramFunctions.xor(keys.clientKey(),
                signature));
    }

    private String randomPassword() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes) + "é";
    }
}
