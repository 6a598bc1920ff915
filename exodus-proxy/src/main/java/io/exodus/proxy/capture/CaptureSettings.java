package io.exodus.proxy.capture;

import io.exodus.proxy.config.ExodusConfig;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code exodus.capture.*}, checked once at start-up.
 *
 * @param analyzer the analyzer's base URL, without a trailing slash
 */
record CaptureSettings(URI analyzer, double sampleRate, ParameterCapture parameters, double parameterSampleRate,
        Pattern redact, int bufferEvents, int batchEvents, Duration flushInterval, int maxStatementBytes,
        int maxAttempts, Duration retryBackoff, Duration retryBackoffCap, Duration timeout, Duration shutdownTimeout,
        Duration recommendationsInterval) {

    static CaptureSettings from(ExodusConfig.Capture config, String analyzerUrl) {
        String base = analyzerUrl.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI analyzer = URI.create(base);
        if (analyzer.getScheme() == null || !(analyzer.getScheme().equals("http")
                || analyzer.getScheme().equals("https")) || analyzer.getHost() == null) {
            throw new IllegalArgumentException("exodus.capture.analyzer-url must be an http(s) URL such as "
                    + "http://analyzer:8081, not '" + analyzerUrl + "'");
        }
        return new CaptureSettings(analyzer, share(config.sampleRate(), "sample-rate"),
                ParameterCapture.fromConfig(config.parameters()),
                share(config.parameterSampleRate(), "parameter-sample-rate"), Pattern.compile(config.redact()),
                positive(config.bufferEvents(), "buffer-events"),
                Math.min(positive(config.batchEvents(), "batch-events"), 10_000), config.flushInterval(),
                positive(config.maxStatementBytes(), "max-statement-bytes"),
                positive(config.maxAttempts(), "max-attempts"), config.retryBackoff(), config.retryBackoffCap(),
                config.timeout(), config.shutdownTimeout(), config.recommendationsInterval());
    }

    private static double share(double value, String key) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("exodus.capture." + key + " must be between 0 and 1, not " + value);
        }
        return value;
    }

    private static int positive(int value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException("exodus.capture." + key + " must be positive, not " + value);
        }
        return value;
    }
}
