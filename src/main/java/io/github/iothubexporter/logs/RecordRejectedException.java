package io.github.iothubexporter.logs;

import io.github.iothubexporter.ingest.RejectReason;

/** One Connections record that cannot be used; the message names the problem. Cheap: no stack trace. */
public final class RecordRejectedException extends Exception {
    private final RejectReason reason;

    public RecordRejectedException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
