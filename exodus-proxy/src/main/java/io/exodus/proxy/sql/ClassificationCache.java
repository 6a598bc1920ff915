package io.exodus.proxy.sql;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Classifies each distinct statement text once. Applications send the same few hundred texts over and over (ORMs
 * and drivers generate them, parameters travel separately), so after warm-up a classification costs one
 * {@link ConcurrentHashMap} lookup: lock-free reads, shared by every event loop.
 * <p>
 * Bounded without a global lock: when a put would exceed {@code maxEntries}, the map is cleared (threads racing past
 * the size check may each add one entry more). An LRU would keep the
 * hot texts through an overflow, but needs a lock or an extra library on the read path; overflowing at all means
 * the application sends unbounded distinct texts (literals inlined into SQL), for which no cache helps, and the
 * working set refills in one pass. Texts longer than {@code maxCachedTextLength} (bulk inserts with inline values)
 * are classified each time and never kept, so the cache holds at most about maxEntries × maxCachedTextLength chars.
 * <p>
 * Two threads missing the same text at once both classify it and store equal results: harmless, and cheaper than
 * locking. {@link #replaceVolatility} swaps the function catalog atomically and starts an empty cache, since a reloaded
 * catalog can change any read into a write; a classification in flight during the swap may still be answered from
 * the old catalog, once.
 */
public final class ClassificationCache {

    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final int DEFAULT_MAX_CACHED_TEXT_LENGTH = 16 * 1024;

    private final int maxEntries;
    private final int maxCachedTextLength;
    private final AtomicReference<Generation> current;

    public ClassificationCache(FunctionVolatility volatility) {
        this(volatility, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_CACHED_TEXT_LENGTH);
    }

    public ClassificationCache(FunctionVolatility volatility, int maxEntries, int maxCachedTextLength) {
        if (maxEntries < 1 || maxCachedTextLength < 0) {
            throw new IllegalArgumentException("maxEntries must be at least 1 and maxCachedTextLength at least 0, not "
                    + maxEntries + " and " + maxCachedTextLength);
        }
        this.maxEntries = maxEntries;
        this.maxCachedTextLength = maxCachedTextLength;
        this.current = new AtomicReference<>(new Generation(volatility));
    }

    /** Classifies with {@code standard_conforming_strings = on}, PostgreSQL's default. */
    public Classification classify(String sql) {
        return classify(sql, true);
    }

    /** @param standardConformingStrings the session's setting (texts are cached separately for each value) */
    public Classification classify(String sql, boolean standardConformingStrings) {
        Generation generation = current.get();
        if (sql.length() > maxCachedTextLength) {
            return generation.classifier.classify(sql, standardConformingStrings);
        }
        Map<String, Classification> cache = standardConformingStrings ? generation.standard : generation.escaping;
        Classification known = cache.get(sql);
        if (known != null) {
            return known;
        }
        Classification classified = generation.classifier.classify(sql, standardConformingStrings);
        if (cache.size() >= maxEntries) {
            cache.clear();
        }
        cache.put(sql, classified);
        return classified;
    }

    /** Replaces the function catalog (after a reload from the source) and forgets every classification made with the old one. */
    public void replaceVolatility(FunctionVolatility volatility) {
        current.set(new Generation(volatility));
    }

    public FunctionVolatility volatility() {
        return current.get().classifier.volatility();
    }

    /** How many texts are cached now. */
    public int size() {
        Generation generation = current.get();
        return generation.standard.size() + generation.escaping.size();
    }

    /** One catalog and what was classified with it, replaced as a whole so that the two never mix. */
    private static final class Generation {
        final StatementClassifier classifier;
        final Map<String, Classification> standard = new ConcurrentHashMap<>();
        // standard_conforming_strings = off: the same text may lex differently, so it gets its own map.
        final Map<String, Classification> escaping = new ConcurrentHashMap<>();

        Generation(FunctionVolatility volatility) {
            this.classifier = new StatementClassifier(Objects.requireNonNull(volatility, "volatility"));
        }
    }
}
