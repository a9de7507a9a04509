package io.github.iothubexporter.ingest;

import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The webhook's shared secret, checked in constant time against the {@code code} query parameter or the
 * {@code X-Webhook-Key} header. Both sides are hashed first so neither content nor length leaks through timing.
 */
public final class WebhookAuth {
    public static final String HEADER = "X-Webhook-Key";
    public static final String QUERY = "code";
    private final byte[] secretDigest;

    public WebhookAuth(String secret) {
        this.secretDigest = secret == null ? null : sha256(secret);
    }

    public boolean enabled() {
        return secretDigest != null;
    }

    public boolean allows(HttpServerRequest request) {
        if (secretDigest == null) {
            return true;
        }
        boolean ok = false;
        String header = request.getHeader(HEADER);
        if (header != null) {
            ok = MessageDigest.isEqual(secretDigest, sha256(header));
            // HTTP/1.1 header bytes arrive as ISO-8859-1 characters; a UTF-8 secret needs them re-read
            String utf8 = new String(header.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            ok |= MessageDigest.isEqual(secretDigest, sha256(utf8));
        }
        String query = request.getParam(QUERY);
        if (query != null) {
            ok |= MessageDigest.isEqual(secretDigest, sha256(query));
        }
        return ok;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
