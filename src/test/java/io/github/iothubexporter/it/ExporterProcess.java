package io.github.iothubexporter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real exporter jar running as its own OS process ({@code java -jar}), for black-box integration tests.
 * Output goes to a file under {@code target/it-logs/} so a failing run can be diagnosed afterwards.
 */
final class ExporterProcess {
    static final String ENV_PREFIX = "IOTHUB_EXPORTER_";
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(40);

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private ExporterProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The exporter jar given by the failsafe configuration; fails the test clearly when it is missing. */
    static Path jar() {
        String prop = System.getProperty("exporter.jar");
        if (prop == null || prop.isBlank()) {
            throw new AssertionError("system property 'exporter.jar' is not set: run the integration tests with "
                    + "'mvn verify' (failsafe passes target/iothub-connectivity-exporter.jar), or pass -Dexporter.jar=PATH");
        }
        Path jar = Path.of(prop).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("exporter jar " + jar + " does not exist: build it with 'mvn -DskipTests package' first");
        }
        return jar;
    }

    /** Directory for process output: target/it-logs next to the jar. */
    static Path logDir() {
        Path dir = jar().getParent().resolve("it-logs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The base command: {@code java -jar exporter.jar args...}. */
    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.add("-Xmx384m");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(args);
        return cmd;
    }

    /** Removes any inherited IOTHUB_EXPORTER_* variables so only what a test sets reaches the process. */
    static void cleanEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith(ENV_PREFIX));
    }

    /** Options for one run. */
    static final class Options {
        final String name;
        final Path stateDir;
        final String secret;
        String criticalDevices;
        final Map<String, String> extraEnv = new LinkedHashMap<>();
        int port;

        Options(String name, Path stateDir, String secret) {
            this.name = name;
            this.stateDir = stateDir;
            this.secret = secret;
            this.port = freePort();
        }

        Options critical(String devices) {
            this.criticalDevices = devices;
            return this;
        }

        Options env(String key, String value) {
            extraEnv.put(key, value);
            return this;
        }
    }

    /** Starts the jar and waits until {@code GET /readyz} answers 200. */
    static ExporterProcess start(Options o) {
        Path log = logDir().resolve(o.name + "-" + RUNS.incrementAndGet() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command(List.of()));
        Map<String, String> env = pb.environment();
        cleanEnvironment(env);
        env.put("IOTHUB_EXPORTER_SERVER_PORT", Integer.toString(o.port));
        env.put("IOTHUB_EXPORTER_STATE_DIR", o.stateDir.toAbsolutePath().toString());
        env.put("IOTHUB_EXPORTER_WEBHOOK_SECRET", o.secret);
        if (o.criticalDevices != null) {
            env.put("IOTHUB_EXPORTER_CRITICAL_DEVICES", o.criticalDevices);
        }
        env.putAll(o.extraEnv);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.directory(o.stateDir.toAbsolutePath().getParent().toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
        ExporterProcess ep = new ExporterProcess(p, o.port, log);
        try {
            ep.awaitReady();
        } catch (RuntimeException | Error e) {
            ep.kill9();
            throw e;
        }
        return ep;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("exporter exited with code " + process.exitValue() + " before it was ready; output ("
                        + log + "):\n" + logTail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/readyz")).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            sleep(100);
        }
        throw new AssertionError("exporter not ready within " + READY_TIMEOUT + " (last /readyz: " + last + "); output ("
                + log + "):\n" + logTail());
    }

    int port() {
        return port;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    HttpClient http() {
        return http;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL (on Linux) and wait: no shutdown hook, no final snapshot. */
    void kill9() {
        process.destroyForcibly();
        waitExit(Duration.ofSeconds(20));
    }

    /** SIGTERM and wait: the shutdown hook drains and writes a final snapshot. Returns the exit code. */
    int stop() {
        process.destroy();
        if (!waitExit(Duration.ofSeconds(40))) {
            process.destroyForcibly();
            waitExit(Duration.ofSeconds(10));
            throw new AssertionError("exporter did not stop within 40 s of SIGTERM; output (" + log + "):\n" + logTail());
        }
        return process.exitValue();
    }

    private boolean waitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of the process output, for failure messages. */
    String logTail() {
        return tail(log, 60);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no output file)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Outcome of a run that is expected to end by itself (e.g. on a configuration error). */
    record Exit(int code, String stdout, String stderr) {
    }

    /** A started process that may either exit by itself or keep running. */
    record Launched(Process process, Path stdout, Path stderr) {
        String stderrText() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                return "(cannot read " + stderr + ": " + e + ")";
            }
        }
    }

    /** Starts the jar with exactly the given IOTHUB_EXPORTER_* variables, without waiting for anything. */
    static Launched launch(String name, Path workDir, List<String> args, Map<String, String> env) {
        Path dir = logDir();
        int run = RUNS.incrementAndGet();
        Path out = dir.resolve(name + "-" + run + ".stdout.log");
        Path err = dir.resolve(name + "-" + run + ".stderr.log");
        ProcessBuilder pb = new ProcessBuilder(command(args));
        cleanEnvironment(pb.environment());
        pb.environment().putAll(env);
        pb.directory(workDir.toFile());
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        try {
            return new Launched(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the jar with the given arguments and exactly the given IOTHUB_EXPORTER_* variables, and waits for it to
     * exit; kills it and fails when it is still running after {@code timeout}.
     */
    static Exit runToExit(String name, Path workDir, List<String> args, Map<String, String> env, Duration timeout) {
        Launched l = launch(name, workDir, args, env);
        Path out = l.stdout();
        Path err = l.stderr();
        try {
            Process p = l.process();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("exporter still running after " + timeout + " (expected it to exit); stderr:\n"
                        + tail(err, 40) + "\nstdout:\n" + tail(out, 40));
            }
            return new Exit(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
