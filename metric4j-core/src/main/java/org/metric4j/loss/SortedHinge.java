package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;

/**
 * The sum of all-triplet hinge terms without listing the triplets. For a positive pair (a, p)
 * with \( x = d_{ap} + m \) and the negatives of a sorted ascending, \( d_{(1)} \le d_{(2)} \le
 * \dots \):
 *
 * <p>\( \sum_n [x - d_{an}]_+ = k\,x - \sum_{j \le k} d_{(j)} \), with \( k = |\{n : d_{an} < x\}| \).
 *
 * <p>So one sort and one prefix sum per anchor row (B x B) serve every positive pair; k is found
 * without gradient, and the value and gradient are exact (the gradient of each term is 1 on
 * {@code x} and -1 on each of the k distances below it). Entries that are not negatives sort
 * last behind a finite sentinel, so the prefix sums stay finite. The rounding error of a prefix
 * sum is relative to the pair's whole sum of k terms, not to one term.
 */
final class SortedHinge {

    /** Elements compared at a time when counting (bounds the temporary memory). */
    private static final long CHUNK = 1L << 22;

    private SortedHinge() {}

    /**
     * Row-aggregate terms of all triplets (a, p, n) with n a negative of a.
     *
     * @param dist B x B distance-like matrix (smaller is closer), with gradient
     * @param negative B x B boolean mask of negatives
     * @param a anchors of the positive pairs (P, INT64)
     * @param p positives of the positive pairs (P, INT64)
     * @param margin the margin m
     * @return one row per positive pair, anchored at a
     */
    static LossTerms terms(NDArray dist, NDArray negative, NDArray a, NDArray p, double margin) {
        DataType dtype = dist.getDataType();
        long b = dist.getShape().get(0);
        NDArray x = NDMath.takePairs(dist, a, p).add(margin);
        // non-negatives sort last behind a finite sentinel that no x reaches
        NDArray sentinel = NDMath.total(dist.stopGradient().abs().max().reshape(1))
                .add(Math.abs(margin) + 1.0).reshape(new Shape());
        NDArray sorted = NDArrays.where(negative, dist, sentinel).sort(1);
        NDArray k = countBelow(sorted.stopGradient(), a, x.stopGradient());
        NDArray sums = hingeSums(sorted, a, k, x);
        NDArray negPerAnchor = negative.toType(dtype, false).sum(new int[] {1});
        NDArray counts = NDMath.takeRows(negPerAnchor, a);
        return LossTerms.ofRows(sums, counts, sums, k.toType(dtype, false)).withAnchors(a, b);
    }

    /** \( k_i x_i - \sum_{j \le k_i} sorted[a_i, j] \) in the dtype of {@code sorted}. */
    private static NDArray hingeSums(NDArray sorted, NDArray a, NDArray k, NDArray x) {
        long b = sorted.getShape().get(0);
        NDArray prefix = sorted.getManager().zeros(new Shape(b, 1), sorted.getDataType(), sorted.getDevice())
                .concat(sorted.cumSum(1), 1);
        NDArray below = NDMath.takePairs(prefix, a, k);
        return k.toType(sorted.getDataType(), false).mul(x).sub(below);
    }

    /** For each pair i, the number of entries of row a[i] of {@code sorted} that are below x[i]. */
    private static NDArray countBelow(NDArray sorted, NDArray a, NDArray x) {
        long b = sorted.getShape().get(1);
        long pairs = a.getShape().get(0);
        long step = Math.max(1, CHUNK / Math.max(1, b));
        NDList parts = new NDList();
        for (long start = 0; start < pairs; start += step) {
            long end = Math.min(pairs, start + step);
            String range = start + ":" + end;
            NDArray rowsIdx = a.get(range);
            NDArray rows = NDMath.takeRows(sorted, rowsIdx);
            NDArray xs = x.get(range).reshape(-1, 1);
            NDArray less = rows.lt(xs);
            parts.add(less.toType(DataType.INT64, false).sum(new int[] {1}));
            less.close();
            rows.close();
            xs.close();
            rowsIdx.close();
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
    }
}
