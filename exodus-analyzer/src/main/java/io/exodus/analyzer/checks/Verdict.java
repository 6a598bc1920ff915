package io.exodus.analyzer.checks;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * How much a check's finding stands in the migration's way, from least to most (the names of Google's readiness
 * check and Lakebase's assessment, in their JSON spelling).
 */
public enum Verdict {
    /** Nothing to do. */
    PASS,
    /** Works, with a risk or a cost worth knowing; no change needed. */
    WARNING,
    /** Something must be changed (a setting, the schema, a statement) before the step it concerns. */
    ACTION_REQUIRED,
    /** The migration cannot go ahead as planned. */
    BLOCKER;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The worse of two verdicts. */
    public Verdict worst(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** Whether the finding must be resolved before cutover. */
    public boolean blocksCutover() {
        return this == ACTION_REQUIRED || this == BLOCKER;
    }
}
