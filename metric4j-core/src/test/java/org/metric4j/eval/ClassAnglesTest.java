package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ClassAngles}: hand-computed angles, scale invariance, exact cosines of 1, bad input. */
class ClassAnglesTest {

    private static double[] at(double norm, double... degrees) {
        double[] v = new double[2 * degrees.length];
        for (int i = 0; i < degrees.length; i++) {
            v[2 * i] = norm * Math.cos(Math.toRadians(degrees[i]));
            v[2 * i + 1] = norm * Math.sin(Math.toRadians(degrees[i]));
        }
        return v;
    }

    @Test
    void symmetricClassesOnTheCircle() {
        // class 0 at -10 and +10 degrees (mean direction 0), class 1 at 70 and 110 (mean 90)
        double[] v = at(1, -10, 10, 70, 110);
        ClassAngles.Report r = ClassAngles.of(new EmbeddingSet(v, 4, 2, new long[] {0, 0, 1, 1}, null));
        assertEquals(15, r.intraDegrees(), 1e-12);
        assertEquals(90, r.interDegrees(), 1e-12);
        assertEquals(90, r.meanInterDegrees(), 1e-12);
        assertEquals(15.0 / 90, r.ratio(), 1e-14);
        assertEquals(2, r.classes());
    }

    @Test
    void smallestAndMeanSeparationOfThreeClasses() {
        // directions 0, 30 and 180 degrees: smallest 30, mean (30 + 180 + 150) / 3
        double[] v = at(1, 0, 30, 180);
        ClassAngles.Report r = ClassAngles.of(new EmbeddingSet(v, 3, 2, new long[] {5, 7, 9}, null));
        assertEquals(0, r.intraDegrees(), 1e-12);
        assertEquals(30, r.interDegrees(), 1e-12);
        assertEquals(120, r.meanInterDegrees(), 1e-12);
    }

    @Test
    void featureNormsDoNotMatter() {
        double[] unit = at(1, -10, 10, 70, 110);
        double[] mixed = unit.clone();
        for (int j = 0; j < 2; j++) {
            mixed[j] *= 1000;
            mixed[4 + j] *= 1e-3;
        }
        long[] y = {0, 0, 1, 1};
        ClassAngles.Report a = ClassAngles.of(new EmbeddingSet(unit, 4, 2, y, null));
        ClassAngles.Report b = ClassAngles.of(new EmbeddingSet(mixed, 4, 2, y, null));
        assertEquals(a.intraDegrees(), b.intraDegrees(), 1e-12);
        assertEquals(a.interDegrees(), b.interDegrees(), 1e-12);
    }

    @Test
    void identicalFeaturesGiveZeroNotNaN() {
        // cos = 1 up to rounding: clamped before acos
        double[] v = {0.1, 0.2, 0.3, 0.1, 0.2, 0.3, -0.3, 0.2, 0.1, -0.3, 0.2, 0.1};
        ClassAngles.Report r = ClassAngles.of(new EmbeddingSet(v, 4, 3, new long[] {0, 0, 1, 1}, null));
        assertEquals(0, r.intraDegrees(), 1e-6);
        assertTrue(Double.isFinite(r.interDegrees()) && r.interDegrees() > 0, "inter " + r.interDegrees());
    }

    @Test
    void aClassWhoseFeaturesCancelHasNoDirection() {
        // class 1 at 90 and 270 degrees cancels: left out of the separation (NaN with only one other class)
        ClassAngles.Report r = ClassAngles.of(new EmbeddingSet(at(1, 0, 90, 270), 3, 2, new long[] {0, 1, 1}, null));
        assertTrue(Double.isNaN(r.interDegrees()));
        assertEquals((0 + 90 + 90) / 3.0, r.intraDegrees(), 1e-12);
    }

    @Test
    void needsLabelsAndTwoClasses() {
        assertThrows(IllegalArgumentException.class, () -> ClassAngles.of(new EmbeddingSet(at(1, 0, 10), 2, 2, null, null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassAngles.of(new EmbeddingSet(at(1, 0, 10), 2, 2, new long[] {3, 3}, null)));
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
    }
}
