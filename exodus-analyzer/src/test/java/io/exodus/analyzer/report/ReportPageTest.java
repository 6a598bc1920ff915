package io.exodus.analyzer.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import io.exodus.analyzer.checks.CheckResult;
import io.exodus.analyzer.checks.Checks;
import io.exodus.analyzer.config.StorageKind;
import io.exodus.analyzer.profile.MigrationProfile;
import io.exodus.analyzer.profile.ProfileBuilder;
import io.exodus.analyzer.recommend.Recommender;
import io.exodus.analyzer.shadow.ShadowReport;

class ReportPageTest {

    @Test
    void rendersASourceAloneWithoutTrafficAndSaysWhatIsMissing() {
        ProfileBuilder builder = new ProfileBuilder();
        builder.target = null;
        String html = render(builder.build());
        assertTrue(html.contains("no target configured"), "the header says there is no target");
        assertTrue(html.contains("No captured traffic yet"), "the workload section says why it is empty");
        assertFalse(html.contains("<svg"), "no empty charts");
    }

    @Test
    void escapesNamesFromTheDatabase() {
        ProfileBuilder builder = new ProfileBuilder();
        builder.source.table("<script>alert(1)</script>");
        String html = render(builder.build());
        assertFalse(html.contains("<script>alert(1)"), "a table name is text, never markup");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    private static String render(MigrationProfile profile) {
        List<CheckResult> checks = Checks.evaluate(profile);
        return ReportPage.render(profile, checks, Recommender.recommend(profile, checks, Optional.empty(),
                OptionalInt.empty(), StorageKind.SSD), ShadowReport.idle());
    }
}
