package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The test helper {@link ChiSquare} against tabulated chi-square quantiles. */
class ChiSquareTest {

    @Test
    void upperTailMatchesTables() {
        assertEquals(0.05, ChiSquare.upperTail(3.841458820694124, 1), 1e-9);
        assertEquals(0.01, ChiSquare.upperTail(23.209251158954356, 10), 1e-9);
        assertEquals(0.01, ChiSquare.upperTail(135.80672317102676, 100), 1e-9);
        // 2 degrees of freedom: exp(-x / 2) exactly
        assertEquals(Math.exp(-3.0), ChiSquare.upperTail(6.0, 2), 1e-12);
        assertEquals(1.0, ChiSquare.upperTail(0.0, 5), 0);
    }

    @Test
    void statisticPoolsSmallCellsAndRejectsImpossibleDraws() {
        // 100 draws over p = (0.5, 0.47, 0.03): the last cell (expected 3) is pooled with none, so
        // it stands alone as the pooled cell: (40-50)^2/50 + (57-47)^2/47 + (3-3)^2/3
        ChiSquare c = new ChiSquare().add(new long[] {40, 57, 3}, new double[] {0.5, 0.47, 0.03});
        assertEquals(100.0 / 50 + 100.0 / 47, c.statistic(), 1e-12);
        assertEquals(2, c.degrees());
        assertThrows(AssertionError.class, () -> new ChiSquare().add(new long[] {1, 1}, new double[] {1, 0}));
    }
}
