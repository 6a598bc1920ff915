package io.exodus.analyzer.shadow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plan from {@code EXPLAIN (FORMAT JSON)}, reduced to what a regression is made of: the nodes in tree order (node
 * type, join type, relation, index), which captures join order and index use, and the estimated total cost. Estimated
 * rows show in the rendering, not in the shape: they move with statistics and are no regression by themselves.
 *
 * With {@code EXPLAIN (ANALYZE)} the rendering also carries each node's actual rows, time and loops, and
 * {@code actualMillis} the whole statement's execution time; the shape and the judgement stay on the estimates, so that
 * a replay judges alike with ANALYZE on or off, and the measured times are evidence for a person.
 *
 * @param nodes        one line per node, depth first
 * @param analyzed     whether the plan ran (EXPLAIN ANALYZE)
 * @param actualMillis the execution time EXPLAIN ANALYZE reported; 0 when not analyzed
 * @param rendered     the tree as indented text, for people
 */
public record PlanShape(List<String> nodes, double totalCost, boolean analyzed, double actualMillis,
        String rendered) {

    /** The first plan of an EXPLAIN (FORMAT JSON) answer: a one-element array holding {"Plan": …}. */
    public static PlanShape parse(Object explained) {
        JsonArray array = explained instanceof JsonArray json ? json : new JsonArray(String.valueOf(explained));
        JsonObject top = array.getJsonObject(0);
        JsonObject plan = top.getJsonObject("Plan");
        List<String> nodes = new ArrayList<>();
        StringBuilder rendered = new StringBuilder();
        walk(plan, 0, nodes, rendered);
        boolean analyzed = top.containsKey("Execution Time");
        if (analyzed) {
            rendered.append(String.format(Locale.ROOT, "Execution Time: %.3f ms%n", number(top, "Execution Time")));
        }
        return new PlanShape(nodes, number(plan, "Total Cost"), analyzed, number(top, "Execution Time"),
                rendered.toString().stripTrailing());
    }

    private static void walk(JsonObject node, int depth, List<String> nodes, StringBuilder rendered) {
        StringBuilder line = new StringBuilder();
        String partialMode = node.getString("Partial Mode", "Simple");
        if (!partialMode.equals("Simple")) {
            line.append(partialMode).append(' '); // Partial / Finalize Aggregate: a parallel plan's two halves
        }
        line.append(node.getString("Node Type", "?"));
        if (node.containsKey("Join Type")) {
            line.append(' ').append(node.getString("Join Type")).append(" join");
        }
        if (node.containsKey("Relation Name")) {
            line.append(" on ").append(node.getString("Relation Name"));
        }
        if (node.containsKey("Index Name")) {
            line.append(" using ").append(node.getString("Index Name"));
        }
        nodes.add(line.toString());
        rendered.append("  ".repeat(depth)).append(line).append(String.format(Locale.ROOT, "  (cost=%.2f rows=%.0f)",
                number(node, "Total Cost"), number(node, "Plan Rows")));
        if (node.containsKey("Actual Total Time")) {
            rendered.append(String.format(Locale.ROOT, " (actual time=%.3f rows=%.0f loops=%.0f)",
                    number(node, "Actual Total Time"), number(node, "Actual Rows"), number(node, "Actual Loops")));
        }
        rendered.append(System.lineSeparator());
        JsonArray children = node.getJsonArray("Plans");
        if (children != null) {
            for (int i = 0; i < children.size(); i++) {
                walk(children.getJsonObject(i), depth + 1, nodes, rendered);
            }
        }
    }

    private static double number(JsonObject node, String key) {
        Object value = node.getValue(key);
        return value instanceof Number n ? n.doubleValue() : 0;
    }

    /** Another shape whose estimated cost is above {@code ratio} times this one's. */
    public boolean regressedTo(PlanShape target, double ratio) {
        return !nodes.equals(target.nodes) && target.totalCost > ratio * totalCost;
    }
}
