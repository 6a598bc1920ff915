package io.exodus.analyzer.profile;

/** The profile cannot be made now: a database is not configured or cannot be reached. The message says which. */
public final class ProfileUnavailable extends RuntimeException {
    public ProfileUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
