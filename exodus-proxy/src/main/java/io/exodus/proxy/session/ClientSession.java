package io.exodus.proxy.session;

import io.exodus.proxy.auth.AuthenticationFailedException;
import io.exodus.proxy.auth.ClientAuthentication;
import io.exodus.proxy.auth.KnownUser;
import io.exodus.proxy.backend.BackendConnection;
import io.exodus.proxy.backend.BackendLogin;
import io.exodus.proxy.backend.BackendStartupFailure;
import io.exodus.proxy.cancel.CancelRegistry;
import io.exodus.proxy.metrics.ErrorOrigin;
import io.exodus.proxy.metrics.SessionRefusal;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.Side;
import io.exodus.proxy.tls.ClientTlsMode;
import io.exodus.proxy.wire.AuthenticationRequest;
import io.exodus.proxy.wire.ErrorResponse;
import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.MessageAssembler;
import io.exodus.proxy.wire.MessageReader;
import io.exodus.proxy.wire.PgMessage;
import io.exodus.proxy.wire.ProtocolViolation;
import io.exodus.proxy.wire.SessionMessages;
import io.exodus.proxy.wire.SqlState;
import io.exodus.proxy.wire.StartupCode;
import io.exodus.proxy.wire.StartupMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection, from its first byte to its close: startup and TLS negotiation, authentication by the
 * proxy, the backend session opened on the client's behalf, then the relay. Runs on one event loop; every
 * method is called there.
 */
public final class ClientSession implements CancelRegistry.Cancellable, RelayHost {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);

    private enum State { STARTUP, TLS_HANDSHAKE, LOOKING_UP_USER, AUTHENTICATING, CONNECTING, RELAYING, CLOSED }

    private final NetSocket client;
    private final SessionServices services;
    private final Context context;
    private final MessageAssembler assembler;
    private static final AtomicLong SESSIONS = new AtomicLong();

    private State state = State.STARTUP;
    /** What every log line of this session starts with, as PgBouncer prefixes its lines with the socket. */
    private String label;
    private final long number;
    /** See {@link RelayHost#customSettingNames}. */
    private final Set<String> customSettingNames = new TreeSet<>();
    private boolean tlsActive;
    private StartupMessage startup;
    private ClientAuthentication authentication;
    private Relay relay;
    /** Where the current relay sends the session: which database is its primary, and whether writes are mirrored. */
    private Route relayRoute;
    /** The relay is being replaced by the one of the migration's new phase. */
    private boolean switchingRelay;
    private BackendLogin login;
    /** See {@link #leftBehind()}: set when the fleet changed the route while this session was not quiet. */
    private boolean leftBehind;
    /** The pause this session's relay holds its next request for, between transactions; null when it runs. */
    private TrafficPause heldBy;
    private CancelRegistry.CancelKey cancelKey;
    private long authTimer = -1;
    /** System.nanoTime of the StartupMessage, for the authentication latency. */
    private long startupAt;

    public ClientSession(NetSocket client, SessionServices services, Context context) {
        this.client = client;
        this.services = services;
        this.context = context;
        this.assembler = new MessageAssembler(services.maxMessageSize());
        this.number = SESSIONS.incrementAndGet();
        this.label = "S-" + number + " " + client.remoteAddress();
    }

    @Override
    public long number() {
        return number;
    }

    @Override
    public Map<String, String> startupParameters() {
        return startup == null ? Map.of() : startup.parameters();
    }

    @Override
    public Set<String> customSettingNames() {
        return customSettingNames;
    }

    /**
     * The session in a log line: its number, the client's address, and once known the user, database and the
     * backends' process ids ({@code S-12 app@shop 10.0.0.5:51234 pid 4711/4712}: source, then target).
     */
    @Override
    public String label() {
        return label;
    }

    public void start() {
        services.registry().add(this);
        client.handler(this::onClientBytes);
        client.exceptionHandler(failure -> LOG.debugf("%s: %s", label, failure.getMessage()));
        client.closeHandler(v -> onClientClosed());
        authTimer = services.vertx().setTimer(services.authTimeout().toMillis(), id -> {
            if (state != State.RELAYING && state != State.CLOSED) {
                refuse(state == State.CONNECTING ? SessionRefusal.BACKEND : SessionRefusal.AUTH,
                        ErrorResponse.fatal(SqlState.PROTOCOL_VIOLATION,
                        "the client did not finish authentication within " + services.authTimeout().toSeconds() + " s"));
            }
        });
    }

    private void onClientBytes(Buffer chunk) {
        if (state == State.RELAYING) {
            relay.fromClient(chunk);
            return;
        }
        assembler.append(chunk);
        try {
            drainStartupPhase();
        } catch (ProtocolViolation violation) {
            if (!violation.answered()) {
                LOG.infof("%s: %s; connection closed", label, violation.getMessage());
                services.metrics().sessionRefused(SessionRefusal.PROTOCOL);
                state = State.CLOSED;
                client.close();
                released();
                return;
            }
            refuse(SessionRefusal.PROTOCOL, ErrorResponse.fatal(violation.sqlState(), violation.getMessage()));
        } catch (AuthenticationFailedException failure) {
            LOG.infof("%s: authentication failed for user \"%s\": %s", label, startup == null ? "?" : startup.user(),
                    failure.getMessage());
            services.metrics().authenticationFailed(startupAt);
            refuse(SessionRefusal.AUTH, ErrorResponse.fatal(failure.sqlState(), failure.getMessage()));
        }
    }

    private void drainStartupPhase() {
        while (state == State.STARTUP || state == State.AUTHENTICATING) {
            PgMessage message = state == State.STARTUP ? assembler.nextUntyped() : assembler.nextTyped();
            if (message == null) {
                return;
            }
            if (state == State.STARTUP) {
                onStartupPacket(message.body());
            } else {
                onAuthenticationAnswer(message);
            }
        }
    }

    private void onStartupPacket(Buffer packet) {
        MessageReader reader = new MessageReader(packet);
        int code = reader.readInt();
        switch (code) {
            case StartupCode.SSL_REQUEST -> onSslRequest();
            case StartupCode.GSSENC_REQUEST -> client.write(Buffer.buffer(1).appendByte(StartupCode.ENCRYPTION_DECLINED));
            case StartupCode.CANCEL_REQUEST -> {
                int processId = reader.readInt();
                int secretKey = reader.readInt();
                boolean matched = services.cancels().cancel(processId, secretKey);
                LOG.debugf("%s: CancelRequest %s", label, matched ? "forwarded" : "ignored");
                state = State.CLOSED;
                client.close();
            }
            default -> {
                if (code >>> 16 != 3) {
                    throw new ProtocolViolation(SqlState.FEATURE_NOT_SUPPORTED, String.format(
                            "unsupported frontend protocol %d.%d: Exodus supports 3.0", code >>> 16, code & 0xffff));
                }
                onStartupMessage(StartupMessage.decode(code, reader));
            }
        }
    }

    private void onSslRequest() {
        if (tlsActive) {
            throw ProtocolViolation.of("SSLRequest received on a connection that already uses TLS");
        }
        if (services.tlsMode() == ClientTlsMode.DISABLE) {
            client.write(Buffer.buffer(1).appendByte(StartupCode.ENCRYPTION_DECLINED));
            return;
        }
        if (assembler.buffered() > 0) {
            // Bytes sent in the clear before the handshake could be injected by a man in the middle (CVE-2021-23214).
            throw ProtocolViolation.of("received unencrypted data after SSL request");
        }
        state = State.TLS_HANDSHAKE;
        client.write(Buffer.buffer(1).appendByte(StartupCode.ENCRYPTION_ACCEPTED));
        client.upgradeToSsl().onComplete(result -> {
            if (result.failed()) {
                LOG.infof("%s: TLS handshake failed: %s", label, result.cause().getMessage());
                if (state != State.CLOSED) {
                    services.metrics().sessionRefused(SessionRefusal.TLS);
                }
                state = State.CLOSED;
                client.close();
                return;
            }
            tlsActive = true;
            state = State.STARTUP;
            onClientBytes(Buffer.buffer());
        });
    }

    private void onStartupMessage(StartupMessage message) {
        startupAt = System.nanoTime();
        if (services.registry().isDraining()) {
            refuse(SessionRefusal.SHUTDOWN,
                    ErrorResponse.fatal(SqlState.CANNOT_CONNECT_NOW, "the Exodus proxy is shutting down"));
            return;
        }
        if (services.tlsMode() == ClientTlsMode.REQUIRE && !tlsActive) {
            refuse(SessionRefusal.TLS, ErrorResponse.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "Exodus accepts only TLS connections; connect with sslmode=require"));
            return;
        }
        if (message.user() == null || message.user().isEmpty()) {
            throw new ProtocolViolation(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "no PostgreSQL user name specified in startup packet");
        }
        List<String> unsupportedOptions = message.parameters().keySet().stream()
                .filter(name -> name.startsWith("_pq_.")).toList();
        if (message.minorVersion() > 0 || !unsupportedOptions.isEmpty()) {
            client.write(SessionMessages.negotiateProtocolVersion(0, unsupportedOptions));
        }
        startup = message;
        state = State.LOOKING_UP_USER;
        services.users().lookup(message.user()).onComplete(found -> {
            if (state == State.LOOKING_UP_USER) {
                beginAuthentication(found.succeeded() ? found.result() : Optional.empty());
            }
        });
    }

    private void beginAuthentication(Optional<KnownUser> user) {
        authentication = new ClientAuthentication(startup.user(), user.orElse(null), services.authMethod());
        Buffer challenge = authentication.firstChallenge();
        state = State.AUTHENTICATING;
        if (challenge == null) {
            connectBackend();
        } else {
            client.write(challenge);
            onClientBytes(Buffer.buffer());
        }
    }

    private void onAuthenticationAnswer(PgMessage message) {
        if (message.type() != FrontendMessageType.PASSWORD) {
            throw ProtocolViolation.of("expected a password response, got message type "
                    + FrontendMessageType.describe(message.type()));
        }
        Buffer next = authentication.onAnswer(message.body());
        if (next != null) {
            client.write(next);
        }
        if (authentication.isDone()) {
            connectBackend();
        }
    }

    private void connectBackend() {
        services.metrics().authenticated(startupAt);
        state = State.CONNECTING;
        ClientAuthentication.AuthenticatedClient who = authentication.result();
        Map<String, String> parameters = new LinkedHashMap<>(startup.parameters());
        parameters.keySet().removeIf(name -> name.equals("user") || name.equals("database") || name.startsWith("_pq_."));
        BackendLogin login = new BackendLogin(who.user(), startup.database(), who.credential(), parameters);
        Route route = route();
        Future<BackendConnection> primary = services.connector(route.primary()).open(login);
        Future<BackendConnection> secondary = route.mirrored()
                ? services.connector(route.primary().other()).open(login) : Future.succeededFuture();
        Future.join(primary, secondary).onComplete(both -> {
            if (state != State.CONNECTING) {
                closeOpened(primary);
                closeOpened(secondary);
                return;
            }
            if (primary.failed()) {
                closeOpened(secondary);
                boolean fromBackend = primary.cause() instanceof BackendStartupFailure;
                ErrorResponse error = fromBackend ? ((BackendStartupFailure) primary.cause()).error()
                        : ErrorResponse.fatal(SqlState.CONNECTION_FAILURE, primary.cause().getMessage());
                LOG.infof("%s: session of user \"%s\" refused by the %s: %s", label, who.user(),
                        route.primary().configName(), error.message());
                services.metrics().sessionRefused(SessionRefusal.BACKEND);
                closeWithError(error, fromBackend ? ErrorOrigin.BACKEND : ErrorOrigin.PROXY);
                return;
            }
            if (secondary.failed()) {
                LOG.warnf("%s: session of user \"%s\" starts without the %s: %s", label, who.user(),
                        route.primary().other().configName(), secondary.cause().getMessage());
            }
            beginRelay(route, primary.result(), secondary.succeeded() ? secondary.result() : null, login);
        });
    }

    private static void closeOpened(Future<BackendConnection> opened) {
        if (opened.succeeded() && opened.result() != null) {
            opened.result().socket().close();
        }
    }

    private void beginRelay(Route route, BackendConnection backend, BackendConnection secondary, BackendLogin login) {
        services.vertx().cancelTimer(authTimer);
        label = label.substring(0, label.indexOf(' ')) + " " + login.user() + "@" + login.database() + " "
                + client.remoteAddress() + " pid " + backend.processId()
                + (secondary == null ? "" : "/" + secondary.processId());
        cancelKey = services.cancels().register(this, backend.processId());
        Buffer greeting = Buffer.buffer(256).appendBuffer(AuthenticationRequest.ok());
        backend.startupMessages().forEach(greeting::appendBuffer);
        greeting.appendBuffer(SessionMessages.backendKeyData(cancelKey.processId(), cancelKey.secretKey()));
        greeting.appendBuffer(SessionMessages.readyForQuery(backend.transactionStatus()));
        client.write(greeting);
        state = State.RELAYING;
        this.login = login;
        relayRoute = route;
        relay = route.mirrored()
                ? services.relays().dualWrite(this, client, services, login, backend, secondary, route.primary())
                : services.relays().direct(this, client, services, backend, route.primary());
        LOG.debugf("%s: relays to %s", label, backend.endpoint().describe());
        Buffer early = assembler.drain();
        if (early.length() > 0) {
            relay.fromClient(early);
        }
        if (services.registry().pause() != null || !relayRoute.equals(route())) {
            requestQuiet();
        }
    }

    /**
     * Where a session goes in the migration's phase of this moment: the phase's primary, with writes mirrored to the
     * other database where the phase says so; to the source alone when the migration does not move its database. A
     * replication connection ({@code replication=database} or {@code true} in the startup packet: logical decoding,
     * base backups, {@code CREATE_REPLICATION_SLOT}) speaks the replication protocol, not SQL: it is relayed to the
     * source untouched in every phase, where its slots are.
     */
    private Route route() {
        if (isReplicationConnection(startup.parameters().get("replication"))) {
            return new Route(Side.SOURCE, false);
        }
        MigrationPhase phase = services.relays().phaseFor(startup.database());
        return new Route(phase.primary(), phase.writesBothDatabases());
    }

    /** Where a relay sends the session. */
    private record Route(Side primary, boolean mirrored) {
    }

    static boolean isReplicationConnection(String replication) {
        if (replication == null) {
            return false;
        }
        return switch (replication.toLowerCase(Locale.ROOT)) {
            case "false", "off", "no", "0", "" -> false;
            default -> true;
        };
    }

    @Override
    public void cancelInFlight() {
        context.runOnContext(v -> {
            if (relay != null) {
                relay.cancelBackend();
            }
        });
    }

    /**
     * The migration's phase changed: at its next quiet moment (no transaction, no request in flight) the session
     * hands its source connection to the relay of the new phase, which takes the client's next request.
     */
    void followPhase() {
        context.runOnContext(v -> {
            if (state == State.RELAYING && !switchingRelay && !route().equals(relayRoute)) {
                if (heldBy != null) {
                    switchRelay(); // held by a pause: quiet already
                } else {
                    requestQuiet();
                }
            }
        });
    }

    /**
     * The fleet changed the route without this replica holding its pause: a transaction open now was routed by the
     * route the fleet left, so its requests are refused until the session is quiet again (a quiet session, or one held
     * for a pause or moving, has nothing open and only follows the phase).
     */
    void leaveBehindUnlessQuiet() {
        context.runOnContext(v -> {
            if (state != State.RELAYING || heldBy != null || switchingRelay) {
                return;
            }
            leftBehind = true;
            requestQuiet(); // runs atQuietMoment at once when quiet, which clears it
            if (leftBehind) {
                LOG.infof("%s: in a transaction the fleet's change of route left behind: its next request that is "
                        + "not a read is refused", label);
            }
        });
    }

    @Override
    public boolean leftBehind() {
        return leftBehind;
    }

    /** Traffic is paused: the session's next transaction waits (it counts as held when it is not relaying yet). */
    void pauseFor(TrafficPause pause) {
        context.runOnContext(v -> {
            if (state != State.RELAYING || heldBy != null) {
                pause.held(this);
            } else {
                requestQuiet();
            }
        });
    }

    /** The pause's wait ran out with this session in a transaction, under {@code LongTransactions.CANCEL}. */
    void endOpenTransaction(ErrorResponse why) {
        context.runOnContext(v -> {
            if (state == State.RELAYING && heldBy == null && !switchingRelay && relay != null) {
                relay.endOpenTransaction(why);
            }
        });
    }

    void resumeAfterPause() {
        context.runOnContext(v -> {
            if (heldBy != null && state == State.RELAYING) {
                heldBy = null;
                if (!switchingRelay) {
                    relay.resume();
                }
            }
        });
    }

    private void requestQuiet() {
        if (!switchingRelay) {
            relay.holdWhenQuiet(this::atQuietMoment);
        }
    }

    /** The relay holds the session between transactions: change relay, stay held for a pause, or go on. */
    private void atQuietMoment() {
        if (state != State.RELAYING) {
            return;
        }
        leftBehind = false;
        if (!route().equals(relayRoute)) {
            switchRelay();
            return;
        }
        TrafficPause pause = services.registry().pause();
        if (pause != null) {
            heldBy = pause;
            pause.held(this);
            return;
        }
        relay.resume();
    }

    /**
     * Hands the session to the relay of the phase's route. When the primary changes sides (a cutover, a rollback), the
     * session's state moves with it first: a connection to the new primary is opened and given what the session set
     * up on the old one, which is then closed.
     */
    private void switchRelay() {
        Route to = route();
        Route from = relayRoute;
        switchingRelay = true;
        relay.detach().compose(handOff -> {
            if (to.primary() == from.primary() || state != State.RELAYING) {
                return Future.succeededFuture(handOff);
            }
            // No relay reads the client while the session moves: what it sends meanwhile waits in the socket.
            client.pause();
            return services.relays().movePrimary(handOff.primary(), login, to.primary(), customSettingNames)
                    .map(moved -> new Relay.HandOff(moved, handOff.fromClient()));
        }).onComplete(handed -> {
            switchingRelay = false;
            if (handed.failed()) {
                String where = to.primary() != from.primary() ? "its primary to the " + to.primary().configName()
                        : to.mirrored() ? "its writes to both databases" : "its writes to the "
                                + to.primary().configName() + " alone";
                LOG.warnf("%s: could not follow the migration's move of %s: %s", label, where,
                        handed.cause().getMessage());
                closeWithError(ErrorResponse.fatal(SqlState.ADMIN_SHUTDOWN, "Exodus moved " + where
                        + " and this session could not follow: " + handed.cause().getMessage()
                        + ". Reconnect to continue.").withHint("A new session starts where the migration is now."),
                        ErrorOrigin.PROXY);
                return;
            }
            Relay.HandOff handOff = handed.result();
            if (state != State.RELAYING) {
                handOff.primary().socket().close();
                return;
            }
            relayRoute = to;
            relay = to.mirrored()
                    ? services.relays().adoptIntoDualWrite(this, client, services, login, handOff.primary(),
                            to.primary())
                    : services.relays().direct(this, client, services, handOff.primary(), to.primary());
            LOG.debugf("%s: relays to the %s%s now", label, to.primary().configName(),
                    to.mirrored() ? " and mirrors its writes to the " + to.primary().other().configName() : " alone");
            if (to.primary() != from.primary()) {
                client.resume(); // to the new relay's handler, set by now
            }
            if (handOff.fromClient().length() > 0) {
                relay.fromClient(handOff.fromClient());
            }
            if (!to.equals(route()) || heldBy != null || services.registry().pause() != null) {
                // The phase changed again, or a pause holds the session (one that began while it moved waits for it
                // too, and could not ask it then): the new relay holds it.
                requestQuiet();
            }
        });
    }

    /** Closes the session once it is idle; used by graceful shutdown. */
    void closeWhenIdle() {
        context.runOnContext(v -> {
            if (relay != null) {
                relay.closeWhenIdle();
            } else if (state != State.CLOSED) {
                closeForShutdownNow();
            }
        });
    }

    void closeForShutdown() {
        context.runOnContext(v -> closeForShutdownNow());
    }

    /** Ends the session now with 57P01, as graceful shutdown does once a session is idle or out of time. */
    @Override
    public void closeForShutdownNow() {
        ErrorResponse error = ErrorResponse.fatal(SqlState.ADMIN_SHUTDOWN,
                "terminating connection because the Exodus proxy is shutting down");
        if (relay == null) {
            refuse(SessionRefusal.SHUTDOWN, error);
        } else {
            closeWithError(error);
        }
    }

    /** Ends a session that has not reached a backend yet, counted under the reason. */
    private void refuse(SessionRefusal reason, ErrorResponse error) {
        if (state != State.CLOSED) {
            services.metrics().sessionRefused(reason);
        }
        closeWithError(error);
    }

    /** Sends the proxy's own error to the client (if it still listens) and closes both sides. */
    @Override
    public void closeWithError(ErrorResponse error) {
        closeWithError(error, ErrorOrigin.PROXY);
    }

    private void closeWithError(ErrorResponse error, ErrorOrigin origin) {
        if (state == State.CLOSED) {
            return;
        }
        services.metrics().error(origin, error.sqlState());
        state = State.CLOSED;
        if (relay != null) {
            relay.closeBackend();
        }
        client.end(error.encode());
        released();
    }

    /** The relay saw the client say goodbye or the backend go away. */
    @Override
    public void closed() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            client.close();
        }
        released();
    }

    private void onClientClosed() {
        if (state == State.RELAYING) {
            relay.onClientGone();
        }
        state = State.CLOSED;
        released();
    }

    private void released() {
        services.vertx().cancelTimer(authTimer);
        services.cancels().unregister(cancelKey);
        cancelKey = null;
        services.registry().remove(this);
    }
}
