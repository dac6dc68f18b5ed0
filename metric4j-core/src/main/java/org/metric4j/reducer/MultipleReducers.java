package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A reducer per sub-loss name (PML's {@code MultipleReducers}): terms named {@code pos_loss}
 * go to the reducer put under that name, terms of any other name to the default reducer
 * (default {@link MeanReducer}). The loss adds the reduced parts.
 *
 * <p>Every metric4j loss reduces each of its parts separately with the reducer it is given, so
 * a plain reducer already acts as PML's per-sub-loss deep copies; this class is for giving the
 * parts different reducers.
 */
public final class MultipleReducers implements Reducer {

    private final Map<String, Reducer> reducers;
    private final Reducer defaultReducer;

    private MultipleReducers(Builder b) {
        this.reducers = Collections.unmodifiableMap(new LinkedHashMap<>(b.reducers));
        this.defaultReducer = b.defaultReducer;
    }

    /** A builder without named reducers and a {@link MeanReducer} as default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray reduce(LossTerms terms) {
        return reducerFor(terms.name()).reduce(terms);
    }

    /** The reducer of a sub-loss name. */
    public Reducer reducerFor(String name) {
        return reducers.getOrDefault(name, defaultReducer);
    }

    @Override
    public boolean needsValues() {
        return defaultReducer.needsValues() || reducers.values().stream().anyMatch(Reducer::needsValues);
    }

    @Override
    public String toString() {
        return "MultipleReducers(reducers=" + reducers + ", default=" + defaultReducer + ")";
    }

    /** Builder of {@link MultipleReducers}. */
    public static final class Builder {
        private final Map<String, Reducer> reducers = new LinkedHashMap<>();
        private Reducer defaultReducer = new MeanReducer();

        private Builder() {}

        /** Reduce the terms named {@code name} (e.g. {@code pos_loss}) with {@code reducer}. */
        public Builder put(String name, Reducer reducer) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must be a non-blank sub-loss name, got '" + name + "'");
            }
            reducers.put(name, Objects.requireNonNull(reducer, "reducer"));
            return this;
        }

        /** The reducer of the sub-losses without an entry (default {@link MeanReducer}). */
        public Builder optDefaultReducer(Reducer reducer) {
            this.defaultReducer = Objects.requireNonNull(reducer, "reducer");
            return this;
        }

        /** The reducer. */
        public MultipleReducers build() {
            return new MultipleReducers(this);
        }
    }
}
