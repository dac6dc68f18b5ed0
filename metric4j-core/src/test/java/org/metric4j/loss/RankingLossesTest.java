package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.centralDifferences;
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

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * {@link FastAPLoss}, {@link PNPLoss} (every variant), {@link RankedListLoss} and {@link
 * TupletMarginLoss} against plain-Java loops written from PML 2.8.1's definitions, with parameters
 * other than the fixtures'; their gradients against finite differences in float64; degenerate
 * batches (one class, no positive pair, identical rows) in float64 and float32; bad builder input.
 */
class RankingLossesTest {

    private static final int B = 10;
    private static final int D = 4;
    private static final DataType[] DTYPES = {DataType.FLOAT64, DataType.FLOAT32};

    /** A loss under test with its plain-Java reference. */
    record Subject(String name, Supplier<MetricLoss> loss, Reference reference) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Reference {
        double of(double[][] x, long[] y);
    }

    static List<Subject> subjects() {
        List<Subject> out = new ArrayList<>();
        out.add(new Subject("FastAP(7 bins, squared L2)",
                () -> FastAPLoss.builder().optNumBins(7).build(), (x, y) -> fastAp(x, y, 7, 2)));
        out.add(new Subject("FastAP(5 bins, L2)",
                () -> FastAPLoss.builder().optNumBins(5).optDistance(LpDistance.euclidean()).build(),
                (x, y) -> fastAp(x, y, 5, 1)));
        for (PNPLoss.Variant v : PNPLoss.Variant.values()) {
            out.add(new Subject("PNP(" + v.pmlName() + ")", () -> PNPLoss.builder().optVariant(v)
                    .optB(3).optAlpha(2).optAnneal(0.1).build(), (x, y) -> pnp(x, y, v, 3, 2, 0.1)));
        }
        out.add(new Subject("RankedList(simpler)",
                () -> RankedListLoss.builder().setMargin(0.3).setTn(3).build(),
                (x, y) -> rankedList(x, y, 0.3, 3, 0.5, 1.15, 0)));
        out.add(new Subject("RankedList(full)", () -> RankedListLoss.builder().setMargin(0.5).setTn(2)
                .optImbalance(0.3).optAlpha(1.1).optTp(0.5).build(),
                (x, y) -> rankedList(x, y, 0.5, 2, 0.3, 1.1, 0.5)));
        out.add(new Subject("TupletMargin(0.2 rad, scale 16)",
                () -> TupletMarginLoss.builder().optMargin(0.2).optScale(16).build(),
                (x, y) -> tupletMargin(x, y, 0.2, 16)));
        return out;
    }

    static Stream<Arguments> subjectsAndDtypes() {
        List<Arguments> out = new ArrayList<>();
        for (Subject s : subjects()) {
            for (DataType dt : DTYPES) {
                out.add(Arguments.of(s, dt));
            }
        }
        return out.stream();
    }

    // ---- plain-Java references (PML 2.8.1's definitions, loop by loop) ----

    static double fastAp(double[][] x, long[] y, int bins, int power) {
        double[][] d = euclidean(normalizeRows(x), power == 2);
        double max = Math.pow(2, power);
        double delta = max / bins;
        double sum = 0;
        int anchors = 0;
        boolean anySafe = false;
        for (int a = 0; a < y.length; a++) {
            double[] hp = new double[bins + 1];
            double[] hn = new double[bins + 1];
            int npos = 0;
            for (int j = 0; j < y.length; j++) {
                if (j == a) {
                    continue;
                }
                npos += y[j] == y[a] ? 1 : 0;
                for (int b = 0; b <= bins; b++) {
                    double pulse = Math.max(0, 1 - Math.abs(d[a][j] - b * delta) / delta);
                    if (y[j] == y[a]) {
                        hp[b] += pulse;
                    } else {
                        hn[b] += pulse;
                    }
                }
            }
            if (npos == 0) {
                continue;
            }
            double cumPos = 0;
            double cum = 0;
            double ap = 0;
            for (int b = 0; b <= bins; b++) {
                cumPos += hp[b];
                cum += hp[b] + hn[b];
                if (hp[b] * cumPos > 0 && cum > 0) {
                    ap += hp[b] * cumPos / cum;
                    anySafe = true;
                }
            }
            sum += 1 - ap / npos;
            anchors++;
        }
        return anchors == 0 || !anySafe ? 0 : sum / anchors;
    }

    static double pnp(double[][] x, long[] y, PNPLoss.Variant v, double b, double alpha, double tau) {
        double[][] s = dot(normalizeRows(x));
        double total = 0;
        for (int q = 0; q < y.length; q++) {
            double sum = 0;
            int npos = 0;
            for (int i = 0; i < y.length; i++) {
                if (y[i] != y[q]) {
                    continue;
                }
                double r = 0;
                for (int n = 0; n < y.length; n++) {
                    if (y[n] != y[q]) {
                        double z = Math.max(-50, Math.min(50, (s[q][n] - s[q][i]) / tau));
                        r += 1 / (1 + Math.exp(-z));
                    }
                }
                sum += switch (v) {
                    case DS -> Math.log(1 + r);
                    case DQ -> 1 / Math.pow(1 + r, alpha);
                    case IU -> (1 + r) * Math.log(1 + r);
                    case IB -> (b * r - Math.log(1 + b * r)) / (b * b);
                    case O -> r;
                };
                npos++;
            }
            total += sum / npos;
        }
        double mean = total / y.length;
        return v == PNPLoss.Variant.DQ ? 1 - mean : mean;
    }

    static double rankedList(double[][] x, long[] y, double margin, double tn, double imbalance,
            double alpha, double tp) {
        double[][] d = euclidean(normalizeRows(x), false);
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            double pNum = 0;
            double pDen = 0;
            double nNum = 0;
            double nDen = 0;
            for (int j = 0; j < y.length; j++) {
                double dij = i == j ? 0 : d[i][j];
                double wp = 0;
                double wn = 0;
                if (j != i && y[j] == y[i] && dij > alpha - margin && dij > 0) {
                    wp = Math.exp(tp * (dij - (alpha - margin)));
                    pNum += wp * (dij - (alpha - margin));
                }
                if (y[j] != y[i] && dij < alpha && dij > 0) {
                    wn = Math.exp(tn * (alpha - dij));
                    nNum += wn * (alpha - dij);
                }
                pDen += wp + 1e-5;
                nDen += wn + 1e-5;
            }
            total += (1 - imbalance) * pNum / pDen + imbalance * nNum / nDen;
        }
        return total / y.length;
    }

    static double tupletMargin(double[][] x, long[] y, double margin, double scale) {
        double[][] s = dot(normalizeRows(x));
        double sum = 0;
        int pairs = 0;
        boolean anyNegative = false;
        for (int a = 0; a < y.length; a++) {
            for (int p = 0; p < y.length; p++) {
                if (p == a || y[p] != y[a]) {
                    continue;
                }
                double shifted = Math.cos(Math.acos(Math.min(1, s[a][p])) - margin);
                double inner = 1;
                boolean hasNeg = false;
                for (int n = 0; n < y.length; n++) {
                    if (y[n] != y[a]) {
                        inner += Math.exp(scale * (s[a][n] - shifted));
                        hasNeg = true;
                    }
                }
                anyNegative |= hasNeg;
                sum += hasNeg ? Math.log(inner) : 0;
                pairs++;
            }
        }
        return pairs == 0 || !anyNegative ? 0 : sum / pairs;
    }

    // ---- tests ----

    private static ValueAndGrad run(NDManager m, Subject s, double[] x, long[] y, DataType dt) {
        MetricLoss loss = s.loss().get();
        return valueAndGrad(m, x, y.length, D, dt, e -> loss.compute(e, e.getManager().create(y)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void matchesThePlainJavaReference(Subject s, DataType dt) {
        double tol = dt == DataType.FLOAT64 ? 1e-9 : 2e-3;
        for (long seed : new long[] {1, 2, 3}) {
            Random random = new Random(seed);
            double[] x = gaussian(random, B * D);
            long[] y = labelsWithSingleton(random, B, 3);
            double expected = s.reference().of(rows(x, B, D), y);
            try (NDManager m = TestDevice.manager()) {
                ValueAndGrad r = run(m, s, x, y, dt);
                assertEquals(dt, r.dtype(), msg(s.name(), seed, "loss dtype"));
                assertEquals(0, r.shape().dimension(), msg(s.name(), seed, "loss must be a scalar"));
                assertEquals(expected, r.value(), tol * Math.max(1, Math.abs(expected)),
                        msg(s.name(), seed, dt + " value"));
                assertTrue(expected != 0, msg(s.name(), seed, "the reference batch must not be trivial"));
                assertTrue(allFinite(r.grad()), msg(s.name(), seed, dt + " gradient not finite"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void gradientMatchesFiniteDifferences(Subject s) {
        long seed = 4;
        Random random = new Random(seed);
        double[] x = gaussian(random, B * D);
        long[] y = labelsWithSingleton(random, B, 3);
        try (NDManager m = TestDevice.manager()) {
            MetricLoss loss = s.loss().get();
            ValueAndGrad r = run(m, s, x, y, DataType.FLOAT64);
            double[] fd = centralDifferences(m, x, B, D, 1e-6, e -> loss.compute(e, e.getManager().create(y)));
            assertTrue(maxAbs(r.grad()) > 0, msg(s.name(), seed, "gradient is zero"));
            assertEquals(0, maxAbsDiff(r.grad(), fd), 1e-5 * Math.max(1, maxAbs(fd)),
                    msg(s.name(), seed, "autograd vs finite differences"));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void singleClassBatch(Subject s, DataType dt) {
        long seed = 5;
        double[] x = gaussian(new Random(seed), B * D);
        long[] y = new long[B];
        double expected = s.reference().of(rows(x, B, D), y);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, s, x, y, dt);
            assertTrue(allFinite(r.grad()), msg(s.name(), seed, dt + " gradient not finite"));
            assertEquals(expected, r.value(), 2e-3 * Math.max(1, Math.abs(expected)),
                    msg(s.name(), seed, dt + " single-class value"));
            if (!(s.loss().get() instanceof RankedListLoss)) {
                // no negatives: AP is 1, no negative ranks above a positive, no tuplet has a negative
                assertEquals(0.0, r.value(), 1e-6, msg(s.name(), seed, dt + " single class must give 0"));
                assertEquals(0.0, maxAbs(r.grad()), 1e-6, msg(s.name(), seed, dt + " single class gradient"));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void noPositivePair(Subject s, DataType dt) {
        long seed = 6;
        double[] x = gaussian(new Random(seed), B * D);
        long[] y = {3, 1, 4, 15, 9, 2, 6, 5, 35, 8};
        double expected = s.reference().of(rows(x, B, D), y);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, s, x, y, dt);
            assertTrue(allFinite(r.grad()), msg(s.name(), seed, dt + " gradient not finite"));
            assertEquals(expected, r.value(), 2e-3 * Math.max(1, Math.abs(expected)),
                    msg(s.name(), seed, dt + " value without positives"));
            MetricLoss loss = s.loss().get();
            if (loss instanceof FastAPLoss || loss instanceof TupletMarginLoss) {
                assertEquals(0.0, r.value(), 0.0, msg(s.name(), seed, dt + " no positive pair must give 0"));
                assertEquals(0.0, maxAbs(r.grad()), 0.0, msg(s.name(), seed, dt + " zero gradient"));
            } else {
                // PNP counts the query among its positives; RLL still pulls at its negatives
                assertTrue(r.value() > 0, msg(s.name(), seed, dt + " loss should be > 0: " + r.value()));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void identicalRowsStayFinite(Subject s, DataType dt) {
        long seed = 7;
        double[] x = gaussian(new Random(seed), B * D);
        // rows 0 and 1 (a positive pair) and rows 2 and 3 (a negative pair) coincide: cos 1, distance 0
        System.arraycopy(x, 0, x, D, D);
        System.arraycopy(x, 2 * D, x, 3 * D, D);
        long[] y = {0, 0, 1, 2, 1, 2, 0, 1, 2, 0};
        double expected = s.reference().of(rows(x, B, D), y);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = run(m, s, x, y, dt);
            assertTrue(Double.isFinite(r.value()), msg(s.name(), seed, dt + " loss " + r.value()));
            assertTrue(allFinite(r.grad()), msg(s.name(), seed, dt + " gradient not finite"));
            if (dt == DataType.FLOAT64) {
                assertEquals(expected, r.value(), 1e-6 * Math.max(1, Math.abs(expected)),
                        msg(s.name(), seed, "value with identical rows"));
            }
        }
    }

    // ---- bad builder input ----

    private static void assertRejects(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void pnpRejectsAnUnknownVariantAndBadParameters() {
        assertRejects(() -> PNPLoss.builder().optVariant("Dx"), "variant", "Dx", "Ds", "Dq", "Iu", "Ib", "O");
        assertRejects(() -> PNPLoss.Variant.of(null), "variant", "null");
        assertRejects(() -> PNPLoss.builder().optAnneal(0), "anneal", "0.0", "> 0");
        assertRejects(() -> PNPLoss.builder().optB(-1), "b", "-1.0");
        assertRejects(() -> PNPLoss.builder().optAlpha(Double.NaN), "alpha", "NaN");
        assertEquals(PNPLoss.Variant.IB, PNPLoss.Variant.of("Ib"));
        assertEquals(PNPLoss.Variant.DQ, PNPLoss.Variant.of("DQ"));
        assertEquals("PNPLoss(variant=O, b=2.0, alpha=1.0, anneal=0.01)", PNPLoss.builder().build().toString());
    }

    @Test
    void fastApRejectsBadParameters() {
        assertRejects(() -> FastAPLoss.builder().optNumBins(0), "numBins", "0", ">= 1");
        assertRejects(() -> FastAPLoss.builder().optDistance(CosineSimilarity.create()), "distance", "Cosine");
        assertRejects(() -> FastAPLoss.builder().optDistance(
                LpDistance.of(org.metric4j.distance.Normalization.NONE, 2)), "distance", "normalize=false");
    }

    @Test
    void rankedListRejectsBadParametersAndNeedsMarginAndTn() {
        assertRejects(() -> RankedListLoss.builder().setTn(1).build(), "margin", "required");
        assertRejects(() -> RankedListLoss.builder().setMargin(0.4).build(), "Tn", "required");
        assertRejects(() -> RankedListLoss.builder().optImbalance(1.5), "imbalance", "1.5", "[0, 1]");
        assertRejects(() -> RankedListLoss.builder().setMargin(-0.1), "margin", "-0.1");
        assertRejects(() -> RankedListLoss.builder().optDistance(CosineSimilarity.create()), "distance",
                "similarity");
        assertEquals(1.2, RankedListLoss.builder().setMargin(0.4).setTn(1).build().alpha(), 1e-15);
        assertEquals(0.9, RankedListLoss.builder().setMargin(0.4).setTn(1).optAlpha(0.9).build().alpha(), 0);
    }

    @Test
    void tupletMarginRejectsDegreesAndOtherDistances() {
        assertRejects(() -> TupletMarginLoss.builder().optMargin(5.73), "margin", "5.73", "radians", "degrees?");
        assertRejects(() -> TupletMarginLoss.builder().optMargin(-0.1), "margin", "-0.1");
        assertRejects(() -> TupletMarginLoss.builder().optScale(0), "scale", "0.0");
        assertRejects(() -> TupletMarginLoss.builder().optDistance(LpDistance.euclidean()), "distance",
                "CosineSimilarity");
        assertEquals(Math.toRadians(5.73), TupletMarginLoss.DEFAULT_MARGIN, 1e-15);
    }
}
