package io.exodus.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonObject;

/**
 * The real headless Chromium (Debian's {@code chromium}), driven over the DevTools protocol: loads a page, collects
 * everything the browser reports as an error (console.error, uncaught exceptions, failed loads, blocked resources), and
 * takes a screenshot of the whole page.
 *
 * <pre>{@code
 * try (HeadlessChromium browser = HeadlessChromium.start()) {
 *     LoadedPage page = browser.load(url, screenshotFile);
 *     assertEquals(List.of(), page.errors());
 * }
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** After the load event, time for late console messages and failed resource loads to arrive. */
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final int WIDTH = 1280;

    private final Process process;
    private final Path profile;
    private WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<JsonObject> events = new CopyOnWriteArrayList<>();

    /** What loading a page showed. @param errors the browser's error reports, as one line each */
    public record LoadedPage(List<String> errors, Path screenshot, int height) {
    }

    private HeadlessChromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** The browser binary on the PATH, if any. */
    public static Optional<Path> locate() {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : NAMES) {
                Path candidate = Path.of(directory, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    public static HeadlessChromium start() throws IOException, InterruptedException {
        Path binary = locate().orElseThrow(() -> new IllegalStateException("No chromium on the PATH: "
                + "apt-get install chromium"));
        Path profile = Files.createTempDirectory("exodus-chromium-");
        // --no-sandbox: the sandbox cannot run as root, which tests and CI are here.
        Process process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        HeadlessChromium browser = new HeadlessChromium(process, profile);
        try {
            browser.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(START_TIMEOUT)
                    .buildAsync(URI.create(devtoolsUrl(process)), new Listener(browser::receive))
                    .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return browser;
        } catch (IOException | RuntimeException | ExecutionException
                | TimeoutException e) {
            browser.close();
            throw new IOException("Could not drive chromium over DevTools: " + e.getMessage(), e);
        }
    }

    /** Loads the page, waits for its load event, and saves a full-page PNG screenshot. */
    public LoadedPage load(String url, Path screenshot) throws Exception {
        String target = command(null, "Target.createTarget", new JsonObject().put("url", "about:blank"))
                .getString("targetId");
        String session = command(null, "Target.attachToTarget", new JsonObject().put("targetId", target)
                .put("flatten", true)).getString("sessionId");
        for (String domain : List.of("Page", "Runtime", "Log")) {
            command(session, domain + ".enable", new JsonObject());
        }
        command(session, "Emulation.setDeviceMetricsOverride", new JsonObject().put("width", WIDTH).put("height", 900)
                .put("deviceScaleFactor", 1).put("mobile", false));
        int seen = events.size();
        command(session, "Page.navigate", new JsonObject().put("url", url));
        awaitEvent(session, "Page.loadEventFired", seen);
        Thread.sleep(SETTLE.toMillis());
        JsonObject size = command(session, "Page.getLayoutMetrics", new JsonObject()).getJsonObject("cssContentSize");
        int height = (int) Math.ceil(size.getDouble("height"));
        command(session, "Emulation.setDeviceMetricsOverride", new JsonObject().put("width", WIDTH)
                .put("height", height).put("deviceScaleFactor", 1).put("mobile", false));
        String png = command(session, "Page.captureScreenshot", new JsonObject().put("format", "png"))
                .getString("data");
        Files.createDirectories(screenshot.toAbsolutePath().getParent());
        Files.write(screenshot, Base64.getDecoder().decode(png));
        return new LoadedPage(errors(session), screenshot, height);
    }

    private List<String> errors(String session) {
        List<String> errors = new ArrayList<>();
        for (JsonObject event : events) {
            if (!session.equals(event.getString("sessionId"))) {
                continue;
            }
            JsonObject params = event.getJsonObject("params", new JsonObject());
            switch (event.getString("method", "")) {
                case "Runtime.consoleAPICalled" -> {
                    if (List.of("error", "assert").contains(params.getString("type"))) {
                        errors.add("console." + params.getString("type") + ": " + params.getJsonArray("args"));
                    }
                }
                case "Runtime.exceptionThrown" -> errors.add("exception: " + params.getJsonObject("exceptionDetails"));
                case "Log.entryAdded" -> {
                    JsonObject entry = params.getJsonObject("entry");
                    if ("error".equals(entry.getString("level"))) {
                        errors.add(entry.getString("source") + ": " + entry.getString("text") + " "
                                + entry.getString("url", ""));
                    }
                }
                default -> {
                }
            }
        }
        return errors;
    }

    private JsonObject command(String session, String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        JsonObject message = new JsonObject().put("id", id).put("method", method).put("params", params);
        if (session != null) {
            message.put("sessionId", session);
        }
        socket.sendText(message.encode(), true).get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonObject response = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.containsKey("error")) {
            throw new IllegalStateException(method + " failed: " + response.getJsonObject("error"));
        }
        return response.getJsonObject("result", new JsonObject());
    }

    private void awaitEvent(String session, String method, int from) throws InterruptedException {
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = from; i < events.size(); i++) {
                JsonObject event = events.get(i);
                if (method.equals(event.getString("method")) && session.equals(event.getString("sessionId"))) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("No " + method + " within " + COMMAND_TIMEOUT.toSeconds() + " s");
    }

    private void receive(String text) {
        JsonObject message = new JsonObject(text);
        Integer id = message.getInteger("id");
        if (id != null) {
            CompletableFuture<JsonObject> answer = pending.remove(id);
            if (answer != null) {
                answer.complete(message);
            }
        } else {
            events.add(message);
        }
    }

    private static String devtoolsUrl(Process process) throws IOException {
        // Chromium prints the DevTools address on stderr; the rest of stderr (its own logging) is drained after it.
        BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
                    Matcher matcher = DEVTOOLS.matcher(line);
                    if (matcher.find()) {
                        Thread drain = new Thread(() -> stderr.lines().forEach(ignored -> { }), "chromium-stderr");
                        drain.setDaemon(true);
                        drain.start();
                        return matcher.group(1);
                    }
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("chromium exited without a DevTools address:\n" + seen);
        });
        try {
            return url.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("chromium did not start its DevTools endpoint: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteQuietly(profile);
    }

    private static void deleteQuietly(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder left behind is harmless; Chromium's helpers may still be removing their own files
            // while the walk reads them, which the stream reports unchecked
        }
    }

    /** Reassembles the text frames of the DevTools socket into whole messages. */
    private static final class Listener implements WebSocket.Listener {
        private final Consumer<String> messages;
        private final StringBuilder partial = new StringBuilder();

        Listener(Consumer<String> messages) {
            this.messages = messages;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.accept(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }
}
