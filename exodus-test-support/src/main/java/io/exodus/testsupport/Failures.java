package io.exodus.testsupport;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Counts the failures of a workload's clients and keeps the first few, for a test to print. Thread-safe. */
final class Failures {

    static final int KEPT = 5;

    private final List<Exception> first = new ArrayList<>();
    private int count;

    synchronized void add(Exception failure) {
        count++;
        if (first.size() < KEPT) {
            first.add(failure);
        }
    }

    synchronized int count() {
        return count;
    }

    synchronized List<Exception> first() {
        return List.copyOf(first);
    }

    /** The exception with its SQLSTATE, which pgJDBC leaves out of its message. */
    static String describe(Exception failure) {
        return failure instanceof SQLException sqlFailure ? "SQLSTATE " + sqlFailure.getSQLState() + ": " + failure
                : failure.toString();
    }
}
