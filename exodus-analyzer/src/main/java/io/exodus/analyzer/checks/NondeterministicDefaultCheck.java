package io.exodus.analyzer.checks;

import io.exodus.analyzer.profile.DatabaseProfile.VolatileDefault;
import io.exodus.analyzer.profile.MigrationProfile;

import java.util.List;

/**
 * A column default that draws a value (random(), gen_random_uuid(), clock_timestamp() …) gives each database its own
 * value when an INSERT runs as text on both. Sequence defaults (nextval) are left to {@code sequence-overflow} and the
 * cutover's sequence step: row images carry their values.
 */
final class NondeterministicDefaultCheck implements Check {

    @Override
    public String key() {
        return "nondeterministic-default";
    }

    @Override
    public String title() {
        return "Column defaults that draw a different value on each database";
    }

    @Override
    public CheckResult evaluate(MigrationProfile profile) {
        List<VolatileDefault> drawing = profile.source().volatileDefaults().stream()
                .filter(column -> column.functions().stream().anyMatch(function -> !function.equals("nextval")))
                .toList();
        if (drawing.isEmpty()) {
            return result(Verdict.PASS, "no column default calls a volatile function other than nextval()",
                    "None: defaults give both databases the same values.");
        }
        return result(Verdict.WARNING, Evidence.plural(drawing.size(), "column", "columns") + " with a volatile "
                + "default: " + Evidence.sample(drawing.stream().map(column -> column.schema() + "." + column.table()
                        + "." + column.column() + " DEFAULT " + column.expression()).toList()),
                "Exodus copies the source's rows into the target for plain INSERTs (row images), so these columns "
                        + "match; INSERTs that run as text on both databases (INSERT … ON CONFLICT, WITH … INSERT, "
                        + "pipelined batches) draw their own values on each side. Verify these tables before cutover, "
                        + "or give the values from the application.");
    }
}
