package io.exodus.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * How the server tools are launched so that PostgreSQL, which refuses to run as root, agrees to run. Machines and CI
 * containers often run everything as root.
 */
enum PrivilegeDrop {

    /** Not root: the tools run as they are. */
    NONE {
        @Override
        List<String> wrap(List<String> command) {
            return command;
        }
    },

    /**
     * A user namespace without any uid mapping: inside it geteuid() is the overflow uid 65534 and root-owned files
     * show as owned by 65534 too, so postgres's "owned by me, not root" checks pass, while the kernel still treats
     * the process as root on the files it touches. Nothing needs chown, and root can delete everything later.
     */
    USER_NAMESPACE {
        @Override
        List<String> wrap(List<String> command) {
            return prefixed(List.of("unshare", "--user"), command);
        }
    },

    /** Fallback where user namespaces are forbidden (for example by a container's seccomp profile). */
    NOBODY {
        @Override
        List<String> wrap(List<String> command) {
            return prefixed(List.of("setpriv", "--reuid=" + NOBODY_ID, "--regid=" + NOBODY_ID, "--clear-groups"),
                    command);
        }

        @Override
        void handOver(Path directory) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : (Iterable<Path>) paths::iterator) {
                    Files.setAttribute(path, "unix:uid", NOBODY_ID);
                    Files.setAttribute(path, "unix:gid", NOBODY_ID);
                }
            } catch (IOException e) {
                throw new LocalPostgresException("Could not hand " + directory + " over to uid " + NOBODY_ID, e);
            }
        }
    };

    /** Lets the tools be told explicitly, for example to exercise the fallback on a machine where both work. */
    static final String OVERRIDE_PROPERTY = "exodus.pg.privilege-drop";

    private static final int NOBODY_ID = 65534;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(PrivilegeDrop.class);

    private static volatile PrivilegeDrop detected;

    abstract List<String> wrap(List<String> command);

    /** Makes a folder the tools will write into writable for them. */
    void handOver(Path directory) {
        // only needed when the tools run as another user
    }

    static PrivilegeDrop forThisProcess() {
        PrivilegeDrop result = detected;
        if (result == null) {
            result = detect();
            detected = result;
        }
        return result;
    }

    private static PrivilegeDrop detect() {
        String override = System.getProperty(OVERRIDE_PROPERTY);
        if (override != null && !override.isBlank()) {
            return valueOf(override.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        if (!EffectiveUser.isRoot()) {
            return NONE;
        }
        for (PrivilegeDrop candidate : List.of(USER_NAMESPACE, NOBODY)) {
            if (candidate.works()) {
                LOG.debugf("Running as root: PostgreSQL tools will run through %s", candidate);
                return candidate;
            }
        }
        throw new LocalPostgresException("Running as root, and neither 'unshare --user' nor 'setpriv' can drop root:"
                + " PostgreSQL refuses to run as root. Run as an ordinary user instead.");
    }

    private boolean works() {
        try {
            CommandOutcome outcome = ExternalCommand.run(wrap(List.of("id", "-u")), PROBE_TIMEOUT);
            return outcome.succeeded() && !outcome.output().strip().equals("0");
        } catch (LocalPostgresException e) {
            return false;
        }
    }

    private static List<String> prefixed(List<String> prefix, List<String> command) {
        List<String> wrapped = new ArrayList<>(prefix);
        wrapped.addAll(command);
        return wrapped;
    }
}
