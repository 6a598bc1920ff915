package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.RowImageDelete;
import io.exodus.proxy.consistency.RowImageInsert;
import io.exodus.proxy.consistency.RowImageUpdate;
import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.sql.ClassificationCache;
import io.exodus.proxy.sql.InsertValues;
import io.exodus.proxy.sql.NondeterministicValues;
import io.exodus.proxy.sql.PickedRows;
import io.exodus.proxy.sql.RowImageReturning;
import io.exodus.proxy.wire.FrontendMessageType;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rows a request's row images captured on the primary, as the secondary gets them: which table each capture
 * belongs to, whether each capture is whole and can be applied there, and the messages that apply it
 * ({@link RowImageInsert}, {@link RowImageUpdate}, {@link RowImageDelete}). {@link SecondaryRequests} places them in
 * the secondary's request.
 */
final class CapturedImages {
    private CapturedImages() {
    }

    /**
     * Why an INSERT's rows cannot go to the secondary as an image because a trigger may have kept some of them out of
     * the table (partitioning by inheritance: the trigger puts the row into a child table and returns NULL, and the
     * INSERT returns nothing of it), or null. The rows are whole when the INSERT returned as many as its VALUES list
     * offers; an INSERT … SELECT cannot tell, and its text runs on the secondary, whose own trigger does the same.
     */
    private static String rowsKeptOut(TableShape shape, PrimaryRowImageFilter.Capture capture, String sql) {
        if (shape == null || !shape.insertTriggerMayKeepRows()
                || InsertValues.rowCount(sql) == capture.rows().size()) {
            return null;
        }
        return "a trigger of " + shape.qualifiedName() + " may keep rows out of it (a BEFORE INSERT trigger that "
                + "returns NULL), so the rows the INSERT returned may not be all it wrote";
    }

    /**
     * Whether every image of the request is an INSERT that its text reproduces exactly on the secondary, and that its
     * image would not: the table has a BEFORE (or INSTEAD OF) trigger for each row that may change the row, which on
     * the secondary would change the source's finished row a second time (a trigger that appends to a column appends
     * twice; one that changes the partition key moves the row out of the partition it was routed to), and nothing in
     * the INSERT is drawn (no column default or identity, no drawn value in the text), so that the secondary's own
     * trigger, running once on the same values, makes the same row.
     */
    static boolean imagesExactAsText(UnitPlan plan, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes, ClassificationCache classifications) {
        List<Imaged> images = imagesOf(plan);
        if (images.isEmpty() || images.size() != captures.size()) {
            return false;
        }
        for (int i = 0; i < images.size(); i++) {
            TableShape shape = shapes.get(tableOf(captures.get(i)));
            String sql = images.get(i).sql();
            if (shape == null || images.get(i).image().writes() != RowImageReturning.Writes.INSERTS
                    || !shape.changedBefore().contains(TableShape.RowEvent.INSERT) || shape.drawsDefaults()
                    || NondeterministicValues.firstIn(sql, classifications.classify(sql)) != null
                    || PickedRows.why(sql) != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Says so for each image the secondary gets of a table whose BEFORE trigger for each row may change the row: it
     * runs again there on the source's finished row (ADR 0027), which needs verification.
     */
    static void reportTriggersRunAgain(UnitPlan plan, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes, DualWriteServices dual) {
        List<Imaged> images = imagesOf(plan);
        for (int i = 0; i < images.size() && i < captures.size(); i++) {
            TableShape shape = shapes.get(tableOf(captures.get(i)));
            TableShape.RowEvent event = switch (images.get(i).image().writes()) {
                case INSERTS -> TableShape.RowEvent.INSERT;
                case UPDATES -> TableShape.RowEvent.UPDATE;
                case DELETES -> null;
            };
            if (shape != null && event != null && !captures.get(i).rows().isEmpty()
                    && shape.changedBefore().contains(event)) {
                dual.divergences().nondeterministic(UnitPlan.fingerprintOf(images.get(i).sql()), "a BEFORE " + event
                        + " trigger of " + shape.qualifiedName() + " may change its rows, and runs again on the "
                        + "target's copy of the rows the source wrote (its values are drawn, so its text cannot run "
                        + "there instead)");
            }
        }
    }

    static int tableOf(PrimaryRowImageFilter.Capture capture) {
        if (capture.description() == null) {
            return 0;
        }
        for (var field : capture.description().fields()) {
            if (field.tableOid() != 0) {
                return field.tableOid();
            }
        }
        return 0;
    }

    /**
     * The rows captured for an INSERT, UPDATE or DELETE are the rows the primary wrote, or the secondary would silently
     * miss some: a count that differs from the primary's command tag (a primary that ran the statement without the
     * added RETURNING captured none) is a fault of Exodus, and fails the request loudly instead.
     */
    static void requireWhole(RowImageReturning image, PrimaryRowImageFilter.Capture capture,
            String primaryTag, String statement) {
        String expected = tagOf(image, capture.rows().size());
        if (!expected.equals(primaryTag)) {
            throw new IllegalStateException("the rows Exodus captured for the target (" + capture.rows().size()
                    + ") are not what the source wrote (" + primaryTag + ") for: " + statement);
        }
    }

    static void append(Buffer out, RowImageReturning image, PrimaryRowImageFilter.Capture capture,
            Map<Integer, TableShape> shapes, List<String> expected) {
        if (capture.rows().isEmpty()) {
            return;
        }
        TableShape shape = shapes.get(tableOf(capture));
        out.appendBuffer(switch (image.writes()) {
            case UPDATES -> RowImageUpdate.messages(shape, capture.description(), capture.rows(),
                    image.updatedColumns());
            case DELETES -> RowImageDelete.messages(shape, capture.description(), capture.rows());
            case INSERTS -> RowImageInsert.messages(shape, capture.description(), capture.rows());
        });
        String tag = tagOf(image, 1);
        for (int i = 0; i < capture.rows().size(); i++) {
            expected.add(tag);
        }
    }

    private static String tagOf(RowImageReturning image, int rows) {
        return switch (image.writes()) {
            case UPDATES -> "UPDATE " + rows;
            case DELETES -> "DELETE " + rows;
            case INSERTS -> "INSERT 0 " + rows;
        };
    }

    /**
     * Why an UPDATE's or DELETE's rows in this request cannot go to the secondary as an image (see
     * {@link RowImageUpdate#refusal}, {@link RowImageDelete#refusal}), or an INSERT's (see {@link #rowsKeptOut}), or
     * null when every image can.
     */
    static String imageRefusal(UnitPlan plan, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes) {
        List<Imaged> images = imagesOf(plan);
        for (int i = 0; i < images.size() && i < captures.size(); i++) {
            PrimaryRowImageFilter.Capture capture = captures.get(i);
            RowImageReturning image = images.get(i).image();
            if (image.writes() == RowImageReturning.Writes.INSERTS) {
                String kept = rowsKeptOut(shapes.get(tableOf(capture)), capture, images.get(i).sql());
                if (kept != null) {
                    return kept;
                }
                continue;
            }
            if (capture.rows().isEmpty()) {
                continue;
            }
            TableShape shape = shapes.get(tableOf(capture));
            String refusal = image.isUpdate()
                    ? RowImageUpdate.refusal(shape, capture.description(), image.updatedColumns())
                    : RowImageDelete.refusal(shape, capture.description());
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    /** A row image of the request, and the client's text it was made from. */
    private record Imaged(RowImageReturning image, String sql) {
    }

    /**
     * The request's row images, in the order of its Executes, as {@link SecondaryRequests#secondary} builds them: the
     * captures pair with them in that order.
     */
    private static List<Imaged> imagesOf(UnitPlan plan) {
        List<Imaged> images = new ArrayList<>();
        if (plan.simple()) {
            plan.rowImage().ifPresent(image -> images.add(new Imaged(image, plan.statementText())));
            return images;
        }
        for (int i = 0; i < plan.messages().size(); i++) {
            StatementBook.Statement statement = plan.statementAt(i);
            if (plan.messages().get(i).type() == FrontendMessageType.EXECUTE && statement != null
                    && statement.rowImage().isPresent()) {
                images.add(new Imaged(statement.rowImage().get(), statement.sql()));
            }
        }
        return images;
    }
}
