package io.exodus.proxy.capture;

/** What the capture buffer holds between the event loops and the sender: a statement, or a live shadow mismatch. */
sealed interface CaptureItem permits CapturedStatement, CapturedMismatch {
}
