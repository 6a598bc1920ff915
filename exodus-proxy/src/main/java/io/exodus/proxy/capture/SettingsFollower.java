package io.exodus.proxy.capture;

import io.exodus.capture.SessionSettings;
import io.exodus.proxy.wire.StartupOptions;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Follows one session's settings as PostgreSQL keeps them, so that each captured statement carries those it ran under:
 * the start-up parameters, then the changes of its statements. A SET in a transaction lasts only if the transaction
 * commits; SET LOCAL (and set_config's local form) only until the transaction ends; RESET goes back to the start-up
 * value. A change outside a transaction block is part of the implicit transaction of its request (a Query of several
 * statements, or the extended-protocol messages up to a Sync), which an error rolls back.
 * <p>
 * What leaves the proxy is held back by the same rules as bound values (docs/adr/0040): a setting whose name matches
 * exodus.capture.redact, and a custom setting ({@code app.tenant}: application data, not configuration) unless
 * bound values are captured at all, is shipped as {@link SessionSettings#WITHHELD}; its value never leaves the event
 * loop.
 * <p>
 * Approximation: a {@code ROLLBACK TO SAVEPOINT} keeps the changes made since the savepoint.
 * <p>
 * Not thread-safe: the session's event loop only. A statement takes the {@link #current} map, which is replaced, not
 * changed, by the next change; changes are rare, so most statements share one map.
 */
final class SettingsFollower {
    /** Start-up parameters that are not settings of the statements, or that the replay must keep its own of. */
    private static final List<String> NOT_FOLLOWED = List.of("user", "database", "replication", "options",
            "application_name", "client_encoding");

    private final Pattern redact;
    private final boolean customValues;
    private final Map<String, String> startup;
    /** The settings changed since start-up that stay after the transaction, as committed. */
    private Map<String, String> session = new LinkedHashMap<>();
    /** The same as the open transaction (or request) would leave them if it commits. */
    private Map<String, String> pending = new LinkedHashMap<>();
    /** What is in effect now: {@link #pending} with the SET LOCALs on top. */
    private Map<String, String> effective = new LinkedHashMap<>();
    private Map<String, String> current;
    private boolean changedOutsideBlock;
    private boolean rollbackSeen;
    private boolean erred;

    /**
     * @param startupParameters the client's start-up packet's parameters; {@code options}' {@code -c name=value} are
     *                          read as settings
     * @param customValues      whether custom settings' values are shipped (bound values are captured)
     */
    SettingsFollower(Map<String, String> startupParameters, Pattern redact, boolean customValues) {
        this.redact = redact;
        this.customValues = customValues;
        Map<String, String> fromStartup = new LinkedHashMap<>();
        startupParameters.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_FOLLOWED.contains(lower) && !lower.startsWith("_pq_.")) {
                fromStartup.put(lower, value);
            }
        });
        String options = startupParameters.get("options");
        if (options != null) {
            StartupOptions.settings(options).forEach(fromStartup::putIfAbsent);
        }
        this.startup = Collections.unmodifiableMap(fromStartup);
        this.current = shipped(fromStartup);
    }

    /** The settings in effect now, as shipped; null when the session has none. */
    Map<String, String> current() {
        return current;
    }

    /**
     * A statement that changes settings completed.
     *
     * @param inBlock whether it ran inside a transaction block (BEGIN … COMMIT)
     */
    void changed(List<SettingChange> changes, boolean inBlock) {
        settleRollback(inBlock);
        for (SettingChange change : changes) {
            if (change instanceof SettingChange.Assign assign && assign.local()) {
                // Outside a block PostgreSQL warns and changes nothing.
                if (inBlock) {
                    effective.put(assign.name(), assign.value());
                }
            } else if (change instanceof SettingChange.Assign assign) {
                pending.put(assign.name(), assign.value());
                effective.put(assign.name(), assign.value());
            } else if (change instanceof SettingChange.Reset reset) {
                pending.remove(reset.name());
                effective.remove(reset.name());
            } else {
                pending.clear();
                effective.clear();
            }
        }
        changedOutsideBlock |= !inBlock;
        refresh();
    }

    /** A statement completed with this tag (null: it failed). */
    void completed(String tag) {
        if (tag == null) {
            erred = true;
        } else if (tag.equals("COMMIT") || tag.equals("PREPARE TRANSACTION")) {
            // A COMMIT of a failed transaction is tagged ROLLBACK.
            session = new LinkedHashMap<>(pending);
            end();
        } else if (tag.equals("ROLLBACK")) {
            // Or ROLLBACK TO SAVEPOINT: ReadyForQuery tells.
            rollbackSeen = true;
        }
    }

    /** The request ended: its implicit transaction commits unless it failed, an explicit one ended as its tag said. */
    void readyForQuery(boolean inBlock) {
        if (inBlock) {
            rollbackSeen = false;
        } else {
            settleRollback(false);
            if (changedOutsideBlock && !erred) {
                session = new LinkedHashMap<>(pending);
            }
            end();
        }
        erred = false;
    }

    private void settleRollback(boolean inBlock) {
        if (rollbackSeen && !inBlock) {
            end();
        }
    }

    /** The transaction ended: what is in effect is what the session keeps. */
    private void end() {
        boolean changes = !pending.equals(session) || !effective.equals(session);
        pending = new LinkedHashMap<>(session);
        effective = new LinkedHashMap<>(session);
        changedOutsideBlock = false;
        rollbackSeen = false;
        if (changes) {
            refresh();
        }
    }

    private void refresh() {
        Map<String, String> all = new LinkedHashMap<>(startup);
        all.putAll(effective);
        // A RESET goes back to the start-up value: absent from effective, present in startup.
        current = shipped(all);
    }

    private Map<String, String> shipped(Map<String, String> settings) {
        if (settings.isEmpty()) {
            return null;
        }
        Map<String, String> shipped = new TreeMap<>();
        settings.forEach((name, value) -> shipped.put(name, withheld(name) ? SessionSettings.WITHHELD : value));
        return Collections.unmodifiableMap(shipped);
    }

    private boolean withheld(String name) {
        return redact.matcher(name).find() || !customValues && name.indexOf('.') >= 0;
    }
}
