package io.exodus.proxy.capture;

/**
 * What one statement did to its session's settings: the proxy follows these so that each captured statement carries
 * the settings it ran under (docs/adr/0040). Names are in lower case; values as {@code set_config} takes them.
 */
sealed interface SettingChange permits SettingChange.Assign, SettingChange.Reset, SettingChange.ResetAll {

    /**
     * {@code SET name TO value}, {@code SET LOCAL …}, or {@code set_config(name, value, local)}.
     *
     * @param value the value, or {@link io.exodus.capture.SessionSettings#UNREADABLE} when the statement gave it in
     *              a form the proxy does not read
     * @param local whether it lasts until the end of the transaction only
     */
    record Assign(String name, String value, boolean local) implements SettingChange {
    }

    /** {@code RESET name}, {@code SET name TO DEFAULT}: back to the value the session started with. */
    record Reset(String name) implements SettingChange {
    }

    /** {@code RESET ALL}, {@code DISCARD ALL}: every setting back to the value the session started with. */
    record ResetAll() implements SettingChange {
    }
}
