package io.github.iothubexporter.it;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** A small reader for the Prometheus text exposition: sample lines only, labels sorted for comparison. */
final class MetricsText {
    private MetricsText() {
    }

    /** One parsed sample. */
    record Sample(String name, Map<String, String> labels, String value) {
        /** name{k="v",...} with labels sorted, so two scrapes compare as maps. */
        String key() {
            StringBuilder sb = new StringBuilder(name).append('{');
            labels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
            return sb.append('}').toString();
        }

        double number() {
            return Double.parseDouble(value);
        }
    }

    /** Every sample whose metric name passes {@code names}, keyed by {@link Sample#key()}, in order. */
    static Map<String, Sample> samples(String exposition, Predicate<String> names) {
        Map<String, Sample> out = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Sample s = parse(line);
            if (names.test(s.name())) {
                if (out.put(s.key(), s) != null) {
                    throw new AssertionError("duplicate series " + s.key() + " in the exposition");
                }
            }
        }
        return out;
    }

    /** Values only, keyed like {@link #samples}. */
    static Map<String, String> values(String exposition, Predicate<String> names) {
        Map<String, String> out = new TreeMap<>();
        samples(exposition, names).forEach((k, s) -> out.put(k, s.value()));
        return out;
    }

    static Sample parse(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new TreeMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < n && (line.charAt(i) == ',' || line.charAt(i) == ' ')) {
                    i++;
                }
                if (i >= n) {
                    throw new AssertionError("unterminated labels: " + line);
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
                    throw new AssertionError("bad label in: " + line);
                }
                String key = line.substring(i, eq);
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    if (j >= n) {
                        throw new AssertionError("unterminated label value: " + line);
                    }
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < n) {
                        char e = line.charAt(j + 1);
                        v.append(e == 'n' ? '\n' : e);
                        j += 2;
                    } else if (c == '"') {
                        j++;
                        break;
                    } else {
                        v.append(c);
                        j++;
                    }
                }
                labels.put(key, v.toString());
                i = j;
            }
        }
        String rest = line.substring(i).trim();
        int sp = rest.indexOf(' ');
        String value = sp < 0 ? rest : rest.substring(0, sp); // a timestamp may follow
        if (name.isEmpty() || value.isEmpty()) {
            throw new AssertionError("cannot parse sample line: " + line);
        }
        return new Sample(name, labels, value);
    }

    /** Numeric values, keyed like {@link #samples}. */
    static Map<String, Double> numbers(String exposition, Predicate<String> names) {
        Map<String, Double> out = new TreeMap<>();
        samples(exposition, names).forEach((k, s) -> out.put(k, s.number()));
        return out;
    }

    /** Sum of the samples of one metric name. */
    static double sum(String exposition, String name) {
        return samples(exposition, name::equals).values().stream().mapToDouble(Sample::number).sum();
    }
}
