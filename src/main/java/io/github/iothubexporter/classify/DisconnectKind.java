package io.github.iothubexporter.classify;

/** The {@code kind} label: why a device went offline, as far as the evidence tells. */
public enum DisconnectKind {
    /** Reconnected within the grace window after a connection as long as its SAS-token renewal period. */
    TOKEN_RENEWAL("token_renewal"),
    /** Reconnected within the grace window, not renewal-like. */
    TRANSIENT("transient"),
    /** Not reconnected within the grace window. */
    GENUINE("genuine");

    private final String label;

    DisconnectKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
