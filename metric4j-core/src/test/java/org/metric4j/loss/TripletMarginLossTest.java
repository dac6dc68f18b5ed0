package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.dot;
import static org.metric4j.math.NDTestSupport.euclidean;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.labelsWithSingleton;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.NDTestSupport.ValueAndGrad;
import org.metric4j.miner.TripletIndices;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.PerAnchorMeanReducer;
import org.metric4j.reducer.Reducer;
import org.metric4j.reducer.SumReducer;

/**
 * All-triplet {@link TripletMarginLoss} against a brute-force loop over every (a, p, n) in plain
 * Java, for each reducer and distance, in float64: the value must match the loop, and the value
 * and gradient must match the same loss on the explicitly listed triplets. Batches with tied
 * distances (duplicated rows) are included.
 */
class TripletMarginLossTest {

    private static final int B = 12;
    private static final int D = 5;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        Distance[] distances = {LpDistance.euclidean(), LpDistance.squaredEuclidean(),
                CosineSimilarity.create()};
        Reducer[] reducers = {new AvgNonZeroReducer(), new MeanReducer(), new SumReducer(),
                new PerAnchorMeanReducer()};
        for (Distance d : distances) {
            for (Reducer r : reducers) {
                for (long seed : new long[] {1, 2}) {
                    out.add(Arguments.of(d, r, 0.1, seed, false));
                }
                out.add(Arguments.of(d, r, 0.0, 3L, false));
                out.add(Arguments.of(d, r, 0.3, 4L, true));
            }
        }
        return out.stream();
    }

    /** The (a, p, n) of every valid triplet, in order. */
    private static List<long[]> allTriplets(long[] y) {
        List<long[]> out = new ArrayList<>();
        for (int a = 0; a < y.length; a++) {
            for (int p = 0; p < y.length; p++) {
                if (p == a || y[p] != y[a]) {
                    continue;
                }
                for (int n = 0; n < y.length; n++) {
                    if (y[n] != y[a]) {
                        out.add(new long[] {a, p, n});
                    }
                }
            }
        }
        return out;
    }

    private static double reference(double[] x, List<long[]> triplets, Distance d, double margin,
            Reducer reducer) {
        double[][] r = rows(x, B, D);
        if (d.normalizesEmbeddings()) {
            r = normalizeRows(r);
        }
        double[][] mat = d instanceof LpDistance lp ? euclidean(r, lp.power() == 2) : dot(r);
        double sum = 0;
        int count = 0;
        int positive = 0;
        double[] anchorSum = new double[B];
        int[] anchorCount = new int[B];
        for (long[] t : triplets) {
            int a = (int) t[0];
            double ap = mat[a][(int) t[1]];
            double an = mat[a][(int) t[2]];
            double loss = Math.max(0, (d.isInverted() ? an - ap : ap - an) + margin);
            sum += loss;
            count++;
            positive += loss > 0 ? 1 : 0;
            anchorSum[a] += loss;
            anchorCount[a]++;
        }
        if (reducer instanceof SumReducer) {
            return sum;
        }
        if (reducer instanceof MeanReducer) {
            return count == 0 ? 0 : sum / count;
        }
        if (reducer instanceof AvgNonZeroReducer) {
            return positive == 0 ? 0 : sum / positive;
        }
        double means = 0;
        int anchors = 0;
        for (int a = 0; a < B; a++) {
            if (anchorCount[a] > 0) {
                means += anchorSum[a] / anchorCount[a];
                anchors++;
            }
        }
        return anchors == 0 ? 0 : means / anchors;
    }

    @ParameterizedTest(name = "{0} {1} m={2} seed={3} ties={4}")
    @MethodSource("cases")
    void allTripletsMatchBruteForce(Distance distance, Reducer reducer, double margin, long seed,
            boolean ties) {
        Random random = new Random(seed);
        double[] x = gaussian(random, B * D);
        long[] y = labelsWithSingleton(random, B, 3);
        if (ties) {
            // rows 1 and 2 copies of row 0: equal distances from every anchor
            System.arraycopy(x, 0, x, D, D);
            System.arraycopy(x, 0, x, 2 * D, D);
        }
        List<long[]> triplets = allTriplets(y);
        TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(margin).optDistance(distance)
                .optReducer(reducer).build();
        String name = distance + " " + reducer + " m=" + margin + (ties ? " ties" : "");
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad all = valueAndGrad(m, x, B, D, DataType.FLOAT64,
                    e -> loss.compute(e, e.getManager().create(y)));
            ValueAndGrad listed = valueAndGrad(m, x, B, D, DataType.FLOAT64,
                    e -> loss.compute(e, indices(e.getManager(), triplets)));
            double expected = reference(x, triplets, distance, margin, reducer);
            assertTrue(expected > 0, msg(name, seed, "vacuous case"));
            assertEquals(expected, all.value(), 1e-12 * Math.max(1, expected),
                    msg(name, seed, "all-triplet loss vs brute-force loop"));
            assertEquals(expected, listed.value(), 1e-12 * Math.max(1, expected),
                    msg(name, seed, "listed-triplet loss vs brute-force loop"));
            assertTrue(maxAbsDiff(all.grad(), listed.grad()) <= 1e-10 * Math.max(1, maxAbs(listed.grad())),
                    msg(name, seed, "gradient of all triplets vs listed triplets, max diff "
                            + maxAbsDiff(all.grad(), listed.grad())));
        }
    }

    private static TripletIndices indices(NDManager m, List<long[]> triplets) {
        long[][] cols = new long[3][triplets.size()];
        for (int i = 0; i < triplets.size(); i++) {
            for (int k = 0; k < 3; k++) {
                cols[k][i] = triplets.get(i)[k];
            }
        }
        return new TripletIndices(m.create(cols[0]), m.create(cols[1]), m.create(cols[2]));
    }

    @Test
    void zeroWhenEveryMarginHolds() {
        // three tight clusters on orthogonal axes: d_ap ~ 0.05, d_an ~ sqrt(2)
        Random random = new Random(11);
        long[] y = {0, 0, 0, 1, 1, 1, 2, 2, 2};
        double[] x = new double[9 * 4];
        for (int i = 0; i < 9; i++) {
            x[i * 4 + (int) y[i]] = 1;
            for (int k = 0; k < 4; k++) {
                x[i * 4 + k] += 0.02 * random.nextGaussian();
            }
        }
        TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(0.5).build();
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = valueAndGrad(m, x, 9, 4, DataType.FLOAT64,
                    e -> loss.compute(e, e.getManager().create(y)));
            assertEquals(0.0, r.value(), 0.0, "every triplet satisfies the margin");
            assertEquals(0.0, maxAbs(r.grad()), 0.0, "no gradient when every margin holds");
        }
    }

    @Test
    void explicitRowsMatchIndexedTriplets() {
        Random random = new Random(21);
        double[] x = gaussian(random, B * D);
        long[] y = labelsWithSingleton(random, B, 3);
        List<long[]> triplets = allTriplets(y);
        TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(0.2).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray e = m.create(x, new ai.djl.ndarray.types.Shape(B, D));
            TripletIndices t = indices(m, triplets);
            double indexed = loss.compute(e, t).getDouble();
            double explicit = loss.computeExplicit(
                    e.get(t.anchors()), e.get(t.positives()), e.get(t.negatives())).getDouble();
            assertEquals(indexed, explicit, 1e-12, "computeExplicit vs compute(triplets)");
        }
    }
}
