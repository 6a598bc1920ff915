package io.exodus.proxy.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One table's verification while it runs: changed on verification's event loop, read by the REST API on other
 * threads, hence synchronized.
 */
final class TableProgress {
    private final TableName table;
    private final String divergentReason;
    private final int maxExamples;
    private final List<RowDifference> examples = new ArrayList<>();
    /** What a repair copies again: every persisting difference, up to {@link #REPAIRABLE}. */
    private final List<RowDifference> differences = new ArrayList<>();
    private boolean tooManyToRepair;
    private String state = "waiting";
    private String comparedBy;
    private List<String> key = List.of();
    private Long sourceRows;
    private Long targetRows;
    private long rowsChecked;
    private long missing;
    private long extra;
    private long different;
    private long settled;
    private String error;
    private boolean resumed;
    private List<String> resumedFrom;
    private boolean foundBeforeResuming;
    private Instant startedAt;
    private Instant finishedAt;

    /**
     * Differences of a table kept for a repair: past this many, copying the table again (initial sync) is the better
     * repair, and keeping them all would hold a table's worth of keys in memory.
     */
    static final int REPAIRABLE = 100_000;

    TableProgress(TableName table, String divergentReason, int maxExamples) {
        this.table = table;
        this.divergentReason = divergentReason;
        this.maxExamples = maxExamples;
    }

    TableName table() {
        return table;
    }

    /** Whether catch-up had marked the table divergent when the verification was planned. */
    boolean markedDivergent() {
        return divergentReason != null;
    }

    synchronized void started(TableDefinition definition) {
        state = "running";
        startedAt = Instant.now();
        comparedBy = !definition.hasKey() ? "whole-row" : definition.rowKey().primary() ? "primary-key" : "unique-key";
        key = definition.keyNames();
    }

    synchronized void started() {
        state = "running";
        startedAt = Instant.now();
    }

    /** Rows each side holds in a part of the table read for the first time. */
    synchronized void counted(long source, long target) {
        sourceRows = (sourceRows == null ? 0 : sourceRows) + source;
        targetRows = (targetRows == null ? 0 : targetRows) + target;
    }

    synchronized void checked(long sourceRowsVerified) {
        rowsChecked += sourceRowsVerified;
    }

    synchronized void found(Recheck.Outcome outcome) {
        settled += outcome.settled();
        for (RowDifference difference : outcome.persisting()) {
            switch (difference.kind()) {
                case MISSING -> missing += difference.rows();
                case EXTRA -> extra += difference.rows();
                case DIFFERENT -> different += difference.rows();
            }
            if (examples.size() < maxExamples) {
                examples.add(difference);
            }
            if (differences.size() < REPAIRABLE) {
                differences.add(difference);
            } else {
                tooManyToRepair = true;
            }
        }
    }

    /** Takes over what an interrupted run found in the ranges it finished (all of them when the table was done). */
    synchronized void restore(SavedTable saved) {
        resumed = true;
        resumedFrom = saved.resumeFrom();
        foundBeforeResuming = saved.differs();
        if (saved.startedAt() != null) {
            startedAt = Instant.parse(saved.startedAt());
        }
        sourceRows = saved.sourceRows();
        targetRows = saved.targetRows();
        rowsChecked = saved.rowsChecked();
        missing = saved.missing();
        extra = saved.extra();
        different = saved.different();
        settled = saved.settled();
        examples.addAll(saved.examples().subList(0, Math.min(maxExamples, saved.examples().size())));
    }

    synchronized void done() {
        state = "done";
        finishedAt = Instant.now();
    }

    synchronized void failed(String why) {
        state = "failed";
        error = why;
        finishedAt = Instant.now();
    }

    /** Every persisting difference found, unless {@link #unrepairable} says why not. */
    synchronized List<RowDifference> differences() {
        return List.copyOf(differences);
    }

    /** Why {@link #differences} does not hold every difference of the table; null when it does. */
    synchronized String unrepairable() {
        if (tooManyToRepair) {
            return "more than " + REPAIRABLE + " rows differ: copy the table again (initial sync) rather than repair "
                    + "it row by row";
        }
        if (foundBeforeResuming) {
            return "its verification continued one a restart interrupted, and the rows found before the restart are "
                    + "known only by their first examples: verify it again, then repair it";
        }
        return null;
    }

    synchronized TableReport report() {
        return new TableReport(table.toString(), state, comparedBy, key, divergentReason, sourceRows, targetRows,
                rowsChecked, missing, extra, different, settled, List.copyOf(examples), error,
                resumed ? Boolean.TRUE : null, resumedFrom,
                startedAt == null ? null : startedAt.toString(), finishedAt == null ? null : finishedAt.toString(),
                startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt).toMillis());
    }
}
