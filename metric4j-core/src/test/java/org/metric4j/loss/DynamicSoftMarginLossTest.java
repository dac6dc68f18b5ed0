package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.array;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.euclidean;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.value;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.miner.TripletMiner;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * {@link DynamicSoftMarginLoss} beyond PML's first call (the fixture): later calls against a
 * plain-Java reference of {@code beta h_batch + (1 - beta) h_stored}, the stored histogram changed
 * only by {@code afterStep}, the gradient of a later call against finite differences, save and
 * load of the state, batches without a triplet, bad input.
 */
class DynamicSoftMarginLossTest {

    private static final int B = 10;
    private static final int D = 4;
    private static final long[] LABELS = {0, 0, 1, 1, 2, 2, 0, 1, 2, 3};
    private static final double MOMENTUM = 0.3;

    private static double[] batch(long seed) {
        return gaussian(new Random(seed), B * D);
    }

    private static DynamicSoftMarginLoss loss() {
        return DynamicSoftMarginLoss.builder().optMomentum(MOMENTUM).build();
    }

    /** Reference histogram (normalized) of a batch: R = 10, min -2, clamped positions. */
    private static double[] refHistogram(double[] x, long[] y) {
        return refHistogram(differences(x, y));
    }

    private static double[] refHistogram(List<Double> xs) {
        double[] h = new double[10];
        for (double v : xs) {
            double t = Math.min(Math.max((v + 2) / 0.4, 0), 9);
            int lower = (int) Math.min(Math.floor(t), 8);
            double f = t - lower;
            h[lower] += 1 - f;
            h[lower + 1] += f;
        }
        double s = 0;
        for (double v : h) {
            s += v;
        }
        for (int i = 0; i < h.length; i++) {
            h[i] /= s;
        }
        return h;
    }

    /** Reference loss with the histogram {@code beta h_batch + (1 - beta) stored}, or h_batch. */
    private static double refLoss(double[] x, long[] y, double[] stored) {
        return refLoss(differences(x, y), stored);
    }

    private static double refLoss(List<Double> xs, double[] stored) {
        double[] h = refHistogram(xs);
        if (stored != null) {
            for (int i = 0; i < h.length; i++) {
                h[i] = MOMENTUM * h[i] + (1 - MOMENTUM) * stored[i];
            }
        }
        double[] cdf = new double[h.length];
        double c = 0;
        for (int i = 0; i < h.length; i++) {
            c += h[i];
            cdf[i] = c;
        }
        double sum = 0;
        for (double v : xs) {
            double t = Math.min(Math.max((v + 2) / 0.4, 0), 9);
            sum += cdf[(int) Math.floor(t)] * v;
        }
        return sum / xs.size();
    }

    private static List<Double> differences(double[] x, long[] y) {
        double[][] d = euclidean(normalizeRows(rows(x, B, D)), false);
        List<Double> out = new ArrayList<>();
        for (int a = 0; a < B; a++) {
            for (int p = 0; p < B; p++) {
                for (int n = 0; n < B; n++) {
                    if (a != p && y[a] == y[p] && y[n] != y[a]) {
                        out.add(d[a][p] - d[a][n]);
                    }
                }
            }
        }
        return out;
    }

    private static double evaluate(NDManager m, DynamicSoftMarginLoss loss, double[] x, DataType dt) {
        try (NDManager sub = m.newSubManager()) {
            return value(loss.evaluate(new NDList(sub.create(LABELS)), new NDList(array(sub, x, B, D, dt))));
        }
    }

    private static void step(NDManager m, DynamicSoftMarginLoss loss, double[] x) {
        try (NDManager sub = m.newSubManager()) {
            NDArray emb = array(sub, x, B, D, DataType.FLOAT32);
            NDArray y = sub.create(LABELS);
            loss.evaluate(new NDList(y), new NDList(emb));
            loss.evaluate(new NDList(y), new NDList(emb)); // a Trainer's second evaluation
            loss.afterStep(new NDList(y), new NDList(emb));
        }
    }

    @Test
    void laterCallsMixTheBatchHistogramWithTheStoredOneChangedOnlyByAfterStep() {
        double[] x1 = batch(1);
        double[] x2 = batch(2);
        double[] x3 = batch(3);
        try (NDManager m = TestDevice.manager()) {
            DynamicSoftMarginLoss loss = loss();
            assertFalse(loss.hasStoredHistogram());
            double first = evaluate(m, loss, x1, DataType.FLOAT64);
            assertEquals(refLoss(x1, LABELS, null), first, 1e-12);
            assertEquals(first, evaluate(m, loss, x1, DataType.FLOAT64), 0.0, "evaluate changed the state");
            assertFalse(loss.hasStoredHistogram());

            step(m, loss, x1);
            double[] h1 = refHistogram(x1, LABELS);
            assertTrue(loss.hasStoredHistogram());
            assertArrayEquals(h1, loss.storedHistogram(), 1e-6); // computed from float32 embeddings
            double second = evaluate(m, loss, x2, DataType.FLOAT64);
            assertEquals(refLoss(x2, LABELS, loss.storedHistogram()), second, 1e-12);
            assertEquals(refLoss(x2, LABELS, h1), second, 1e-6);
            assertEquals(second, evaluate(m, loss, x2, DataType.FLOAT64), 0.0, "two evaluations differ");
            assertEquals(second, evaluate(m, loss, x2, DataType.FLOAT32), 1e-5);

            step(m, loss, x2);
            double[] h2 = refHistogram(x2, LABELS);
            double[] expected = new double[h1.length];
            for (int i = 0; i < h1.length; i++) {
                expected[i] = MOMENTUM * h2[i] + (1 - MOMENTUM) * h1[i];
            }
            assertArrayEquals(expected, loss.storedHistogram(), 1e-6);
            assertEquals(refLoss(x3, LABELS, loss.storedHistogram()), evaluate(m, loss, x3, DataType.FLOAT64), 1e-12);
        }
    }

    @Test
    void aLaterCallsGradientFlowsThroughTheBatchHistogramOnly() {
        double[] x1 = batch(4);
        double[] x2 = batch(5);
        try (NDManager m = TestDevice.manager()) {
            DynamicSoftMarginLoss loss = loss();
            step(m, loss, x1);
            NDArray y = m.create(LABELS);
            ValueAndGrad vg = valueAndGrad(m, x2, B, D, DataType.FLOAT64, e -> loss.compute(e, y));
            double[] numeric = centralDifferences(m, x2, B, D, 1e-6, e -> loss.compute(e, y));
            assertTrue(maxAbs(vg.grad()) > 1e-3);
            assertTrue(maxAbsDiff(vg.grad(), numeric) < 1e-6, "autograd vs finite differences: "
                    + maxAbsDiff(vg.grad(), numeric));
        }
    }

    @Test
    void savedStateLoadedIntoAFreshLossContinuesExactly() {
        double[] x1 = batch(6);
        double[] x2 = batch(7);
        double[] x3 = batch(8);
        try (NDManager m = TestDevice.manager()) {
            DynamicSoftMarginLoss run = loss();
            step(m, run, x1);
            step(m, run, x2);
            NDList state = run.saveState();
            assertEquals(DataType.FLOAT64, state.get(0).getDataType());
            assertEquals(1L, state.get(1).toLongArray()[0]);
            byte[] encoded = state.encode();

            DynamicSoftMarginLoss resumed = loss();
            try (NDManager other = TestDevice.manager()) {
                resumed.loadState(NDList.decode(other, encoded), other);
                assertArrayEquals(run.storedHistogram(), resumed.storedHistogram(), 0.0);
                assertEquals(evaluate(m, run, x3, DataType.FLOAT64), evaluate(m, resumed, x3, DataType.FLOAT64), 0.0);
                step(m, run, x3);
                step(m, resumed, x3);
                assertArrayEquals(run.storedHistogram(), resumed.storedHistogram(), 0.0);
            }

            DynamicSoftMarginLoss fresh = loss();
            NDList empty = fresh.saveState();
            assertEquals(0L, empty.get(1).toLongArray()[0]);
            DynamicSoftMarginLoss reloaded = loss();
            reloaded.loadState(empty, m);
            assertFalse(reloaded.hasStoredHistogram());
        }
    }

    @Test
    void aMinersTripletsReplaceAllTriplets() {
        double[] x1 = batch(10);
        double[] x2 = batch(11);
        TripletMiner miner = BatchHardMiner.builder().build();
        try (NDManager m = TestDevice.manager()) {
            DynamicSoftMarginLoss loss = DynamicSoftMarginLoss.builder().optMomentum(MOMENTUM).optMiner(miner).build();
            List<Double> xs1 = mined(m, miner, x1);
            assertTrue(xs1.size() < differences(x1, LABELS).size());
            assertEquals(refLoss(xs1, null), evaluate(m, loss, x1, DataType.FLOAT64), 1e-12);
            step(m, loss, x1);
            assertArrayEquals(refHistogram(xs1), loss.storedHistogram(), 1e-6);
            assertEquals(refLoss(mined(m, miner, x2), loss.storedHistogram()), evaluate(m, loss, x2, DataType.FLOAT64),
                    1e-12);
            assertTrue(loss.toString().contains("miner="), loss.toString());
        }
    }

    /** d_ap - d_an of the mined triplets. */
    private static List<Double> mined(NDManager m, TripletMiner miner, double[] x) {
        double[][] d = euclidean(normalizeRows(rows(x, B, D)), false);
        List<Double> out = new ArrayList<>();
        for (long[] t : miner.mine(array(m, x, B, D, DataType.FLOAT64), m.create(LABELS)).toArray()) {
            out.add(d[(int) t[0]][(int) t[1]] - d[(int) t[0]][(int) t[2]]);
        }
        return out;
    }

    @Test
    void aBatchWithoutATripletGivesZeroWithAZeroGradientAndLeavesTheState() {
        double[] x = batch(9);
        try (NDManager m = TestDevice.manager()) {
            for (long[] y : new long[][] {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}) {
                DynamicSoftMarginLoss loss = loss();
                NDArray labels = m.create(y);
                for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                    ValueAndGrad vg = valueAndGrad(m, x, B, D, dt, e -> loss.compute(e, labels));
                    assertEquals(0.0, vg.value(), 0.0);
                    assertEquals(0.0, maxAbs(vg.grad()), 0.0);
                }
                loss.afterStep(new NDList(labels), new NDList(array(m, x, B, D, DataType.FLOAT32)));
                assertFalse(loss.hasStoredHistogram());
            }
        }
    }

    @Test
    void badInputIsRejectedWithItsNameAndValue() {
        assertThrows(IllegalArgumentException.class, () -> DynamicSoftMarginLoss.builder().optMinVal(0));
        assertThrows(IllegalArgumentException.class, () -> DynamicSoftMarginLoss.builder().optNumBins(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamicSoftMarginLoss.builder().optMomentum(1.5));
        assertTrue(e.getMessage().contains("momentum") && e.getMessage().contains("1.5"), e.getMessage());
        try (NDManager m = TestDevice.manager()) {
            NDList state = DynamicSoftMarginLoss.builder().optNumBins(5).build().saveState();
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> loss().loadState(state, m));
            assertTrue(shape.getMessage().contains("histogram"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loss().loadState(new NDList(state.get(0)), m));
        }
    }

    /** PML 2.8.1's first call with ref_emb / ref_labels (dynamic_soft_margin_ref_pml.json): loss and both gradients. */
    @Test
    void againstAReferenceSetTheFirstCallIsPmls() {
        com.google.gson.JsonObject f;
        try (java.io.InputStream in = getClass().getResourceAsStream("dynamic_soft_margin_ref_pml.json")) {
            f = com.google.gson.JsonParser.parseReader(new java.io.InputStreamReader(in,
                    java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        double[] q = flat(f.getAsJsonArray("embeddings"));
        double[] r = flat(f.getAsJsonArray("ref_emb"));
        long[] y = longs(f.getAsJsonArray("labels"));
        long[] yRef = longs(f.getAsJsonArray("ref_labels"));
        double[] gq = flat(f.getAsJsonArray("grad_embeddings"));
        double[] gr = flat(f.getAsJsonArray("grad_ref_emb"));
        double expected = f.get("loss").getAsDouble();
        for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
            double tol = dt == DataType.FLOAT64 ? 1e-10 : 2e-5;
            try (NDManager m = TestDevice.manager()) {
                NDArray xq = array(m, q, y.length, D, dt);
                NDArray xr = array(m, r, yRef.length, D, dt);
                NDArray lq = m.create(y);
                NDArray lr = m.create(yRef);
                DynamicSoftMarginLoss loss = loss();
                xq.setRequiresGradient(true);
                xr.setRequiresGradient(true);
                double v;
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray out = loss.compute(xq, lq, xr, lr);
                    v = out.toType(DataType.FLOAT64, false).getDouble();
                    System.gc();
                    gc.backward(out);
                }
                assertEquals(expected, v, tol, dt + " loss");
                assertArrayEquals(gq, xq.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), tol,
                        dt + " query gradient");
                assertArrayEquals(gr, xr.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), tol,
                        dt + " reference gradient");
                assertFalse(loss.hasStoredHistogram(), "a reference-set call leaves the state alone");
                // the relation of the labels gives the same loss
                DynamicSoftMarginLoss other = loss();
                NDArray a = array(m, q, y.length, D, dt);
                NDArray b = array(m, r, yRef.length, D, dt);
                assertEquals(v, other.compute(a, b, org.metric4j.distance.PairRelation.of(lq, lr))
                        .toType(DataType.FLOAT64, false).getDouble(), tol, dt + " relation");
                // afterStep with the references stores the histogram of the reference triplets
                other.afterStep(new NDList(lq, lr), new NDList(a, b));
                assertTrue(other.hasStoredHistogram());
                assertEquals(v, other.compute(a, lq, b, lr).toType(DataType.FLOAT64, false).getDouble(), tol,
                        dt + " a stored histogram equal to the batch's changes nothing");
            }
        }
    }

    /** compute(x, x, ofLabels(y)) is compute(x, y); a CrossBatchMemory refuses the loss. */
    @Test
    void theRelationOfTheBatchIsTheLabelledLoss() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = array(m, batch(5), B, D, DataType.FLOAT64);
            NDArray y = m.create(LABELS);
            double labelled = loss().compute(x, y).toType(DataType.FLOAT64, false).getDouble();
            double related = loss().compute(x, x, org.metric4j.distance.PairRelation.ofLabels(y))
                    .toType(DataType.FLOAT64, false).getDouble();
            assertEquals(labelled, related, 1e-12);
            // no triplet against these references: 0
            NDArray refs = array(m, java.util.Arrays.copyOf(batch(6), 3 * D), 3, D, DataType.FLOAT64);
            assertEquals(0.0, loss().compute(x.get("0:2"), m.create(new long[] {0, 0}), refs,
                    m.create(new long[] {0, 0, 0})).toType(DataType.FLOAT64, false).getDouble(), 0.0);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossBatchMemory.builder(loss()));
        assertTrue(e.getMessage().contains("loss must keep no per-step state"), e.getMessage());
    }

    private static double[] flat(com.google.gson.JsonArray rows) {
        List<Double> out = new ArrayList<>();
        for (var row : rows) {
            for (var v : row.getAsJsonArray()) {
                out.add(v.getAsDouble());
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static long[] longs(com.google.gson.JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }
}
