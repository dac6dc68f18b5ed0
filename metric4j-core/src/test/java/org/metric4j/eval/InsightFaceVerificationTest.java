package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The pieces of {@link InsightFaceVerification} that the fixture exercises only in part. */
class InsightFaceVerificationTest {

    @Test
    void kFoldGivesTheFirstFoldsOneMoreAsScikitLearn() {
        assertArrayEquals(new int[][] {{0, 4}, {4, 8}, {8, 11}, {11, 14}}, InsightFaceVerification.kFold(14, 4));
    }

    @Test
    void slinearInterpolatesInTheLastIntervalStartingAtOrBelowTheTarget() {
        double[] x = {0, 0, 0.0005, 0.0005, 0.002, 0.002, 1};
        double[] c = {0, 1, 2, 3, 4, 5, 6};
        // x_i <= 1e-3 last at i = 3 (0.0005), next 0.002: 3 + (1e-3 - 5e-4) / 1.5e-3
        assertEquals(3 + 1.0 / 3, InsightFaceVerification.slinear(x, c, 1e-3), 1e-12);
        // at a repeated knot the last of the repeats starts the interval
        assertEquals(3, InsightFaceVerification.slinear(x, c, 0.0005), 1e-12);
        // at the right end scipy uses the last interval
        assertEquals(6, InsightFaceVerification.slinear(x, c, 1), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> InsightFaceVerification.slinear(x, c, 2));
    }

    @Test
    void meanAndStdAreNumpysPairwiseSums() {
        double[] a = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
        // np.mean(a) == 0.55, np.std(a) == 0.2872281323269014
        assertEquals(0.55, InsightFaceVerification.mean(a));
        assertEquals(0.2872281323269014, InsightFaceVerification.std(a));
    }

    @Test
    void withoutFarAboveTheTargetTheValThresholdIsZero() {
        // genuine pairs at distance 0.5, impostors at 3.9995: no train FAR reaches 1e-3 below t = 3.999
        double[] dist = new double[20];
        boolean[] same = new boolean[20];
        for (int i = 0; i < 20; i++) {
            same[i] = i % 2 == 0;
            dist[i] = same[i] ? 0.5 : 3.9995;
        }
        InsightFaceVerification.Report r = InsightFaceVerification.builder().build().evaluateDistances(dist, same);
        assertArrayEquals(new double[10], r.valThresholds());
        assertEquals(0, r.val());
        assertEquals(1.0, r.accuracyMean());
        assertEquals(0.51, r.bestThresholds()[0], 1e-15);
    }
}
