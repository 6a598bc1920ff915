package io.exodus.capture;

/** What a token of SQL text is, as far as normalisation cares. */
public enum TokenKind {
    /** An unquoted keyword or identifier; PostgreSQL folds it to lower case. */
    WORD,
    /** A double-quoted identifier, quotes included; its case is kept. */
    QUOTED_IDENTIFIER,
    /**
     * A literal the normaliser replaces: a number (with its sign when the minus is unary), a string in any quoting
     * ({@code '…'}, {@code E'…'}, {@code B'…'}, {@code X'…'}, {@code N'…'}, {@code U&'…'}, {@code $tag$…$tag$}), or the
     * keyword {@code TRUE} or {@code FALSE}.
     */
    CONSTANT,
    /** A bind parameter {@code $n}. */
    PARAMETER,
    /** An operator, or punctuation such as parentheses, commas, {@code ::} and {@code ;}. */
    SYMBOL
}
