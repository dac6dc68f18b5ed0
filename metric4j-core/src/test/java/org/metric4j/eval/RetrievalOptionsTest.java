package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.eval.RetrievalMetrics.Averaging;
import org.metric4j.eval.RetrievalMetrics.Options;
import org.metric4j.eval.RetrievalMetrics.Report;

/**
 * {@link RetrievalMetrics#evaluate} with PML's AccuracyCalculator options, on rankings worked out
 * by hand: points on the unit circle by angle, so the nearest references follow the angle.
 */
class RetrievalOptionsTest {

    private static final KnnSearch SEARCH = KnnSearch.builder().build();

    private static NDArray circle(NDManager m, double... degrees) {
        double[] xy = new double[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            xy[2 * i] = Math.cos(Math.toRadians(degrees[i]));
            xy[2 * i + 1] = Math.sin(Math.toRadians(degrees[i]));
        }
        return m.create(xy, new Shape(degrees.length, 2));
    }

    /**
     * One query at 0 degrees with label 0 against references at 10, 20, 30, 40, 50 degrees with
     * labels 1, 0, 1, 1, 0: ranking 1 0 1 1 0, relevant at ranks 2 and 5 (R = 2).
     */
    @Test
    void mapDividesByAllRelevantReferencesAndKCutsTheRanking() {
        try (NDManager m = TestDevice.manager()) {
            NDArray q = circle(m, 0);
            NDArray r = circle(m, 10, 20, 30, 40, 50);
            long[] ql = {0};
            long[] rl = {1, 0, 1, 1, 0};
            Report all = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.INCLUDE_SELF,
                    Options.builder().optAllReferences().optRecallKs(1).build(), SEARCH);
            assertEquals(5, all.k());
            assertEquals((1.0 / 2 + 2.0 / 5) / 2, all.meanAveragePrecision(), 1e-12);
            assertEquals(0.5, all.meanReciprocalRank(), 1e-12);
            assertEquals(0.0, all.precisionAt1(), 1e-12);
            Report k3 = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.INCLUDE_SELF,
                    Options.builder().optK(3).optRecallKs(1).build(), SEARCH);
            // only rank 2 within k = 3, still divided by R = 2 (PML), not min(k, R)
            assertEquals((1.0 / 2) / 2, k3.meanAveragePrecision(), 1e-12);
            Report k1 = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.INCLUDE_SELF,
                    Options.builder().optK(1).optRecallKs(1).build(), SEARCH);
            assertEquals(0.0, k1.meanReciprocalRank(), 1e-12);
            // R-Precision with k = 1 < R = 2 divides by k, as PML: 0 hits of 1
            assertEquals(0.0, k1.rPrecision(), 1e-12);
            Report bins = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.INCLUDE_SELF,
                    Options.builder().optRecallKs(1).build(), SEARCH);
            // max_bin_count over the query labels: label 0 has 2 references
            assertEquals(2, bins.k());
            assertEquals(0.5, bins.rPrecision(), 1e-12);
        }
    }

    /**
     * Queries at 0 (label 0), 100 (label 1), 190 (label 1) degrees against references at 5 (0),
     * 95 (1), 150 (0), 250 (1), 300 (2): P@1 is 1, 1, 0 per query; per class 1 and 0.5.
     */
    @Test
    void averageOfClassAveragesAndPerClassValues() {
        try (NDManager m = TestDevice.manager()) {
            NDArray q = circle(m, 0, 100, 190);
            NDArray r = circle(m, 5, 95, 150, 250, 300);
            long[] ql = {0, 1, 1};
            long[] rl = {0, 1, 0, 1, 2};
            Options perQuery = Options.builder().optK(1).optRecallKs(1).build();
            Options perClass = Options.builder().optK(1).optAveraging(Averaging.PER_CLASS).optRecallKs(1).build();
            Report a = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.INCLUDE_SELF, perQuery, SEARCH);
            Report b = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.INCLUDE_SELF, perClass, SEARCH);
            assertEquals(2.0 / 3, a.precisionAt1(), 1e-12);
            assertEquals((1.0 + 0.5) / 2, b.precisionAt1(), 1e-12);
            assertEquals(2.0 / 3, a.recallAtK().get(1), 1e-12);
            assertEquals(0.75, b.recallAtK().get(1), 1e-12);
            Map<Long, Report> classes = RetrievalMetrics.perClass(q, ql, r, rl, Neighbours.INCLUDE_SELF, perQuery,
                    SEARCH);
            assertEquals(2, classes.size());
            assertEquals(1.0, classes.get(0L).precisionAt1(), 1e-12);
            assertEquals(0.5, classes.get(1L).precisionAt1(), 1e-12);
            assertEquals(2, classes.get(1L).queries());
        }
    }

    @Test
    void defaultOptionsEqualLeaveOneOut() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = circle(m, 0, 12, 40, 61, 90, 130, 170, 200, 230, 300, 333);
            long[] y = {0, 0, 1, 0, 1, 2, 2, 1, 3, 3, 4};
            Report loo = RetrievalMetrics.leaveOneOut(x, y, SEARCH, 1, 2);
            Report opt = RetrievalMetrics.evaluate(x, y, x, y, Neighbours.EXCLUDE_SELF,
                    Options.builder().optRecallKs(1, 2).build(), SEARCH);
            assertEquals(loo.precisionAt1(), opt.precisionAt1(), 1e-12);
            assertEquals(loo.rPrecision(), opt.rPrecision(), 1e-12);
            assertEquals(loo.meanAveragePrecisionAtR(), opt.meanAveragePrecisionAtR(), 1e-12);
            assertEquals(loo.meanAveragePrecision(), opt.meanAveragePrecision(), 1e-12);
            assertEquals(loo.meanReciprocalRank(), opt.meanReciprocalRank(), 1e-12);
            assertEquals(loo.recallAtK(), opt.recallAtK());
            assertEquals(loo.k(), opt.k());
            assertEquals(1, opt.skippedQueries()); // label 4 is alone
            assertTrue(opt.precisionAt1() > 0 && opt.precisionAt1() < 1, "a trivial P@1: " + opt.precisionAt1());
        }
    }

    /** Queries that are the first rows of a larger reference set (PML's ref_includes_query). */
    @Test
    void queriesAsAPrefixOfTheReferences() {
        try (NDManager m = TestDevice.manager()) {
            NDArray q = circle(m, 0, 90);
            NDArray r = circle(m, 0, 90, 80, 10, 45);
            long[] ql = {0, 1};
            long[] rl = {0, 1, 0, 1, 0};
            Report rep = RetrievalMetrics.evaluate(q, ql, r, rl, Neighbours.EXCLUDE_SELF,
                    Options.builder().optAllReferences().optRecallKs(1).build(), SEARCH);
            // query 0: 10 (1), 45 (0), 80 (0), 90 (1) -> relevant at 2, 3 of R = 2
            // query 1: 80 (0), 45 (0), 10 (1), 0 (0) -> relevant at 3 of R = 1
            assertEquals(4, rep.k());
            assertEquals(((1.0 / 2 + 2.0 / 3) / 2 + 1.0 / 3) / 2, rep.meanAveragePrecision(), 1e-12);
            assertEquals((0.5 + 1.0 / 3) / 2, rep.meanReciprocalRank(), 1e-12);
        }
    }

    @Test
    void badOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Options.builder().optK(0));
        assertTrue(e.getMessage().contains("k must be >= 1, got 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Options.builder().optRecallKs());
        try (NDManager m = TestDevice.manager()) {
            NDArray q = circle(m, 0);
            NDArray r = circle(m, 10, 20);
            e = assertThrows(IllegalArgumentException.class, () -> RetrievalMetrics.evaluate(q, new long[] {0}, r,
                    new long[] {0, 1}, Neighbours.INCLUDE_SELF, Options.builder().optK(3).optRecallKs(1).build(),
                    SEARCH));
            assertTrue(e.getMessage().contains("got 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> RetrievalMetrics.evaluate(q, new long[] {1}, r,
                    new long[] {0, 1}, Neighbours.EXCLUDE_SELF, Options.builder().optRecallKs(1).build(), SEARCH));
            assertTrue(e.getMessage().contains("query 0 must be reference 0"), e.getMessage());
        }
    }
}
