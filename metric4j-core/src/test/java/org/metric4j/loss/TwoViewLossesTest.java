package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.allFinite;
import static org.metric4j.math.NDTestSupport.array;
import static org.metric4j.math.NDTestSupport.centralDifferences;
import static org.metric4j.math.NDTestSupport.gaussian;
import static org.metric4j.math.NDTestSupport.maxAbs;
import static org.metric4j.math.NDTestSupport.maxAbsDiff;
import static org.metric4j.math.NDTestSupport.msg;
import static org.metric4j.math.NDTestSupport.rows;
import static org.metric4j.math.NDTestSupport.value;
import static org.metric4j.math.NDTestSupport.valueAndGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.math.NDTestSupport.ValueAndGrad;
import org.metric4j.miner.PairMarginMiner;

/**
 * {@link VICRegLoss}, {@link SelfSupervisedLoss} and {@link NTXentLoss} against a reference set:
 * values against plain-Java references of PML's formulas, gradients against finite differences,
 * identical views and a batch of 2, bad input.
 */
class TwoViewLossesTest {

    private static final int B = 6;
    private static final int D = 4;
    private static final double TEMPERATURE = 0.5;

    // ---- plain-Java references (float64) ----

    static double vicreg(double[][] z, double[][] zr, double lambda, double mu, double nu, double eps) {
        int b = z.length;
        int d = z[0].length;
        double inv = 0;
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < d; k++) {
                inv += (z[i][k] - zr[i][k]) * (z[i][k] - zr[i][k]);
            }
        }
        inv /= b * d;
        return lambda * inv + mu * (variance(z, eps) + variance(zr, eps)) + nu * (covariance(z) + covariance(zr));
    }

    private static double[] means(double[][] z) {
        double[] m = new double[z[0].length];
        for (double[] row : z) {
            for (int k = 0; k < m.length; k++) {
                m[k] += row[k] / z.length;
            }
        }
        return m;
    }

    private static double variance(double[][] z, double eps) {
        double[] m = means(z);
        double out = 0;
        for (int k = 0; k < m.length; k++) {
            double v = 0;
            for (double[] row : z) {
                v += (row[k] - m[k]) * (row[k] - m[k]);
            }
            v /= z.length - 1;
            out += Math.max(0, 1 - Math.sqrt(v + eps)) / 2;
        }
        return out / m.length;
    }

    private static double covariance(double[][] z) {
        double[] m = means(z);
        int d = m.length;
        double out = 0;
        for (int a = 0; a < d; a++) {
            for (int c = 0; c < d; c++) {
                if (a == c) {
                    continue;
                }
                double cov = 0;
                for (double[] row : z) {
                    cov += (row[a] - m[a]) * (row[c] - m[c]);
                }
                cov /= z.length - 1;
                out += cov * cov;
            }
        }
        return out / d;
    }

    /** NTXent with cosine similarity; {@code self} excludes the diagonal (a batch against itself). */
    static double ntxent(double[][] q, long[] yq, double[][] r, long[] yr, boolean self, double t) {
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < q.length; a++) {
            double[] s = new double[r.length];
            for (int j = 0; j < r.length; j++) {
                s[j] = cosine(q[a], r[j]) / t;
            }
            for (int p = 0; p < r.length; p++) {
                if (yq[a] != yr[p] || (self && a == p)) {
                    continue;
                }
                double denom = Math.exp(s[p]);
                boolean anyNeg = false;
                for (int n = 0; n < r.length; n++) {
                    if (yq[a] != yr[n]) {
                        denom += Math.exp(s[n]);
                        anyNeg = true;
                    }
                }
                sum += anyNeg ? -Math.log(Math.exp(s[p]) / denom) : 0;
                pairs++;
            }
        }
        return pairs == 0 ? 0 : sum / pairs;
    }

    private static double cosine(double[] x, double[] y) {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int k = 0; k < x.length; k++) {
            xy += x[k] * y[k];
            xx += x[k] * x[k];
            yy += y[k] * y[k];
        }
        return xy / Math.sqrt(xx * yy);
    }

    private static long[] ids(int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i;
        }
        return y;
    }

    private static double[][] concat(double[][] a, double[][] b) {
        double[][] out = new double[a.length + b.length][];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- VICReg ----

    @Test
    void vicregMatchesTheFormulaAndFiniteDifferences() {
        VICRegLoss loss = VICRegLoss.builder().optInvarianceLambda(3).optVarianceMu(2).optCovarianceV(0.5)
                .optEps(1e-3).build();
        try (NDManager m = TestDevice.manager()) {
            for (long seed = 1; seed <= 3; seed++) {
                Random rnd = new Random(seed);
                double[] x = gaussian(rnd, B * D);
                double[] xr = gaussian(rnd, B * D);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 0.4; // a variance below 1, so the hinge is active
                }
                double expected = vicreg(rows(x, B, D), rows(xr, B, D), 3, 2, 0.5, 1e-3);
                Function<NDArray, NDArray> f = v -> loss.compute(v, array(v.getManager(), xr, B, D, v.getDataType()));
                ValueAndGrad vg = valueAndGrad(m, x, B, D, DataType.FLOAT64, f);
                assertEquals(expected, vg.value(), 1e-12 * Math.max(1, expected), msg("vicreg", seed, "value"));
                assertEquals(DataType.FLOAT64, vg.dtype(), msg("vicreg", seed, "dtype"));
                double[] fd = centralDifferences(m, x, B, D, 1e-6, f);
                assertTrue(maxAbsDiff(fd, vg.grad()) < 1e-6 * Math.max(1, maxAbs(fd)),
                        msg("vicreg", seed, "gradient differs from finite differences by " + maxAbsDiff(fd, vg.grad())));
                assertTrue(maxAbs(vg.grad()) > 1e-3, msg("vicreg", seed, "gradient is zero"));
                ValueAndGrad f32 = valueAndGrad(m, x, B, D, DataType.FLOAT32, f);
                assertEquals(DataType.FLOAT32, f32.dtype(), msg("vicreg", seed, "float32 dtype"));
                assertEquals(expected, f32.value(), 2e-3 * Math.max(1, expected), msg("vicreg", seed, "float32"));
            }
        }
    }

    @Test
    void vicregOfIdenticalViewsOfTwoRowsIsFinite() {
        VICRegLoss loss = VICRegLoss.builder().build();
        double[] x = {0.3, -0.2, 0.1, 0.5, 0.3, -0.2, 0.1, 0.5}; // rows equal too: zero variance
        try (NDManager m = TestDevice.manager()) {
            Function<NDArray, NDArray> f = v -> loss.compute(v, array(v.getManager(), x, 2, D, v.getDataType()));
            ValueAndGrad vg = valueAndGrad(m, x, 2, D, DataType.FLOAT64, f);
            double expected = vicreg(rows(x, 2, D), rows(x, 2, D), 25, 25, 1, 1e-4);
            // the variance hinge at its largest, 2 * 25 * (1 - sqrt(1e-4)) / 2, nothing else
            assertEquals(25 * (1 - 0.01), expected, 1e-12);
            assertEquals(expected, vg.value(), 1e-12);
            assertTrue(allFinite(vg.grad()), "identical views: gradient not finite");
            NDArray two = array(m, new double[] {1, 0, 0, 0, 0, 1, 0, 0}, 2, D, DataType.FLOAT32);
            assertTrue(Double.isFinite(value(loss.evaluate(new NDList(), new NDList(two, two)))));
        }
    }

    @Test
    void vicregRejectsBadInput() {
        VICRegLoss loss = VICRegLoss.builder().build();
        try (NDManager m = TestDevice.manager()) {
            NDArray a = m.randomNormal(new ai.djl.ndarray.types.Shape(4, D)).toType(DataType.FLOAT64, false);
            NDArray wider = m.randomNormal(new ai.djl.ndarray.types.Shape(4, D + 1)).toType(DataType.FLOAT64, false);
            NDArray one = m.randomNormal(new ai.djl.ndarray.types.Shape(1, D)).toType(DataType.FLOAT64, false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(a, wider));
            assertTrue(e.getMessage().contains("view2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> loss.compute(one, one));
            assertTrue(e.getMessage().contains("at least 2 rows"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> loss.compute(a, a.toType(DataType.FLOAT32, false)));
            assertTrue(e.getMessage().contains("dtype"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loss.evaluate(new NDList(), new NDList(a)));
        }
        assertThrows(IllegalArgumentException.class, () -> VICRegLoss.builder().optInvarianceLambda(-1));
        assertThrows(IllegalArgumentException.class, () -> VICRegLoss.builder().optEps(0));
    }

    // ---- SelfSupervisedLoss and NTXent with a reference set ----

    @Test
    void selfSupervisedMatchesNtxentOnTheViews() {
        NTXentLoss ntxent = NTXentLoss.builder().optTemperature(TEMPERATURE).build();
        SelfSupervisedLoss symmetric = SelfSupervisedLoss.symmetric(ntxent);
        SelfSupervisedLoss asymmetric = SelfSupervisedLoss.asymmetric(ntxent);
        try (NDManager m = TestDevice.manager()) {
            for (long seed = 1; seed <= 3; seed++) {
                Random rnd = new Random(seed);
                double[] x = gaussian(rnd, B * D);
                double[] xr = gaussian(rnd, B * D);
                double[][] z = rows(x, B, D);
                double[][] zr = rows(xr, B, D);
                double sym = ntxent(concat(z, zr), concat(ids(B), ids(B)), concat(z, zr), concat(ids(B), ids(B)),
                        true, TEMPERATURE);
                double asym = ntxent(z, ids(B), zr, ids(B), false, TEMPERATURE);
                assertTrue(Math.abs(sym - asym) > 1e-3, msg("self-supervised", seed, "the two forms coincide"));
                for (SelfSupervisedLoss loss : new SelfSupervisedLoss[] {symmetric, asymmetric}) {
                    double expected = loss == symmetric ? sym : asym;
                    Function<NDArray, NDArray> f = v -> loss.compute(v, array(v.getManager(), xr, B, D, v.getDataType()));
                    ValueAndGrad vg = valueAndGrad(m, x, B, D, DataType.FLOAT64, f);
                    assertEquals(expected, vg.value(), 1e-10, msg(loss.toString(), seed, "value"));
                    double[] fd = centralDifferences(m, x, B, D, 1e-6, f);
                    assertTrue(maxAbsDiff(fd, vg.grad()) < 1e-6 * Math.max(1, maxAbs(fd)),
                            msg(loss.toString(), seed, "gradient"));
                }
            }
        }
    }

    @Test
    void ntxentAgainstReferencesMatchesTheFormula() {
        NTXentLoss loss = NTXentLoss.builder().optTemperature(TEMPERATURE).build();
        try (NDManager m = TestDevice.manager()) {
            for (long seed = 1; seed <= 3; seed++) {
                Random rnd = new Random(seed);
                int refs = 9;
                double[] x = gaussian(rnd, B * D);
                double[] xr = gaussian(rnd, refs * D);
                long[] y = new long[B];
                long[] yr = new long[refs];
                for (int i = 0; i < B; i++) {
                    y[i] = rnd.nextInt(3);
                }
                for (int i = 0; i < refs; i++) {
                    yr[i] = rnd.nextInt(4);
                }
                double expected = ntxent(rows(x, B, D), y, rows(xr, refs, D), yr, false, TEMPERATURE);
                NDArray labels = m.create(y);
                NDArray refLabels = m.create(yr);
                double got = value(loss.compute(array(m, x, B, D, DataType.FLOAT64), labels,
                        array(m, xr, refs, D, DataType.FLOAT64), refLabels));
                assertEquals(expected, got, 1e-10, msg("ref ntxent", seed, "value"));
            }
        }
    }

    @Test
    void selfSupervisedOfIdenticalViewsOfTwoRowsIsFinite() {
        double[] x = {0.3, -0.2, 0.3, -0.2, 0.3, -0.2, 0.3, -0.2};
        try (NDManager m = TestDevice.manager()) {
            for (SelfSupervisedLoss loss : new SelfSupervisedLoss[] {
                SelfSupervisedLoss.symmetric(NTXentLoss.builder().build()),
                SelfSupervisedLoss.asymmetric(NTXentLoss.builder().build())}) {
                Function<NDArray, NDArray> f = v -> loss.compute(v, array(v.getManager(), x, 2, D, v.getDataType()));
                ValueAndGrad vg = valueAndGrad(m, x, 2, D, DataType.FLOAT64, f);
                // all rows equal: every similarity is 1, each pair's loss is log of the row's size
                double expected = loss.toString().contains("asymmetric") ? Math.log(2) : Math.log(3);
                assertEquals(expected, vg.value(), 1e-9, loss.toString());
                assertTrue(allFinite(vg.grad()), loss + ": gradient not finite");
            }
        }
    }

    @Test
    void twoViewInputIsValidated() {
        NTXentLoss plain = NTXentLoss.builder().build();
        NTXentLoss mined = NTXentLoss.builder().optMiner(PairMarginMiner.builder().build()).build();
        try (NDManager m = TestDevice.manager()) {
            NDArray a = m.randomNormal(new ai.djl.ndarray.types.Shape(4, D)).toType(DataType.FLOAT64, false);
            NDArray b = m.randomNormal(new ai.djl.ndarray.types.Shape(5, D)).toType(DataType.FLOAT64, false);
            NDArray c = m.randomNormal(new ai.djl.ndarray.types.Shape(4, D + 1)).toType(DataType.FLOAT64, false);
            NDArray y4 = m.create(new long[] {0, 1, 0, 1});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SelfSupervisedLoss.symmetric(plain).compute(a, b));
            assertTrue(e.getMessage().contains("view2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> plain.compute(a, y4, c, y4));
            assertTrue(e.getMessage().contains("refEmbeddings"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> plain.compute(a, y4, b, y4));
            assertTrue(e.getMessage().contains("refLabels"), e.getMessage());
            // a miner applies to the (query, reference) pairs, as PML's miner(emb, labels, ref_emb, ref_labels)
            org.metric4j.miner.PairIndices pairs = PairMarginMiner.builder().build().mine(a, y4, a.add(0.5), y4);
            double viaMiner = mined.compute(a, y4, a.add(0.5), y4).getDouble();
            double viaRelation = plain.compute(a, a.add(0.5), org.metric4j.distance.PairRelation.of(y4, y4)
                    .narrow(pairs.positiveMask(), pairs.negativeMask())).getDouble();
            assertEquals(viaRelation, viaMiner, 1e-12);
            assertTrue(viaMiner != plain.compute(a, y4, a.add(0.5), y4).getDouble(), "the miner changed nothing");
        }
        assertThrows(NullPointerException.class, () -> SelfSupervisedLoss.symmetric(null));
    }
}
