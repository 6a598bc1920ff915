package io.exodus.proxy.demo;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Locale;

/**
 * What the demo prints: one line per step with its time, progress lines while a long step runs, an ERROR line for a
 * step that failed. All under one log category, {@value #CATEGORY}, so that the walk reads as one column among the
 * services' own lines (which say the same steps from the inside) and can be filtered or silenced as one.
 */
final class DemoConsole {
    static final String CATEGORY = "io.exodus.proxy.demo";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    private final int steps;

    DemoConsole(int steps) {
        this.steps = steps;
    }

    void say(String text) {
        LOG.info(text);
    }

    void step(int number, String name, Duration took, String detail) {
        LOG.info(String.format(Locale.ROOT, "[%2d/%d] %-16s %6.1f s  %s", number, steps, name, seconds(took), detail));
    }

    void progress(String name, String detail) {
        LOG.info(String.format(Locale.ROOT, "       %-16s    ...    %s", name, detail));
    }

    void failed(int number, String name, Duration took, String why) {
        LOG.error(String.format(Locale.ROOT, "[%2d/%d] %-16s %6.1f s  FAILED: %s", number, steps, name, seconds(took),
                why));
    }

    void error(String text) {
        LOG.error(text);
    }

    void error(String text, Throwable cause) {
        LOG.error(text, cause);
    }

    /** Thousands grouped the same way whatever the machine's locale: figures to compare across runs. */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static double seconds(Duration took) {
        return took.toNanos() / 1e9;
    }
}
