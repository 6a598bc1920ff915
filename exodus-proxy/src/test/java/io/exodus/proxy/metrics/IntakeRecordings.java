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
import java.util.function.Predicate;

/** What a {@link FakeDatadogIntake} has received so far, fetched from it and parsed. */
record IntakeRecordings(List<Series> series, List<StatsdLine> statsd, String rejected) {

    /** One series of a POST to /api/v1/series: a metric, its tags, and the points of one step. */
    record Series(String metric, String type, String host, Set<String> tags, double value) {
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static IntakeRecordings fetch(String intakeUri) throws IOException, InterruptedException {
        List<Series> series = new ArrayList<>();
        Set<String> stepsSeen = new HashSet<>();
        for (JsonNode body : JSON.readTree(get(intakeUri + "/recorded/series"))) {
            for (JsonNode entry : body.path("series")) {
                Set<String> tags = new HashSet<>();
                entry.path("tags").forEach(tag -> tags.add(tag.asText()));
                String metric = entry.path("metric").asText();
                String seriesKey = metric + new TreeSet<>(tags) + "@";
                double value = 0;
                for (JsonNode point : entry.path("points")) {
                    // The registry publishes at a fixed rate: after a stall it runs the missed publishes back to
                    // back, and each reads the same closed step. A step is the wall-clock second its points carry
                    // (the step is 1 s), so a second already seen for this series is that step sent again.
                    if (stepsSeen.add(seriesKey + point.get(0).asLong())) {
                        value += point.get(1).asDouble();
                    }
                }
                series.add(new Series(metric, entry.path("type").asText(),
                        entry.path("host").asText(null), tags, value));
            }
        }
        List<StatsdLine> lines = get(intakeUri + "/recorded/statsd").lines().filter(line -> !line.isBlank())
                .map(StatsdLine::parse).toList();
        return new IntakeRecordings(series, lines, get(intakeUri + "/recorded/rejected"));
    }

    /**
     * Fetches the recordings until they satisfy {@code complete} or {@code waitMillis} pass, then once more a step
     * (the intake's step is 1 s) later, so that a count still on its way would show up as too many.
     */
    static IntakeRecordings await(String intakeUri, long waitMillis, Predicate<IntakeRecordings> complete)
            throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        IntakeRecordings recordings = fetch(intakeUri);
        while (!complete.test(recordings) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            recordings = fetch(intakeUri);
        }
        Thread.sleep(1500);
        return fetch(intakeUri);
    }

    private static String get(String uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum over every step of the series of this metric that carry all these tags. */
    double datadogSum(String metric, String... tags) {
        return series.stream().filter(s -> s.metric().equals(metric) && s.tags().containsAll(List.of(tags)))
                .mapToDouble(Series::value).sum();
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
