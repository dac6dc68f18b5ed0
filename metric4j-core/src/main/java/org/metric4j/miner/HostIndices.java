package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Index arrays built on the host (by the sampling miners) and moved next to the embeddings. */
final class HostIndices {

    private HostIndices() {}

    /** {@code values} as a 1-D INT64 array on the manager and device of {@code like} (may be empty). */
    static NDArray of(NDArray like, long[] values) {
        if (values.length == 0) {
            return like.getManager().zeros(new Shape(0), DataType.INT64, like.getDevice());
        }
        return like.getManager().create(values).toDevice(like.getDevice(), false);
    }

    /** Triplets from three host arrays of equal length. */
    static TripletIndices triplets(NDArray like, long[] a, long[] p, long[] n) {
        return new TripletIndices(of(like, a), of(like, p), of(like, n));
    }

    /** The labels as a host array (checked by the caller). */
    static long[] labels(NDArray labels) {
        return labels.toType(DataType.INT64, false).toLongArray();
    }

    /** A B x M matrix as host rows of doubles (exact for float32 and float64). */
    static double[][] rows(NDArray matrix) {
        long rows = matrix.getShape().get(0);
        int cols = (int) matrix.getShape().get(1);
        double[] flat = matrix.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] out = new double[(int) rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }

    /** A B x M boolean mask as host rows. */
    static boolean[][] mask(NDArray mask) {
        long rows = mask.getShape().get(0);
        int cols = (int) mask.getShape().get(1);
        boolean[] flat = mask.toType(DataType.BOOLEAN, false).toBooleanArray();
        boolean[][] out = new boolean[(int) rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }
}
