package io.exodus.proxy.backend;

import io.exodus.proxy.auth.AuthenticationFailedException;
import io.exodus.proxy.auth.BackendCredential;
import io.exodus.proxy.auth.Md5Password;
import io.exodus.proxy.auth.ScramClientExchange;
import io.exodus.proxy.wire.AuthenticationRequest;
import io.exodus.proxy.wire.BackendMessageType;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.MessageAssembler;
import io.exodus.proxy.wire.MessageReader;
import io.exodus.proxy.wire.PasswordMessage;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.ProtocolViolation;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.StartupCode;
import io.exodus.proxy.wire.StartupMessage;
import io.exodus.proxy.wire.TransactionStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The proxy's side of one backend's startup: TLS negotiation, StartupMessage, authentication, parameters. */
final class BackendHandshake {
    private static final String SCRAM_SHA_256 = "SCRAM-SHA-256";

    private final NetSocket socket;
    private final BackendEndpoint endpoint;
    private final BackendLogin login;
    private final MessageAssembler assembler;
    private final Promise<BackendConnection> result = Promise.promise();
    private final List<Buffer> startupMessages = new ArrayList<>();
    private ScramClientExchange scram;
    private int processId;
    private int secretKey;

    BackendHandshake(NetSocket socket, BackendEndpoint endpoint, BackendLogin login, int maxMessageSize) {
        this.socket = socket;
        this.endpoint = endpoint;
        this.login = login;
        this.assembler = new MessageAssembler(maxMessageSize);
    }

    Future<BackendConnection> run() {
        socket.exceptionHandler(this::fail);
        socket.closeHandler(v -> fail(new IllegalStateException("the backend closed the connection during startup")));
        if (endpoint.url().sslMode().attemptsTls()) {
            socket.handler(this::onTlsAnswer);
            socket.write(SessionMessages.sslRequest());
        } else {
            startSession();
        }
        return result.future();
    }

    private void onTlsAnswer(Buffer answer) {
        if (answer.length() != 1) {
            fail(new IllegalStateException("unexpected answer to SSLRequest (" + answer.length() + " bytes)"));
            return;
        }
        socket.handler(null);
        if (answer.getByte(0) == StartupCode.ENCRYPTION_ACCEPTED) {
            socket.upgradeToSsl(endpoint.url().host()).onSuccess(v -> startSession()).onFailure(this::fail);
        } else if (endpoint.url().sslMode().requiresTls()) {
            fail(ErrorResponse.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                    "the " + endpoint.describe() + " does not accept TLS, which its sslmode requires"));
        } else {
            startSession();
        }
    }

    private void startSession() {
        socket.handler(this::onBytes);
        Map<String, String> parameters = new LinkedHashMap<>(login.startupParameters());
        parameters.put("user", login.user());
        parameters.put("database", login.database());
        socket.write(new StartupMessage(StartupCode.PROTOCOL_3_0, parameters).encode());
    }

    private void onBytes(Buffer chunk) {
        assembler.append(chunk);
        try {
            PgMessage message;
            while (!result.future().isComplete() && (message = assembler.nextTyped()) != null) {
                onMessage(message);
            }
        } catch (RuntimeException e) {
            // Protocol violations by the backend, refused credentials, unanswerable requests: all end startup.
            fail(e);
        }
    }

    private void onMessage(PgMessage message) {
        switch (message.type()) {
            case BackendMessageType.AUTHENTICATION -> onAuthenticationRequest(message.body());
            case BackendMessageType.PARAMETER_STATUS, BackendMessageType.NOTICE_RESPONSE ->
                startupMessages.add(message.encode());
            case BackendMessageType.BACKEND_KEY_DATA -> {
                MessageReader reader = new MessageReader(message.body());
                processId = reader.readInt();
                secretKey = reader.readInt();
            }
            case BackendMessageType.ERROR_RESPONSE -> fail(ErrorResponse.decode(message.body()));
            case BackendMessageType.NEGOTIATE_PROTOCOL_VERSION -> {
                // The proxy asks for 3.0 without _pq_ options, so there is nothing to give up.
            }
            case BackendMessageType.READY_FOR_QUERY -> {
                socket.handler(null);
                socket.exceptionHandler(null);
                socket.closeHandler(null);
                result.tryComplete(new BackendConnection(endpoint, socket, processId, secretKey,
                        List.copyOf(startupMessages), TransactionStatus.of(message.body()), assembler.drain()));
            }
            default -> fail(new IllegalStateException(
                    "unexpected message type '" + (char) message.type() + "' during startup"));
        }
    }

    private void onAuthenticationRequest(Buffer body) {
        MessageReader reader = new MessageReader(body);
        int code = reader.readInt();
        BackendCredential credential = login.credential();
        switch (code) {
            case AuthenticationRequest.OK -> {
            }
            case AuthenticationRequest.CLEARTEXT_PASSWORD -> {
                if (!(credential instanceof BackendCredential.Password password)) {
                    throw cannotAnswer("a cleartext password");
                }
                socket.write(PasswordMessage.password(password.password()));
            }
            case AuthenticationRequest.MD5_PASSWORD -> {
                byte[] salt = reader.readBytes(4);
                String storedHash;
                if (credential instanceof BackendCredential.Password password) {
                    storedHash = Md5Password.storedHash(login.user(), password.password());
                } else if (credential instanceof BackendCredential.Md5Hash hash) {
                    storedHash = hash.storedHash();
                } else {
                    throw cannotAnswer("an md5 password");
                }
                socket.write(PasswordMessage.password(Md5Password.response(storedHash, salt)));
            }
            case AuthenticationRequest.SASL -> {
                List<String> mechanisms = new ArrayList<>();
                for (String name = reader.readCString(); !name.isEmpty(); name = reader.readCString()) {
                    mechanisms.add(name);
                }
                if (!mechanisms.contains(SCRAM_SHA_256)) {
                    throw cannotAnswer("one of the SASL mechanisms " + mechanisms);
                }
                if (credential instanceof BackendCredential.Password password) {
                    scram = ScramClientExchange.withPassword(password.password());
                } else if (credential instanceof BackendCredential.ScramKeys keys) {
                    scram = ScramClientExchange.withKeys(keys.keys());
                } else {
                    throw cannotAnswer("SCRAM-SHA-256");
                }
                socket.write(PasswordMessage.saslInitialResponse(SCRAM_SHA_256, scram.clientFirst()));
            }
            case AuthenticationRequest.SASL_CONTINUE -> {
                requireScram();
                socket.write(PasswordMessage.saslResponse(scram.clientFinal(remainingText(reader))));
            }
            case AuthenticationRequest.SASL_FINAL -> {
                requireScram();
                scram.verifyServerFinal(remainingText(reader));
            }
            default -> throw cannotAnswer("authentication request type " + code);
        }
    }

    private void requireScram() {
        if (scram == null) {
            throw ProtocolViolation.of("the backend continued a SASL exchange that never started");
        }
    }

    private static String remainingText(MessageReader reader) {
        return new String(reader.readBytes(reader.remaining()), StandardCharsets.UTF_8);
    }

    private BackendStartupFailure cannotAnswer(String what) {
        return new BackendStartupFailure(ErrorResponse.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                "the " + endpoint.describe() + " asks user \"" + login.user() + "\" for " + what
                        + ", which Exodus cannot answer with a " + login.credential().describe())
                .withHint("Give Exodus this user's password in exodus.auth.users, or let it log in as the URL's user."),
                null);
    }

    private void fail(ErrorResponse error) {
        fail(new BackendStartupFailure(error, null));
    }

    private void fail(Throwable failure) {
        if (result.future().isComplete()) {
            return;
        }
        BackendStartupFailure startupFailure;
        if (failure instanceof BackendStartupFailure known) {
            startupFailure = known;
        } else {
            String sqlState = failure instanceof AuthenticationFailedException refused ? refused.sqlState()
                    : SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
            startupFailure = new BackendStartupFailure(ErrorResponse.fatal(sqlState,
                    "Exodus could not open a session on the " + endpoint.describe() + ": " + failure.getMessage()),
                    failure);
        }
        result.tryFail(startupFailure);
        socket.close();
    }
}
