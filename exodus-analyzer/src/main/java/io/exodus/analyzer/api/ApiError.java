package io.exodus.analyzer.api;

/**
 * Every error the analyzer's REST API answers, as JSON: {@code {"error": "...", "message": "..."}}.
 *
 * @param error   a stable word for programs: {@code malformed-batch}, {@code batch-too-large},
 *                {@code profile-unavailable}, {@code shadow-unavailable},
 *                {@code replay-running}, {@code malformed-request}, {@code internal} (a database refused a statement)
 * @param message what is wrong and what to do, for people
 */
public record ApiError(String error, String message) {
}
