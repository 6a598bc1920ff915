package io.exodus.proxy.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The leading-keyword reading of an SQL text, as a Query or Parse carries it (zero-terminated). */
class StatementClassTest {
    /** Bytes before the text in the buffer: the range starts mid-buffer, as it does in a chunk. */
    private static final String BEFORE = "Q\0\0\0";

    /** The class of the whole text and its terminator. */
    private static StatementClass classOf(String sql) {
        byte[] text = (sql + "\0").getBytes(StandardCharsets.UTF_8);
        return classOf(BEFORE + sql + "\0", BEFORE.length(), text.length);
    }

    /** The class of {@code length} bytes of {@code buffer} from {@code index}; checks the indexes do not move. */
    private static StatementClass classOf(String buffer, int index, int length) {
        ByteBuf bytes = Unpooled.wrappedBuffer(buffer.getBytes(StandardCharsets.UTF_8));
        int readerIndex = bytes.readerIndex();
        StatementClass result = StatementClass.of(bytes, index, length);
        assertEquals(readerIndex, bytes.readerIndex());
        return result;
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "select 1 | READ", "VALUES (1), (2) | READ", "table items | READ", "show search_path | READ",
            "explain select 1 | READ", "fetch 10 from c | READ", "move next in c | READ",
            "declare c cursor for select 1 | READ", "with x as (select 1) select * from x | READ",
            "insert into t values (1) | WRITE", "update t set a = 1 | WRITE", "delete from t | WRITE",
            "merge into t using s on true when matched then delete | WRITE", "call p() | WRITE",
            "do $$ begin end $$ | WRITE", "lock table t | WRITE",
            "copy t from stdin | COPY", "copy (select 1) to stdout | COPY",
            "create table t (a int) | DDL", "alter table t add b int | DDL", "drop table t | DDL",
            "truncate t | WRITE", "comment on table t is 'x' | DDL", "grant select on t to u | DDL",
            "revoke select on t from u | DDL", "security label on table t is 'x' | DDL",
            "import foreign schema s from server f into p | DDL", "reassign owned by a to b | DDL",
            "reindex table t | DDL", "cluster t | DDL", "vacuum t | DDL", "analyze t | DDL", "analyse t | DDL",
            "refresh materialized view v | DDL", "checkpoint | OTHER",
            "begin | TRANSACTION", "start transaction | TRANSACTION", "commit | TRANSACTION", "end | TRANSACTION",
            "rollback | TRANSACTION", "abort | TRANSACTION", "savepoint a | TRANSACTION",
            "release savepoint a | TRANSACTION", "rollback to savepoint a | TRANSACTION",
            "prepare transaction 'gid' | TRANSACTION", "commit prepared 'gid' | TRANSACTION",
            "set search_path = public | SESSION", "reset all | SESSION", "discard all | SESSION",
            "listen channel | SESSION", "unlisten * | SESSION", "notify channel | WRITE", "load 'plugin' | SESSION",
            "deallocate all | SESSION", "close c | READ", "prepare q as select 1 | SESSION",
            "execute q | OTHER", "checkpoints | OTHER", "selectx 1 | OTHER", "1 | OTHER", "'select' | OTHER" })
    void eachLeadingKeywordHasItsClass(String sql, StatementClass expected) {
        assertEquals(expected, classOf(sql));
    }

    @Test
    void keywordsAreMatchedInAnyCase() {
        assertEquals(StatementClass.READ, classOf("SeLeCt 1"));
        assertEquals(StatementClass.WRITE, classOf("INSERT INTO t VALUES (1)"));
    }

    @Test
    void whitespaceCommentsAndOpeningParenthesesBeforeTheKeywordAreSkipped() {
        assertEquals(StatementClass.READ, classOf(" \t\r\n select 1"));
        assertEquals(StatementClass.WRITE, classOf("-- a note\n-- another\ninsert into t values (1)"));
        assertEquals(StatementClass.WRITE, classOf("/* a /* nested */ note */ delete from t"));
        assertEquals(StatementClass.READ, classOf("((select 1) union (select 2))"));
        assertEquals(StatementClass.TRANSACTION, classOf("/**/begin"));
    }

    @Test
    void nothingRecognisableIsOther() {
        assertEquals(StatementClass.OTHER, classOf(""));
        assertEquals(StatementClass.OTHER, classOf("   "));
        assertEquals(StatementClass.OTHER, classOf(";;"));
        assertEquals(StatementClass.OTHER, classOf("-- only a comment"));
        assertEquals(StatementClass.OTHER, classOf("/* an unterminated comment"));
    }

    @Test
    void severalStatementsTakeTheMostWriteLikeClass() {
        assertEquals(StatementClass.WRITE, classOf("begin; insert into t values (1); commit"));
        assertEquals(StatementClass.DDL, classOf("select 1; create table t (a int)"));
        assertEquals(StatementClass.COPY, classOf("set a = 1; copy t to stdout"));
        assertEquals(StatementClass.TRANSACTION, classOf("begin; select 1"));
        assertEquals(StatementClass.SESSION, classOf("show a; set a = 1"));
        assertEquals(StatementClass.READ, classOf("select 1; execute q"), "an unrecognised statement adds nothing");
    }

    @Test
    void semicolonsAndWordsInsideQuotesAndCommentsDoNotStartStatements() {
        assertEquals(StatementClass.READ, classOf("select ';insert into t values (1)'"));
        assertEquals(StatementClass.READ, classOf("select 'it''s;delete'"));
        assertEquals(StatementClass.READ, classOf("select E'\\';delete from t'"));
        assertEquals(StatementClass.READ, classOf("select \"a;delete\" from t"));
        assertEquals(StatementClass.READ, classOf("select $$;delete from t$$"));
        assertEquals(StatementClass.READ, classOf("select $q$ $$;delete$$ $q$"));
        assertEquals(StatementClass.READ, classOf("select 1 -- ; delete from t\n"));
        assertEquals(StatementClass.READ, classOf("select 1 /* ; delete from t */"));
        assertEquals(StatementClass.WRITE, classOf("select $1; delete from t"), "$1 is a parameter, not a quote");
        assertEquals(StatementClass.WRITE, classOf("select a$b; delete from t"), "$ inside a word");
    }

    @Test
    void withIsAWriteWhenItsStatementHasADataModifyingWord() {
        assertEquals(StatementClass.WRITE, classOf("with gone as (delete from t returning *) select * from gone"));
        assertEquals(StatementClass.WRITE, classOf("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"));
        assertEquals(StatementClass.WRITE, classOf("with x as (select 1) update t set a = 1"));
        assertEquals(StatementClass.WRITE, classOf("with x as (select 1) merge into t using x on true"));
        assertEquals(StatementClass.READ, classOf("with recursive r(n) as (select 1) select n from r"));
        assertEquals(StatementClass.READ, classOf("with x as (select 'delete' as \"update\") select * from x"));
        assertEquals(StatementClass.READ, classOf("with x as (select 1) select 1; explain delete from t"),
                "the next statement is not the WITH's");
    }

    @Test
    void onlyTheLeadingKeywordIsRead() {
        assertEquals(StatementClass.READ, classOf("select * from t for update"), "a locking read is a read here");
        assertEquals(StatementClass.READ, classOf("explain analyze delete from t"));
        assertEquals(StatementClass.READ, classOf("select nextval('s')"));
    }

    @Test
    void aKeywordCutByTheEndOfTheRangeIsNotRecognised() {
        String text = "/* padding */ select 1";
        int keyword = text.indexOf("select");
        assertEquals(StatementClass.OTHER, classOf(text, 0, keyword + 3), "sel… may be anything");
        assertEquals(StatementClass.OTHER, classOf(text, 0, keyword + 6), "select… may be selectx");
        assertEquals(StatementClass.READ, classOf(text, 0, keyword + 7), "a space ends the word");
        assertEquals(StatementClass.READ, classOf("select 1; ins", 0, 13), "a later cut statement adds nothing");
        assertEquals(StatementClass.OTHER, classOf("prepare transaction 'x'", 0, 19), "PREPARE's next word may be cut");
        assertEquals(StatementClass.OTHER, classOf("prepare transaction 'x'", 0, 11));
        assertEquals(StatementClass.TRANSACTION, classOf("prepare transaction 'x'", 0, 20));
    }

    @Test
    void noByteOutsideTheRangeIsRead() {
        String buffer = "insert;select 1;insert";
        assertEquals(StatementClass.READ, classOf(buffer, 7, 9));
        assertEquals(StatementClass.WRITE, classOf(buffer, 0, 7));
    }

    @Test
    void aZeroByteEndsTheText() {
        assertEquals(StatementClass.READ, classOf("select 1\0insert into t values (1)\0", 0, 34));
    }

    @Test
    void classesAreOrderedFromTheLeastToTheMostWriteLike() {
        assertEquals(StatementClass.WRITE, StatementClass.mostWriteLike(StatementClass.DDL, StatementClass.WRITE));
        assertEquals(StatementClass.DDL, StatementClass.mostWriteLike(StatementClass.DDL, StatementClass.COPY));
        assertEquals(StatementClass.COPY, StatementClass.mostWriteLike(StatementClass.TRANSACTION,
                StatementClass.COPY));
        assertEquals(StatementClass.TRANSACTION, StatementClass.mostWriteLike(StatementClass.SESSION,
                StatementClass.TRANSACTION));
        assertEquals(StatementClass.SESSION, StatementClass.mostWriteLike(StatementClass.READ, StatementClass.SESSION));
        assertEquals(StatementClass.READ, StatementClass.mostWriteLike(StatementClass.OTHER, StatementClass.READ));
        assertEquals("statement_class", ExodusMeters.TAG_STATEMENT_CLASS);
        assertEquals("transaction", StatementClass.TRANSACTION.tagValue());
        assertEquals(7, StatementClass.COUNT);
    }
}
