package io.exodus.proxy.verify;

import java.util.List;

/**
 * The last repair, as {@code POST} and {@code GET /exodus/migration/repair} show it.
 *
 * @param state         {@code done}, or {@code failed} when a table could not be repaired (its {@code error} says
 *                      why)
 * @param authoritative the database rows were copied from: the primary of the phase the repair ran in
 * @param repaired      the database that was changed
 */
public record RepairReport(String state, String database, String authoritative, String repaired, String startedAt,
        String finishedAt, List<TableRepairReport> tables) {
}
