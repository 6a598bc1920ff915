package io.exodus.proxy.sql;

import static io.exodus.proxy.sql.StatementKind.READ;
import static io.exodus.proxy.sql.StatementKind.SESSION;
import static io.exodus.proxy.sql.StatementKind.TRANSACTION;
import static io.exodus.proxy.sql.StatementKind.UNKNOWN;
import static io.exodus.proxy.sql.StatementKind.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class TransactionAndSessionTest {

    private final StatementClassifier classifier = new StatementClassifier(FunctionVolatility.withoutCatalog());

    private void assertVerb(TransactionVerb expected, String... statements) {
        for (String sql : statements) {
            Classification classification = classifier.classify(sql);
            assertEquals(TRANSACTION, classification.kind(), sql);
            assertEquals(expected, classification.transactionVerb(), sql);
        }
    }

    @Test
    void transactionControlNamesItsVerb() {
        assertVerb(TransactionVerb.BEGIN, "begin", "BEGIN WORK", "begin transaction isolation level serializable",
                "start transaction");
        assertVerb(TransactionVerb.COMMIT, "commit", "COMMIT WORK", "commit and no chain", "end", "end transaction");
        assertVerb(TransactionVerb.COMMIT_AND_CHAIN, "commit and chain", "END WORK AND CHAIN", "commit transaction and chain");
        assertVerb(TransactionVerb.ROLLBACK_AND_CHAIN, "rollback and chain", "abort work and chain");
        assertVerb(TransactionVerb.ROLLBACK, "rollback and no chain");
        assertVerb(TransactionVerb.ROLLBACK, "rollback", "rollback transaction", "abort", "rollback and no chain");
        assertVerb(TransactionVerb.SAVEPOINT, "savepoint s1");
        assertVerb(TransactionVerb.RELEASE_SAVEPOINT, "release savepoint s1", "release s1");
        assertVerb(TransactionVerb.ROLLBACK_TO_SAVEPOINT, "rollback to s1", "rollback to savepoint s1",
                "ROLLBACK WORK TO SAVEPOINT s1", "rollback transaction to s1");
        assertVerb(TransactionVerb.PREPARE_TRANSACTION, "prepare transaction 'exodus_1_2'");
        assertVerb(TransactionVerb.COMMIT_PREPARED, "commit prepared 'exodus_1_2'");
        assertVerb(TransactionVerb.ROLLBACK_PREPARED, "rollback prepared 'exodus_1_2'");
        assertVerb(TransactionVerb.SET_TRANSACTION, "set transaction isolation level repeatable read",
                "SET LOCAL TRANSACTION READ WRITE", "set session transaction read only",
                "set transaction snapshot '00000003-0000001B-1'");
        assertVerb(TransactionVerb.SET_SESSION_CHARACTERISTICS,
                "set session characteristics as transaction isolation level serializable");
    }

    @Test
    void readOnlyTransactionsAreRecognised() {
        for (String sql : new String[] {"begin read only", "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
            "start transaction read only, deferrable", "set transaction read only",
            "set session characteristics as transaction read only", "begin read write, read only"}) {
            assertTrue(classifier.classify(sql).readOnlyTransaction(), sql);
        }
        for (String sql : new String[] {"begin", "begin isolation level read committed", "begin read write",
            "start transaction read only, read write", "set transaction read write", "commit"}) {
            assertFalse(classifier.classify(sql).readOnlyTransaction(), sql);
        }
    }

    @Test
    void sessionStateStatementsAreSession() {
        for (String sql : new String[] {"set search_path = app, public", "SET LOCAL statement_timeout = '5s'",
            "set session timezone to 'UTC'", "set role app", "set session authorization app",
            "set application_name = 'x'", "set constraints all deferred", "reset all", "reset search_path",
            "discard all", "discard temp", "listen channel", "unlisten *", "load 'auto_explain'", "set time zone 'UTC'",
            "set transaction_isolation = 'serializable'"}) {
            Classification classification = classifier.classify(sql);
            assertEquals(SESSION, classification.kind(), sql);
            assertEquals(TransactionVerb.NONE, classification.transactionVerb(), sql);
        }
    }

    @Test
    void prepareIsSessionStateAndKeepsTheKindOfItsStatement() {
        Classification write = classifier.classify("prepare ins (int, text) as insert into t values ($1, $2)");
        assertEquals(SESSION, write.kind());
        assertEquals(PreparedStatementVerb.PREPARE, write.preparedVerb());
        assertEquals("ins", write.preparedName());
        assertEquals(WRITE, write.inner().kind());

        Classification read = classifier.classify("PREPARE \"Find\" AS select * from t where id = $1");
        assertEquals("Find", read.preparedName());
        assertEquals(READ, read.inner().kind());

        assertEquals(WRITE, classifier.classify("prepare n as select nextval('s')").inner().kind());
        assertEquals(WRITE, classifier.classify("prepare l as select * from t for update").inner().kind());
    }

    @Test
    void executeIsUnknownButNamesWhatTheSessionMustResolve() {
        Classification execute = classifier.classify("EXECUTE Ins(1, 'a')");
        assertEquals(UNKNOWN, execute.kind());
        assertEquals(PreparedStatementVerb.EXECUTE, execute.preparedVerb());
        assertEquals("ins", execute.preparedName());
        assertEquals(List.of(), execute.functionCalls());
        assertEquals(List.of("nextval"), classifier.classify("execute p(nextval('s'))").functionCalls());
    }

    @Test
    void deallocateAndDiscardAllForgetPreparedStatements() {
        Classification one = classifier.classify("deallocate prepare ins");
        assertEquals(SESSION, one.kind());
        assertEquals(PreparedStatementVerb.DEALLOCATE, one.preparedVerb());
        assertEquals("ins", one.preparedName());
        assertEquals("ins", classifier.classify("deallocate ins").preparedName());
        for (String sql : new String[] {"deallocate all", "DEALLOCATE PREPARE ALL", "discard all"}) {
            Classification all = classifier.classify(sql);
            assertEquals(SESSION, all.kind(), sql);
            assertEquals(PreparedStatementVerb.DEALLOCATE_ALL, all.preparedVerb(), sql);
            assertNull(all.preparedName(), sql);
        }
    }

    @Test
    void severalStatementsTakeTheMostWriteLikeKindAndKeepEachOnesFacts() {
        Classification transfer = classifier.classify(
                "begin; update a set b = b - 1 where id = 1; select * from a; commit");
        assertTrue(transfer.isMultiStatement());
        assertEquals(WRITE, transfer.kind());
        assertEquals(4, transfer.statements().size());
        assertEquals(TransactionVerb.BEGIN, transfer.statements().get(0).transactionVerb());
        assertEquals(TransactionVerb.COMMIT, transfer.statements().get(3).transactionVerb());
        assertEquals(TransactionVerb.NONE, transfer.transactionVerb());

        assertEquals(SESSION, classifier.classify("set search_path = a; select 1").kind());
        assertEquals(TRANSACTION, classifier.classify("begin read only; select 1; commit").kind());
        assertEquals(READ, classifier.classify("select 1; select 2;").kind());
        assertEquals(UNKNOWN, classifier.classify("select 1; vacuum full; checkpoint").kind());
        assertEquals(StatementKind.DDL, classifier.classify("create table x (a int); insert into x values (1)").kind());
        assertFalse(classifier.classify("select 1;").isMultiStatement());
    }

    @Test
    void semicolonsInsideRulesAndAtomicFunctionBodiesDoNotSplit() {
        Classification rule = classifier.classify(
                "create rule r as on insert to t do also (insert into log values (1); update c set n = n + 1)");
        assertEquals(StatementKind.DDL, rule.kind());
        assertFalse(rule.isMultiStatement());

        Classification atomic = classifier.classify("create function f() returns int language sql begin atomic "
                + "select case when true then 1 else 2 end; select 2; end; select 3");
        assertEquals(2, atomic.statements().size());
        assertEquals(StatementKind.DDL, atomic.statements().get(0).kind());
        assertEquals(READ, atomic.statements().get(1).kind());
    }
}
