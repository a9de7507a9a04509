package io.github.iothubexporter.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU samples of a JFR recording (e.g. from JMH {@code -prof "jfr:dir=DIR;configName=profile"}) land:
 * self time by top frame, grouped into Jackson tokenizing, Jackson string decoding, the exporter's parser
 * logic, the state (apply), and the benchmark's own untimed setup.
 * {@code java -cp … JfrHotspots DIR/…/profile.jfr [methodsPerGroup=10]}
 */
public final class JfrHotspots {
    private JfrHotspots() {
    }

    public static void main(String[] args) throws Exception {
        int perGroup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Map<String, Map<String, Integer>> groups = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!"jdk.ExecutionSample".equals(e.getEventType().getName()) || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            RecordedMethod m = frames.get(0).getMethod();
            String type = m.getType().getName();
            String method = type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
            groups.computeIfAbsent(group(type, m.getName()), k -> new HashMap<>()).merge(method, 1, Integer::sum);
            total++;
        }
        System.out.println("samples: " + total);
        final int n = total;
        groups.entrySet().stream()
                .sorted((a, b) -> Integer.compare(sum(b.getValue()), sum(a.getValue())))
                .forEach(g -> {
                    System.out.printf("%5.1f%%  %s%n", 100.0 * sum(g.getValue()) / n, g.getKey());
                    g.getValue().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(perGroup)
                            .forEach(x -> System.out.printf("          %5.1f%%  %s%n", 100.0 * x.getValue() / n, x.getKey()));
                });
    }

    private static int sum(Map<String, Integer> m) {
        return m.values().stream().mapToInt(Integer::intValue).sum();
    }

    static String group(String type, String method) {
        if (type.contains("EventGridBodies") || type.endsWith("$Bodies")) {
            return "benchmark setup (patching the next body; not timed by JMH)";
        }
        if (type.startsWith("com.fasterxml.jackson")) {
            if (type.endsWith("TextBuffer") || method.startsWith("_finish") || method.startsWith("getText")) {
                return "Jackson: decoding string values (getText / getTextCharacters)";
            }
            return "Jackson: tokenizing, field names";
        }
        if (type.startsWith("io.github.iothubexporter.state") || type.contains("AtomicLong") || type.startsWith("java.util.HashMap")
                || type.contains("VarHandle")) {
            return "apply: StateStore / DeviceTable";
        }
        if (type.startsWith("io.github.iothubexporter") || type.startsWith("java.lang.String") || type.startsWith("java.lang.Character")
                || type.startsWith("java.util.ArrayList") || type.startsWith("java.lang.Integer")) {
            return "parser logic: EventGridParser, SequenceNumber, EventTimes, Identifiers, Strings";
        }
        return "other";
    }
}
