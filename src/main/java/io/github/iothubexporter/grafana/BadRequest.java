package io.github.iothubexporter.grafana;

/** A request the backend cannot answer as asked: 400 with this message. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message, null, false, false);
    }
}
