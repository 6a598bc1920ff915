package io.exodus.analyzer.recommend;

import io.exodus.analyzer.checks.Verdict;

/** A check whose verdict is action-required or blocker: to be resolved before cutover. */
public record CutoverBlocker(String key, Verdict verdict, String action) {
}
