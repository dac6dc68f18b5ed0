package org.metric4j.miner;

import static org.metric4j.math.NDTestSupport.dot;
import static org.metric4j.math.NDTestSupport.euclidean;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.labelsWithSingleton;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.distance.DotProductSimilarity;
import org.metric4j.distance.LpDistance;

/**
 * A random labelled batch and its distance matrix computed in plain Java, for brute-force
 * references of the miners.
 */
final class ReferenceBatch {

    final int b;
    final int d;
    final double[] x;
    final long[] y;

    private ReferenceBatch(int b, int d, double[] x, long[] y) {
        this.b = b;
        this.d = d;
        this.x = x;
        this.y = y;
    }

    /** B x D standard normal rows, labels spread over {@code classes} classes plus a singleton. */
    static ReferenceBatch random(long seed, int b, int d, int classes) {
        Random r = new Random(seed);
        return new ReferenceBatch(b, d, gaussian(r, b * d), labelsWithSingleton(r, b, classes));
    }

    /** The same rows with other labels. */
    ReferenceBatch withLabels(long... labels) {
        return new ReferenceBatch(b, d, x, labels);
    }

    NDArray embeddings(NDManager m) {
        return m.create(x, new Shape(b, d)).toType(DataType.FLOAT64, false);
    }

    NDArray labels(NDManager m) {
        return m.create(y);
    }

    boolean positive(int i, int j) {
        return i != j && y[i] == y[j];
    }

    boolean negative(int i, int j) {
        return y[i] != y[j];
    }

    /** The matrix of {@code distance} for this batch, in plain Java. */
    double[][] matrix(Distance distance) {
        double[][] rows = rows(x, b, d);
        if (distance.normalizesEmbeddings()) {
            rows = normalizeRows(rows);
        }
        if (distance instanceof LpDistance lp) {
            return euclidean(rows, lp.power() == 2);
        }
        if (distance instanceof CosineSimilarity || distance instanceof DotProductSimilarity) {
            return dot(rows);
        }
        throw new IllegalArgumentException("no reference for " + distance);
    }

    /** {@code rows} as a list of long arrays, for readable assertion messages. */
    static String format(List<long[]> rows) {
        List<String> out = new ArrayList<>();
        for (long[] r : rows) {
            out.add(java.util.Arrays.toString(r));
        }
        return out.toString();
    }
}
