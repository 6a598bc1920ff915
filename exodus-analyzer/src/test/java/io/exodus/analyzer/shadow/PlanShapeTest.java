package io.exodus.analyzer.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Plans as EXPLAIN (FORMAT JSON) gives them, with and without ANALYZE (texts as PostgreSQL 17 writes them). */
class PlanShapeTest {
    private static final String ESTIMATED = """
            [{"Plan": {"Node Type": "Aggregate", "Strategy": "Plain", "Total Cost": 18.52, "Plan Rows": 1,
              "Plans": [{"Node Type": "Index Scan", "Relation Name": "accounts", "Index Name": "accounts_owner",
                         "Total Cost": 17.02, "Plan Rows": 300}]}}]""";
    private static final String ANALYZED = """
            [{"Plan": {"Node Type": "Aggregate", "Strategy": "Plain", "Total Cost": 5987.01, "Plan Rows": 1,
                       "Actual Startup Time": 21.204, "Actual Total Time": 21.206, "Actual Rows": 1,
                       "Actual Loops": 1,
              "Plans": [{"Node Type": "Seq Scan", "Relation Name": "accounts", "Total Cost": 5986.00,
                         "Plan Rows": 300, "Actual Startup Time": 0.035, "Actual Total Time": 21.151,
                         "Actual Rows": 300, "Actual Loops": 1}]},
              "Planning Time": 0.112, "Triggers": [], "Execution Time": 21.260}]""";

    @Test
    void anEstimatedPlanShowsCostsAndRowsOnly() {
        PlanShape plan = PlanShape.parse(ESTIMATED);
        assertEquals(List.of("Aggregate", "Index Scan on accounts using accounts_owner"), plan.nodes());
        assertFalse(plan.analyzed());
        assertFalse(plan.rendered().contains("actual"), plan.rendered());
    }

    @Test
    void anAnalyzedPlanShowsWhatEachNodeReallyDidAndItsExecutionTime() {
        PlanShape plan = PlanShape.parse(ANALYZED);
        assertTrue(plan.analyzed());
        assertEquals(21.26, plan.actualMillis(), 1e-9);
        assertEquals(String.join(System.lineSeparator(),
                "Aggregate  (cost=5987.01 rows=1) (actual time=21.206 rows=1 loops=1)",
                "  Seq Scan on accounts  (cost=5986.00 rows=300) (actual time=21.151 rows=300 loops=1)",
                "Execution Time: 21.260 ms"), plan.rendered());
    }

    @Test
    void theJudgementStaysOnTheEstimatesWithAnalyzeOnOrOff() {
        PlanShape estimated = PlanShape.parse(ESTIMATED);
        PlanShape analyzed = PlanShape.parse(ANALYZED);
        assertTrue(estimated.regressedTo(analyzed, 1.5));
        assertFalse(analyzed.regressedTo(estimated, 1.5));
    }
}
