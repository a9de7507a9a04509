package io.github.iothubexporter.ingest;

/**
 * One input element that could not be used.
 *
 * @param reason   the metric label
 * @param message  a sentence naming the problem, for the sender and the dead-letter file
 * @param rawStart byte offset of the offending element in the body, or -1
 * @param rawEnd   byte offset just past the element, or -1
 */
public record Rejection(RejectReason reason, String message, int rawStart, int rawEnd) {
}
