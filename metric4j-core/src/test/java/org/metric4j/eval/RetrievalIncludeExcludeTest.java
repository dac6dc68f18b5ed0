package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.eval.RetrievalMetrics.Averaging;
import org.metric4j.eval.RetrievalMetrics.Metric;
import org.metric4j.eval.RetrievalMetrics.Options;
import org.metric4j.eval.RetrievalMetrics.Report;

/**
 * AccuracyCalculator's {@code include} / {@code exclude} in {@link RetrievalMetrics.Options}, on
 * one query at 0 degrees (label 0) against references at 10, 20, 30, 40, 50 degrees with labels 1,
 * 0, 1, 1, 0: ranking 1 0 1 1 0, relevant at ranks 2 and 5 (R = 2), k = every reference.
 */
class RetrievalIncludeExcludeTest {

    private static final KnnSearch SEARCH = KnnSearch.builder().build();
    private static final long[] QL = {0};
    private static final long[] RL = {1, 0, 1, 1, 0};

    private static NDArray circle(NDManager m, double... degrees) {
        double[] xy = new double[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            xy[2 * i] = Math.cos(Math.toRadians(degrees[i]));
            xy[2 * i + 1] = Math.sin(Math.toRadians(degrees[i]));
        }
        return m.create(xy, new Shape(degrees.length, 2));
    }

    private static Report run(Options.Builder options) {
        try (NDManager m = TestDevice.manager()) {
            return RetrievalMetrics.evaluate(circle(m, 0), QL, circle(m, 10, 20, 30, 40, 50), RL,
                    Neighbours.INCLUDE_SELF, options.optAllReferences().build(), SEARCH);
        }
    }

    @Test
    void excludedMetricsAreNeitherComputedNorReported() {
        Report all = run(Options.builder().optRecallKs(1, 2));
        assertEquals(List.of("precision_at_1", "r_precision", "mean_average_precision_at_r", "mean_average_precision",
                "mean_reciprocal_rank", "recall_at_1", "recall_at_2"), List.copyOf(all.metrics().keySet()));
        assertEquals(0.0, all.precisionAt1(), 0);
        assertEquals((1.0 / 2 + 2.0 / 5) / 2, all.meanAveragePrecision(), 1e-12);
        assertEquals(0.5, all.meanReciprocalRank(), 1e-12);
        // R = 2: one hit (rank 2) among the first 2
        assertEquals(0.5, all.rPrecision(), 1e-12);
        assertEquals(Map.of(1, 0.0, 2, 1.0), all.recallAtK());

        Report some = run(Options.builder().optRecallKs(1, 2).optExclude("mean_average_precision", "recall_at_k"));
        assertEquals(List.of("precision_at_1", "r_precision", "mean_average_precision_at_r", "mean_reciprocal_rank"),
                List.copyOf(some.metrics().keySet()));
        assertTrue(Double.isNaN(some.meanAveragePrecision()), "excluded: NaN");
        assertTrue(some.recallAtK().isEmpty(), "excluded Recall@K: no entry");
        assertEquals(EnumSet.complementOf(EnumSet.of(Metric.MEAN_AVERAGE_PRECISION, Metric.RECALL_AT_K)), some.computed());
        assertEquals(all.rPrecision(), some.rPrecision(), 0);
        assertEquals(all.meanAveragePrecisionAtR(), some.meanAveragePrecisionAtR(), 0);
        assertEquals(all.meanReciprocalRank(), some.meanReciprocalRank(), 0);
        assertEquals(1, some.queries());
    }

    /** Recall@K left out: a K beyond the 5 references is no longer an error, as nothing reads it. */
    @Test
    void anExcludedMetricsOptionsAreNotChecked() {
        assertThrows(IllegalArgumentException.class, () -> run(Options.builder().optRecallKs(8)));
        Report r = run(Options.builder().optRecallKs(8).optInclude("precision_at_1"));
        assertEquals(Map.of("precision_at_1", 0.0), r.metrics());
        assertTrue(Double.isNaN(r.meanReciprocalRank()));
    }

    @Test
    void includeThenExcludeAsPml() {
        Report r = run(Options.builder().optInclude("mean_reciprocal_rank", "precision_at_1", "r_precision")
                .optExclude("r_precision"));
        assertEquals(List.of("precision_at_1", "mean_reciprocal_rank"), List.copyOf(r.metrics().keySet()));
        assertEquals(0.5, r.metrics().get("mean_reciprocal_rank"), 1e-12);
        Report none = run(Options.builder().optExclude("precision_at_1", "r_precision", "mean_average_precision_at_r",
                "mean_average_precision", "mean_reciprocal_rank", "recall_at_k"));
        assertTrue(none.metrics().isEmpty(), "everything excluded: an empty report, as PML's empty dict");
        assertEquals(1, none.queries(), "the queries are still counted");
    }

    @Test
    void perClassAveragingKeepsTheExclusions() {
        Report r = run(Options.builder().optRecallKs(1).optAveraging(Averaging.PER_CLASS)
                .optExclude("mean_reciprocal_rank"));
        assertTrue(Double.isNaN(r.meanReciprocalRank()));
        assertEquals((1.0 / 2 + 2.0 / 5) / 2, r.meanAveragePrecision(), 1e-12);
        assertTrue(!r.metrics().containsKey("mean_reciprocal_rank"));
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.builder().optExclude("precision_at_2"));
        assertTrue(e.getMessage().startsWith("exclude must name metrics among precision_at_1, r_precision,"
                + " mean_average_precision_at_r, mean_average_precision, mean_reciprocal_rank, recall_at_k"), e.getMessage());
        assertTrue(e.getMessage().contains("got 'precision_at_2'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Options.builder().optInclude("AMI"));
        assertTrue(e.getMessage().startsWith("include must name") && e.getMessage().contains("Clustering"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Options.builder().optExclude((String[]) null));
        assertEquals(EnumSet.allOf(Metric.class), Options.defaults().metrics());
        assertTrue(Options.builder().optExclude("r_precision").build().toString().contains("metrics=[precision_at_1,"),
                Options.builder().optExclude("r_precision").build().toString());
    }
}
