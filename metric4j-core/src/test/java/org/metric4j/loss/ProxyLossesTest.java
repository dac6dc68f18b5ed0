package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.normalizeRows;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metric4j.TestDevice;
import org.metric4j.distance.LpDistance;
import org.metric4j.head.ClassCenters;
import org.metric4j.math.NDTestSupport.ValueAndGrad;

/**
 * {@link ProxyAnchorLoss}, {@link ProxyNCALoss} and {@link SoftTripleLoss}: values against
 * plain-Java references (PML's formulas, with its divisors), gradients of embeddings and proxies
 * against finite differences, a single-class batch, a class without a sample, cosines of exactly
 * +-1, bad builder and compute input, and training the proxies as a Block's parameters.
 */
class ProxyLossesTest {

    private static final int D = 4;
    private static final int K = 3;

    /** A loss with its plain-Java reference and the proxy rows per class it takes. */
    record Subject(String name, ProxyLoss loss, int rowsPerClass, Reference reference) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The loss of embeddings x (B x D), proxies p (M x D) and labels y, in float64. */
    @FunctionalInterface
    interface Reference {
        double loss(double[][] x, double[][] p, long[] y);
    }

    static Stream<Subject> subjects() {
        double margin = 0.1;
        double alpha = 16;
        double scale = 3;
        double la = 10;
        double gamma = 0.2;
        double delta = 0.05;
        return Stream.of(
                new Subject("ProxyAnchor", ProxyAnchorLoss.builder().optMargin(margin).optAlpha(alpha).build(), 1,
                        (x, p, y) -> proxyAnchor(x, p, y, margin, alpha)),
                new Subject("ProxyNCA", ProxyNCALoss.builder().optSoftmaxScale(scale).build(), 1,
                        (x, p, y) -> proxyNca(x, p, y, scale)),
                new Subject("SoftTriple", SoftTripleLoss.builder().optCentersPerClass(K).optLa(la)
                        .optGamma(gamma).optMargin(delta).build(), K,
                        (x, p, y) -> softTriple(x, p, y, la, gamma, delta)));
    }

    static Stream<Arguments> subjectsAndDtypes() {
        return subjects().flatMap(s -> Stream.of(Arguments.of(s, DataType.FLOAT64), Arguments.of(s, DataType.FLOAT32)));
    }

    // ---- plain-Java references (PML 2.8.1's formulas) ----

    private static double[][] cosines(double[][] x, double[][] p) {
        double[][] xn = normalizeRows(x);
        double[][] pn = normalizeRows(p);
        double[][] s = new double[x.length][p.length];
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < p.length; c++) {
                for (int k = 0; k < xn[i].length; k++) {
                    s[i][c] += xn[i][k] * pn[c][k];
                }
            }
        }
        return s;
    }

    private static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double e : v) {
            max = Math.max(max, e);
        }
        double sum = 0;
        for (double e : v) {
            sum += Math.exp(e - max);
        }
        return max + Math.log(sum);
    }

    /** pos over the classes with a sample, neg over all classes (PML's DivisorReducer). */
    static double proxyAnchor(double[][] x, double[][] p, long[] y, double margin, double alpha) {
        double[][] s = cosines(x, p);
        double pos = 0;
        double neg = 0;
        int withSample = 0;
        for (int c = 0; c < p.length; c++) {
            double posSum = 0;
            double negSum = 0;
            boolean has = false;
            for (int i = 0; i < x.length; i++) {
                if (y[i] == c) {
                    posSum += Math.exp(-alpha * (s[i][c] - margin));
                    has = true;
                } else {
                    negSum += Math.exp(alpha * (s[i][c] + margin));
                }
            }
            pos += Math.log1p(posSum);
            neg += Math.log1p(negSum);
            withSample += has ? 1 : 0;
        }
        return pos / withSample + neg / p.length;
    }

    static double proxyNca(double[][] x, double[][] p, long[] y, double scale) {
        double[][] s = cosines(x, p);
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double[] logits = new double[p.length];
            for (int c = 0; c < p.length; c++) {
                logits[c] = -scale * (2 - 2 * s[i][c]);   // squared L2 of unit vectors
            }
            total += logSumExp(logits) - logits[(int) y[i]];
        }
        return total / x.length;
    }

    static double softTriple(double[][] x, double[][] centers, long[] y, double la, double gamma, double delta) {
        double[][] s = cosines(x, centers);
        int classes = centers.length / K;
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double[] logits = new double[classes];
            for (int c = 0; c < classes; c++) {
                double norm = 0;
                double weighted = 0;
                for (int j = 0; j < K; j++) {
                    double w = Math.exp(s[i][c * K + j] / gamma);
                    norm += w;
                    weighted += w * s[i][c * K + j];
                }
                logits[c] = la * (weighted / norm - (c == y[i] ? delta : 0));
            }
            total += logSumExp(logits) - logits[(int) y[i]];
        }
        return total / x.length;
    }

    // ---- helpers ----

    private static NDArray labels(NDManager m, long[] y) {
        return m.create(y);
    }

    /** The loss as a function of the embeddings (proxies fixed). */
    private static Function<NDArray, NDArray> ofEmbeddings(Subject s, double[] p, int rows, long[] y) {
        return e -> s.loss().compute(e, e.getManager().create(p, new Shape(rows, D)).toType(e.getDataType(), false),
                labels(e.getManager(), y));
    }

    /** The loss as a function of the proxies (embeddings fixed). */
    private static Function<NDArray, NDArray> ofProxies(Subject s, double[] x, int b, long[] y) {
        return q -> s.loss().compute(q.getManager().create(x, new Shape(b, D)).toType(q.getDataType(), false), q,
                labels(q.getManager(), y));
    }

    // ---- values, gradients, edge cases ----

    /** Class 2 of 4 has no sample; every loss equals its reference, in float64 and float32. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void matchesTheReferenceWithAClassWithoutASample(Subject s, DataType dt) {
        long seed = 3;
        Random rnd = new Random(seed);
        long[] y = {0, 1, 3, 0, 1, 3, 3, 0};
        int classes = 4;
        int rows = classes * s.rowsPerClass();
        double[] x = gaussian(rnd, y.length * D);
        double[] p = gaussian(rnd, rows * D);
        double expected = s.reference().loss(rows(x, y.length, D), rows(p, rows, D), y);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad r = valueAndGrad(m, x, y.length, D, dt, ofEmbeddings(s, p, rows, y));
            double tol = dt == DataType.FLOAT64 ? 1e-10 : 2e-5;
            assertEquals(expected, r.value(), tol * Math.max(1, Math.abs(expected)), msg(s.name(), seed, dt + " value"));
            assertEquals(dt, r.dtype(), msg(s.name(), seed, "the loss keeps the input dtype"));
            assertEquals(0, r.shape().dimension(), msg(s.name(), seed, "the loss is a scalar"));
        }
    }

    /** The quirk of PML's divisors: the positive sum is divided by the classes with a sample. */
    @Test
    void proxyAnchorDividesItsPositiveTermByTheClassesWithASample() {
        Random rnd = new Random(8);
        long[] y = {1, 1, 1, 1};
        double[] x = gaussian(rnd, y.length * D);
        double[] p = gaussian(rnd, 3 * D);
        double margin = 0.1;
        double alpha = 32;
        double[][] xs = rows(x, y.length, D);
        double[][] ps = rows(p, 3, D);
        double[][] s = cosines(xs, ps);
        double posSum = 0;
        double[] negSums = new double[3];
        for (int i = 0; i < y.length; i++) {
            posSum += Math.exp(-alpha * (s[i][1] - margin));
            negSums[0] += Math.exp(alpha * (s[i][0] + margin));
            negSums[2] += Math.exp(alpha * (s[i][2] + margin));
        }
        // one class with a sample: the positive term is not divided; class 1 has no negative
        double expected = Math.log1p(posSum) + (Math.log1p(negSums[0]) + Math.log1p(negSums[2])) / 3;
        try (NDManager m = TestDevice.manager()) {
            NDArray loss = ProxyAnchorLoss.builder().build().compute(
                    m.create(x, new Shape(y.length, D)), m.create(p, new Shape(3, D)), m.create(y));
            assertEquals(expected, loss.getDouble(), 1e-10 * Math.abs(expected));
        }
    }

    /** Autograd equals central differences for the embeddings and for the proxies (float64). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void gradientsOfEmbeddingsAndProxiesMatchFiniteDifferences(Subject s) {
        long seed = 4;
        Random rnd = new Random(seed);
        long[] y = {2, 0, 0, 2, 3, 2};    // class 1 without a sample
        int classes = 4;
        int rows = classes * s.rowsPerClass();
        double[] x = gaussian(rnd, y.length * D);
        double[] p = gaussian(rnd, rows * D);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad gx = valueAndGrad(m, x, y.length, D, DataType.FLOAT64, ofEmbeddings(s, p, rows, y));
            double[] fx = centralDifferences(m, x, y.length, D, 1e-6, ofEmbeddings(s, p, rows, y));
            assertTrue(maxAbsDiff(gx.grad(), fx) < 1e-6 * Math.max(1, maxAbs(fx)),
                    msg(s.name(), seed, "embedding gradient differs by " + maxAbsDiff(gx.grad(), fx)));
            ValueAndGrad gp = valueAndGrad(m, p, rows, D, DataType.FLOAT64, ofProxies(s, x, y.length, y));
            double[] fp = centralDifferences(m, p, rows, D, 1e-6, ofProxies(s, x, y.length, y));
            assertTrue(maxAbsDiff(gp.grad(), fp) < 1e-6 * Math.max(1, maxAbs(fp)),
                    msg(s.name(), seed, "proxy gradient differs by " + maxAbsDiff(gp.grad(), fp)));
            // the class without a sample still learns (as a negative, or in the softmax's denominator)
            double absent = 0;
            for (int r = s.rowsPerClass(); r < 2 * s.rowsPerClass(); r++) {
                for (int k = 0; k < D; k++) {
                    absent = Math.max(absent, Math.abs(gp.grad()[r * D + k]));
                }
            }
            assertTrue(absent > 1e-8, msg(s.name(), seed, "the proxy of the absent class gets no gradient"));
        }
    }

    /** Every sample of one class: finite loss and gradients, equal to the reference. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void singleClassBatch(Subject s, DataType dt) {
        long seed = 5;
        Random rnd = new Random(seed);
        long[] y = {1, 1, 1, 1, 1};
        int rows = 3 * s.rowsPerClass();
        double[] x = gaussian(rnd, y.length * D);
        double[] p = gaussian(rnd, rows * D);
        double expected = s.reference().loss(rows(x, y.length, D), rows(p, rows, D), y);
        try (NDManager m = TestDevice.manager()) {
            ValueAndGrad gx = valueAndGrad(m, x, y.length, D, dt, ofEmbeddings(s, p, rows, y));
            ValueAndGrad gp = valueAndGrad(m, p, rows, D, dt, ofProxies(s, x, y.length, y));
            double tol = dt == DataType.FLOAT64 ? 1e-10 : 2e-5;
            assertEquals(expected, gx.value(), tol * Math.max(1, Math.abs(expected)), msg(s.name(), seed, dt + " value"));
            assertTrue(allFinite(gx.grad()) && allFinite(gp.grad()), msg(s.name(), seed, dt + " gradients not finite"));
            assertTrue(maxAbs(gx.grad()) > 0, msg(s.name(), seed, dt + " zero embedding gradient"));
        }
    }

    /** A one-row batch, and each embedding on (or opposite to) its proxy: cosines of exactly +-1. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("subjectsAndDtypes")
    void cosinesOfPlusAndMinusOneAndOneRowStayFinite(Subject s, DataType dt) {
        int rows = 2 * s.rowsPerClass();
        double[] p = new double[rows * D];
        for (int r = 0; r < rows; r++) {
            p[r * D + (r % D)] = 1;      // unit axes
        }
        Arrays.fill(p, (rows - 1) * D, rows * D, 0.0);
        p[(rows - 1) * D] = -1;          // the last proxy (class 1) opposite to the first (class 0)
        double[] x = new double[2 * D];
        System.arraycopy(p, 0, x, 0, D);                         // on the first proxy of class 0
        System.arraycopy(p, (rows - 1) * D, x, D, D);            // on the last proxy of class 1
        long[] y = {0, 1};
        long[] one = {1};
        try (NDManager m = TestDevice.manager()) {
            for (ValueAndGrad r : List.of(
                    valueAndGrad(m, x, 2, D, dt, ofEmbeddings(s, p, rows, y)),
                    valueAndGrad(m, p, rows, D, dt, ofProxies(s, x, 2, y)),
                    valueAndGrad(m, new double[] {0.3, -1, 2, 0.5}, 1, D, dt, ofEmbeddings(s, p, rows, one)))) {
                assertTrue(Double.isFinite(r.value()) && r.value() >= 0, s.name() + " " + dt + ": loss " + r.value());
                assertTrue(allFinite(r.grad()), s.name() + " " + dt + ": gradient not finite");
            }
        }
    }

    // ---- bad input ----

    static Stream<Arguments> badBuilderInput() {
        return Stream.of(
                Arguments.of((Executable) () -> ProxyAnchorLoss.builder().optMargin(-0.1), "margin", "-0.1"),
                Arguments.of((Executable) () -> ProxyAnchorLoss.builder().optMargin(Double.NaN), "margin", "NaN"),
                Arguments.of((Executable) () -> ProxyAnchorLoss.builder().optAlpha(0), "alpha", "0.0"),
                Arguments.of((Executable) () -> ProxyAnchorLoss.builder().optAlpha(Double.POSITIVE_INFINITY),
                        "alpha", "Infinity"),
                Arguments.of((Executable) () -> ProxyNCALoss.builder().optSoftmaxScale(-2), "softmaxScale", "-2.0"),
                Arguments.of((Executable) () -> SoftTripleLoss.builder().optCentersPerClass(0), "centersPerClass", "0"),
                Arguments.of((Executable) () -> SoftTripleLoss.builder().optLa(-20), "la", "-20.0"),
                Arguments.of((Executable) () -> SoftTripleLoss.builder().optGamma(0), "gamma", "0.0"),
                Arguments.of((Executable) () -> SoftTripleLoss.builder().optMargin(-0.01), "margin", "-0.01"),
                Arguments.of((Executable) () -> SoftTripleLoss.builder().optDistance(LpDistance.euclidean()),
                        "distance must be a similarity", "LpDistance"));
    }

    @ParameterizedTest(name = "{1} = {2}")
    @MethodSource("badBuilderInput")
    void badBuilderInputNamesTheArgumentAndTheValue(Executable call, String name, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void badComputeInputIsRefusedWithTheShapeOrValue() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = m.randomNormal(new Shape(4, D), DataType.FLOAT64);
            NDArray p = m.randomNormal(new Shape(3, D), DataType.FLOAT64);
            NDArray y = m.create(new long[] {0, 1, 2, 2});
            ProxyAnchorLoss anchor = ProxyAnchorLoss.builder().build();
            assertMessage(() -> anchor.compute(x, p, m.create(new long[] {0, 1, 3, 2})), "labels", "[0, 3)", "3");
            assertMessage(() -> anchor.compute(x, m.randomNormal(new Shape(3, D + 1), DataType.FLOAT64), y),
                    "proxies", "embedding size", String.valueOf(D));
            assertMessage(() -> anchor.compute(x, p.toType(DataType.FLOAT32, false), y), "proxies", "dtype", "float32");
            assertMessage(() -> ProxyNCALoss.builder().build().compute(x, p, m.create(new long[] {0, 1})),
                    "labels", "4", "2");
            assertMessage(() -> SoftTripleLoss.builder().optCentersPerClass(2).build().compute(x, p, y),
                    "proxies", "2 per class", "3");
            assertMessage(() -> anchor.evaluate(new NDList(y), new NDList(x)), "ProxyAnchorLoss", "proxies", "1 array");
        }
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @Test
    void toStringShowsTheConfiguration() {
        assertEquals("ProxyAnchorLoss(margin=0.1, alpha=32.0, distance=CosineSimilarity())",
                ProxyAnchorLoss.builder().build().toString());
        assertEquals("ProxyNCALoss(softmaxScale=1.0, distance=LpDistance(normalize=true, power=2))",
                ProxyNCALoss.builder().build().toString());
        assertEquals("SoftTripleLoss(centersPerClass=10, la=20.0, gamma=0.1, margin=0.01, distance=CosineSimilarity())",
                SoftTripleLoss.builder().build().toString());
    }

    // ---- proxies as a Block's parameters ----

    /**
     * A linear embedder followed by {@link ClassCenters} gives [embeddings, proxies]; a DJL Trainer
     * moves the proxies through each loss's gradient and the loss goes down.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("subjects")
    void aDjlTrainerLearnsTheProxiesOfAClassCentersBlock(Subject s) throws IOException, TranslateException {
        int classes = 3;
        int in = 6;
        int batch = 12;
        Random rnd = new Random(9);
        float[] xs = new float[batch * in];
        float[] ys = new float[batch];
        for (int i = 0; i < batch; i++) {
            ys[i] = i % classes;
            for (int j = 0; j < in; j++) {
                xs[i * in + j] = (float) rnd.nextGaussian() * 0.3f + (j % classes == ys[i] ? 1f : 0f);
            }
        }
        ClassCenters proxies = ClassCenters.of(classes * s.rowsPerClass());
        SequentialBlock block = new SequentialBlock().add(Linear.builder().setUnits(D).build()).add(proxies);
        DefaultTrainingConfig config = new DefaultTrainingConfig(s.loss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build());
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("proxy")) {
            model.setBlock(block);
            ArrayDataset data = new ArrayDataset.Builder().setData(manager.create(xs, new Shape(batch, in)))
                    .optLabels(manager.create(ys)).setSampling(batch, false).build();
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, in));
                float[] before = proxies.centers().getArray().toFloatArray();
                double first = Double.NaN;
                double last = Double.NaN;
                for (int step = 0; step < 30; step++) {
                    for (Batch b : trainer.iterateDataset(data)) {
                        EasyTrain.trainBatch(trainer, b);
                        trainer.step();
                        NDList out = block.forward(new ParameterStore(manager, false),
                                b.getData(), false);
                        double value = s.loss().evaluate(b.getLabels(), out).getFloat();
                        first = step == 0 ? value : first;
                        last = value;
                        b.close();
                    }
                }
                float[] after = proxies.centers().getArray().toFloatArray();
                double moved = 0;
                for (int i = 0; i < before.length; i++) {
                    moved = Math.max(moved, Math.abs(after[i] - before[i]));
                }
                assertTrue(moved > 1e-4, s.name() + ": the proxies did not move (" + moved + ")");
                assertTrue(last < 0.8 * first, s.name() + ": loss " + first + " -> " + last);
            }
        }
    }
}
