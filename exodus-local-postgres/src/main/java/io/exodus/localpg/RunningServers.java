package io.exodus.localpg;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every server this JVM created, so that none outlives the JVM and no temp folder is left behind. */
final class RunningServers {

    private static final Set<LocalPostgres> SERVERS = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private RunningServers() {
    }

    static void track(LocalPostgres server) {
        installHookOnce();
        SERVERS.add(server);
    }

    static void forget(LocalPostgres server) {
        SERVERS.remove(server);
    }

    private static synchronized void installHookOnce() {
        if (!hookInstalled) {
            loadWhatClosingNeeds();
            Runtime.getRuntime().addShutdownHook(new Thread(RunningServers::closeAll, "exodus-local-postgres-shutdown"));
            hookInstalled = true;
        }
    }

    /**
     * Quarkus runs tests in class loaders that it closes before the JVM exits, after which they may fail to load
     * classes; so the classes the hook needs are loaded while that still works.
     */
    private static void loadWhatClosingNeeds() {
        ClassLoader loader = RunningServers.class.getClassLoader();
        for (Class<?> neighbour : List.of(LocalPostgres.class, LocalPostgresException.class, Directories.class,
                PostmasterProcess.class, ExternalCommand.class, CommandOutcome.class, PrivilegeDrop.class)) {
            try {
                Class.forName(neighbour.getName(), true, loader);
                for (Class<?> nested : neighbour.getDeclaredClasses()) {
                    Class.forName(nested.getName(), true, loader);
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("A class of this very library is missing", e);
            }
        }
    }

    private static void closeAll() {
        for (LocalPostgres server : List.copyOf(SERVERS)) {
            server.closeAtShutdown();
        }
    }
}
