package io.exodus.proxy.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What a {@link FakeDatadogIntake} has received so far, fetched from it and parsed: one {@link Point} per series
 * and step, and the DogStatsD lines in the order they arrived.
 */
record IntakeRecordings(List<Point> series, List<StatsdLine> statsd, String rejected) {

    /**
     * One point of a series in a POST to /api/v1/series: a metric, its tags, the wall-clock second the registry
     * read it at, and its value. With a 1 s step, a point of second {@code s} reports the step {@code [s-1, s)}.
     */
    record Point(String metric, String type, String host, Set<String> tags, long second, double value) {
    }

    /** One DogStatsD line: {@code name:value|type|#tag:value,…}. */
    record StatsdLine(String name, double value, String type, Set<String> tags) {
        static StatsdLine parse(String line) {
            int colon = line.indexOf(':');
            String[] parts = line.substring(colon + 1).split("\\|");
            Set<String> tags = new HashSet<>();
            for (String part : parts) {
                if (part.startsWith("#")) {
                    tags.addAll(Arrays.asList(part.substring(1).split(",")));
                }
            }
            return new StatsdLine(line.substring(0, colon), Double.parseDouble(parts[0]), parts[1], tags);
        }
    }

    /** Traffic a test sends or reports; run again when a round of it has to be repeated. */
    @FunctionalInterface
    interface Round {
        void run() throws Exception;
    }

    private static final int ROUNDS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static IntakeRecordings fetch(String intakeUri) throws IOException, InterruptedException {
        List<Point> points = new ArrayList<>();
        Set<String> stepsSeen = new HashSet<>();
        for (JsonNode body : JSON.readTree(get(intakeUri + "/recorded/series"))) {
            for (JsonNode entry : body.path("series")) {
                Set<String> tags = new HashSet<>();
                entry.path("tags").forEach(tag -> tags.add(tag.asText()));
                String metric = entry.path("metric").asText();
                String seriesKey = metric + new TreeSet<>(tags) + "@";
                for (JsonNode point : entry.path("points")) {
                    // The registry publishes at a fixed rate: after a stall it runs the missed publishes back to
                    // back, and each reads the same closed step. A step is the wall-clock second its points carry
                    // (the step is 1 s), so a second already seen for this series is that step sent again.
                    long second = point.get(0).asLong();
                    if (stepsSeen.add(seriesKey + second)) {
                        points.add(new Point(metric, entry.path("type").asText(), entry.path("host").asText(null),
                                tags, second, point.get(1).asDouble()));
                    }
                }
            }
        }
        List<StatsdLine> lines = get(intakeUri + "/recorded/statsd").lines().filter(line -> !line.isBlank())
                .map(StatsdLine::parse).toList();
        return new IntakeRecordings(points, lines, get(intakeUri + "/recorded/rejected"));
    }

    /**
     * Runs {@code round} and fetches what it sent until that satisfies {@code complete} or {@code waitMillis} pass,
     * then once more a step (the intake's step is 1 s) later, so that a count still on its way would show up as too
     * many. What earlier rounds sent is left out: the Datadog points of steps before the round began and the
     * DogStatsD lines that had arrived by then.
     * <p>
     * A step meter holds a closed step only until the next one closes, so a publish that starts more than a step
     * late (a stalled JVM, or a publish skipped because the previous one was still posting) loses that step for
     * good: the intake then has no point for that second. When a second of the round is missing that way, the
     * round is run again, up to {@value #ROUNDS} times.
     */
    static IntakeRecordings awaitRound(String intakeUri, long waitMillis, Round round,
            Predicate<IntakeRecordings> complete) throws Exception {
        for (int attempt = 1; attempt <= ROUNDS; attempt++) {
            int linesBefore = fetch(intakeUri).statsd().size();
            long firstSecond = nowSecond();
            round.run();
            long lastSecond = nowSecond();
            long deadline = System.currentTimeMillis() + waitMillis;
            IntakeRecordings recordings = fetch(intakeUri).since(firstSecond, linesBefore);
            while (!complete.test(recordings) && !recordings.skippedAStep(firstSecond, lastSecond)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(250);
                recordings = fetch(intakeUri).since(firstSecond, linesBefore);
            }
            if (!recordings.skippedAStep(firstSecond, lastSecond)) {
                Thread.sleep(1500);
                recordings = fetch(intakeUri).since(firstSecond, linesBefore);
                if (!recordings.skippedAStep(firstSecond, lastSecond)) {
                    return recordings;
                }
            }
            System.err.printf("round %d of %d: the Datadog registry left a step of seconds %d-%d unpublished;"
                    + " running the round again%n", attempt, ROUNDS, firstSecond, lastSecond);
        }
        throw new AssertionError("in each of " + ROUNDS + " rounds the Datadog registry left a step unpublished");
    }

    private static long nowSecond() {
        return TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis());
    }

    /** The points reporting the steps from {@code firstStep} on, and the DogStatsD lines after the first ones. */
    private IntakeRecordings since(long firstStep, int linesBefore) {
        return new IntakeRecordings(series.stream().filter(point -> point.second() > firstStep).toList(),
                statsd.subList(Math.min(linesBefore, statsd.size()), statsd.size()), rejected);
    }

    /**
     * Whether the registry has published a step after some step from {@code firstStep} to {@code lastStep} without
     * publishing that step: a second with no point at all while a later second has some.
     */
    boolean skippedAStep(long firstStep, long lastStep) {
        Set<Long> published = new HashSet<>();
        series.forEach(point -> published.add(point.second()));
        long latest = published.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
        for (long step = firstStep; step <= lastStep; step++) {
            if (step + 1 < latest && !published.contains(step + 1)) {
                return true;
            }
        }
        return false;
    }

    private static String get(String uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum over every step of the series of this metric that carry all these tags. */
    double datadogSum(String metric, String... tags) {
        return series.stream().filter(s -> s.metric().equals(metric) && s.tags().containsAll(List.of(tags)))
                .mapToDouble(Point::value).sum();
    }

    boolean datadogHas(String metric, String... tags) {
        return series.stream().anyMatch(s -> s.metric().equals(metric) && s.tags().containsAll(List.of(tags)));
    }

    /** Whether some step sent this value for a series of this metric with all these tags (gauges). */
    boolean datadogHasValue(String metric, double value, String... tags) {
        return series.stream().anyMatch(s -> s.metric().equals(metric) && s.tags().containsAll(List.of(tags))
                && s.value() == value);
    }

    Set<String> datadogMetricNames() {
        Set<String> names = new HashSet<>();
        series.forEach(s -> names.add(s.metric()));
        return names;
    }

    List<StatsdLine> statsd(String name, String type, String... tags) {
        Predicate<StatsdLine> matches = line -> line.name().equals(name) && line.type().equals(type)
                && line.tags().containsAll(List.of(tags));
        return statsd.stream().filter(matches).toList();
    }
}
