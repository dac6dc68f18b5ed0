package org.metric4j.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A component chosen by name with parameters, as written on the command line or in a run file:
 * {@code name} or {@code name:key=value,key=value} (for example {@code arcface:scale=30,margin=0.5}).
 * Reading a parameter checks its type; {@link #checkKeys} rejects keys the component does not know,
 * listing those it does.
 */
public final class Spec {

    private final String name;
    private final Map<String, String> params;
    private final String text;

    private Spec(String name, Map<String, String> params, String text) {
        this.name = name;
        this.params = params;
        this.text = text;
    }

    /** Parses {@code name[:key=value,...]}. */
    public static Spec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a component spec must be 'name' or 'name:key=value,...', got '" + text + "'");
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        String name = (colon < 0 ? t : t.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0 && colon + 1 < t.length()) {
            for (String kv : t.substring(colon + 1).split(",")) {
                if (kv.isBlank()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            "in '" + text + "': parameter '" + kv + "' must be key=value");
                }
                params.put(kv.substring(0, eq).trim().toLowerCase(Locale.ROOT), kv.substring(eq + 1).trim());
            }
        }
        return new Spec(name, Collections.unmodifiableMap(params), t);
    }

    /** The component name (lower case). */
    public String name() {
        return name;
    }

    /** The parameters as given. */
    public Map<String, String> params() {
        return params;
    }

    /** Rejects parameters outside {@code allowed}, listing the allowed ones. */
    public Spec checkKeys(Set<String> allowed) {
        for (String k : params.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("'" + name + "' has no parameter '" + k + "'; valid: "
                        + (allowed.isEmpty() ? "none" : String.join(", ", new TreeSet<>(allowed))));
            }
        }
        return this;
    }

    /** A number parameter, or the default. */
    public double number(String key, double fallback) {
        String v = params.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "': " + key + " must be a number, got '" + v + "'");
        }
    }

    /** An integer parameter, or the default. */
    public int integer(String key, int fallback) {
        String v = params.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "': " + key + " must be an integer, got '" + v + "'");
        }
    }

    /** A boolean parameter (true/false), or the default. */
    public boolean flag(String key, boolean fallback) {
        String v = params.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("'" + name + "': " + key + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** A text parameter, or the default. */
    public String text(String key, String fallback) {
        return params.getOrDefault(key, fallback);
    }

    @Override
    public String toString() {
        return text;
    }
}
