package io.github.iothubexporter.state;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The configured critical devices: IDs or globs, written as {@code device}, {@code device/module} or
 * {@code hub/device}. A pattern matches an identity when it matches its device label (deviceId or
 * deviceId/moduleId) or "hub/label". {@code *} matches any run of characters except '/', {@code ?} one character.
 */
public final class CriticalDevices {
    private final List<Pattern> patterns;
    private final List<Pattern> qualifiedPatterns;

    public CriticalDevices(List<String> globs) {
        List<String> clean = globs.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.patterns = clean.stream().map(CriticalDevices::compile).toList();
        // Hub names compare case-insensitively: lower-case the part before the first '/'.
        this.qualifiedPatterns = clean.stream().map(g -> {
            int slash = g.indexOf('/');
            return slash < 0 ? g : g.substring(0, slash).toLowerCase(java.util.Locale.ROOT) + g.substring(slash);
        }).map(CriticalDevices::compile).toList();
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public boolean matches(String hub, String deviceLabel) {
        if (patterns.isEmpty()) {
            return false;
        }
        String qualified = hub + "/" + deviceLabel;
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matcher(deviceLabel).matches() || qualifiedPatterns.get(i).matcher(qualified).matches()) {
                return true;
            }
        }
        return false;
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
