package io.exodus.proxy.verify;

/** The two databases do not define a table alike: nothing to compare row by row. The message says what to change. */
final class DefinitionMismatch extends RuntimeException {
    DefinitionMismatch(String message) {
        super(message, null, false, false);
    }
}
