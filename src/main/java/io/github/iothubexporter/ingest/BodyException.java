package io.github.iothubexporter.ingest;

/** A whole request or message body is unusable (not JSON, wrong shape): nothing in it is applied. */
public final class BodyException extends Exception {
    private final RejectReason reason;

    public BodyException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
