package io.github.iothubexporter.app;

import io.github.iothubexporter.config.ConfigException;
import io.github.iothubexporter.config.ConfigLoader;
import io.github.iothubexporter.config.ExporterConfig;
import io.github.iothubexporter.export.ExporterMetrics;

import java.nio.file.Path;

/** {@code java -jar iothub-connectivity-exporter.jar [--config FILE]}. Only parses arguments and wires. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.log.com.azure", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.com.microsoft.aad.msal4j", "warn"); // DefaultAzureCredential's MSAL
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                case "--version" -> {
                    System.out.println("iothub-connectivity-exporter " + ExporterMetrics.BuildInfo.VERSION
                            + " (" + ExporterMetrics.BuildInfo.REVISION + ")");
                    System.exit(0);
                }
                default -> usage("unknown argument " + args[i]);
            }
        }
        ExporterConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            ExporterApp app = ExporterApp.start(config).toCompletionStage().toCompletableFuture().join();
            Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "shutdown"));
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ConfigException) { // a configured path that cannot be used: the operator's to fix
                System.err.println("configuration error: " + cause.getMessage());
                System.exit(2);
            }
            System.err.println("failed to start: " + cause.getMessage());
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem + "\n" + USAGE);
        System.exit(2);
    }

    private static final String USAGE = """
            usage: java -jar iothub-connectivity-exporter.jar [--config FILE] [--version] [--help]
              --config FILE   YAML configuration (every key can also be set as IOTHUB_EXPORTER_<KEY>;
                              see docs/configuration.md). Without any input configured the built-in
                              fleet simulator runs.""";
}
