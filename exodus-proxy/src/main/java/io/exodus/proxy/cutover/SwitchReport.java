package io.exodus.proxy.cutover;

import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;

/**
 * A move of the primary, as the admin API reports it ({@code lastSwitch} in {@code GET /exodus/migration}).
 *
 * @param kind      {@code cutover}, {@code rollback} or {@code retire-source}
 * @param pauseMs   how long new transactions were held, from the pause to the new phase in effect; 0 when the move
 *                  needed no pause (the primary stayed)
 * @param sequences how many sequences were set on the new primary past the old one's positions
 * @param at          when the move took effect
 * @param bypassGuard the application's roles on the source after the move ({@code set on …}, {@code lifted}, or
 *                    {@code failed: …} and why); null with {@code exodus.migration.cutover.bypass-guard.enabled=false}
 */
public record SwitchReport(Kind kind, String from, String to, String primary, long pauseMs, int sequences,
        Instant at, String bypassGuard) {

    public enum Kind {
        CUTOVER("cutover"),
        ROLLBACK("rollback"),
        RETIRE_SOURCE("retire-source");

        private final String apiName;

        Kind(String apiName) {
            this.apiName = apiName;
        }

        @JsonValue
        public String apiName() {
            return apiName;
        }
    }
}
