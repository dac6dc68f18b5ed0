package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * One step of {@link KnnSearch}'s running top-k whose result does not depend on how equal scores
 * fall into blocks: the engine's top-k keeps an arbitrary one of several equal scores at the cut,
 * so a row whose smallest kept score occurs twice among the kept ones is selected again in Java,
 * larger score first and smaller index first among equal scores. A kept set then always holds the
 * {@code keep - 1} best of its row under that order, whatever the blocks and the order of merges,
 * which is what lets the symmetric half-block search give the neighbours of the full one.
 */
final class ExactTopK {

    private ExactTopK() {}

    /**
     * The {@code keep} best of each row (all of them when the row is not wider).
     *
     * @param values R x W scores, larger first
     * @param indices R x W int64 reference indices, or null for {@code offset + column}
     * @param offset the reference index of column 0 when {@code indices} is null
     * @param keep the scores kept per row
     * @return R x min(keep, W) scores and int64 indices, in no order, in the current scope
     */
    static NDArray[] select(NDArray values, NDArray indices, long offset, int keep) {
        long rows = values.getShape().get(0);
        long width = values.getShape().get(1);
        NDManager manager = values.getManager();
        if (width <= keep) {
            NDArray idx = indices != null ? indices
                    : manager.arange(0, (int) width, 1, DataType.INT64).add(offset).reshape(1, -1).repeat(0, rows);
            return new NDArray[] {values, idx};
        }
        NDList top = values.topK(keep, 1, true, false);
        NDArray v = top.get(0);
        NDArray pos = top.get(1).toType(DataType.INT64, false);
        NDArray idx = indices == null ? pos.add(offset) : indices.gather(pos, 1);
        // the cut is ambiguous where the smallest kept score is kept twice or more
        NDArray ties = v.eq(v.min(new int[] {1}, true)).sum(new int[] {1}).gt(1);
        if (ties.any().getBoolean()) {
            for (long r : ties.nonzero().toLongArray()) {
                double[] rowValues = values.get(r).toType(DataType.FLOAT64, false).toDoubleArray();
                long[] rowIndices = indices != null ? indices.get(r).toLongArray() : null;
                int[] best = best(rowValues, rowIndices, offset, keep);
                double[] keptValues = new double[keep];
                long[] keptIndices = new long[keep];
                for (int j = 0; j < keep; j++) {
                    keptValues[j] = rowValues[best[j]];
                    keptIndices[j] = rowIndices != null ? rowIndices[best[j]] : offset + best[j];
                }
                v.set(new NDIndex(r), manager.create(keptValues).toType(v.getDataType(), false));
                idx.set(new NDIndex(r), manager.create(keptIndices));
            }
        }
        return new NDArray[] {v, idx};
    }

    /** The positions of the {@code keep} best of a row, larger score then smaller index first. */
    private static int[] best(double[] values, long[] indices, long offset, int keep) {
        Integer[] order = new Integer[values.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Double.compare(values[b], values[a]);
            return c != 0 ? c : Long.compare(indices != null ? indices[a] : offset + a,
                    indices != null ? indices[b] : offset + b);
        });
        int[] out = new int[keep];
        for (int j = 0; j < keep; j++) {
            out[j] = order[j];
        }
        return out;
    }

    /**
     * Sorts each row larger score first and, among equal scores, smaller index first, in place.
     *
     * @param values row-major scores of rows of {@code width}, already in descending order of score
     * @param indices the indices beside them
     */
    static void breakTies(double[] values, long[] indices, int width) {
        for (int start = 0; start < values.length; start += width) {
            for (int t = start + 1; t < start + width; t++) {
                // insertion within runs of equal scores (the rows are sorted by score already)
                for (int u = t; u > start && values[u] == values[u - 1] && indices[u] < indices[u - 1]; u--) {
                    long tmp = indices[u];
                    indices[u] = indices[u - 1];
                    indices[u - 1] = tmp;
                }
            }
        }
    }
}
