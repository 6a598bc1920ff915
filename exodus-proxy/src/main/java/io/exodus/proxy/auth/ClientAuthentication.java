package io.exodus.proxy.auth;

import io.exodus.proxy.wire.AuthenticationRequest;
import io.exodus.proxy.wire.PasswordMessage;
import io.vertx.core.buffer.Buffer;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * One client's authentication to the proxy: the challenges to send and the checks of the answers. SCRAM is
 * preferred; md5 serves users whose only secret is an md5 hash (or everyone, when the method is md5 and the
 * secret allows it), as PostgreSQL itself does. An unknown user goes through a mock exchange and fails
 * only at the end, so that a client cannot tell which users exist.
 */
public final class ClientAuthentication {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScramSecret MOCK_SECRET = mockSecret();

    /** The outcome: who the client is and what the proxy may present to backends on its behalf. */
    public record AuthenticatedClient(String user, BackendCredential credential) {
    }

    private enum Stage { SCRAM_FIRST, SCRAM_FINAL, MD5, DONE }

    private final String userName;
    private final KnownUser user;
    private Stage stage;
    private ScramServerExchange scram;
    private byte[] md5Salt;
    private AuthenticatedClient result;

    /**
     * @param user the user's known secret, or null for a user the proxy does not know
     */
    public ClientAuthentication(String userName, KnownUser user, AuthMethod method) {
        this.userName = userName;
        this.user = user;
        if (method == AuthMethod.TRUST) {
            stage = Stage.DONE;
            result = new AuthenticatedClient(userName, trustedCredential());
        } else if (user != null && user.scramSecret() != null
                && (method == AuthMethod.SCRAM_SHA_256 || user.md5Hash() == null)) {
            stage = Stage.SCRAM_FIRST;
        } else if (user != null && user.md5Hash() != null) {
            stage = Stage.MD5;
        } else {
            stage = method == AuthMethod.MD5 ? Stage.MD5 : Stage.SCRAM_FIRST;
        }
    }

    /** The first message to send, or null when the client is already authenticated (trust). */
    public Buffer firstChallenge() {
        return switch (stage) {
            case SCRAM_FIRST -> AuthenticationRequest.sasl("SCRAM-SHA-256");
            case MD5 -> {
                md5Salt = new byte[4];
                RANDOM.nextBytes(md5Salt);
                yield AuthenticationRequest.md5(md5Salt);
            }
            default -> null;
        };
    }

    /**
     * Checks the client's answer ('p' message body).
     *
     * @return the next message to send; after success this is the last SASL message (or null for md5), and
     *         {@link #result()} is set
     * @throws AuthenticationFailedException when the answer is wrong or malformed
     */
    public Buffer onAnswer(Buffer body) {
        switch (stage) {
            case SCRAM_FIRST -> {
                PasswordMessage.SaslInitialResponse initial = PasswordMessage.decodeSaslInitialResponse(body);
                if (!"SCRAM-SHA-256".equals(initial.mechanism())) {
                    throw AuthenticationFailedException.protocolViolation(
                            "client selected an invalid SASL authentication mechanism \"" + initial.mechanism() + "\"");
                }
                scram = new ScramServerExchange(user == null || user.scramSecret() == null ? MOCK_SECRET
                        : user.scramSecret());
                stage = Stage.SCRAM_FINAL;
                return AuthenticationRequest.saslContinue(scram.serverFirst(initial.data()));
            }
            case SCRAM_FINAL -> {
                ScramServerExchange.Outcome outcome;
                try {
                    outcome = scram.serverFinal(PasswordMessage.decodeSaslResponse(body));
                } catch (AuthenticationFailedException failure) {
                    // Say it as PostgreSQL does, with the user name: clients and people grep for that line.
                    throw failure.kind() == AuthenticationFailedException.Kind.WRONG_PASSWORD ? wrongPassword() : failure;
                }
                requireKnownUser();
                stage = Stage.DONE;
                result = new AuthenticatedClient(userName, scramCredential(outcome));
                return AuthenticationRequest.saslFinal(outcome.serverFinalMessage());
            }
            case MD5 -> {
                String answer = PasswordMessage.decodePassword(body);
                requireKnownUser();
                String hash = user.md5Hash();
                if (hash == null || !Md5Password.verify(hash, md5Salt, answer)) {
                    throw wrongPassword();
                }
                stage = Stage.DONE;
                result = new AuthenticatedClient(userName, storedCredential());
                return null;
            }
            default -> throw AuthenticationFailedException.protocolViolation(
                    "unexpected password message after authentication ended");
        }
    }

    public boolean isDone() {
        return stage == Stage.DONE;
    }

    public AuthenticatedClient result() {
        return result;
    }

    private void requireKnownUser() {
        if (user == null) {
            throw wrongPassword();
        }
    }

    private AuthenticationFailedException wrongPassword() {
        return AuthenticationFailedException.wrongPassword(
                "password authentication failed for user \"" + userName + "\"");
    }

    private BackendCredential scramCredential(ScramServerExchange.Outcome outcome) {
        if (user.secret() instanceof UserSecret.StoredScram) {
            return new BackendCredential.ScramKeys(outcome.clientKeys());
        }
        return storedCredential();
    }

    private BackendCredential storedCredential() {
        if (user.secret() instanceof UserSecret.PlainPassword plain) {
            return new BackendCredential.Password(plain.password());
        }
        if (user.secret() instanceof UserSecret.StoredMd5 md5) {
            return new BackendCredential.Md5Hash(md5.hash());
        }
        return new BackendCredential.None();
    }

    private BackendCredential trustedCredential() {
        if (user == null || user.secret() instanceof UserSecret.StoredScram) {
            return new BackendCredential.None();
        }
        return storedCredential();
    }

    private static ScramSecret mockSecret() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] password = new byte[24];
        RANDOM.nextBytes(password);
        return ScramSecret.fromPassword(Base64.getEncoder().encodeToString(password), salt, 4096);
    }
}
