package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.ClassWeightedReducer;
import org.metric4j.reducer.DoNothingReducer;
import org.metric4j.reducer.ElementLosses;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.MultipleReducers;
import org.metric4j.reducer.Reducer;
import org.metric4j.reducer.SumReducer;
import org.metric4j.reducer.ThresholdReducer;

/**
 * Contrastive and triplet losses with PML's other reducers, by identities between reducers
 * (ThresholdReducer(low = 0) is AvgNonZero; class weights of 1 are the mean; MultipleReducers of
 * means is the mean), on random batches (seed in every message).
 */
class LossReducerOptionsTest {

    private static final int SEED = 19;

    private static double tripletLoss(NDManager m, Reducer reducer) {
        return TripletMarginLoss.builder().optMargin(0.3).optReducer(reducer).build()
                .compute(embeddings(m), labels(m)).getDouble();
    }

    private static double contrastiveLoss(NDManager m, Reducer reducer) {
        return ContrastiveLoss.builder().optReducer(reducer).build().compute(embeddings(m), labels(m)).getDouble();
    }

    private static NDArray embeddings(NDManager m) {
        Random random = new Random(SEED);
        double[] x = new double[12 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        return m.create(x).reshape(12, 4);
    }

    private static NDArray labels(NDManager m) {
        return m.create(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 0});
    }

    @Test
    void tripletWithThresholdAtZeroIsAvgNonZero() {
        try (NDManager m = TestDevice.manager()) {
            double avg = tripletLoss(m, new AvgNonZeroReducer());
            assertTrue(avg > 0, "seed " + SEED + ": some triplet violates the margin");
            assertEquals(avg, tripletLoss(m, ThresholdReducer.builder().optLow(0).build()), 1e-12, "seed " + SEED);
            assertEquals(tripletLoss(m, new MeanReducer()), tripletLoss(m, ClassWeightedReducer.of(1, 1, 1, 1)),
                    1e-12, "seed " + SEED);
            double doubled = tripletLoss(m, ClassWeightedReducer.of(2, 2, 2, 2));
            assertEquals(2 * tripletLoss(m, new MeanReducer()), doubled, 1e-12, "seed " + SEED);
        }
    }

    @Test
    void tripletDoNothingListsEveryTriplet() {
        try (NDManager m = TestDevice.manager()) {
            DoNothingReducer r = new DoNothingReducer();
            double sum = tripletLoss(m, r);
            assertEquals(tripletLoss(m, new SumReducer()), sum, 1e-12, "seed " + SEED);
            ElementLosses e = r.lastLosses().get("loss");
            long[] labels = labels(m).toLongArray();
            int expected = 0;
            for (int a = 0; a < labels.length; a++) {
                for (int p = 0; p < labels.length; p++) {
                    for (int n = 0; n < labels.length; n++) {
                        if (a != p && labels[a] == labels[p] && labels[n] != labels[a]) {
                            expected++;
                        }
                    }
                }
            }
            assertEquals(expected, e.losses().size(), "seed " + SEED + ": every triplet, zeros included");
            long[] idx = e.indices().toLongArray();
            Set<String> distinct = new TreeSet<>();
            for (int i = 0; i < idx.length; i += 3) {
                assertTrue(labels[(int) idx[i]] == labels[(int) idx[i + 1]] && idx[i] != idx[i + 1]
                        && labels[(int) idx[i + 2]] != labels[(int) idx[i]], "a valid triplet " + i / 3);
                distinct.add(Arrays.toString(Arrays.copyOfRange(idx, i, i + 3)));
            }
            assertEquals(expected, distinct.size(), "no triplet twice");
        }
    }

    @Test
    void minedTripletsCarryLabelsToTheReducer() {
        try (NDManager m = TestDevice.manager()) {
            TripletMarginLoss mined = TripletMarginLoss.builder().optMiner(BatchHardMiner.builder().build())
                    .optReducer(ClassWeightedReducer.of(1, 1, 1, 1)).build();
            TripletMarginLoss mean = TripletMarginLoss.builder().optMiner(BatchHardMiner.builder().build())
                    .optReducer(new MeanReducer()).build();
            assertEquals(mean.compute(embeddings(m), labels(m)).getDouble(),
                    mined.compute(embeddings(m), labels(m)).getDouble(), 1e-12, "seed " + SEED);
        }
    }

    @Test
    void contrastiveNamesItsParts() {
        try (NDManager m = TestDevice.manager()) {
            double mean = contrastiveLoss(m, new MeanReducer());
            assertEquals(mean, contrastiveLoss(m, MultipleReducers.builder()
                    .put("pos_loss", new MeanReducer()).build()), 1e-12, "seed " + SEED);
            assertEquals(mean, contrastiveLoss(m, ClassWeightedReducer.of(1, 1, 1, 1)), 1e-12, "seed " + SEED);
            // positive pairs summed, negative pairs averaged over the non-zero ones
            double mixed = contrastiveLoss(m, MultipleReducers.builder().put("pos_loss", new SumReducer())
                    .optDefaultReducer(new AvgNonZeroReducer()).build());
            DoNothingReducer parts = new DoNothingReducer();
            contrastiveLoss(m, parts);
            double posSum = parts.lastLosses().get("pos_loss").losses().sum().getDouble();
            NDArray neg = parts.lastLosses().get("neg_loss").losses();
            double negAvg = neg.sum().getDouble() / neg.gt(0.0).sum().getLong();
            assertEquals(posSum + negAvg, mixed, 1e-12, "seed " + SEED);
        }
    }
}
