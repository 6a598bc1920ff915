package io.exodus.proxy.demo;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.sync.SyncService;
import io.exodus.proxy.tls.ClientTlsMode;
import io.exodus.proxy.verify.Verification;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import java.util.Optional;

/**
 * README command 1 as a migration rather than a pass-through: on the embedded default, once the proxy listens, the
 * {@link MigrationWalk} runs on a thread of its own and the report follows. Never on a configured source (those are
 * someone's databases), and never in the way: a failure is reported, the proxy goes on serving, and only
 * {@code exodus.demo.exit} ends the process.
 */
@ApplicationScoped
public class MigrationDemo {
    private static final long STOP_WAIT_MILLIS = 15_000;

    private final ExodusConfig config;
    private final MigrationWalk.Services services;
    private volatile MigrationWalk walk;
    private volatile Thread thread;

    public MigrationDemo(ExodusConfig config, Vertx vertx, BackendEndpoints endpoints, SyncService sync,
            Verification verification, PrimarySwitch primarySwitch, MigrationState migration, MigrationChanges changes,
            DivergenceLog divergences) {
        this.config = config;
        this.services = new MigrationWalk.Services(vertx, endpoints, sync, verification, primarySwitch, migration,
                changes, divergences);
    }

    /** After the proxy's listener is up (its observer has the default, earlier, priority): the clients need it. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 900) StartupEvent event) {
        if (!config.demo().enabled() || config.source().url().isPresent()) {
            return;
        }
        walk = new MigrationWalk(services, config.demo(), clientOptions());
        thread = new Thread(this::run, "exodus-demo");
        thread.setDaemon(true);
        thread.start();
    }

    /** Before the proxy drains its sessions: the demo's clients would otherwise keep them busy until the timeout. */
    void onStop(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownEvent event) {
        Thread running = thread;
        if (running == null || !running.isAlive() || running == Thread.currentThread()) {
            return;
        }
        running.interrupt();
        try {
            running.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        DemoConsole console = new DemoConsole(MigrationWalk.STEPS);
        DemoReport report;
        try {
            Optional<String> whyNot = walk.whyNot();
            if (whyNot.isPresent()) {
                console.say("Migration demo not run: " + whyNot.get() + " (exodus.demo.enabled=false leaves it out)");
                exitIfAsked(1);
                return;
            }
            walk.announce();
            report = walk.run();
        } catch (InterruptedException e) {
            console.say("Migration demo stopped: the proxy is shutting down");
            return;
        } catch (RuntimeException | Error e) {
            console.error("Migration demo FAILED unexpectedly: " + e, e);
            exitIfAsked(1);
            return;
        }
        for (String line : report.lines()) {
            if (report.passed()) {
                console.say(line);
            } else {
                console.error(line);
            }
        }
        PostgresUrl source = services.endpoints().source().url();
        console.say(String.format("Connect with: psql \"postgresql://%s:%s@127.0.0.1:%d/%s\"  (the bank is in schema "
                + "%s; phase %s)", source.user(), source.password(), config.listen().port(), source.database(),
                BankSeed.SCHEMA, services.migration().phase().configName()));
        exitIfAsked(report.passed() ? 0 : 1);
    }

    private void exitIfAsked(int code) {
        if (config.demo().exit()) {
            Quarkus.asyncExit(code);
        }
    }

    /**
     * The clients log in as the embedded servers' superuser, the user the "Connect with" line names too; over TLS only
     * where the proxy requires it (its certificate may be the self-signed one it made at start-up).
     */
    private PgConnectOptions clientOptions() {
        PostgresUrl source = services.endpoints().source().url();
        String host = config.listen().host();
        boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.isBlank();
        boolean tls = ClientTlsMode.parse(config.tls().mode()) == ClientTlsMode.REQUIRE;
        return new PgConnectOptions().setHost(wildcard ? "127.0.0.1" : host).setPort(config.listen().port())
                .setUser(source.user()).setPassword(source.password()).setDatabase(source.database())
                .setSslMode(tls ? SslMode.REQUIRE : SslMode.DISABLE).setTrustAll(tls);
    }
}
