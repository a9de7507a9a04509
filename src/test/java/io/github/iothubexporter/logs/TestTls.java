package io.github.iothubexporter.logs;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.net.PfxOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 (with the IP in subjectAltName, so hostname verification passes),
 * made once per JVM with the JDK's keytool; and the ways to make the Azure SDK trust it: a Netty client with it as
 * the only trust anchor (in-process), or a trust store file for {@code -Djavax.net.ssl.trustStore} (forked JVM).
 */
public final class TestTls {
    public static final String PASSWORD = "changeit";
    private static TestTls instance;
    public final Path keyStore;
    public final Path trustStore;
    public final X509Certificate certificate;

    private TestTls(Path dir) throws Exception {
        keyStore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        certificate = (X509Certificate) ks.getCertificate("server");
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("server", certificate);
        trustStore = dir.resolve("trust.p12");
        try (OutputStream out2 = Files.newOutputStream(trustStore)) {
            ts.store(out2, PASSWORD.toCharArray());
        }
    }

    public static synchronized TestTls get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("la-tls");
            dir.toFile().deleteOnExit();
            instance = new TestTls(dir);
        }
        return instance;
    }

    public PfxOptions serverOptions() {
        return new PfxOptions().setPath(keyStore.toString()).setPassword(PASSWORD);
    }

    /** The SDK's own Netty client, trusting only the test certificate. */
    public HttpClient sdkHttpClient() throws Exception {
        SslContext ssl = SslContextBuilder.forClient().trustManager(certificate).build();
        return new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl)))
                .build();
    }

    /** JVM options that make a forked JVM's default trust (and so the SDK's default client) accept the certificate. */
    public String[] trustStoreOptions() {
        return new String[]{"-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12"};
    }
}
