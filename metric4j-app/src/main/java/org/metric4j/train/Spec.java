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
 * listing those it does. A spec remembers the defaults its component read, so {@link #resolved()}
 * is the spec with every parameter the component used written out.
 */
public final class Spec {

    private final String name;
    private final Map<String, String> params;
    private final String text;
    /** The defaults read so far, in the order read (a factory may read lazily, e.g. per epoch). */
    private final Map<String, String> defaultsRead = Collections.synchronizedMap(new LinkedHashMap<>());
    /** The given parameters read as numbers or flags, in canonical form ("16" read as a number: 16.0). */
    private final Map<String, String> readValues = new java.util.concurrent.ConcurrentHashMap<>();

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
            defaultsRead.putIfAbsent(key, shortest(fallback));
            return fallback;
        }
        try {
            double x = Double.parseDouble(v);
            readValues.put(key, shortest(x));
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "': " + key + " must be a number, got '" + v + "'");
        }
    }

    /** An integer parameter, or the default. */
    public int integer(String key, int fallback) {
        String v = params.get(key);
        if (v == null) {
            defaultsRead.putIfAbsent(key, String.valueOf(fallback));
            return fallback;
        }
        try {
            int x = Integer.parseInt(v);
            readValues.put(key, String.valueOf(x));
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "': " + key + " must be an integer, got '" + v + "'");
        }
    }

    /** A boolean parameter (true/false), or the default. */
    public boolean flag(String key, boolean fallback) {
        String v = params.get(key);
        if (v == null) {
            defaultsRead.putIfAbsent(key, String.valueOf(fallback));
            return fallback;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("'" + name + "': " + key + " must be true or false, got '" + v + "'");
        }
        readValues.put(key, String.valueOf(Boolean.parseBoolean(v)));
        return Boolean.parseBoolean(v);
    }

    /** A text parameter, or the default. */
    public String text(String key, String fallback) {
        String v = params.get(key);
        if (v == null && fallback != null) {
            defaultsRead.putIfAbsent(key, fallback);
        }
        return v == null ? fallback : v;
    }

    /**
     * The spec with its defaults written out, in a canonical form that two spellings of the same
     * configuration share: {@code name:key=value,...} with every given parameter and every default
     * the component read (so far), keys sorted, numbers and flags as the component read them
     * ({@code scale=16} and {@code scale=16.0} both give {@code scale=16.0}).
     */
    public String resolved() {
        java.util.TreeMap<String, String> all = new java.util.TreeMap<>();
        params.forEach((k, v) -> all.put(k, readValues.getOrDefault(k, v)));
        synchronized (defaultsRead) {
            defaultsRead.forEach(all::putIfAbsent);
        }
        StringBuilder sb = new StringBuilder(name);
        String sep = ":";
        for (Map.Entry<String, String> e : all.entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ",";
        }
        return sb.toString();
    }

    /** A double as written: a float default widened to double keeps its float digits (0.2f: 0.2). */
    private static String shortest(double x) {
        String d = Double.toString(x);
        String f = Float.toString((float) x);
        return (double) (float) x == x && f.length() < d.length() ? f : d;
    }

    @Override
    public String toString() {
        return text;
    }
}
