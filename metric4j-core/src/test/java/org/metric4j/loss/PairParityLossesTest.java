package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.doubles;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.value;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.NDTestSupport;
import org.metric4j.math.NDTestSupport.ValueAndGrad;
import org.metric4j.miner.TripletMarginMiner;
import org.metric4j.reducer.MeanReducer;

/**
 * MarginLoss, HistogramLoss, InstanceLoss, IntraPairVarianceLoss,
 * SignalToNoiseRatioContrastiveLoss, ThresholdConsistentMarginLoss and P2SGradLoss: values against
 * plain-Java loops, degenerate batches (one class, no valid pair: a finite loss and gradient, 0
 * where nothing is selected) in float64 and float32, and bad configuration.
 */
class PairParityLossesTest {

    private static final int B = 8;
    private static final int D = 5;
    private static final long[] LABELS = {0, 0, 1, 1, 2, 2, 0, 1};

    private static Map<String, Supplier<MetricLoss>> losses() {
        return Map.of(
                "Margin", () -> MarginLoss.builder().build(),
                "Histogram", () -> HistogramLoss.builder().build(),
                "Instance", () -> InstanceLoss.builder().build(),
                "IntraPairVariance", () -> IntraPairVarianceLoss.builder().build(),
                "SNRContrastive", () -> SignalToNoiseRatioContrastiveLoss.builder().build(),
                "ThresholdConsistentMargin", () -> ThresholdConsistentMarginLoss.builder().build());
    }

    static Stream<Arguments> degenerate() {
        List<Arguments> out = new ArrayList<>();
        for (String name : losses().keySet()) {
            for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                out.add(Arguments.of(name, dt));
            }
        }
        return out.stream();
    }

    private static ValueAndGrad run(NDManager m, MetricLoss loss, double[] x, long[] y, DataType dt) {
        return valueAndGrad(m, x, y.length, D, dt, e -> loss.compute(e, e.getManager().create(y)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("degenerate")
    void singleClassBatch(String name, DataType dt) {
        double[] x = gaussian(new Random(3), B * D);
        long[] y = new long[B];
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, losses().get(name).get(), x, y, dt);
            assertTrue(Double.isFinite(r.value()), name + " " + dt + ": loss " + r.value());
            assertTrue(allFinite(r.grad()), name + " " + dt + ": gradient not finite");
            assertEquals(dt, r.dtype(), name + ": dtype");
            if (name.equals("Margin") || name.equals("Histogram")) {
                // no triplet at all
                assertEquals(0.0, r.value(), 0.0, name + ": no triplet, loss 0");
                assertEquals(0.0, maxAbs(r.grad()), 0.0, name + ": no triplet, gradient 0");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("degenerate")
    void noPositivePair(String name, DataType dt) {
        double[] x = gaussian(new Random(4), B * D);
        long[] y = {3, 1, 4, 15, 9, 2, 6, 5};
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, losses().get(name).get(), x, y, dt);
            assertTrue(Double.isFinite(r.value()), name + " " + dt + ": loss " + r.value());
            assertTrue(allFinite(r.grad()), name + " " + dt + ": gradient not finite");
            if (name.equals("Margin") || name.equals("Histogram")) {
                assertEquals(0.0, r.value(), 0.0, name + ": no triplet, loss 0");
                assertEquals(0.0, maxAbs(r.grad()), 0.0, name + ": no triplet, gradient 0");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("degenerate")
    void collapsedBatch(String name, DataType dt) {
        double[] row = gaussian(new Random(5), D);
        double[] x = new double[B * D];
        for (int i = 0; i < B; i++) {
            System.arraycopy(row, 0, x, i * D, D);
        }
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, losses().get(name).get(), x, LABELS, dt);
            assertTrue(Double.isFinite(r.value()), name + " " + dt + ": loss " + r.value());
            assertTrue(allFinite(r.grad()), name + " " + dt + ": gradient not finite");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("degenerate")
    void zeroRow(String name, DataType dt) {
        double[] x = gaussian(new Random(6), B * D);
        for (int k = 0; k < D; k++) {
            x[2 * D + k] = 0;
        }
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, losses().get(name).get(), x, LABELS, dt);
            assertTrue(Double.isFinite(r.value()), name + " " + dt + ": loss " + r.value());
            assertTrue(allFinite(r.grad()), name + " " + dt + ": gradient not finite");
        }
    }

    // ---- MarginLoss

    /** All-triplet margin loss by brute force: (sum of parts) / (positive parts) + regularizer. */
    private static double marginReference(double[] x, long[] y, double margin, double nu, double[] beta) {
        double[][] e = normalizeRows(rows(x, y.length, D));
        double sum = 0;
        double divisor = 0;
        double reg = 0;
        for (int a = 0; a < y.length; a++) {
            double bt = beta.length == 1 ? beta[0] : beta[(int) y[a]];
            for (int p = 0; p < y.length; p++) {
                for (int n = 0; n < y.length; n++) {
                    if (p == a || y[p] != y[a] || y[n] == y[a]) {
                        continue;
                    }
                    double pos = Math.max(0, dist(e[a], e[p]) - bt + margin);
                    double neg = Math.max(0, bt - dist(e[a], e[n]) + margin);
                    sum += pos + neg;
                    divisor += (pos > 0 ? 1 : 0) + (neg > 0 ? 1 : 0);
                    reg += nu * bt;
                }
            }
        }
        double loss = divisor == 0 ? 0 : sum / divisor;
        if (nu == 0) {
            return loss;
        }
        return loss + (beta.length == 1 ? nu * beta[0] : divisor == 0 ? 0 : reg / divisor);
    }

    private static double dist(double[] u, double[] v) {
        double s = 0;
        for (int k = 0; k < u.length; k++) {
            s += (u[k] - v[k]) * (u[k] - v[k]);
        }
        return Math.sqrt(s);
    }

    @Test
    void marginLossMatchesBruteForce() {
        double[] x = gaussian(new Random(11), B * D);
        try (NDManager m = TestDevice.manager()) {
            MarginLoss loss = MarginLoss.builder().optMargin(0.3).optBeta(1.1).optNu(0.2).build();
            NDArray e = NDTestSupport.array(m, x, B, D, DataType.FLOAT64);
            NDArray y = m.create(LABELS);
            assertEquals(marginReference(x, LABELS, 0.3, 0, new double[] {1.1}),
                    value(loss.compute(e, y)), 1e-12, "fixed beta");
            double[] one = {0.9};
            assertEquals(marginReference(x, LABELS, 0.3, 0.2, one),
                    value(loss.compute(e, y, m.create(one))), 1e-12, "one learnable beta");
            double[] perClass = {0.8, 1.3, 1.0};
            assertEquals(marginReference(x, LABELS, 0.3, 0.2, perClass),
                    value(loss.compute(e, y, m.create(perClass))), 1e-12, "a beta per class");
            assertEquals(3L * 2 * 5 + 3L * 2 * 5 + 2L * 1 * 6, loss.lastSelection().orElseThrow().count(),
                    "selection: the number of triplets");
        }
    }

    @Test
    void marginLossWithAnAllTripletMinerEqualsTheUnminedLoss() {
        double[] x = gaussian(new Random(12), B * D);
        double[] beta = {0.8, 1.3, 1.0};
        try (NDManager m = TestDevice.manager()) {
            NDArray e = NDTestSupport.array(m, x, B, D, DataType.FLOAT64);
            NDArray y = m.create(LABELS);
            MarginLoss all = MarginLoss.builder().optNu(0.1).build();
            MarginLoss mined = MarginLoss.builder().optNu(0.1).optMiner(
                    TripletMarginMiner.builder().optMargin(100).build()).build();
            assertEquals(value(all.compute(e, y, m.create(beta))), value(mined.compute(e, y, m.create(beta))), 1e-12);
        }
    }

    @Test
    void marginLossBetaGradientMatchesFiniteDifferences() {
        double[] x = gaussian(new Random(13), B * D);
        double[] beta = {0.8, 1.3, 1.0};
        MarginLoss loss = MarginLoss.builder().optNu(0.1).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray e = NDTestSupport.array(m, x, B, D, DataType.FLOAT64);
            NDArray y = m.create(LABELS);
            NDArray b = m.create(beta);
            b.setRequiresGradient(true);
            double[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = loss.compute(e, y, b);
                NDTestSupport.scrubReleasedBuffers(m);
                gc.backward(out);
                grad = doubles(b.getGradient());
            }
            double h = 1e-6;
            for (int c = 0; c < beta.length; c++) {
                double[] plus = beta.clone();
                double[] minus = beta.clone();
                plus[c] += h;
                minus[c] -= h;
                double fd = (marginReference(x, LABELS, 0.2, 0.1, plus) - marginReference(x, LABELS, 0.2, 0.1, minus))
                        / (2 * h);
                assertEquals(fd, grad[c], 1e-6, "d loss / d beta[" + c + "]");
            }
        }
    }

    @Test
    void marginLossSingleClassWithLearnableBetaIsZeroWithZeroGradients() {
        try (NDManager m = TestDevice.manager()) {
            NDArray e = NDTestSupport.array(m, gaussian(new Random(14), 4 * D), 4, D, DataType.FLOAT32);
            e.setRequiresGradient(true);
            NDArray b = m.create(new float[] {1.2f});
            b.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = MarginLoss.builder().optNu(0.5).build().compute(e, m.create(new long[4]), b);
                gc.backward(out);
                assertEquals(0.0, value(out), 0.0);
                assertEquals(0.0, maxAbs(doubles(b.getGradient())), 0.0);
                assertEquals(0.0, maxAbs(doubles(e.getGradient())), 0.0);
            }
        }
    }

    @Test
    void marginLossRejectsBadBetas() {
        try (NDManager m = TestDevice.manager()) {
            MarginLoss loss = MarginLoss.builder().build();
            NDArray e = NDTestSupport.array(m, gaussian(new Random(1), B * D), B, D, DataType.FLOAT64);
            NDArray y = m.create(LABELS);
            assertRejects(() -> loss.compute(e, y, m.create(new double[] {1, 1})), "labels", "[0, 2)", "2");
            assertRejects(() -> loss.compute(e, y, m.create(new double[] {1, 1, 1, 1}, new Shape(2, 2))),
                    "beta", "(2, 2)");
            assertRejects(() -> loss.compute(e, y, m.create(new long[] {1})), "beta", "int64");
        }
    }

    // ---- HistogramLoss

    /** The histogram loss by brute force with the paper's pair sets (every anchor has a negative here). */
    private static double histogramReference(double[] x, long[] y, int bins) {
        double[][] e = normalizeRows(rows(x, y.length, D));
        double delta = 2.0 / bins;
        double[] pos = new double[bins + 1];
        double[] neg = new double[bins + 1];
        int np = 0;
        int nn = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = i + 1; j < y.length; j++) {
                double s = 0;
                for (int k = 0; k < D; k++) {
                    s += e[i][k] * e[j][k];
                }
                int r = (int) Math.floor((s + 1) / delta);
                double[] h = y[i] == y[j] ? pos : neg;
                h[r] += ((r + 1) * delta - 1 - s) / delta;
                h[r + 1] += (s + 1 - r * delta) / delta;
                if (y[i] == y[j]) {
                    np++;
                } else {
                    nn++;
                }
            }
        }
        double loss = 0;
        double cdf = 0;
        for (int r = 0; r <= bins; r++) {
            cdf += pos[r] / np;
            loss += neg[r] / nn * cdf;
        }
        return loss;
    }

    @Test
    void histogramLossMatchesBruteForce() {
        double[] x = gaussian(new Random(21), B * D);
        try (NDManager m = TestDevice.manager()) {
            for (int bins : new int[] {10, 100}) {
                double got = value(HistogramLoss.builder().optBins(bins).build()
                        .compute(NDTestSupport.array(m, x, B, D, DataType.FLOAT64), m.create(LABELS)));
                assertEquals(histogramReference(x, LABELS, bins), got, 1e-5, "bins " + bins);
            }
            assertEquals(25, HistogramLoss.builder().optDelta(0.08).build().bins());
        }
    }

    @Test
    void histogramLossIsZeroWhenEveryNegativeIsLessSimilarThanEveryPositive() {
        // two tight classes far apart on the circle: positive cosines ~1, negative ~-1
        double[] x = {1, 0, 0.999, 0.01, -1, 0, -0.999, -0.01};
        try (NDManager m = TestDevice.manager()) {
            NDArray e = m.create(x, new Shape(4, 2));
            double got = value(HistogramLoss.builder().build().compute(e, m.create(new long[] {0, 0, 1, 1})));
            assertEquals(0.0, got, 1e-12);
        }
    }

    // ---- InstanceLoss

    @Test
    void instanceLossTargetsTheColumnOfTheLabelsRank() {
        // orthogonal rows: the loss is ~gamma where the target column is the other row, ~0 on its own row
        double[] x = {1, 0, 0, 1};
        try (NDManager m = TestDevice.manager()) {
            NDArray e = m.create(x, new Shape(2, 2));
            InstanceLoss loss = InstanceLoss.builder().optGamma(10).build();
            assertEquals(Math.log1p(Math.exp(-10)), value(loss.compute(e, m.create(new long[] {3, 5}))), 1e-12,
                    "ranks (0, 1): each row's own column");
            assertEquals(10 + Math.log1p(Math.exp(-10)), value(loss.compute(e, m.create(new long[] {5, 3}))), 1e-12,
                    "ranks (1, 0): each row's other column");
        }
    }

    // ---- IntraPairVarianceLoss

    @Test
    void intraPairVarianceMatchesBruteForce() {
        double[] x = gaussian(new Random(31), B * D);
        double[][] e = normalizeRows(rows(x, B, D));
        double[][] s = new double[B][B];
        double posSum = 0;
        double negSum = 0;
        int np = 0;
        int nn = 0;
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                for (int k = 0; k < D; k++) {
                    s[i][j] += e[i][k] * e[j][k];
                }
                if (i != j && LABELS[i] == LABELS[j]) {
                    posSum += s[i][j];
                    np++;
                } else if (LABELS[i] != LABELS[j]) {
                    negSum += s[i][j];
                    nn++;
                }
            }
        }
        double muPos = posSum / np;
        double muNeg = negSum / nn;
        double pos = 0;
        double neg = 0;
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                if (i != j && LABELS[i] == LABELS[j]) {
                    pos += Math.pow(Math.max(0, 0.95 * muPos - s[i][j]), 2);
                } else if (LABELS[i] != LABELS[j]) {
                    neg += Math.pow(Math.max(0, s[i][j] - 1.02 * muNeg), 2);
                }
            }
        }
        try (NDManager m = TestDevice.manager()) {
            double got = value(IntraPairVarianceLoss.builder().optPosEps(0.05).optNegEps(0.02).build()
                    .compute(NDTestSupport.array(m, x, B, D, DataType.FLOAT64), m.create(LABELS)));
            assertEquals(pos / np + neg / nn, got, 1e-12);
        }
    }

    // ---- SignalToNoiseRatioContrastiveLoss

    @Test
    void snrContrastiveEqualsContrastiveWithTheSnrDistance() {
        double[] x = gaussian(new Random(41), B * D);
        try (NDManager m = TestDevice.manager()) {
            NDArray e = NDTestSupport.array(m, x, B, D, DataType.FLOAT64);
            double snr = value(SignalToNoiseRatioContrastiveLoss.builder().optPosMargin(0.2).optNegMargin(1.5)
                    .build().compute(e, m.create(LABELS)));
            double contrastive = value(ContrastiveLoss.builder().optPosMargin(0.2).optNegMargin(1.5)
                    .optDistance(org.metric4j.distance.SNRDistance.create()).build().compute(e, m.create(LABELS)));
            assertEquals(contrastive, snr, 0.0);
            assertTrue(snr > 0, "loss " + snr);
        }
    }

    // ---- ThresholdConsistentMarginLoss

    @Test
    void thresholdConsistentMarginMatchesBruteForce() {
        double[] x = gaussian(new Random(51), B * D);
        double[][] e = normalizeRows(rows(x, B, D));
        double pos = 0;
        double neg = 0;
        int np = 0;
        int nn = 0;
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                double s = 0;
                for (int k = 0; k < D; k++) {
                    s += e[i][k] * e[j][k];
                }
                if (i != j && LABELS[i] == LABELS[j] && s <= 0.7) {
                    pos += 0.7 - s;
                    np++;
                } else if (LABELS[i] != LABELS[j] && s >= 0.1) {
                    neg += s - 0.1;
                    nn++;
                }
            }
        }
        double expected = 2.0 * (np == 0 ? 0 : pos / np) + 0.5 * (nn == 0 ? 0 : neg / nn);
        try (NDManager m = TestDevice.manager()) {
            double got = value(ThresholdConsistentMarginLoss.builder().optLambdaPlus(2).optLambdaMinus(0.5)
                    .optMarginPlus(0.7).optMarginMinus(0.1).build()
                    .compute(NDTestSupport.array(m, x, B, D, DataType.FLOAT64), m.create(LABELS)));
            assertTrue(np > 0 && nn > 0, "the batch has pairs on both sides");
            assertEquals(expected, got, 1e-12);
        }
    }

    // ---- P2SGradLoss

    @Test
    void p2sgradRenormalizesTheColumnsAndLeavesTheInputAlone() {
        // columns of norm 2 and 1e-6: the first becomes w / (2 + 1e-7), the second 1e5 w (torch.renorm)
        double[] w = {2, 0, 0, 1e-6};
        double[] x = {3, 4, -1, 0};
        try (NDManager m = TestDevice.manager()) {
            NDArray weights = m.create(w, new Shape(2, 2));
            NDArray e = m.create(x, new Shape(2, 2));
            double got = value(new P2SGradLoss().compute(e, weights, m.create(new long[] {0, 1})));
            double c00 = 0.6 * 2 / (2 + 1e-7);
            double c01 = 0.8 * 0.1;
            double c10 = -1 * 2 / (2 + 1e-7);
            double expected = ((c00 - 1) * (c00 - 1) + c01 * c01 + c10 * c10 + 1) / 4;
            assertEquals(expected, got, 1e-12);
            assertEquals(0.0, maxAbsDiff(w, doubles(weights)), 0.0, "the input weights are not modified");
        }
    }

    @Test
    void p2sgradWeightGradientIsThatOfTheRenormalizedWeights() {
        double[] w = {0.6, 0.8, 0.8, -0.6};  // unit columns: renorm moves them by ~1e-7 only
        double[] x = {3, 4, -1, 2};
        try (NDManager m = TestDevice.manager()) {
            NDArray weights = m.create(w, new Shape(2, 2));
            weights.setRequiresGradient(true);
            NDArray e = m.create(x, new Shape(2, 2));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = new P2SGradLoss().compute(e, weights, m.create(new long[] {1, 0}));
                gc.backward(out);
                // dL/dW[k][j] = sum_i 2 (cos_ij - t_ij) x_ik / |x_i| / (B C), with W' ~ W
                double[] expected = new double[4];
                double[][] xs = {{0.6, 0.8}, {-1 / Math.sqrt(5), 2 / Math.sqrt(5)}};
                long[] y = {1, 0};
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        double cos = xs[i][0] * w[j] + xs[i][1] * w[2 + j];
                        double g = 2 * (cos - (y[i] == j ? 1 : 0)) / 4;
                        expected[j] += g * xs[i][0];
                        expected[2 + j] += g * xs[i][1];
                    }
                }
                assertEquals(0.0, maxAbsDiff(expected, doubles(weights.getGradient())), 1e-6);
            }
        }
    }

    @Test
    void p2sgradZeroEmbeddingRowIsFinite() {
        double[] x = {0, 0, 0, 1, 2, 3};
        try (NDManager m = TestDevice.manager()) {
            NDArray w = m.create(new double[] {1, 0, 0, 1, 0, 0}, new Shape(3, 2));
            for (DataType dt : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                NDArray wt = w.toType(dt, false);
                ValueAndGrad r = valueAndGrad(m, x, 2, 3, dt,
                        e -> new P2SGradLoss().compute(e, wt, e.getManager().create(new long[] {0, 1})));
                // row 0: cosines 0 (target 1 and 0); row 1: (1, 2) / sqrt(14) against targets (0, 1)
                double c0 = 1 / Math.sqrt(14) / (1 + 1e-7);  // unit columns renormalized to 1 / (1 + 1e-7)
                double c1 = 2 / Math.sqrt(14) / (1 + 1e-7);
                assertEquals((1 + c0 * c0 + (c1 - 1) * (c1 - 1)) / 4, r.value(), dt == DataType.FLOAT64 ? 1e-12 : 1e-6);
                assertTrue(allFinite(r.grad()), dt + ": gradient not finite");
            }
        }
    }

    @Test
    void p2sgradRejectsBadInput() {
        try (NDManager m = TestDevice.manager()) {
            NDArray e = m.randomNormal(new Shape(4, 3));
            P2SGradLoss loss = new P2SGradLoss();
            assertRejects(() -> loss.compute(e, m.randomNormal(new Shape(4, 2)), m.create(new long[] {0, 1, 0, 1})),
                    "weights", "D = 3", "(4, 2)");
            assertRejects(() -> loss.compute(e, m.randomNormal(new Shape(3, 2)), m.create(new long[] {0, 1, 2, 1})),
                    "labels", "[0, 2)", "2");
        }
    }

    // ---- bad configuration

    @Test
    void buildersRejectBadValues() {
        assertRejects(() -> MarginLoss.builder().optMargin(-0.1), "margin", "-0.1", ">= 0");
        assertRejects(() -> MarginLoss.builder().optNu(Double.NaN), "nu", "NaN");
        assertRejects(() -> MarginLoss.builder().optBeta(Double.POSITIVE_INFINITY), "beta", "Infinity", "finite");
        assertRejects(() -> MarginLoss.builder().optReducer(new MeanReducer()), "reducer", "MeanReducer");
        assertRejects(() -> HistogramLoss.builder().optBins(0), "bins", "0", ">= 1");
        assertRejects(() -> HistogramLoss.builder().optDelta(0.3), "delta", "0.3", "2 / R");
        assertRejects(() -> HistogramLoss.builder().optDelta(-2), "delta", "-2");
        assertRejects(() -> InstanceLoss.builder().optGamma(0), "gamma", "0.0", "> 0");
        assertRejects(() -> IntraPairVarianceLoss.builder().optPosEps(-1), "posEps", "-1");
        assertRejects(() -> IntraPairVarianceLoss.builder().optNegEps(Double.NaN), "negEps", "NaN");
        assertRejects(() -> SignalToNoiseRatioContrastiveLoss.builder().optDistance(LpDistance.euclidean()),
                "distance", "SNRDistance", "LpDistance");
        assertRejects(() -> SignalToNoiseRatioContrastiveLoss.builder().optNegMargin(Double.NaN), "negMargin", "NaN");
        assertRejects(() -> ThresholdConsistentMarginLoss.builder().optMarginPlus(1.5), "marginPlus", "1.5", "[-1, 1]");
        assertRejects(() -> ThresholdConsistentMarginLoss.builder().optMarginMinus(Double.NaN), "marginMinus", "NaN");
        assertRejects(() -> ThresholdConsistentMarginLoss.builder().optLambdaPlus(-1), "lambdaPlus", "-1");
        assertRejects(() -> ThresholdConsistentMarginLoss.builder().optLambdaMinus(-2), "lambdaMinus", "-2");
    }

    @Test
    void toStringNamesTheConfiguration() {
        assertEquals("MarginLoss(margin=0.2, nu=0.0, beta=1.2, distance=LpDistance(normalize=true, power=1), miner=null)",
                MarginLoss.builder().build().toString());
        assertEquals("HistogramLoss(bins=100, delta=0.02)", HistogramLoss.builder().build().toString());
        assertEquals("InstanceLoss(gamma=64.0)", InstanceLoss.builder().build().toString());
    }

    private static void assertRejects(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }
}
