package io.github.iothubexporter.grafana;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code grafana.token}: the {@code Authorization: Bearer <token>} header Grafana sends (configured on the data
 * source as a custom header). Compared in constant time on SHA-256 digests, so neither the content nor the length
 * of the token leaks through timing. No token configured = open.
 */
final class BearerAuth {
    private final byte[] tokenDigest;

    BearerAuth(String token) {
        this.tokenDigest = token == null || token.isEmpty() ? null : sha256(token);
    }

    boolean enabled() {
        return tokenDigest != null;
    }

    /** Whether an {@code Authorization} header value (or null) carries the token. */
    boolean allows(String authorization) {
        if (tokenDigest == null) {
            return true;
        }
        String presented = "";
        if (authorization != null && authorization.length() > 7 && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        // always compare, so a missing header costs the same as a wrong one
        return MessageDigest.isEqual(tokenDigest, sha256(presented)) && !presented.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
