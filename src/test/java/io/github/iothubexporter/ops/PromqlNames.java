package io.github.iothubexporter.ops;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The metric names a PromQL expression selects: identifiers outside label matchers, ranges and strings that are
 * neither functions, aggregations, keywords nor the label lists of by/without/on/ignoring/group_left/group_right.
 * Enough PromQL for our rules and dashboards; PromqlNamesTest pins its behaviour.
 */
public final class PromqlNames {
    private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "atan2", "inf", "nan", "Inf", "NaN",
            // aggregation operators, which may be followed by "by (...)" before their parenthesis
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile");

    private PromqlNames() {
    }

    public static Set<String> of(String expr) {
        return scan(expr, false);
    }

    /** The vector selectors: each metric name with its label matchers, e.g. {@code foo_total{kind="x"}}. */
    public static Set<String> selectors(String expr) {
        return scan(expr, true);
    }

    private static Set<String> scan(String expr, boolean withMatchers) {
        Set<String> names = new LinkedHashSet<>();
        int n = expr.length();
        int i = 0;
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '{') {
                i = skipTo(expr, i, '}');
            } else if (c == '[') {
                i = skipTo(expr, i, ']');
            } else if (c == '#') { // comment to the end of the line
                while (i < n && expr.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.'
                        || ((expr.charAt(i) == '+' || expr.charAt(i) == '-') && (expr.charAt(i - 1) == 'e' || expr.charAt(i - 1) == 'E')))) {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_' || expr.charAt(i) == ':')) {
                    i++;
                }
                String ident = expr.substring(start, i);
                int j = i;
                while (j < n && Character.isWhitespace(expr.charAt(j))) {
                    j++;
                }
                boolean call = j < n && expr.charAt(j) == '(';
                if (call && LABEL_LIST_KEYWORDS.contains(ident)) {
                    i = skipTo(expr, j, ')');
                } else if (!call && !KEYWORDS.contains(ident)) {
                    if (withMatchers && j < n && expr.charAt(j) == '{') {
                        i = skipTo(expr, j, '}');
                        names.add(ident + expr.substring(j, i));
                    } else {
                        names.add(ident);
                    }
                }
            } else {
                i++;
            }
        }
        return names;
    }

    private static int skipString(String s, int i) {
        char q = s.charAt(i);
        i++;
        while (i < s.length() && s.charAt(i) != q) {
            i += s.charAt(i) == '\\' && q != '`' ? 2 : 1;
        }
        return i + 1;
    }

    /** From an opening bracket at {@code i} to after its closing {@code close}, strings inside skipped. */
    private static int skipTo(String s, int i, char close) {
        i++;
        while (i < s.length() && s.charAt(i) != close) {
            char c = s.charAt(i);
            i = c == '"' || c == '\'' || c == '`' ? skipString(s, i) : i + 1;
        }
        return i + 1;
    }
}
