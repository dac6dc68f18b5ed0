package org.metric4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Named factories of one kind of component (losses, backbones, miners, ...): each name has its
 * parameters and a description, so an unknown name or parameter gives an error that lists the
 * valid choices, and {@code --help} can list them all.
 *
 * @param <C> what the factories need (sizes, a clock)
 * @param <T> what they build
 */
public final class Registry<C, T> {

    /** A factory. */
    @FunctionalInterface
    public interface Factory<C, T> {
        /** Builds from a spec whose keys were checked. */
        T create(Spec spec, C context);
    }

    private record Entry<C, T>(String description, Set<String> keys, Factory<C, T> factory) {}

    private final String kind;
    private final Map<String, Entry<C, T>> entries = new LinkedHashMap<>();

    /** A registry of components of the given kind ("loss", "backbone", ...). */
    public Registry(String kind) {
        this.kind = kind;
    }

    /** Registers a name with its parameter keys and description. */
    public Registry<C, T> add(String name, String description, Set<String> keys, Factory<C, T> factory) {
        entries.put(name, new Entry<>(description, keys, factory));
        return this;
    }

    /** Builds the component a spec names. */
    public T create(Spec spec, C context) {
        Entry<C, T> e = entries.get(spec.name());
        if (e == null) {
            throw new IllegalArgumentException("unknown " + kind + " '" + spec.name() + "'; valid: "
                    + String.join(", ", entries.keySet()));
        }
        return e.factory().create(spec.checkKeys(e.keys()), context);
    }

    /** Builds from the text of a spec. */
    public T create(String spec, C context) {
        return create(Spec.parse(spec), context);
    }

    /** The names. */
    public Set<String> names() {
        return entries.keySet();
    }

    /** Name -> "description (parameters: ...)", for help texts. */
    public Map<String, String> help() {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((n, e) -> out.put(n, e.description()
                + (e.keys().isEmpty() ? "" : " (parameters: " + String.join(", ", new java.util.TreeSet<>(e.keys())) + ")")));
        return out;
    }
}
