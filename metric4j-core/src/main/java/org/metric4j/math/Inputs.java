package org.metric4j.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Argument checks shared by the losses and miners. Every failure is an {@link
 * IllegalArgumentException} that names the argument, the value and the expectation.
 */
public final class Inputs {

    private Inputs() {}

    /**
     * Checks a B x D floating-point embedding array without NaN.
     *
     * @return B
     */
    public static long embeddings(String name, NDArray x) {
        if (x == null) {
            throw new IllegalArgumentException(name + " must be a B x D array, got null");
        }
        if (x.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    name + " must be a 2-D array (B x D), got shape " + x.getShape());
        }
        if (!x.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    name + " must be floating point (float32 or float64), got " + x.getDataType());
        }
        long b = x.getShape().get(0);
        if (b == 0 || x.getShape().get(1) == 0) {
            throw new IllegalArgumentException(
                    name + " must not be empty, got shape " + x.getShape());
        }
        // one reduction instead of full-size boolean masks: the sum is finite unless an entry is
        // NaN or infinite (or the finite entries overflow, which the exact check below clears)
        double sum = x.stopGradient().sum().toType(DataType.FLOAT64, false).getDouble();
        if (!Double.isFinite(sum)) {
            if (x.isNaN().any().getBoolean()) {
                throw new IllegalArgumentException(name + " contains NaN (shape " + x.getShape() + ")");
            }
            if (x.isInfinite().any().getBoolean()) {
                throw new IllegalArgumentException(
                        name + " contains an infinite value (shape " + x.getShape() + ")");
            }
        }
        return b;
    }

    /** Checks that two embedding arrays have the same width D. */
    public static void sameWidth(String nameA, NDArray a, String nameB, NDArray b) {
        if (a.getShape().get(1) != b.getShape().get(1)) {
            throw new IllegalArgumentException(
                    nameB + " must have the embedding size of " + nameA + " (" + a.getShape().get(1)
                            + "), got shape " + b.getShape());
        }
    }

    /**
     * Checks a reference set for B x D queries: an M x D floating array without NaN, of the
     * queries' width D and dtype.
     *
     * @return M
     */
    public static long references(String queryName, NDArray queries, String name, NDArray references) {
        long m = embeddings(name, references);
        sameWidth(queryName, queries, name, references);
        if (queries.getDataType() != references.getDataType()) {
            throw new IllegalArgumentException(name + " must have the dtype of " + queryName + " ("
                    + queries.getDataType() + "), got " + references.getDataType());
        }
        return m;
    }

    /** Checks that two arrays have the same shape. */
    public static void sameShape(String nameA, NDArray a, String nameB, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(
                    nameB + " must have the shape of " + nameA + " " + a.getShape() + ", got "
                            + b.getShape());
        }
    }

    /**
     * Checks integer class labels of length {@code expected} and returns them as INT64. Floating
     * labels are accepted when every value is an integer (DJL datasets often carry float labels).
     */
    public static NDArray labels(String name, NDArray labels, long expected) {
        if (labels == null) {
            throw new IllegalArgumentException(name + " must be a 1-D array of class ids, got null");
        }
        if (labels.getShape().dimension() != 1) {
            throw new IllegalArgumentException(
                    name + " must be a 1-D array of " + expected + " class ids, got shape "
                            + labels.getShape());
        }
        if (labels.getShape().get(0) != expected) {
            throw new IllegalArgumentException(
                    name + " must have one label per embedding row (" + expected + "), got "
                            + labels.getShape().get(0));
        }
        DataType dt = labels.getDataType();
        if (dt.isFloating()) {
            NDArray bad = labels.isNaN().logicalOr(labels.isInfinite())
                    .logicalOr(labels.neq(labels.floor()));
            if (bad.any().getBoolean()) {
                long at = bad.toType(DataType.INT32, false).argMax().getLong();
                double value = labels.get(at).toType(DataType.FLOAT64, false).getDouble();
                throw new IllegalArgumentException(
                        name + " must hold integer class ids, got non-integer " + dt + " value "
                                + value + " at index " + at);
            }
            return labels.toType(DataType.INT64, false);
        }
        if (!dt.isInteger()) {
            throw new IllegalArgumentException(
                    name + " must be an integer array of class ids, got " + dt);
        }
        return dt == DataType.INT64 ? labels : labels.toType(DataType.INT64, false);
    }

    /**
     * Checks class labels of length {@code expected} with every id in {@code [0, numClasses)}, and
     * returns them as INT64.
     */
    public static NDArray classLabels(String name, NDArray labels, long expected, long numClasses) {
        NDArray y = labels(name, labels, expected);
        long min = y.min().getLong();
        long max = y.max().getLong();
        if (min < 0 || max >= numClasses) {
            long bad = min < 0 ? min : max;
            throw new IllegalArgumentException(
                    name + " must be class ids in [0, " + numClasses + "), got " + bad);
        }
        return y;
    }

    /** Checks {@code value >= min}: one message for every count and size option of the builders. */
    public static long atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** Checks {@code value > 0} and finite. */
    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be > 0 and finite, got " + value);
        }
        return value;
    }

    /** Checks {@code value >= 0} and finite. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be >= 0 and finite, got " + value);
        }
        return value;
    }

    /** Checks a finite value. */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
        return value;
    }
}
