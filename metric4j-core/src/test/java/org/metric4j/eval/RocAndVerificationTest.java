package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ROC, AUC, EER and the 10-fold protocol on small cases worked out by hand. */
class RocAndVerificationTest {

    @Test
    void rocOfASmallExampleMatchesHandComputation() {
        // scores 0.9 s, 0.8 d, 0.7 s, 0.6 s, 0.5 d, 0.4 d
        double[] s = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
        boolean[] y = {true, false, true, true, false, false};
        RocCurve roc = RocCurve.of(s, y);
        // AUC = P(score_same > score_diff): pairs (3 x 3) won: 0.9>all 3, 0.7>0.5,0.4, 0.6>0.5,0.4 = 7/9
        assertEquals(7 / 9.0, roc.auc(), 1e-12);
        assertEquals(1 / 3.0, roc.tarAtFar(0.2), 1e-12);
        assertEquals(1.0, roc.tarAtFar(0.5), 1e-12);
        assertEquals(0, roc.fpr()[0]);
        assertEquals(Double.POSITIVE_INFINITY, roc.thresholds()[0]);
    }

    @Test
    void tiesCountOneHalfInTheAuc() {
        RocCurve roc = RocCurve.of(new double[] {0.5, 0.5}, new boolean[] {true, false});
        assertEquals(0.5, roc.auc(), 1e-12);
        assertEquals(0.5, roc.equalErrorRate(), 1e-12);
    }

    @Test
    void perfectSeparationGivesPerfectScores() {
        Random rnd = new Random(3);
        int n = 200;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2 == 0;
            s[i] = (y[i] ? 1 : -1) + 0.1 * rnd.nextGaussian();
        }
        VerificationProtocol.Report r = VerificationProtocol.builder().build().evaluate(s, y);
        assertEquals(1.0, r.accuracyMean(), 1e-12);
        assertEquals(0.0, r.accuracyStd(), 1e-12);
        assertEquals(1.0, r.auc(), 1e-12);
        assertEquals(0.0, r.eer(), 1e-12);
        for (double t : r.foldThresholds()) {
            assertTrue(t > -0.7 && t < 0.7, "threshold between the classes, got " + t);
        }
    }

    @Test
    void distancesFlipTheComparison() {
        double[] d = {0.1, 0.2, 0.9, 1.1};
        boolean[] y = {true, true, false, false};
        assertEquals(1.0, RocCurve.of(VerificationProtocol.fromDistances(d), y).auc(), 1e-12);
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VerificationProtocol.builder().build().evaluate(new double[15], new boolean[15]));
        assertTrue(e.getMessage().contains("multiple of folds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RocCurve.of(new double[] {1, 2}, new boolean[] {true, true}));
        assertTrue(e.getMessage().contains("impostor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RocCurve.of(new double[] {1, 2}, new boolean[] {true, false}).tarAtFar(1.5));
        assertTrue(e.getMessage().contains("far") && e.getMessage().contains("1.5"), e.getMessage());
    }

    @Test
    void pairsFileParsesAndReportsBadLines() {
        PairsFile p = PairsFile.parse(List.of("2 1", "Ann\t1\t2", "Bob 1 Cy 3", "Dan 2 4", "Eve 1 Fay 1"), "t");
        assertEquals(2, p.folds());
        assertEquals(4, p.pairs().size());
        assertEquals("Ann/Ann_0001", p.pairs().get(0).first());
        assertEquals("Cy/Cy_0003", p.pairs().get(1).second());
        assertTrue(p.pairs().get(0).same() && !p.pairs().get(1).same());
        assertEquals(1, p.pairs().get(2).fold());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairsFile.parse(List.of("1 1", "Ann 1 x", "Bob 1 Cy 3"), "pairs.txt"));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PairsFile.parse(List.of("1 2", "Ann 1 2"), "pairs.txt"));
        assertTrue(e.getMessage().contains("header promises"), e.getMessage());
    }

    @Test
    void pairVerificationSkipsMissingItemsOnlyWhenAsked() {
        // 2 folds x (1 matched + 1 mismatched); person A's two images agree, B and C differ
        double[] v = {1, 0, 0.9, 0.1, 0, 1, 0.2, 0.9, -1, 0};
        String[] names = {"A/A_0001.jpg", "A/A_0002.jpg", "B/B_0001.jpg", "C/C_0001.jpg", "D/D_0001.jpg"};
        EmbeddingSet set = new EmbeddingSet(v, 5, 2, new long[] {0, 0, 1, 2, 3}, names);
        PairsFile pairs = PairsFile.parse(List.of("2 1", "A 1 2", "A 1 B 1", "A 1 2", "C 1 Z 1"), "t");
        VerificationProtocol protocol = VerificationProtocol.builder().optFolds(2).optFars(0.1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairVerification.evaluate(set, pairs, PairVerification.Score.COSINE,
                        PairVerification.Missing.FAIL, protocol));
        assertTrue(e.getMessage().contains("Z/Z_0001") && e.getMessage().contains("line 5"), e.getMessage());
        PairsFile ok = PairsFile.parse(List.of("2 1", "A 1 2", "A 1 B 1", "A 1 2", "C 1 D 1"), "t");
        PairVerification.Result r = PairVerification.evaluate(set, ok, PairVerification.Score.COSINE,
                PairVerification.Missing.SKIP, protocol);
        assertEquals(4, r.evaluatedPairs());
        assertEquals(0, r.skippedPairs());
        assertArrayEquals(new double[] {1, 1}, r.report().foldAccuracies(), 1e-12);
    }
}
