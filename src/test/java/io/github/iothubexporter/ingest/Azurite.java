package io.github.iothubexporter.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Azurite's blob service as a child process on 127.0.0.1 and a free port, from the npm package installed under
 * src/test/azurite by scripts/install-test-tools.sh. Started with node directly (not npx) so stopping the
 * process stops the server.
 */
public final class Azurite implements AutoCloseable {
    public static final String ACCOUNT = "devstoreaccount1";
    /** Azurite's well-known development account key (public, fixed). */
    private static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final Path MAIN = Path.of("src/test/azurite/node_modules/azurite/dist/src/blob/main.js");

    private final Process process;
    private final int port;

    public Azurite(Path workspace) throws IOException, InterruptedException {
        if (!Files.isRegularFile(MAIN)) {
            throw new IllegalStateException("Azurite is not installed: run scripts/install-test-tools.sh (npm ci in src/test/azurite)");
        }
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.createDirectories(workspace);
        process = new ProcessBuilder("node", MAIN.toString(), "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                "--location", workspace.toString(), "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose")
                .redirectErrorStream(true)
                .redirectOutput(workspace.resolve("azurite.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("Azurite did not start; see " + workspace.resolve("azurite.log"));
                }
                Thread.sleep(100);
            }
        }
    }

    public int port() {
        return port;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/" + ACCOUNT + ";";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
