package io.exodus.proxy.demo;

import io.exodus.proxy.backend.BackendEndpoints;
import io.exodus.proxy.backend.ControlConnections;
import io.exodus.proxy.config.ExodusConfig;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.control.ControlSetting;
import io.exodus.proxy.control.MigrationChanges;
import io.exodus.proxy.cutover.PrimarySwitch;
import io.exodus.proxy.cutover.SwitchReport;
import io.exodus.proxy.migration.MigrationPhase;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.sync.SyncRequest;
import io.exodus.proxy.sync.SyncService;
import io.exodus.proxy.sync.SyncState;
import io.exodus.proxy.sync.SyncStatus;
import io.exodus.proxy.verify.TableReport;
import io.exodus.proxy.verify.Verification;
import io.exodus.proxy.verify.VerificationReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import static io.exodus.proxy.demo.DemoConsole.count;
import static io.exodus.proxy.demo.WalkSteps.await;

/**
 * The migration the demo walks, read top to bottom, each step with the service the admin API would call: the bank
 * seeded on the source, its clients started through the proxy, the initial sync, a verification under load, the canary
 * shares, cutover, rollback, cutover again, the load stopped, a verification at rest, the source retired. A step that
 * fails ends the walk there; the report says which and why.
 *
 * <p>The source is retired last, once the load has stopped and the target has been verified: from then on the source
 * is stale by design, and a verification after writes to the target alone would only show that.
 *
 * <p>Runs on a thread of its own and blocks it while it waits for the services, which run on the event loops.
 */
final class MigrationWalk {
    static final int STEPS = 14;
    private static final String ACTOR = "demo";
    private static final String REASON = "README command 1: the migration demo";
    private static final double[] CANARY_PERCENTS = {5, 25, 50, 100};
    private static final Duration LOAD_STOP_TIMEOUT = Duration.ofSeconds(30);

    /** The proxy's services the walk drives, as the admin API's resources do. */
    record Services(Vertx vertx, BackendEndpoints endpoints, SyncService sync, Verification verification,
            PrimarySwitch primarySwitch, MigrationState migration, MigrationChanges changes,
            DivergenceLog divergences) {
    }

    private final Services services;
    private final ExodusConfig.Demo settings;
    private final PgConnectOptions through;
    private final DemoConsole console = new DemoConsole(STEPS);
    private final List<DemoReport.Pause> pauses = new ArrayList<>();
    private final List<DemoReport.Verified> verified = new ArrayList<>();
    private final WalkSteps steps = new WalkSteps(console, STEPS);
    private volatile BankLoad load;
    private LoadFigures loadFigures = LoadFigures.NONE;

    /** @param through the proxy's listen address and a user to log in with, for the clients */
    MigrationWalk(Services services, ExodusConfig.Demo settings, PgConnectOptions through) {
        this.services = services;
        this.settings = settings;
        this.through = through;
    }

    /** What is about to happen, and how to turn it off. */
    void announce() {
        console.say(String.format(Locale.ROOT, "Migration demo: a bank of %s accounts is made on the embedded source, "
                + "%d clients use it through this proxy on %s:%d, and the proxy moves it to the embedded target while "
                + "they run (docs/demo.md; exodus.demo.enabled=false turns the demo off)", count(settings.accounts()),
                settings.clients(), through.getHost(), through.getPort()));
    }

    /** Walks the migration and reports; interrupted when the proxy shuts down meanwhile. */
    DemoReport run() throws InterruptedException {
        ControlConnections direct = new ControlConnections(services.vertx());
        Pool source = direct.to(services.endpoints().source());
        Pool target = direct.to(services.endpoints().target().orElseThrow());
        String failure = null;
        // Without pg_dump (the embedded servers ship none) the sync cannot copy the schema: the demo then seeds the
        // target the same way and turns dual-write on before the clients start, so that it still runs on a JDK alone.
        Optional<String> noSync = services.sync().schemaCopyUnavailable();
        try {
            steps.run("seed", () -> noSync.isEmpty() ? seed(source) : seedBoth(source, target, noSync.get()));
            steps.run("load", this::startLoad);
            steps.run("initial sync", () -> noSync.isEmpty() ? sync() : "skipped: both sides were seeded the same "
                    + "way before the clients started (docs/initial-sync.md copies a source you did not seed)");
            steps.run("verify", () -> verify("under load"));
            for (double percent : CANARY_PERCENTS) {
                steps.run(String.format(Locale.ROOT, "canary %.0f %%", percent), () -> canary(percent));
            }
            steps.run("cutover", () -> move(services.primarySwitch()::cutover));
            steps.run("rollback", () -> move(services.primarySwitch()::rollback));
            steps.run("cutover", () -> move(services.primarySwitch()::cutover));
            steps.run("load stopped", this::stopLoad);
            steps.run("final verify", () -> verify("at rest"));
            steps.run("retire-source", this::retireSource);
        } catch (WalkSteps.Failed e) {
            failure = e.getMessage();
        } finally {
            stopLoadQuietly();
        }
        try {
            BankTotals onSource = totals(source, "source");
            BankTotals onTarget = totals(target, "target");
            return new DemoReport(failure, loadFigures, List.copyOf(pauses), List.copyOf(verified),
                    BankSeed.expectedTotal(settings.accounts()), onSource, onTarget,
                    services.divergences().total(), services.migration().phase().configName());
        } finally {
            direct.close();
        }
    }

    /** Stops the clients once: at the step that does, or when the walk ends early (a failure, a shutdown). */
    private void stopLoadQuietly() {
        BankLoad running = load;
        if (running != null) {
            load = null;
            loadFigures = running.stop(LOAD_STOP_TIMEOUT);
        }
    }

    /**
     * Why the demo does not apply to this proxy, or empty: it starts from phase direct on servers without a bank. Not
     * a failure: a proxy started in another phase, or on servers kept from an earlier run, is doing something else.
     */
    Optional<String> whyNot() throws InterruptedException {
        MigrationPhase phase = services.migration().phase();
        if (phase != MigrationPhase.DIRECT) {
            return Optional.of("it starts from phase direct, and this proxy is in phase " + phase.configName()
                    + " (exodus.migration.phase, or the fleet's state kept in exodus.embedded.data-dir from an "
                    + "earlier run)");
        }
        ControlConnections direct = new ControlConnections(services.vertx());
        try {
            if (await(BankSeed.present(direct.to(services.endpoints().source())))
                    || await(BankSeed.present(direct.to(services.endpoints().target().orElseThrow())))) {
                return Optional.of("the embedded servers have a schema " + BankSeed.SCHEMA + " already, kept in "
                        + "exodus.embedded.data-dir from an earlier run; the demo needs fresh ones (another data dir, "
                        + "or none)");
            }
            return Optional.empty();
        } catch (WalkSteps.Failed e) {
            return Optional.of("the embedded servers could not be asked: " + e.getMessage());
        } finally {
            direct.close();
        }
    }

    private String seed(Pool source) throws InterruptedException {
        await(BankSeed.create(source, settings.accounts()));
        return String.format(Locale.ROOT, "%s: %s accounts of %s on the source (total %s), %s empty; the target is "
                        + "empty", BankSeed.ACCOUNTS, count(settings.accounts()), count(BankSeed.INITIAL_BALANCE),
                count(BankSeed.expectedTotal(settings.accounts())), BankSeed.HISTORY);
    }

    private String seedBoth(Pool source, Pool target, String why) throws InterruptedException {
        await(BankSeed.create(source, settings.accounts()));
        await(BankSeed.create(target, settings.accounts()));
        await(services.changes().change(ControlSetting.PHASE, MigrationPhase.DUAL_WRITE.configName(), ACTOR,
                "the demo seeded both sides; nothing runs through the proxy yet"));
        return String.format(Locale.ROOT, "%s: %s accounts of %s on the source and on the target (total %s each), "
                        + "phase dual-write; the initial sync needs pg_dump, which this machine lacks (%s)",
                BankSeed.ACCOUNTS, count(settings.accounts()), count(BankSeed.INITIAL_BALANCE),
                count(BankSeed.expectedTotal(settings.accounts())), why);
    }

    private String startLoad() throws InterruptedException {
        load = BankLoad.start(through, settings.clients(), settings.accounts(),
                services.endpoints().target().orElseThrow().url().port());
        LoadFigures during = soaked();
        MigrationPhase phase = services.migration().phase();
        return String.format(Locale.ROOT, "%d clients through the proxy, phase %s (%s): %s", settings.clients(),
                phase.configName(), phase.writesBothDatabases() ? "every write on both" : "the source alone",
                describe(during));
    }

    private String sync() throws InterruptedException {
        await(services.sync().start(SyncRequest.everything()).recover(refused -> Future.failedFuture(
                new IllegalStateException("the initial sync was refused: " + refused.getMessage()))));
        SyncStatus status = steps.waitFor("initial sync", () -> services.sync().status().orElseThrow(),
                s -> s.state().finished(), MigrationWalk::syncProgress);
        if (status.state() == SyncState.FAILED) {
            throw new IllegalStateException("the initial sync failed: " + status.error());
        }
        if (status.switchPauseMillis() != null) {
            pauses.add(new DemoReport.Pause("sync switch", status.switchPauseMillis()));
        }
        return String.format(Locale.ROOT, "%s rows copied (%.0f rows/s), %s changes made meanwhile applied; phase "
                        + "%s, new transactions held %s ms at the switch", count(status.rowsCopied()),
                status.rowsPerSecond(), count(status.changesApplied()), services.migration().phase().configName(),
                status.switchPauseMillis());
    }

    private static String syncProgress(SyncStatus status) {
        return switch (status.state()) {
            case CHECKING -> "checking the source and the target (wal_level, replication, pg_dump)";
            case COPYING_SCHEMA -> "copying the schema with pg_dump and pg_restore";
            case COPYING -> String.format(Locale.ROOT, "copying rows under the slot's snapshot: %s of about %s "
                    + "(%.0f rows/s)", count(status.rowsCopied()), count(status.rowsTotal()), status.rowsPerSecond());
            case CATCHING_UP -> "catching up: " + count(status.changesApplied()) + " changes the clients made since "
                    + "the snapshot applied to the target";
            case SWITCHING -> "switching to dual-write: new transactions held while the last changes are applied";
            case DONE, FAILED -> status.state().apiName();
        };
    }

    private String verify(String when) throws InterruptedException {
        await(services.verification().start(List.of(BankSeed.ACCOUNTS, BankSeed.HISTORY), null));
        VerificationReport report = steps.waitFor("verify", () -> services.verification().latest().orElseThrow(),
                r -> !"running".equals(r.state()), r -> count(rowsChecked(r)) + " rows compared");
        List<String> failed = report.tables().stream().filter(t -> t.error() != null)
                .map(t -> t.table() + ": " + t.error()).toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException("the verification failed: " + String.join("; ", failed));
        }
        long divergent = report.tables().stream().mapToLong(t -> t.missing() + t.extra() + t.different()).sum();
        long settled = report.tables().stream().mapToLong(TableReport::settled).sum();
        verified.add(new DemoReport.Verified(when, rowsChecked(report), divergent, settled));
        if (divergent > 0) {
            throw new IllegalStateException(count(divergent) + " rows differ between source and target: "
                    + report.tables().stream().filter(t -> !t.identical()).map(MigrationWalk::differences)
                            .collect(Collectors.joining("; ")) + " (GET /exodus/migration/verification)");
        }
        return String.format(Locale.ROOT, "%s rows compared %s, identical%s", count(rowsChecked(report)), when,
                settled == 0 ? "" : " (" + count(settled) + " differed while their writes were in flight and agreed "
                        + "when read again)");
    }

    private String canary(double percent) throws InterruptedException {
        // The share first: phase canary then starts at 5 % rather than at exodus.migration.canary-percent. Neither
        // change moves writes onto or off the target, so neither needs a pause (the admin API makes them so too).
        await(services.changes().change(ControlSetting.CANARY_PERCENT, String.valueOf(percent), ACTOR, REASON));
        if (services.migration().phase() != MigrationPhase.CANARY) {
            await(services.changes().change(ControlSetting.PHASE, MigrationPhase.CANARY.configName(), ACTOR,
                    REASON));
        }
        LoadFigures during = soaked();
        return String.format(Locale.ROOT, "phase canary: %s of %s reads answered by the target (%.1f %%); %s",
                count(during.readsOnTarget()), count(during.reads()), during.targetReadPercent(), describe(during));
    }

    private String move(BiFunction<String, String, Future<SwitchReport>> procedure) throws InterruptedException {
        SwitchReport report = await(procedure.apply(ACTOR, REASON));
        pauses.add(new DemoReport.Pause(report.kind().apiName(), report.pauseMs()));
        LoadFigures during = soaked();
        return String.format(Locale.ROOT, "new transactions paused %d ms, %d sequence%s set past the old primary's; "
                        + "phase %s, primary %s; then %s", report.pauseMs(), report.sequences(),
                report.sequences() == 1 ? "" : "s", report.to(), report.primary(), describe(during));
    }

    private String stopLoad() {
        stopLoadQuietly();
        return String.format(Locale.ROOT, "%s transfers and %s reads in %.1f s (%.0f transfers/s), %s client errors",
                count(loadFigures.transfers()), count(loadFigures.reads()), loadFigures.elapsed().toNanos() / 1e9,
                loadFigures.transfersPerSecond(), count(loadFigures.errors()));
    }

    private String retireSource() throws InterruptedException {
        SwitchReport report = await(services.primarySwitch().retireSource(ACTOR, REASON));
        return "phase " + report.to() + ": the target alone is written; the source keeps the bank as verified";
    }

    /** Lets the load run for the step's soak; what the clients did meanwhile. */
    private LoadFigures soaked() throws InterruptedException {
        LoadFigures before = load.figures();
        Thread.sleep(settings.stepSoak().toMillis());
        return load.figures().since(before);
    }

    private static String describe(LoadFigures during) {
        return String.format(Locale.ROOT, "%s transfers (%.0f/s), %s client errors", count(during.transfers()),
                during.transfersPerSecond(), count(during.errors()));
    }

    /** Null when the database has no bank (a walk that failed before the sync) or could not be read. */
    private BankTotals totals(Pool database, String name) throws InterruptedException {
        try {
            return await(BankSeed.present(database)) ? await(BankTotals.read(database)) : null;
        } catch (WalkSteps.Failed e) {
            console.error("The demo could not read the bank's totals on the " + name + ": " + e.getMessage());
            return null;
        }
    }

    private static long rowsChecked(VerificationReport report) {
        return report.tables().stream().mapToLong(TableReport::rowsChecked).sum();
    }

    private static String differences(TableReport table) {
        return table.table() + " " + table.missing() + " missing on the target, " + table.extra() + " extra, "
                + table.different() + " different, e.g. " + table.examples().stream()
                        .map(e -> e.kind().tag() + " " + e.key()).collect(Collectors.joining(", "));
    }
}
