package io.exodus.testsupport;

import org.opentest4j.TestAbortedException;

/**
 * What a test does when a client it drives is not installed: on a developer's machine it is skipped with a message
 * that says what to install; under CI ({@code CI=true}), where {@code .ci/run} installs every client, it fails.
 */
final class RequiredTool {

    private RequiredTool() {
    }

    /** The exception to throw for a missing tool: a skip locally, a failure under CI. */
    static RuntimeException missing(String tool, String install) {
        String message = tool + " is not installed; " + install;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return new IllegalStateException(message + " (.ci/run installs it on a clean machine)");
        }
        return new TestAbortedException(message);
    }
}
