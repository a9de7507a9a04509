package io.github.iothubexporter.logs;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The App Service managed-identity protocol that {@code DefaultAzureCredential} speaks when {@code IDENTITY_ENDPOINT}
 * and {@code IDENTITY_HEADER} are set: {@code GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=R} with header
 * {@code X-IDENTITY-HEADER}, answered with {@code {"access_token","expires_on","resource","token_type"}}.
 */
public final class FakeIdentityEndpoint implements AutoCloseable {
    public final String token;
    public final List<String> resources = new CopyOnWriteArrayList<>();
    /** Resources asked for by any instance in this JVM (tokens are cached process-wide, see {@link #PROCESS_TOKEN}). */
    public static final List<String> ALL_RESOURCES = new CopyOnWriteArrayList<>();
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    public final String endpoint;
    public final String header;

    /** Serves at {@code endpoint} (host 127.0.0.1, its port), accepting only {@code header}. */
    public FakeIdentityEndpoint(String endpoint, String header, String token) throws Exception {
        this.endpoint = endpoint;
        this.header = header;
        this.token = token;
        URI uri = URI.create(endpoint);
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(uri.getPort()));
        server.requestHandler(req -> {
            if (!uri.getPath().equals(req.path()) || !"2019-08-01".equals(req.getParam("api-version"))) {
                req.response().setStatusCode(404).end();
                return;
            }
            if (!header.equals(req.getHeader("X-IDENTITY-HEADER"))) {
                req.response().setStatusCode(401).end("{\"error\":\"bad identity header\"}");
                return;
            }
            resources.add(req.getParam("resource"));
            ALL_RESOURCES.add(req.getParam("resource"));
            req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("access_token", token)
                    .put("expires_on", String.valueOf(Instant.now().getEpochSecond() + 3600))
                    .put("resource", req.getParam("resource"))
                    .put("token_type", "Bearer").encode());
        });
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * The token every in-process test gets. MSAL caches managed-identity tokens for the whole process, whatever
     * credential object asked, so tests in one JVM must agree on it.
     */
    public static final String PROCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJ-local-test-token";

    /** The endpoint surefire gave this JVM through IDENTITY_ENDPOINT / IDENTITY_HEADER (see pom.xml). */
    public static FakeIdentityEndpoint fromEnvironment() throws Exception {
        return fromEnvironment(PROCESS_TOKEN);
    }

    private static FakeIdentityEndpoint fromEnvironment(String token) throws Exception {
        String endpoint = System.getenv("IDENTITY_ENDPOINT");
        String header = System.getenv("IDENTITY_HEADER");
        if (endpoint == null || header == null) {
            throw new IllegalStateException("IDENTITY_ENDPOINT / IDENTITY_HEADER are not set: run through Maven (surefire sets them)");
        }
        return new FakeIdentityEndpoint(endpoint, header, token);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
