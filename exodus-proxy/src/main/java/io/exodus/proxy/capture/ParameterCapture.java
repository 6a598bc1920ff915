package io.exodus.proxy.capture;

import java.util.Locale;

/** Which bound parameter values the tap ships ({@code exodus.capture.parameters}). */
public enum ParameterCapture {
    /** None: events carry the normalised text only. */
    OFF,
    /** Those of a share of the captured statements ({@code exodus.capture.parameter-sample-rate}). */
    SAMPLED,
    /** Those of every captured extended-protocol statement. */
    ALL;

    public static ParameterCapture fromConfig(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("exodus.capture.parameters must be off, sampled or all, not '" + value
                    + "'");
        }
    }
}
