package io.exodus.proxy.sql;

import java.util.ArrayList;
import java.util.List;

/** The statements of a text, each as written, in the order and by the boundaries the classifier uses. */
public final class StatementTexts {
    private StatementTexts() {
    }

    /** Each statement's text, without its {@code ;}; empty statements (a lone {@code ;}) left out. */
    public static List<String> split(String sql) {
        Tokens tokens = SqlLexer.tokenize(sql);
        List<String> texts = new ArrayList<>();
        int start = 0;
        while (start < tokens.size()) {
            int end = StatementClassifier.endOfStatement(tokens, start);
            if (end > start) {
                texts.add(sql.substring(tokens.start(start), tokens.end(end - 1)));
            }
            start = end + 1;
        }
        return texts;
    }
}
