package org.metric4j.model.torch;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One entry of a PyTorch state dict as a metric4j block holds it: either a DJL {@link Parameter}
 * (weights, biases, BatchNorm's affine terms and running statistics, PReLU slopes) or an int64
 * 0-d counter, BatchNorm's {@code num_batches_tracked}, which DJL has no parameter for.
 *
 * @param key the PyTorch state-dict key, e.g. {@code layer1.0.bn1.running_mean}
 * @param parameter the DJL parameter, or {@code null} for a counter
 * @param count the counter, or {@code null} for a parameter
 */
public record StateEntry(String key, Parameter parameter, AtomicLong count) {

    public StateEntry {
        Objects.requireNonNull(key, "key");
        if ((parameter == null) == (count == null)) {
            throw new IllegalArgumentException(
                    "state entry " + key + ": exactly one of parameter and count must be given");
        }
    }

    /** An entry backed by a DJL parameter. */
    public static StateEntry of(String key, Parameter parameter) {
        return new StateEntry(key, Objects.requireNonNull(parameter, "parameter"), null);
    }

    /** An int64 0-d entry such as BatchNorm's {@code num_batches_tracked}. */
    public static StateEntry counter(String key, AtomicLong count) {
        return new StateEntry(key, null, Objects.requireNonNull(count, "count"));
    }

    /** Whether this entry is an int64 counter rather than a parameter. */
    public boolean isCounter() {
        return count != null;
    }

    /** The entry's shape: the parameter's array shape, or the 0-d shape of a counter. */
    public Shape shape() {
        return isCounter() ? new Shape() : parameter.getArray().getShape();
    }

    /** The entry's data type: the parameter's, or INT64 for a counter. */
    public DataType dataType() {
        return isCounter() ? DataType.INT64 : parameter.getArray().getDataType();
    }
}
