package io.exodus.analyzer.report;

import java.util.Arrays;
import java.util.List;

/**
 * HTML text made safely: everything from a database or from captured traffic goes through {@link #text}, which
 * escapes it, so a table or statement named {@code <script>} stays text.
 */
final class Html {
    private final StringBuilder out = new StringBuilder(64 * 1024);

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** The cells of one table row; a null cell shows as a dash. */
    static List<Object> row(Object... cells) {
        return Arrays.asList(cells);
    }

    /** Markup written by this code, as is. */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Text from anywhere, escaped. */
    Html text(Object value) {
        out.append(escape(value == null ? "—" : String.valueOf(value)));
        return this;
    }

    /** {@code <tag class="…">text</tag>} with the text escaped. */
    Html element(String tag, String cssClass, Object value) {
        out.append('<').append(tag);
        if (cssClass != null) {
            out.append(" class=\"").append(cssClass).append('"');
        }
        out.append('>');
        text(value);
        out.append("</").append(tag).append('>');
        return this;
    }

    /** A table with a header row and body rows of escaped cells; nothing but a note when there are no rows. */
    Html table(List<String> header, List<List<Object>> rows, String whenEmpty) {
        if (rows.isEmpty()) {
            return element("p", "empty", whenEmpty);
        }
        out.append("<table><thead><tr>");
        header.forEach(name -> element("th", null, name));
        out.append("</tr></thead><tbody>");
        for (List<Object> row : rows) {
            out.append("<tr>");
            row.forEach(cell -> element("td", null, cell));
            out.append("</tr>");
        }
        out.append("</tbody></table>");
        return this;
    }

    /** A labelled figure of the report's summary grids. */
    Html fact(String label, Object value) {
        return raw("<div class=\"fact\">").element("span", null, label).element("strong", null, value).raw("</div>");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
