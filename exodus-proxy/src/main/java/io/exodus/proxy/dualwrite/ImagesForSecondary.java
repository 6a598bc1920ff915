package io.exodus.proxy.dualwrite;

import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.sql.ClassificationCache;

import java.util.List;
import java.util.Map;

/**
 * Decides, once the primary has run a request with row images, whether the secondary gets the images or the
 * statements' text, and reports what may then differ: the catalog may rule an image out ({@link CapturedImages}), the
 * text may be the exact one (a trigger would change the image again), and values drawn by the text, defaults a view
 * hides and triggers that run again are counted for verification ({@link UncopiedValues}).
 */
final class ImagesForSecondary {
    private ImagesForSecondary() {
    }

    /**
     * @param shapes the tables of the captures, or null when they could not all be read (too many rows kept, rows of
     *               no table)
     * @return the request as the secondary gets it: {@code plan}, or the same without row images
     */
    static UnitPlan decide(UnitPlan plan, List<PrimaryRowImageFilter.Capture> captures,
            Map<Integer, TableShape> shapes, DualWriteServices dual, ClassificationCache classifications) {
        UnitPlan secondaryPlan = plan;
        String imageRefused = null;
        boolean exactAsText = false;
        if (plan.usesRowImage() && shapes == null) {
            // Too many rows to keep, or rows of no table (a view): the secondary runs the text; if the text has
            // values that differ per database, or picks rows by order or locks, the check below says so too.
            secondaryPlan = plan.withoutRowImage();
            dual.divergences().nondeterministic(plan.fingerprint(), "its rows were more than Exodus holds for the "
                    + "target (exodus.migration.row-image-max-bytes), or of no table, so the target ran its text: the "
                    + "rows it picks and the values it draws may differ there");
        } else if (plan.usesRowImage()) {
            imageRefused = CapturedImages.imageRefusal(plan, captures, shapes);
            if (imageRefused != null) {
                // Rows the secondary cannot find: the text runs there, counted below.
                secondaryPlan = plan.withoutRowImage();
            } else if (CapturedImages.imagesExactAsText(plan, captures, shapes, classifications)) {
                // A trigger would change the image again; the text, drawing nothing, makes the same rows there.
                secondaryPlan = plan.withoutRowImage();
                exactAsText = true;
            }
        }
        UncopiedValues.report(plan, secondaryPlan, imageRefused, exactAsText, dual, classifications);
        if (secondaryPlan.usesRowImage() && shapes != null) {
            UncopiedValues.reportHiddenDefaults(plan, shapes.values(), dual);
            CapturedImages.reportTriggersRunAgain(plan, captures, shapes, dual);
        }
        return secondaryPlan;
    }
}
