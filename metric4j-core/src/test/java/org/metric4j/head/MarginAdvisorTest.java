package org.metric4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CosFace bounds on s and m, against values worked out by hand. */
class MarginAdvisorTest {

    @Test
    void scaleBoundMatchesTheFormula() {
        // C = 10,000, P = 0.9: s >= 0.9999 * ln(9999 * 9) = 11.4065...
        MarginAdvisor.Advice a = MarginAdvisor.advise(10_000, 512, 0.9);
        assertEquals(0.9999 * Math.log(9999 * 9.0), a.minScale(), 1e-12);
        assertEquals(10_000 / 9_999.0, a.maxMargin(), 1e-12);
        assertFalse(a.marginBoundTight(), "C > D + 1: the bound is loose");
        assertTrue(a.explanation().contains("s >= 11.40"), a.explanation());
    }

    @Test
    void marginBoundsOfSmallProblems() {
        assertEquals(1 - Math.cos(2 * Math.PI / 10), MarginAdvisor.advise(10, 2, 0.5).maxMargin(), 1e-15);
        MarginAdvisor.Advice simplex = MarginAdvisor.advise(4, 3, 0.5);
        assertEquals(4 / 3.0, simplex.maxMargin(), 1e-15);
        assertTrue(simplex.marginBoundTight());
    }

    @Test
    void moreClassesOrHigherPosteriorNeedALargerScale() {
        double s1 = MarginAdvisor.advise(1_000, 128, 0.9).minScale();
        double s2 = MarginAdvisor.advise(100_000, 128, 0.9).minScale();
        double s3 = MarginAdvisor.advise(100_000, 128, 0.99).minScale();
        assertTrue(s1 < s2 && s2 < s3, s1 + " " + s2 + " " + s3);
    }

    @Test
    void badInputNamesTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MarginAdvisor.advise(10, 128, 0.05));
        assertTrue(e.getMessage().contains("minPosterior") && e.getMessage().contains("0.05"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MarginAdvisor.advise(1, 128, 0.9));
        assertTrue(e.getMessage().contains("numClasses"), e.getMessage());
    }
}
