package io.github.iothubexporter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Summarises a JMH JSON result ({@code -rf json}) run with {@link CpuUtilProfiler}: per benchmark, the mean
 * score of all measured iterations and the mean of only the "clean" iterations, those in which the benchmark
 * JVM got at least {@code minCores} of CPU (on a shared machine, the others were preempted by other work).
 * {@code java -cp … JmhSummary target/jmh-parse-apply.json [minCores=0.95]}
 */
public final class JmhSummary {
    private JmhSummary() {
    }

    public static void main(String[] args) throws Exception {
        double minCores = args.length > 1 ? Double.parseDouble(args[1]) : 0.95;
        JsonNode root = new ObjectMapper().readTree(new File(args[0]));
        System.out.printf("%-48s %-22s %14s %14s %6s %16s %s%n", "benchmark", "params", "score(all)", "score(clean)",
                "clean", "per.cpu.second", "unit");
        for (JsonNode b : root) {
            String name = b.get("benchmark").asText().replaceFirst(".*\\.bench\\.", "");
            StringBuilder params = new StringBuilder();
            if (b.has("params")) {
                for (Iterator<Map.Entry<String, JsonNode>> it = b.get("params").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.append(params.length() > 0 ? "," : "").append(e.getKey()).append('=').append(e.getValue().asText());
                }
            }
            JsonNode primary = b.get("primaryMetric");
            List<Double> scores = flatten(primary.get("rawData"));
            JsonNode secondary = b.get("secondaryMetrics");
            List<Double> cores = secondary != null && secondary.has("cpu.cores") ? flatten(secondary.get("cpu.cores").get("rawData")) : List.of();
            List<Double> perCpu = secondary != null && secondary.has("per.cpu.second") ? flatten(secondary.get("per.cpu.second").get("rawData")) : List.of();
            double all = mean(scores);
            double sum = 0;
            int n = 0;
            for (int i = 0; i < scores.size() && i < cores.size(); i++) {
                if (cores.get(i) >= minCores) {
                    sum += scores.get(i);
                    n++;
                }
            }
            System.out.printf("%-48s %-22s %14.3f %14s %3d/%-2d %16s %s%n", name, params, all,
                    n == 0 ? "-" : String.format("%.3f", sum / n), n, scores.size(),
                    perCpu.isEmpty() ? "-" : String.format("%.3f", mean(perCpu)), primary.get("scoreUnit").asText());
        }
    }

    private static List<Double> flatten(JsonNode rawData) {
        List<Double> out = new ArrayList<>();
        for (JsonNode fork : rawData) {
            for (JsonNode v : fork) {
                out.add(v.asDouble());
            }
        }
        return out;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
