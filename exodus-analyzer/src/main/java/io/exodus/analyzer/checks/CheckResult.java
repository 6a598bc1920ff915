package io.exodus.analyzer.checks;

/**
 * One check's finding: an element of {@code GET /analyzer/checks}'s {@code checks}.
 *
 * @param key      stable, kebab-case; never renamed (the proxy and people's scripts match on it)
 * @param title    what the check looks at, for people
 * @param evidence what was found, with names and numbers
 * @param action   what to do about it; for a pass, what the check guards against
 */
public record CheckResult(String key, Verdict verdict, String title, String evidence, String action) {
}
