package io.exodus.cli;

import java.util.Locale;

/** Numbers as the CLI prints them: counts with thousands separators, shares and rates with one decimal at most. */
final class Numbers {

    private Numbers() {
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String decimal(double value) {
        return value == Math.rint(value) ? count((long) value) : String.format(Locale.ROOT, "%,.1f", value);
    }

    static String percent(double value) {
        return decimal(value) + " %";
    }
}
