package io.exodus.analyzer.report;

import io.exodus.analyzer.profile.WorkloadProfile.ClassMix;
import io.exodus.analyzer.profile.WorkloadProfile.LoadPoint;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The report's charts, drawn on the server as inline SVG: no script, no library, nothing fetched, so the report is
 * one self-contained file that can be saved and mailed.
 */
final class SvgCharts {
    private static final int WIDTH = 640;
    private static final int BAR_HEIGHT = 22;
    private static final int LABEL_WIDTH = 110;
    private static final int LOAD_HEIGHT = 200;
    private static final int MARGIN = 36;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private SvgCharts() {
    }

    /** Horizontal bars of calls per statement class, with the share of total time beside each. */
    static String statementMix(List<ClassMix> mix) {
        long maxCalls = mix.stream().mapToLong(ClassMix::calls).max().orElse(1);
        long totalMicros = Math.max(1, mix.stream().mapToLong(ClassMix::totalMicros).sum());
        int height = mix.size() * (BAR_HEIGHT + 8) + 8;
        StringBuilder svg = new StringBuilder("<svg class=\"chart\" role=\"img\" aria-label=\"Statement mix\" "
                + "viewBox=\"0 0 " + WIDTH + " " + height + "\" width=\"" + WIDTH + "\" height=\"" + height + "\">");
        int y = 8;
        int barSpace = WIDTH - LABEL_WIDTH - 190;
        for (ClassMix entry : mix) {
            int width = (int) Math.max(2, Math.round((double) entry.calls() / maxCalls * barSpace));
            svg.append(text(0, y + 16, "start", entry.statementClass()))
                    .append("<rect class=\"bar ").append(Html.escape(entry.statementClass())).append("\" x=\"")
                    .append(LABEL_WIDTH).append("\" y=\"").append(y).append("\" width=\"").append(width)
                    .append("\" height=\"").append(BAR_HEIGHT).append("\" rx=\"3\"/>")
                    .append(text(LABEL_WIDTH + width + 8, y + 16, "start", String.format(Locale.ROOT,
                            "%,d calls · %.0f %% of time", entry.calls(), 100.0 * entry.totalMicros() / totalMicros)));
            y += BAR_HEIGHT + 8;
        }
        return svg.append("</svg>").toString();
    }

    /** Statements per second over the capture, all and writes, as two polylines over a light grid. */
    static String load(List<LoadPoint> points, long bucketSeconds) {
        double maxRate = Math.max(1, points.stream().mapToLong(LoadPoint::calls).max().orElse(1) / (double) bucketSeconds);
        int plotWidth = WIDTH - 2 * MARGIN;
        int plotHeight = LOAD_HEIGHT - 2 * MARGIN + 16;
        StringBuilder svg = new StringBuilder("<svg class=\"chart\" role=\"img\" aria-label=\"Load over time\" "
                + "viewBox=\"0 0 " + WIDTH + " " + LOAD_HEIGHT + "\" width=\"" + WIDTH + "\" height=\"" + LOAD_HEIGHT
                + "\">");
        for (int line = 0; line <= 4; line++) {
            double y = MARGIN + plotHeight - plotHeight * line / 4.0;
            svg.append("<line class=\"grid\" x1=\"").append(MARGIN).append("\" x2=\"").append(MARGIN + plotWidth)
                    .append("\" y1=\"").append(format(y)).append("\" y2=\"").append(format(y)).append("\"/>")
                    .append(text(MARGIN - 6, y + 4, "end", String.format(Locale.ROOT, "%.0f", maxRate * line / 4)));
        }
        StringBuilder all = new StringBuilder();
        StringBuilder writes = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            double x = MARGIN + (points.size() == 1 ? plotWidth / 2.0 : plotWidth * i / (double) (points.size() - 1));
            all.append(format(x)).append(',').append(format(y(points.get(i).calls(), bucketSeconds, maxRate,
                    plotHeight))).append(' ');
            writes.append(format(x)).append(',').append(format(y(points.get(i).writes(), bucketSeconds, maxRate,
                    plotHeight))).append(' ');
        }
        svg.append("<polyline class=\"line all\" points=\"").append(all.toString().strip()).append("\"/>")
                .append("<polyline class=\"line writes\" points=\"").append(writes.toString().strip()).append("\"/>");
        if (!points.isEmpty()) {
            svg.append(text(MARGIN, LOAD_HEIGHT - 6, "start", TIME.format(points.get(0).at())))
                    .append(text(MARGIN + plotWidth, LOAD_HEIGHT - 6, "end",
                            TIME.format(points.get(points.size() - 1).at()) + " UTC"));
        }
        svg.append(text(MARGIN, 14, "start", "statements per second (" + bucketSeconds + " s buckets)"))
                .append("<rect class=\"key all\" x=\"").append(WIDTH - 190).append("\" y=\"6\" width=\"12\" "
                        + "height=\"4\"/>").append(text(WIDTH - 172, 14, "start", "all"))
                .append("<rect class=\"key writes\" x=\"").append(WIDTH - 130).append("\" y=\"6\" width=\"12\" "
                        + "height=\"4\"/>").append(text(WIDTH - 112, 14, "start", "writes and DDL"));
        return svg.append("</svg>").toString();
    }

    private static double y(long calls, long bucketSeconds, double maxRate, int plotHeight) {
        return MARGIN + plotHeight - plotHeight * (calls / (double) bucketSeconds) / maxRate;
    }

    private static String text(double x, double y, String anchor, String content) {
        return "<text x=\"" + format(x) + "\" y=\"" + format(y) + "\" text-anchor=\"" + anchor + "\">"
                + Html.escape(content) + "</text>";
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
