package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.metric4j.math.NDMath;

/**
 * Keeps the terms unreduced (PML's {@code DoNothingReducer}, whose loss returns its loss dict):
 * every sub-loss a loss hands over is recorded by name as {@link ElementLosses} (each pair or
 * triplet with its loss, zeros included), readable with {@link #lastLosses()}. So that the loss
 * stays a scalar, {@link #reduce} returns the sum of the terms. An object records the last call
 * of the loss it is given to; share it between threads only with external synchronization.
 */
public final class DoNothingReducer implements Reducer {

    private final Map<String, ElementLosses> last = new LinkedHashMap<>();

    @Override
    public synchronized NDArray reduce(LossTerms terms) {
        last.put(terms.name(), terms.elements());
        return NDMath.scalar(NDMath.total(terms.rowSums()));
    }

    /** The terms of each sub-loss of the last call, by sub-loss name (an unmodifiable copy). */
    public synchronized Map<String, ElementLosses> lastLosses() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(last));
    }

    @Override
    public boolean needsValues() {
        return true;
    }

    @Override
    public String toString() {
        return "DoNothingReducer";
    }
}
