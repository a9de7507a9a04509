package io.github.iothubexporter.grafana;

import io.github.iothubexporter.app.RunningExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** grafana.token: every /grafana endpoint wants "Authorization: Bearer <token>"; nothing else does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrafanaAuthTest {
    static final String TOKEN = "g7Hq-2xV_9s.kP";
    @TempDir
    static Path dir;
    RunningExporter exporter;

    @BeforeAll
    void start() throws Exception {
        exporter = new RunningExporter(dir, Map.of("IOTHUB_EXPORTER_GRAFANA_TOKEN", TOKEN, "IOTHUB_EXPORTER_GRAFANA_MAXBODYBYTES", "2KiB"));
    }

    @AfterAll
    void stop() {
        exporter.close();
    }

    private HttpResponse<String> call(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(exporter.base + path));
        b = method.equals("GET") ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(path.endsWith("tag-values") ? "{\"key\":\"hub\"}"
                : path.endsWith("metric-payload-options") ? "{\"metric\":\"m\",\"payload\":{},\"name\":\"hub\"}"
                : path.endsWith("variable") ? "{\"payload\":{\"target\":\"hubs\"}}" : "{}")).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return exporter.send(b);
    }

    static final List<String[]> ENDPOINTS = List.of(new String[]{"GET", "/grafana"}, new String[]{"GET", "/grafana/"},
            new String[]{"POST", "/grafana/metrics"}, new String[]{"POST", "/grafana/metric-payload-options"},
            new String[]{"POST", "/grafana/query"}, new String[]{"POST", "/grafana/variable"},
            new String[]{"POST", "/grafana/tag-keys"}, new String[]{"POST", "/grafana/tag-values"});

    @Test
    void withoutTheTokenEveryEndpointAnswers401() throws Exception {
        for (String[] e : ENDPOINTS) {
            for (String auth : new String[]{null, "Bearer wrong", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1), "Bearer ",
                    "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + TOKEN).getBytes()), TOKEN}) {
                HttpResponse<String> r = call(e[0], e[1], auth);
                assertThat(r.statusCode()).as(e[0] + " " + e[1] + " with " + auth).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(r.body()).contains("bearer token");
            }
        }
    }

    @Test
    void withTheTokenEveryEndpointAnswers200() throws Exception {
        for (String[] e : ENDPOINTS) {
            assertThat(call(e[0], e[1], "Bearer " + TOKEN).statusCode()).as(e[0] + " " + e[1]).isEqualTo(200);
            assertThat(call(e[0], e[1], "bearer " + TOKEN).statusCode()).as("the scheme is case-insensitive").isEqualTo(200);
        }
    }

    @Test
    void unknownPathsAndLargeBodiesAreRefusedBeforeTheTokenIsKnown() throws Exception {
        assertThat(call("GET", "/grafana/anything", null).statusCode()).isEqualTo(401);
        HttpResponse<String> big = exporter.post("/grafana/query", "{\"x\":\"" + "y".repeat(10_000) + "\"}", "application/json");
        assertThat(big.statusCode()).as("no body is read for an unauthenticated caller").isEqualTo(401);
        HttpResponse<String> bigAuthorized = exporter.post("/grafana/query", "{\"x\":\"" + "y".repeat(10_000) + "\"}", "application/json",
                "Authorization", "Bearer " + TOKEN);
        assertThat(bigAuthorized.statusCode()).isEqualTo(413);
    }

    @Test
    void theRestOfTheServiceDoesNotWantTheToken() throws Exception {
        assertThat(exporter.get("/metrics").statusCode()).isEqualTo(200);
        assertThat(exporter.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(exporter.get("/").body()).contains("/grafana (bearer token required)").doesNotContain(TOKEN);
    }
}
