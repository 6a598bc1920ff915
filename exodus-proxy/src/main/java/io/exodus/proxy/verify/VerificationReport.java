package io.exodus.proxy.verify;

import java.util.List;

/**
 * The last verification, as {@code GET /exodus/migration/verification} shows it.
 *
 * @param state     {@code running}, {@code done} (every table verified) or {@code failed} (a table could not be
 *                  verified: its {@code error} says why)
 * @param identical true only once done with no table differing: a gate can rely on it alone
 * @param database  the database verified, on both servers
 * @param pauses    how often it waited to keep within {@code exodus.verify.max-database-share}, on both databases
 * @param pausedMillis how long those waits took, summed over both databases
 */
public record VerificationReport(String state, boolean identical, String database, String startedAt,
        String finishedAt, long pauses, long pausedMillis, List<TableReport> tables) {
}
