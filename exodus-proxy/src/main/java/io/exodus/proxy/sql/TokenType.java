package io.exodus.proxy.sql;

/** What a {@link SqlLexer} token is. Whitespace and comments make no token. */
public enum TokenType {
    /** An unquoted identifier or keyword; PostgreSQL folds it to lower case (ASCII letters only). */
    WORD,
    /** A double-quoted identifier ({@code "delete"}, {@code U&"d\0061t"}): a name, never a keyword. */
    QUOTED_IDENTIFIER,
    /** Any string constant: {@code '…'}, {@code E'…'}, {@code U&'…'}, {@code B'…'}, {@code X'…'}, {@code N'…'},
     * {@code $$…$$}, {@code $tag$…$tag$}. */
    STRING,
    NUMBER,
    /** A positional parameter: {@code $1}. */
    PARAMETER,
    /** A run of operator characters ({@code + - * / < > = ~ ! @ # % ^ & | ` ?}). */
    OPERATOR,
    LEFT_PAREN,
    RIGHT_PAREN,
    LEFT_BRACKET,
    RIGHT_BRACKET,
    COMMA,
    SEMICOLON,
    DOT,
    COLON,
    /** The type cast {@code ::}. */
    DOUBLE_COLON,
    /** A character PostgreSQL's lexer rejects (a lone {@code $}, {@code {}, a control character): kept, not dropped. */
    OTHER
}
