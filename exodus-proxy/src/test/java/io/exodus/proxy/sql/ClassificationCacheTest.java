package io.exodus.proxy.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ClassificationCacheTest {

    @Test
    void theSameTextIsClassifiedOnce() {
        ClassificationCache cache = new ClassificationCache(FunctionVolatility.withoutCatalog());
        Classification first = cache.classify("select * from t where id = $1");
        assertSame(first, cache.classify(new String("select * from t where id = $1")));
        assertEquals(1, cache.size());
    }

    @Test
    void overflowStartsAfreshInsteadOfGrowing() {
        ClassificationCache cache = new ClassificationCache(FunctionVolatility.withoutCatalog(), 3, 1000);
        for (int i = 0; i < 10; i++) {
            assertEquals(StatementKind.READ, cache.classify("select " + i).kind());
            assertTrue(cache.size() <= 3, "size " + cache.size());
        }
    }

    @Test
    void longTextsAreClassifiedButNotKept() {
        ClassificationCache cache = new ClassificationCache(FunctionVolatility.withoutCatalog(), 10, 20);
        assertEquals(StatementKind.WRITE, cache.classify("insert into t values (1), (2), (3), (4)").kind());
        assertEquals(0, cache.size());
    }

    @Test
    void standardConformingStringsOffIsCachedApart() {
        ClassificationCache cache = new ClassificationCache(FunctionVolatility.withoutCatalog());
        String sql = "select 'a\\'; delete from t; --'";
        assertEquals(StatementKind.WRITE, cache.classify(sql, true).kind());
        assertEquals(StatementKind.READ, cache.classify(sql, false).kind());
        assertEquals(StatementKind.WRITE, cache.classify(sql).kind());
    }

    @Test
    void reloadingTheCatalogForgetsEveryClassification() {
        ClassificationCache cache = new ClassificationCache(FunctionVolatility.withoutCatalog());
        assertEquals(StatementKind.READ, cache.classify("select archive_orders()").kind());
        FunctionVolatility reloaded = FunctionVolatility.fromCatalog(
                List.of(FunctionVolatility.CatalogRow.ofVolatile("archive_orders", "public")));
        cache.replaceVolatility(reloaded);
        assertSame(reloaded, cache.volatility());
        assertEquals(0, cache.size());
        assertEquals(StatementKind.WRITE, cache.classify("select archive_orders()").kind());
    }

    @Test
    void eventLoopsShareItSafely() throws Exception {
        ClassificationCache cache = new ClassificationCache(FunctionVolatility.withoutCatalog(), 50, 1000);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        String sql = i % 2 == 0 ? "select " + (i % 97) : "update t set a = " + (i % 89);
                        StatementKind expected = i % 2 == 0 ? StatementKind.READ : StatementKind.WRITE;
                        assertEquals(expected, cache.classify(sql).kind(), sql);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        // The bound is checked before each put, without a lock: racing threads may each add one more.
        assertTrue(cache.size() <= 50 + 4, "size " + cache.size());
    }

    @Test
    void nonsensicalBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ClassificationCache(FunctionVolatility.withoutCatalog(), 0, 10));
    }
}
