package io.exodus.analyzer.recommend;

/**
 * One setting for the target.
 *
 * @param value   in the form postgresql.conf takes (e.g. {@code 4GB}, {@code 1.1})
 * @param current the target's value now, when a target is configured
 * @param reason  the formula or the measurement it comes from
 */
public record SettingRecommendation(String name, String value, String current, String reason) {
}
