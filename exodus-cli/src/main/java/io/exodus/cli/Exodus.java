package io.exodus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.Console;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code exodus}: the proxy's admin API from a shell or a script (docs/cli.md). Each subcommand is one call of the API
 * (sync and verify also follow their step to its end); the exit code says how it went ({@link ExitCode}).
 */
@Command(name = "exodus", mixinStandardHelpOptions = true, versionProvider = Exodus.Version.class,
        description = "Drives a migration through an Exodus proxy's admin API (docs/cli.md).",
        subcommands = { StatusCommand.class, SyncCommand.class, VerifyCommand.class, PhaseCommand.class,
                PolicyCommand.class, CanaryCommand.class, TenantCommand.class, StrategyCommand.class, CutoverCommand.class,
                RollbackCommand.class, RetireSourceCommand.class, CommandLine.HelpCommand.class })
public final class Exodus implements Callable<Integer> {
    static final String URL_VARIABLE = "EXODUS_ADMIN_URL";
    static final String TOKEN_VARIABLE = "EXODUS_ADMIN_TOKEN";
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The proxy's HTTP address (env " + URL_VARIABLE + "; default " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "The proxy's exodus.admin.token (env " + TOKEN_VARIABLE + ", which keeps it out of the "
                    + "process list).")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print the API's answer as one JSON document (errors too), no progress.")
    boolean json;

    @Option(names = "--actor", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Who makes the change, for the audit log (X-Exodus-Actor; default: the OS user).")
    String actor;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "120",
            description = "How long one request may take (default ${DEFAULT-VALUE}): a change answers once every "
                    + "replica applied it, a cutover once its pause is over.")
    long timeoutSeconds;

    private PrintStream out;
    private PrintStream err;
    private boolean terminal;
    private final ObjectMapper mapper = new ObjectMapper();

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv(), stdoutIsTerminal()));
    }

    /**
     * Runs one command line as the {@code exodus} program would, and returns its exit code.
     *
     * @param environment where {@value #URL_VARIABLE} and {@value #TOKEN_VARIABLE} are read
     * @param terminal    whether {@code out} is a terminal (progress redrawn in place)
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment,
            boolean terminal) {
        Exodus exodus = new Exodus();
        exodus.out = out;
        exodus.err = err;
        exodus.terminal = terminal;
        CommandLine line = new CommandLine(exodus);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setDefaultValueProvider(option -> fromEnvironment(option, environment));
        line.setExecutionExceptionHandler((failure, commandLine, parsed) -> exodus.fail(failure));
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (ExitCode code : ExitCode.values()) {
            exitCodes.put(String.format("%3d", code.code()), code.meaning());
        }
        line.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
        return line.execute(args);
    }

    /** {@code exodus} alone: what it can do, and the usage exit code a script can notice. */
    @Override
    public Integer call() {
        new CommandLine(this).usage(err);
        return ExitCode.USAGE.code();
    }

    /** The command's output, as --json asks. */
    Output output() {
        return new Output(out, err, json, terminal, mapper);
    }

    /** A client of the proxy at --url with --token and --actor. */
    AdminClient client() {
        URI base;
        try {
            base = new URI(url == null ? DEFAULT_URL : url);
        } catch (URISyntaxException e) {
            throw new CliFailure(ExitCode.USAGE, "--url " + url + " is not a URL: " + e.getMessage());
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new CliFailure(ExitCode.USAGE, "--url must be the proxy's http:// or https:// address, such as "
                    + DEFAULT_URL + "; got " + url);
        }
        if (timeoutSeconds <= 0) {
            throw new CliFailure(ExitCode.USAGE, "--timeout must be a positive number of seconds");
        }
        String who = actor == null || actor.isBlank() ? System.getProperty("user.name", "unknown") : actor;
        return new AdminClient(base, Optional.ofNullable(token), who, Duration.ofSeconds(timeoutSeconds), mapper);
    }

    ObjectMapper mapper() {
        return mapper;
    }

    private int fail(Exception failure) {
        CliFailure known = failure instanceof CliFailure cli ? cli
                : new CliFailure(ExitCode.UNEXPECTED, failure.getClass().getSimpleName() + ": " + failure.getMessage());
        output().failure(known);
        return known.exitCode().code();
    }

    private static String fromEnvironment(CommandLine.Model.ArgSpec argument, Map<String, String> environment) {
        if (!(argument instanceof OptionSpec option)) {
            return null;
        }
        return switch (option.longestName()) {
            case "--url" -> environment.getOrDefault(URL_VARIABLE, DEFAULT_URL);
            case "--token" -> environment.get(TOKEN_VARIABLE);
            default -> null;
        };
    }

    /**
     * Whether stdout is a terminal. {@link System#console()} says so on Java 17 to 21; from 22 on it may return a
     * console for a pipe too, and {@code Console.isTerminal()} tells the two apart.
     */
    private static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Exodus.class.getPackage().getImplementationVersion();
            return new String[] { "exodus " + (version == null ? "(development build)" : version) };
        }
    }
}
