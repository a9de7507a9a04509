package io.github.iothubexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The validated configuration. Built by {@link ConfigLoader}; secrets are never printed by toString. */
public record ExporterConfig(
        String host,
        int port,
        String webhookSecret,
        int webhookMaxBodyBytes,
        String grafanaToken,
        int grafanaMaxBodyBytes,
        Path stateDir,
        boolean fsync,
        Duration snapshotInterval,
        long snapshotJournalBytes,
        int maxHubs,
        int queueCapacity,
        long deadLetterMaxBytes,
        List<String> criticalDevices,
        int criticalMaxDevices,
        Duration reconnectGrace,
        Duration classificationLateness,
        Duration renewalTolerance,
        java.util.Map<String, Duration> renewalPeriods,
        Duration logWait,
        boolean simulatorEnabled,
        int simulatorDevices,
        int simulatorHubs,
        double simulatorSpeed,
        long simulatorSeed,
        Path simulatorTruthFile,
        EventHubsConfig eventHubs,
        LogAnalyticsConfig logAnalytics,
        int maxSdkDevices) {

    /** Whether a real input is configured (the simulator then runs only when asked to, mixed with it). */
    public boolean realInputConfigured() {
        return webhookSecret != null || eventHubs.configured() || logAnalytics.configured();
    }

    @Override
    public String toString() {
        return "ExporterConfig[host=" + host + ", port=" + port + ", webhook.secret=" + (webhookSecret == null ? "unset" : "***")
                + ", grafana.token=" + (grafanaToken == null ? "unset" : "***") + ", state.dir=" + stateDir
                + ", state.fsync=" + (fsync ? "batch" : "off") + ", critical.devices=" + criticalDevices.size()
                + ", simulator=" + (simulatorEnabled ? simulatorDevices + " devices x" + simulatorSpeed : "off")
                + ", " + eventHubs + ", " + logAnalytics + "]";
    }
}
